/**
 * The tools: one BridgeTool per NeonPanel API operation (from the catalog generated out of the
 * OpenAPI document and the curated overlay) and ChatGPT's `search` and `fetch`. The MCP layer registers these; it never
 * needs to know how they reach NeonPanel.
 */
export type { JsonSchemaObject } from './input-schema.js';
export { TOOL_NAME_PATTERN, toolNameFor } from './names.js';
// Build-time parts (overlay parsing, building a catalog from a document) are imported from
// ./overlay.js and ./catalog-source.js directly, so the server never loads the YAML and schema tooling.
export type { Overlay } from './overlay.js';
export { CATALOG_FILE, loadCatalog, type ToolCatalog } from './catalog.js';
export { createToolset, type Toolset, type ToolsetDeps, type ToolsetGroup } from './toolset.js';
export { parseToolsetsParameter, type ToolView, toolsetOf } from './toolsets.js';
export type { BridgeTool, BridgeToolAnnotations, BridgeToolDefinition, ToolContext } from './types.js';
export { diffToolDefinitions, formatToolChanges, type ToolChange } from './diff.js';
