/** The text blocks of a tool result joined by newlines (what a person reads of it); other blocks count as empty. */
export function toolText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}
