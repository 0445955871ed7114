/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="dom.asynciterable" />
/** Small DOM and number helpers shared by the views (no framework: each view is one small bundle). */

type Child = Node | string | number | null | undefined | false;

/** Creates an element with attributes and children; text children are escaped by the DOM. */
export function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
  return element;
}

/** An SVG element with attributes and children. */
export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: Node[]): SVGElement {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** An amount in its currency (`USD 1,234.50`); the code is always shown, never only a symbol. */
export function money(amount: number | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || Number.isNaN(amount)) return '—';
  const figure = amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency ? `${currency} ${figure}` : figure;
}

/** A count of units (`1,250`). */
export function units(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toLocaleString('en-US');
}

/** Replaces the view's content. */
export function render(...children: (Node | string)[]): void {
  document.getElementById('app')?.replaceChildren(...children);
}

/** A message in place of the view's content (an error from the tool, nothing to show). */
export function notice(text: string, kind: 'info' | 'error' = 'info'): HTMLElement {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** The text of a tool result that failed, for the notice. */
export function errorText(result: { content?: { type: string; text?: string }[] }): string {
  return (result.content ?? [])
    .map((item) => item.text ?? '')
    .join(' ')
    .trim();
}

/** The record a tool answered: `structuredContent`, unwrapped from a `data` object when NeonPanel wraps it. */
export function record(result: { structuredContent?: Record<string, unknown> }): Record<string, unknown> {
  const body = result.structuredContent ?? {};
  const data = body['data'];
  return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : body;
}
