/**
 * The tool catalog: one BridgeTool per NeonPanel API operation (from the OpenAPI document plus the
 * curated overlay) and ChatGPT's `search` and `fetch`. The MCP layer registers these; it never
 * needs to know how they reach NeonPanel.
 */
export type { JsonSchemaObject } from './input-schema.js';
export { TOOL_NAME_PATTERN, toolNameFor } from './names.js';
export { loadOverlay, OVERLAY_FILE, type Overlay, parseOverlay } from './overlay.js';
export { createToolset, type Toolset, type ToolsetDeps, toolDefinition, toolsListResult } from './toolset.js';
export type { BridgeTool, BridgeToolAnnotations, BridgeToolDefinition, ToolContext } from './types.js';
export { diffToolDefinitions, formatToolChanges, type ToolChange } from './diff.js';
