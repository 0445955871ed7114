/**
 * The MCP Apps surface: the `ui://` resources a deployment serves and the `_meta` that links a tool to
 * its view. Built once at start from the tools served; the server factory wires it (resources/list,
 * resources/read, the tools' `_meta`) only when `MCP_APPS` is on.
 */
import views from './views.generated.json' with { type: 'json' };
import { APP_VIEWS, type AppView, VIEW_MIME_TYPE } from './views.js';

export { APP_VIEWS, type AppView, VIEW_MIME_TYPE, VIEWS_FILE, type ViewId } from './views.js';

/**
 * Every view's Content Security Policy, stated explicitly: no origin at all. A view reaches data only
 * through the host (`tools/call` over postMessage), which calls the bridge for it.
 */
export const VIEW_CSP = { connectDomains: [] as string[], resourceDomains: [] as string[] };

/** A `ui://` resource as `resources/list` shows it. */
export interface ViewResource {
  uri: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
  _meta: { ui: { csp: typeof VIEW_CSP; prefersBorder: boolean } };
}

/** What the server factory needs from the views. */
export interface AppsSurface {
  resources: ViewResource[];
  /** The `resources/read` result of one of the views; undefined for any other URI. */
  read(uri: string): { contents: (ViewResource & { text: string })[] } | undefined;
  /** A tool's `_meta` with its view linked (MCP Apps and ChatGPT keys), or the tool's own when it has none. */
  toolMeta(tool: string, meta: Record<string, unknown> | undefined): Record<string, unknown> | undefined;
}

function resourceOf(view: AppView): ViewResource {
  return {
    uri: view.uri,
    name: view.name,
    title: view.title,
    description: view.description,
    mimeType: VIEW_MIME_TYPE,
    _meta: { ui: { csp: VIEW_CSP, prefersBorder: true } },
  };
}

/** The views for the tools a deployment serves: a view none of whose tools is served is left out. */
export function createAppsSurface(toolNames: Iterable<string>): AppsSurface {
  const served = new Set(toolNames);
  const active = APP_VIEWS.filter((view) => view.tools.some((tool) => served.has(tool)));
  const byUri = new Map(active.map((view) => [view.uri, view]));
  const byTool = new Map(active.flatMap((view) => view.tools.map((tool) => [tool, view] as const)));
  return {
    resources: active.map(resourceOf),
    read(uri) {
      const view = byUri.get(uri);
      return view ? { contents: [{ ...resourceOf(view), text: views[view.id] }] } : undefined;
    },
    toolMeta(tool, meta) {
      const view = byTool.get(tool);
      if (!view) return meta;
      return {
        ...meta,
        ui: { resourceUri: view.uri },
        // The flat key older Apps hosts read, and ChatGPT's keys: its template and leave to call tools from the view.
        'ui/resourceUri': view.uri,
        'openai/outputTemplate': view.uri,
        'openai/widgetAccessible': true,
      };
    },
  };
}
