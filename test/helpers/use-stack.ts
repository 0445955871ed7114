import { afterAll, beforeAll } from 'vitest';
import { type Stack, type StackOptions, startStack } from './stack.js';

/** A stack started for a test file and a token for its user, read inside tests (`beforeAll` sets them). */
export interface StackInUse {
  readonly stack: Stack;
  readonly token: string;
}

/**
 * Starts a stack (sandbox and bridge) before the file's tests and closes it after them, with a token for
 * `sub`: the setup many integration files share.
 */
export function useStack(sub = 'alice', options: StackOptions = {}): StackInUse {
  let started: { stack: Stack; token: string } | undefined;
  beforeAll(async () => {
    const stack = await startStack(options);
    started = { stack, token: await stack.tokenFor(sub) };
  });
  afterAll(() => started?.stack.close());
  const current = () => {
    if (!started) throw new Error('the stack is started in beforeAll: read it inside a test');
    return started;
  };
  return {
    get stack() {
      return current().stack;
    },
    get token() {
      return current().token;
    },
  };
}
