import { describe, expect, it } from 'vitest';
import { createConcurrencyLimiter } from './limiter.js';
import { encodePathSegment, expandPath, isUnusablePathSegment, serializeQueryParameter } from './path.js';
import { backoffDelayMs, isConnectionReset, parseRetryAfter } from './retry.js';

describe('path and query serialisation', () => {
  it.each([
    ['...', '...'],
    ['../x', '..%2Fx'],
    ['%2e%2e', '%252e%252e'],
    ['?x=1', '%3Fx%3D1'],
    ['a\r\nb', 'a%0D%0Ab'],
    ['#f', '%23f'],
    ['abc-123', 'abc-123'],
  ])('encodes %j as one segment', (value, encoded) => {
    expect(encodePathSegment(value)).toBe(encoded);
    expect(expandPath('/companies/{id}/x', { id: value })).toBe(`/companies/${encoded}/x`);
  });

  it.each(['', '.', '..'])('refuses %j, which no encoding keeps one segment', (value) => {
    // WHATWG URL resolves the encoded form as a dot-segment too.
    expect(new URL('http://x/api/v1/companies/%2E%2E/warehouses').pathname).toBe('/api/v1/warehouses');
    expect(isUnusablePathSegment(value)).toBe(true);
    expect(() => encodePathSegment(value)).toThrow(RangeError);
    expect(() => expandPath('/companies/{id}/x', { id: value })).toThrow(RangeError);
  });

  it('serialises arrays per style and explode', () => {
    expect(serializeQueryParameter('ids', ['a', 'b'], { style: 'form', explode: true })).toEqual([
      ['ids', 'a'],
      ['ids', 'b'],
    ]);
    expect(serializeQueryParameter('ids', ['a', 'b'], { style: 'form', explode: false })).toEqual([['ids', 'a,b']]);
    expect(serializeQueryParameter('ids', ['a', 'b'], { style: 'pipeDelimited', explode: false })).toEqual([
      ['ids', 'a|b'],
    ]);
    expect(serializeQueryParameter('page', 2, { style: 'form', explode: true })).toEqual([['page', '2']]);
    expect(serializeQueryParameter('x', undefined, { style: 'form', explode: true })).toEqual([]);
  });
});

describe('retry policy', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThanOrEqual(29);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('backs off exponentially with jitter within half and all of the ceiling', () => {
    expect(backoffDelayMs(0, () => 0)).toBe(50);
    expect(backoffDelayMs(0, () => 1)).toBe(100);
    expect(backoffDelayMs(2, () => 1)).toBe(400);
    expect(backoffDelayMs(10, () => 1)).toBe(2000);
  });

  it('recognises dropped connections, also as a cause', () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(isConnectionReset(reset)).toBe(true);
    expect(isConnectionReset(new Error('fetch failed', { cause: reset }))).toBe(true);
    expect(isConnectionReset(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});

describe('per-user concurrency limiter', () => {
  it('caps each key separately and frees slots once', () => {
    const limiter = createConcurrencyLimiter(2);
    const a1 = limiter.tryAcquire('alice');
    const a2 = limiter.tryAcquire('alice');
    expect(limiter.tryAcquire('alice')).toBeUndefined();
    expect(limiter.tryAcquire('bob')).toBeDefined();
    a1?.();
    a1?.();
    expect(limiter.inFlight('alice')).toBe(1);
    expect(limiter.tryAcquire('alice')).toBeDefined();
    a2?.();
  });
});
