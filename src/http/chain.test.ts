import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { chain } from './chain.js';

const req = {} as Request;
const res = {} as Response;

/** Runs a chain and resolves with what reached the router's `next` (undefined, an error, or 'not called'). */
function run(handlers: Parameters<typeof chain>[0]): Promise<unknown> {
  return new Promise((resolve) => {
    chain(handlers)(req, res, (error?: unknown) => resolve(error));
    setTimeout(() => resolve('not called'), 50);
  });
}

describe('chain', () => {
  it('runs handlers in order and hands over to the router at the end', async () => {
    const seen: string[] = [];
    const step =
      (name: string): RequestHandler =>
      (_req, _res, next) => {
        seen.push(name);
        next();
      };
    expect(await run([step('a'), step('b'), step('c')])).toBeUndefined();
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('stops when a handler answers without calling next', async () => {
    const seen: string[] = [];
    const answer: RequestHandler = () => {
      seen.push('answer');
    };
    const after: RequestHandler = (_req, _res, next) => {
      seen.push('after');
      next();
    };
    expect(await run([answer, after])).toBe('not called');
    expect(seen).toEqual(['answer']);
  });

  it('skips plain middleware after an error and gives it to the next error handler', async () => {
    const seen: unknown[] = [];
    const fail: RequestHandler = (_req, _res, next) => next(new Error('boom'));
    const skipped: RequestHandler = (_req, _res, next) => {
      seen.push('skipped');
      next();
    };
    const recover: ErrorRequestHandler = (error: Error, _req, _res, next) => {
      seen.push(error.message);
      next();
    };
    const resumed: RequestHandler = (_req, _res, next) => {
      seen.push('resumed');
      next();
    };
    expect(await run([fail, skipped, recover, resumed])).toBeUndefined();
    expect(seen).toEqual(['boom', 'resumed']);
  });

  it('treats a throw and a rejected promise as next(error), and passes unhandled errors on', async () => {
    const thrown: RequestHandler = () => {
      throw new Error('thrown');
    };
    const rejected: RequestHandler = async () => {
      throw new Error('rejected');
    };
    expect(((await run([thrown])) as Error).message).toBe('thrown');
    expect(((await run([rejected])) as Error).message).toBe('rejected');
  });

  it('skips error handlers while there is no error', async () => {
    const seen: string[] = [];
    const unused: ErrorRequestHandler = (_error, _req, _res, next) => {
      seen.push('error handler');
      next();
    };
    expect(await run([unused])).toBeUndefined();
    expect(seen).toEqual([]);
  });
});
