import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Logger } from '../telemetry/logger.js';
import type { UpstreamOutcome } from '../upstream/index.js';
import type { JsonSchemaObject } from './input-schema.js';

/** Behaviour hints every tool carries (clients decide on confirmation and auto-approval from them). */
export interface BridgeToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** Who calls a tool: the verified token's subject and the token itself (forwarded to NeonPanel only). */
export interface ToolContext {
  token: string;
  sub: string;
  /** The OAuth client the token was issued to (which assistant), for the write audit. */
  clientId?: string;
  /** The MCP request's id, for logs. */
  requestId: string;
  signal?: AbortSignal;
  logger: Logger;
  /** Told what NeonPanel answered, when a call reached it (the write audit reads status and ids from it). */
  onUpstream?(outcome: UpstreamOutcome): void;
}

/** The listed definition of a tool, exactly as `tools/list` serves it. */
export interface BridgeToolDefinition {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchemaObject;
  outputSchema?: JsonSchemaObject;
  annotations: BridgeToolAnnotations;
  _meta?: Record<string, unknown>;
}

/** A tool the MCP layer registers: its definition and a call that never throws for upstream faults. */
export interface BridgeTool extends BridgeToolDefinition {
  call(args: Record<string, unknown>, ctx: ToolContext): Promise<CallToolResult>;
}
