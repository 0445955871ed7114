import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';

/** A middleware or an error handler (four parameters), as express takes them. */
export type Handler = RequestHandler | ErrorRequestHandler;

function isErrorHandler(handler: Handler): handler is ErrorRequestHandler {
  return handler.length === 4;
}

/**
 * Runs middleware in order as one express handler, with express's own rules: `next()` goes on,
 * `next(error)` skips to the next error handler (four parameters), an error handler that calls
 * `next()` clears the error, a thrown or rejected handler counts as `next(error)`, and what is left
 * over when the list ends goes to the router's `next`.
 *
 * Why: every MCP request passes a dozen middleware, and express's router pays path matching and
 * layer bookkeeping for each one. One layer per route keeps that cost out of the hot path.
 */
export function chain(handlers: readonly Handler[]): RequestHandler {
  return (req: Request, res: Response, done: NextFunction) => {
    let index = 0;
    const next = (error?: unknown): void => {
      if (error === 'route' || error === 'router') {
        done(error);
        return;
      }
      while (index < handlers.length) {
        const handler = handlers[index++]!;
        if ((error !== undefined) !== isErrorHandler(handler)) continue;
        try {
          const result: unknown = isErrorHandler(handler) ? handler(error, req, res, next) : handler(req, res, next);
          if (result instanceof Promise)
            result.catch((thrown: unknown) => next(thrown ?? new Error('handler rejected')));
        } catch (thrown) {
          next(thrown ?? new Error('handler threw'));
        }
        return;
      }
      done(error);
    };
    next();
  };
}
