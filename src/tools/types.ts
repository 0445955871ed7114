import type { CallToolResult } from '@modelcontextprotocol/server';
import type { UpstreamCallContext, UpstreamOutcome } from '../upstream/index.js';
import type { JsonSchemaObject } from './input-schema.js';

/** Behaviour hints every tool carries (clients decide on confirmation and auto-approval from them). */
export interface BridgeToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/**
 * What a tool call is given: the caller (whose token goes to NeonPanel only, and whose subject, client and
 * request id the write audit records), the call's signal and logger. It is itself the upstream client's
 * context, so a tool hands it on as it is.
 */
export interface ToolContext extends UpstreamCallContext {
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
