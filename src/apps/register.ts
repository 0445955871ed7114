/**
 * What the bridge adds to an MCP server beside its tools: the workflow prompts (always) and the MCP Apps
 * views (unless `MCP_APPS=false`). Everything is computed once; each new server only gets a handler per
 * method it serves. They are registered one by one, not as the SDK's fallback handler: with a fallback
 * the SDK no longer knows which methods the server lacks, and a 2026-07-28 request for an unknown
 * method is answered in-band (HTTP 200) instead of the 404 the revision requires.
 */
import { ResourceNotFoundError, type Server, type ServerCapabilities } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { getPrompt, promptsListResult } from '../prompts/index.js';
import { createAppsSurface } from './index.js';

/** A tool definition as the server lists it (only the fields read here). */
interface ListedTool {
  name: string;
  _meta?: Record<string, unknown>;
}

export interface ServerExtensions {
  /**
   * A `tools/list` result with each tool's view linked in its `_meta` (the same result when views are off).
   * Computed once per list: the toolset keeps one list per connection view, so the cache stays small.
   */
  withViews<L extends { tools: ListedTool[] }>(list: L): L;
  /** Capabilities to declare beside `tools`. */
  capabilities: Pick<ServerCapabilities, 'prompts' | 'resources'>;
  register(server: Server): void;
}

/*
 * Params checked with our own schemas: the SDK's built-in ones answer a bad param as an internal error
 * (-32603), these as invalid params (-32602) naming the field.
 */
const PROMPT_GET_PARAMS = z.object({
  name: z.string({ error: 'prompts/get needs params.name as a string' }),
  arguments: z
    .record(z.string(), z.string({ error: 'prompts/get needs params.arguments as an object of strings' }), {
      error: 'prompts/get needs params.arguments as an object of strings',
    })
    .optional(),
});
const RESOURCE_READ_PARAMS = z.object({ uri: z.string({ error: 'resources/read needs params.uri as a string' }) });

/** Prompts, and the views of the given tools (all the deployment serves) when `apps` is true. */
export function createServerExtensions(tools: readonly ListedTool[], apps: boolean): ServerExtensions {
  const promptList = promptsListResult();
  const surface = apps ? createAppsSurface(tools.map((tool) => tool.name)) : undefined;
  const resourceList = surface ? { resources: surface.resources } : undefined;
  const decorated = new WeakMap<object, object>();

  const read = (uri: string) => {
    const result = surface?.read(uri);
    if (result) return result;
    const shown = uri.slice(0, 200);
    throw new ResourceNotFoundError(shown, `No resource "${shown}": call resources/list for the bridge's ui:// views`);
  };
  return {
    withViews(list) {
      if (!surface) return list;
      let linked = decorated.get(list) as typeof list | undefined;
      if (!linked) {
        linked = {
          ...list,
          tools: list.tools.map((tool) => {
            const meta = surface.toolMeta(tool.name, tool._meta);
            return meta === tool._meta ? tool : { ...tool, _meta: meta };
          }),
        };
        decorated.set(list, linked);
      }
      return linked;
    },
    capabilities: surface
      ? { prompts: { listChanged: false }, resources: { listChanged: false } }
      : { prompts: { listChanged: false } },
    register(server) {
      server.setRequestHandler('prompts/list', () => promptList);
      server.setRequestHandler('prompts/get', { params: PROMPT_GET_PARAMS }, (params) =>
        getPrompt(params.name, params.arguments),
      );
      if (!resourceList) return;
      server.setRequestHandler('resources/list', () => resourceList);
      server.setRequestHandler('resources/templates/list', () => ({ resourceTemplates: [] }));
      server.setRequestHandler('resources/read', { params: RESOURCE_READ_PARAMS }, (params) => read(params.uri));
    },
  };
}
