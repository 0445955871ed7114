import type { Dispatcher } from 'undici';

/** Largest answer body read from NeonPanel; anything bigger is refused rather than buffered. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Thrown (as the attempt's rejection) when an answer outgrows MAX_RESPONSE_BYTES. */
export class ResponseTooLargeError extends Error {}

/** One answer, read whole. */
export interface Answer {
  status: number;
  /** As undici parses them: an array only for a repeated header. */
  headers: Record<string, string | string[] | undefined>;
  /** The body as UTF-8 text ('' when empty). */
  text: string;
}

type Controller = Dispatcher.DispatchController;

/**
 * One call's deadline and cancellation: ends the exchange under way when `ms` pass or when `outer`
 * (the MCP request's signal) aborts. One timer and one listener per call, not per attempt: every
 * attempt ends at the call's deadline. An AbortController per attempt cost more than the rest of the
 * client's own work.
 */
export class CallAbort {
  aborted = false;
  timedOut = false;
  reason: unknown;
  /** The exchange under way: its controller once undici started it, its rejection before. */
  private controller: Controller | undefined;
  private rejectPending: ((reason: unknown) => void) | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly cancel: (() => void) | undefined;

  constructor(
    ms: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(expire, ms, this);
    if (!outer) return;
    if (outer.aborted) {
      this.abort(outer.reason);
      return;
    }
    this.cancel = () => this.abort(outer.reason);
    outer.addEventListener('abort', this.cancel, { once: true });
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    // Before undici starts a queued request there is nothing to abort yet: the attempt fails now, and
    // the request is aborted when it starts (see AnswerReader.onRequestStart).
    if (this.controller) this.controller.abort(reason as Error);
    else this.rejectPending?.(reason);
  }

  /** @internal The exchange under way (AnswerReader keeps it current). */
  track(controller: Controller | undefined, reject: ((reason: unknown) => void) | undefined): void {
    this.controller = controller;
    this.rejectPending = reject;
  }

  /** Stops the timer and the listener on `outer`: the call is over. */
  dispose(): void {
    clearTimeout(this.timer);
    if (this.cancel) this.outer?.removeEventListener('abort', this.cancel);
  }
}

function expire(call: CallAbort): void {
  call.timedOut = true;
  call.abort(new DOMException('The NeonPanel call timed out', 'TimeoutError'));
}

/**
 * Reads one answer through undici's handler interface: status, headers and body chunks arrive as
 * calls, with no response stream, async iterator or per-request async resource in between (what
 * `Dispatcher.request` and a `for await` over its body cost on every call).
 */
class AnswerReader implements Dispatcher.DispatchHandler {
  private status = 0;
  private headers: Answer['headers'] = {};
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private size = 0;

  constructor(
    private readonly call: CallAbort,
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (reason: unknown) => void,
  ) {}

  onRequestStart(controller: Controller): void {
    if (this.call.aborted) controller.abort(this.call.reason as Error);
    else this.call.track(controller, undefined);
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: Answer['headers']): void {
    // 1xx (100 Continue, 103 Early Hints) precede the answer.
    if (statusCode < 200) return;
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > MAX_RESPONSE_BYTES) {
      controller.abort(new ResponseTooLargeError(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
    } else if (this.first === undefined) this.first = chunk;
    else if (this.more === undefined) this.more = [this.first, chunk];
    else this.more.push(chunk);
  }

  onResponseEnd(): void {
    this.call.track(undefined, undefined);
    const body = this.more ? Buffer.concat(this.more, this.size) : this.first;
    this.resolve({ status: this.status, headers: this.headers, text: body ? body.toString('utf8') : '' });
  }

  onResponseError(_controller: Controller | undefined, err: Error): void {
    this.call.track(undefined, undefined);
    this.reject(err);
  }
}

/**
 * Sends one request and reads its whole answer (at most MAX_RESPONSE_BYTES). Rejects with undici's
 * error on a connection fault, with `call.reason` when `call` aborts, and with ResponseTooLargeError.
 */
export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  call: CallAbort,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (call.aborted) {
      reject(call.reason);
      return;
    }
    call.track(undefined, reject);
    dispatcher.dispatch(options, new AnswerReader(call, resolve, reject));
  });
}
