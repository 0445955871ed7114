import type { CallToolResult } from '@modelcontextprotocol/client';

/**
 * The model-facing tool errors the tools issue documents for upstream faults, recognised by what
 * the text must tell the model: 5xx/timeout/reset are temporary and carry the request id to report,
 * 429 says when to retry (`retry_after_seconds`).
 */
export type ToolErrorClass = 'temporary' | 'retry_later' | 'other';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The text of a tool result (every text block, joined). */
export function resultText(result: CallToolResult): string {
  return result.content
    .filter((block): block is { type: 'text'; text: string } => block.type === 'text')
    .map((block) => block.text)
    .join('\n');
}

/** Every UUID in a text: the request ids an error names. */
export function uuidsIn(text: string): string[] {
  return [...text.matchAll(UUID)].map((match) => match[0].toLowerCase());
}

/** Which documented error a tool error text is. */
export function classifyToolError(text: string): ToolErrorClass {
  if (/retry_after_seconds/.test(text) && /HTTP 429|rate.?limit/i.test(text)) {
    return 'retry_later';
  }
  if (/temporar/i.test(text) && uuidsIn(text).length > 0) return 'temporary';
  return 'other';
}
