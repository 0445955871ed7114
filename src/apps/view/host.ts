/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="dom.asynciterable" />
/**
 * The view's side of the MCP Apps extension (io.modelcontextprotocol/ui, revision 2026-01-26): JSON-RPC
 * over `postMessage` with the host page. Written out instead of bundling the extension's `App` class,
 * which brings the whole MCP client and zod along: four times a view's size budget. The host side
 * (the extension's `AppBridge`) is what the browser test talks to, so the two stay compatible.
 */

/** The revision of the Apps extension this view speaks. */
const APPS_PROTOCOL_VERSION = '2026-01-26';

/** A tool result as the host forwards it (the MCP `CallToolResult`). */
export interface ToolResult {
  content?: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** What the host tells a view about itself: theme, styles, size (a subset of `McpUiHostContext`). */
interface HostContext {
  theme?: 'light' | 'dark';
  styles?: { variables?: Record<string, string | undefined> };
  containerDimensions?: { width?: number; maxWidth?: number; height?: number; maxHeight?: number };
  toolInfo?: { tool?: { name?: string } };
}

/** Callbacks of a view: the tool's arguments, then its result. */
export interface ViewHandlers {
  onToolInput?(args: Record<string, unknown>): void;
  onToolResult(result: ToolResult): void;
}

/** The host as a view uses it once connected. */
export interface ViewHost {
  /** Calls one of the server's tools through the host (read tools: next page, another company). */
  callTool(name: string, args: Record<string, unknown>): Promise<ToolResult>;
  /** The name of the tool whose result the view shows, when the host said it. */
  readonly toolName: string | undefined;
}

interface RpcMessage {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string };
}

/** Applies the host's theme, CSS variables and container size to the document. */
function applyContext(context: HostContext): void {
  const root = document.documentElement;
  if (context.theme) {
    root.dataset['theme'] = context.theme;
    root.style.colorScheme = context.theme;
  }
  for (const [name, value] of Object.entries(context.styles?.variables ?? {})) {
    if (value) root.style.setProperty(name, value);
  }
  const maxHeight = context.containerDimensions?.maxHeight ?? context.containerDimensions?.height;
  if (maxHeight) root.style.setProperty('--view-max-height', `${maxHeight}px`);
}

/** Connects to the host page (`window.parent`), performs `ui/initialize` and starts reporting the view's size. */
export async function connectView(name: string, handlers: ViewHandlers): Promise<ViewHost> {
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  const post = (message: RpcMessage) => window.parent.postMessage(message, '*');
  const request = (method: string, params: Record<string, unknown>) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      post({ jsonrpc: '2.0', id, method, params });
    });

  window.addEventListener('message', (event: MessageEvent<RpcMessage>) => {
    if (event.source !== window.parent) return;
    const message = event.data;
    if (message?.jsonrpc !== '2.0') return;
    if (message.method === undefined) {
      const waiter = typeof message.id === 'number' ? pending.get(message.id) : undefined;
      if (!waiter) return;
      pending.delete(message.id as number);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
      return;
    }
    const params = message.params ?? {};
    switch (message.method) {
      case 'ui/notifications/tool-input':
        handlers.onToolInput?.((params['arguments'] as Record<string, unknown> | undefined) ?? {});
        break;
      case 'ui/notifications/tool-result':
        handlers.onToolResult(params as ToolResult);
        break;
      case 'ui/notifications/host-context-changed':
        applyContext(params as HostContext);
        break;
      case 'ui/resource-teardown':
      case 'ping':
        post({ jsonrpc: '2.0', id: message.id as number, result: {} });
        break;
      default:
        if (message.id !== undefined) {
          post({
            jsonrpc: '2.0',
            id: message.id,
            error: { code: -32601, message: `${message.method} is not handled` },
          });
        }
    }
  });

  const initialized = (await request('ui/initialize', {
    appInfo: { name, version: '1.0.0' },
    appCapabilities: { availableDisplayModes: ['inline'] },
    protocolVersion: APPS_PROTOCOL_VERSION,
  })) as { hostContext?: HostContext };
  const context = initialized.hostContext ?? {};
  applyContext(context);
  post({ jsonrpc: '2.0', method: 'ui/notifications/initialized', params: {} });

  let last = '';
  new ResizeObserver(() => {
    const { scrollWidth: width, scrollHeight: height } = document.documentElement;
    const size = `${width}x${height}`;
    if (size === last) return;
    last = size;
    post({ jsonrpc: '2.0', method: 'ui/notifications/size-changed', params: { width, height } });
  }).observe(document.documentElement);

  return {
    callTool: async (tool, args) => (await request('tools/call', { name: tool, arguments: args })) as ToolResult,
    toolName: context.toolInfo?.tool?.name,
  };
}
