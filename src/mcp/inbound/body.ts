import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { isJsonContentType } from '@modelcontextprotocol/server';
import { JsonRpcCode, requestIdOf, sendJsonRpcError } from '../jsonrpc.js';

/**
 * Deepest nesting of arrays and objects a body may have. MCP messages need about ten levels; much deeper
 * input only exists to exhaust the stack of code that walks it recursively (schema validation, cloning).
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests arrays and objects more than `maxDepth` levels deep; walked with a stack, not recursion. */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > maxDepth) return true;
    for (const child of Object.values(next.value)) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, depth });
    }
  }
  return false;
}

/**
 * A POST's body as the MCP routes take it: parsed JSON, or the answer that refuses it, or nothing when the
 * client left before sending all of it (nobody to answer).
 */
export type BodyOutcome =
  | { ok: true; value: unknown }
  | { ok: false; refuse: (res: ServerResponse) => void }
  | { ok: false; gone: true };

const refusal = (refuse: (res: ServerResponse) => void): BodyOutcome => ({ ok: false, refuse });

function unsupportedMediaType(detail: string): BodyOutcome {
  return refusal((res) => sendJsonRpcError(res, 415, JsonRpcCode.ServerError, `Unsupported Media Type: ${detail}`));
}

/** The answer to a body that is not JSON. */
function refuseUnparsableBody(res: ServerResponse): void {
  sendJsonRpcError(res, 400, JsonRpcCode.ParseError, 'Parse error: the request body is not valid JSON');
}

function tooLarge(maxBodyBytes: number): BodyOutcome {
  return refusal((res) =>
    sendJsonRpcError(
      res,
      413,
      JsonRpcCode.InvalidRequest,
      `Payload Too Large: the request body is over the limit of ${maxBodyBytes} bytes (MCP_MAX_BODY_BYTES)`,
    ),
  );
}

/** The body's bytes, decompressed when it says it is compressed: what clients send (`Content-Encoding`). */
function decodedStream(req: IncomingMessage, encoding: string): IncomingMessage | Transform | undefined {
  if (encoding === 'identity') return req;
  const decompress =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  return decompress && req.pipe(decompress);
}

type Read = { bytes: Buffer } | { over: true } | { broken: true } | { gone: true };

/** Reads `stream` up to `limit` bytes; stops reading (and lets the rest drain) once over it. */
function readAtMost(req: IncomingMessage, stream: IncomingMessage | Transform, limit: number): Promise<Read> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (read: Read) => {
      if (settled) return;
      settled = true;
      stream.removeAllListeners('data');
      if (stream !== req) {
        req.unpipe(stream as Transform);
        stream.destroy();
      }
      // What the client still sends is read and dropped, so its connection can carry the answer.
      req.resume();
      resolve(read);
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return settle({ over: true });
      chunks.push(chunk);
    });
    stream.once('end', () => settle({ bytes: Buffer.concat(chunks) }));
    stream.once('error', () => settle(req.readableAborted ? { gone: true } : { broken: true }));
    req.once('close', () => {
      if (!req.complete) settle({ gone: true });
    });
  });
}

/** A `charset` parameter of the Content-Type. */
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/** The body's text in its charset (UTF-8 when none is named), or undefined for a charset JSON may not use. */
function textOf(bytes: Buffer, charset: string): string | undefined {
  if (charset === 'utf-8' || charset === 'utf8') return bytes.toString('utf8');
  // JSON is Unicode (RFC 8259): only UTF encodings are read.
  if (!charset.startsWith('utf-')) return undefined;
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Reads and parses a POST's JSON body, with an answer for every kind of bad input instead of a 500: not
 * `application/json` 415, a compression or charset the bridge cannot read 415, over `maxBodyBytes` (once
 * decompressed) 413, empty or broken JSON the JSON-RPC parse error (-32700), JSON nested deeper than
 * MAX_JSON_DEPTH an Invalid Request (-32600).
 */
export async function readJsonBody(req: IncomingMessage, maxBodyBytes: number): Promise<BodyOutcome> {
  const type = req.headers['content-type'];
  if (!isJsonContentType(type ?? null)) {
    return unsupportedMediaType(
      `send the JSON-RPC message with Content-Type: application/json (got ${JSON.stringify(type ?? 'none').slice(0, 80)})`,
    );
  }
  const charset = CHARSET.exec(type ?? '')?.[1]?.toLowerCase() ?? 'utf-8';
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (encoding === 'identity' && declared > maxBodyBytes) {
    req.resume();
    return tooLarge(maxBodyBytes);
  }
  const stream = decodedStream(req, encoding);
  if (!stream) {
    req.resume();
    return unsupportedMediaType(`the body's Content-Encoding "${encoding.slice(0, 40)}" is not gzip, deflate or br`);
  }
  const read = await readAtMost(req, stream, maxBodyBytes);
  if ('gone' in read) return { ok: false, gone: true };
  if ('over' in read) return tooLarge(maxBodyBytes);
  if ('broken' in read) {
    return refusal((res) =>
      sendJsonRpcError(
        res,
        400,
        JsonRpcCode.ParseError,
        `Parse error: the request body could not be decompressed (Content-Encoding: ${encoding.slice(0, 40)})`,
      ),
    );
  }
  if (read.bytes.length === 0) {
    return refusal((res) =>
      sendJsonRpcError(
        res,
        400,
        JsonRpcCode.ParseError,
        'Parse error: the request body is empty; send one JSON-RPC message',
      ),
    );
  }
  const text = textOf(read.bytes, charset);
  if (text === undefined) return unsupportedMediaType('send the body as UTF-8 JSON');
  let value: unknown;
  try {
    // A byte order mark is not JSON, but some clients send one.
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return refusal(refuseUnparsableBody);
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    return refusal((res) =>
      sendJsonRpcError(
        res,
        400,
        JsonRpcCode.InvalidRequest,
        `Invalid Request: the body is nested too deeply (more than ${MAX_JSON_DEPTH} levels of arrays and objects); send flatter arguments`,
        { id: requestIdOf(value) },
      ),
    );
  }
  return { ok: true, value };
}
