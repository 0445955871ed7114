import type { Operation } from '../openapi/index.js';
import type { UpstreamClient, UpstreamOutcome } from '../upstream/index.js';
import { type ArgumentPlan, buildInput } from './input-schema.js';
import { buildRequest } from './request.js';
import type { ToolContext } from './types.js';

/** Calls API operations by operationId with arguments the bridge itself composed (search, fetch). */
export interface OperationInvoker {
  has(operationId: string): boolean;
  invoke(operationId: string, args: Record<string, unknown>, ctx: ToolContext): Promise<UpstreamOutcome>;
}

export function createOperationInvoker(operations: readonly Operation[], upstream: UpstreamClient): OperationInvoker {
  const plans = new Map<string, { operation: Operation; plan: ArgumentPlan }>();
  for (const operation of operations) plans.set(operation.operationId, { operation, plan: buildInput(operation).plan });
  return {
    has: (operationId) => plans.has(operationId),
    async invoke(operationId, args, ctx) {
      const entry = plans.get(operationId);
      if (!entry) throw new Error(`the API document has no operation ${operationId}`);
      const built = buildRequest(entry.operation, entry.plan, {}, args);
      if (!built.ok) throw new Error(`bad internal call of ${operationId}: ${built.problems.join('; ')}`);
      return upstream.send(built.request, ctx);
    },
  };
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
