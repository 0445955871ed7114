/**
 * Event ids name their stream so `readAfter(id)` can find the stream from the id alone
 * (a client resuming with `Last-Event-ID` sends nothing else). Format: `<streamId>.<position>`,
 * where the position never contains a dot, so the last dot separates the two.
 */

const SEPARATOR = '.';

/** Builds the event id of the event at `position` in `streamId`. */
export function formatEventId(streamId: string, position: string): string {
  return `${streamId}${SEPARATOR}${position}`;
}

/** Splits an event id into stream and position; undefined when it is not one of ours. */
export function parseEventId(eventId: string): { streamId: string; position: string } | undefined {
  const at = eventId.lastIndexOf(SEPARATOR);
  if (at <= 0 || at === eventId.length - 1) return undefined;
  return { streamId: eventId.slice(0, at), position: eventId.slice(at + 1) };
}
