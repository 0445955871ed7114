import { specTypeSchemas } from '@modelcontextprotocol/server';
import { vi } from 'vitest';

/** A zod schema as the SDK's guards use it (its public type is Standard Schema only). */
type ZodParsed = { safeParse(value: unknown): unknown };

/** The two schemas the SDK's `isJSONRPCResultResponse` and `isJSONRPCErrorResponse` parse against. */
type ResponseSchemas = Pick<typeof specTypeSchemas, 'JSONRPCResultResponse' | 'JSONRPCErrorResponse'>;

/**
 * Counts the parses of a message against the SDK's two JSON-RPC response schemas from here on: the
 * parses the bridge's patch of the SDK keeps off requests (docs/dependency-patches.md). `schemas` is the
 * `specTypeSchemas` of the SDK build under test, the installed one unless given. The spies stay until
 * the test file calls `vi.restoreAllMocks()`.
 */
export function watchResponseParses(schemas: ResponseSchemas = specTypeSchemas): () => number {
  const spies = [schemas.JSONRPCResultResponse, schemas.JSONRPCErrorResponse].map((schema) =>
    vi.spyOn(schema as unknown as ZodParsed, 'safeParse'),
  );
  return () => spies.reduce((parses, spy) => parses + spy.mock.calls.length, 0);
}
