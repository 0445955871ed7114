import {
  type JSONRPCMessage,
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  parseJSONRPCMessage,
} from '@modelcontextprotocol/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAnswerMessage, isInitializeMessage, isJsonRpcMessage, isRequestMessage } from './message-shape.js';

function sdkAccepts(value: unknown): boolean {
  try {
    parseJSONRPCMessage(value);
    return true;
  } catch {
    return false;
  }
}

/** Values near the edges of each member's type: what a hostile or buggy client sends. */
const anyValue = fc.oneof(
  fc.constantFrom(null, true, 0, 1, -1, 1.5, 2 ** 53, 1e20, '', '2.0', '1.0', 'tools/list', [], {}),
  fc.jsonValue({ maxDepth: 2 }),
);
const meta = fc.oneof(
  anyValue,
  fc.record(
    {
      progressToken: anyValue,
      'io.modelcontextprotocol/related-task': fc.oneof(anyValue, fc.record({ taskId: anyValue })),
      other: anyValue,
    },
    { requiredKeys: [] },
  ),
);
const params = fc.oneof(
  anyValue,
  fc.record({ _meta: meta, name: anyValue }, { requiredKeys: [] }),
  fc.record(
    {
      protocolVersion: fc.oneof(fc.constant('2025-11-25'), anyValue),
      capabilities: fc.oneof(fc.constant({}), anyValue),
      clientInfo: fc.oneof(fc.constant({ name: 'c', version: '1' }), anyValue),
    },
    { requiredKeys: [] },
  ),
);
const message = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), anyValue),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), anyValue),
    method: fc.oneof(fc.constantFrom('tools/call', 'initialize'), anyValue),
    params,
    result: fc.oneof(fc.record({ _meta: anyValue, content: anyValue }, { requiredKeys: [] }), anyValue),
    error: fc.oneof(
      fc.record(
        {
          code: fc.oneof(fc.integer(), anyValue),
          message: fc.oneof(fc.string(), anyValue),
          data: anyValue,
          extra: anyValue,
        },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

describe('isJsonRpcMessage', () => {
  it('accepts exactly what the SDK parser accepts', () => {
    fc.assert(
      fc.property(fc.oneof(message, anyValue), (value) => {
        expect(isJsonRpcMessage(value)).toBe(sdkAccepts(value));
      }),
      { numRuns: 20_000 },
    );
  });

  it('accepts the four kinds of message', () => {
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 'a', result: {} })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'no' } })).toBe(true);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', error: { code: -32700, message: 'bad', extra: 1 } })).toBe(true);
  });

  it('refuses plain JSON, a wrong version, extra members and bad ids', () => {
    expect(isJsonRpcMessage({ hello: 'world' })).toBe(false);
    expect(isJsonRpcMessage({ jsonrpc: '1.0', id: 1, method: 'ping' })).toBe(false);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'ping', extra: true })).toBe(false);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: 1.5, method: 'ping' })).toBe(false);
    expect(isJsonRpcMessage({ jsonrpc: '2.0', id: null, method: 'ping' })).toBe(false);
  });
});

/** Answers as a server sends them: the mixed generator above rarely builds one without stray members. */
const answer = fc.oneof(
  fc.record({ jsonrpc: fc.constant('2.0'), id: fc.integer(), result: fc.record({ content: anyValue }) }),
  fc.record(
    { jsonrpc: fc.constant('2.0'), id: fc.integer(), error: fc.record({ code: fc.integer(), message: fc.string() }) },
    { requiredKeys: ['jsonrpc', 'error'] },
  ),
);

describe('the cheap tests of messages already checked', () => {
  it('tell requests, answers and initialize apart as the SDK guards do', () => {
    fc.assert(
      fc.property(fc.oneof(message, anyValue, answer), (value) => {
        expect(isInitializeMessage(value)).toBe(isInitializeRequest(value));
        if (!isJsonRpcMessage(value)) return;
        const checked = value as JSONRPCMessage;
        expect(isRequestMessage(checked)).toBe(isJSONRPCRequest(checked));
        expect(isAnswerMessage(checked)).toBe(isJSONRPCResultResponse(checked) || isJSONRPCErrorResponse(checked));
      }),
      {
        numRuns: 20_000,
        // Always run, so every kind is compared whatever the generator draws.
        examples: [
          [{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }],
          [{ jsonrpc: '2.0', method: 'notifications/initialized' }],
          [{ jsonrpc: '2.0', id: 2, result: {} }],
          [{ jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'no' } }],
          [
            {
              jsonrpc: '2.0',
              id: 4,
              method: 'initialize',
              params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
            },
          ],
        ],
      },
    );
  });
});
