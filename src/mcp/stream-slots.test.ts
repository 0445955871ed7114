import { describe, expect, it } from 'vitest';
import { StreamSlots } from './stream-slots.js';

describe('StreamSlots', () => {
  it('refuses the stream past the per-user limit, for that user only, and frees a released slot once', () => {
    const slots = new StreamSlots({ maxSseStreamsPerUser: 2, maxSseStreamsTotal: 10 });
    const first = slots.take('alice');
    const second = slots.take('alice');
    expect('release' in first && 'release' in second).toBe(true);
    const third = slots.take('alice');
    expect(third).toEqual({ refusal: expect.stringContaining('the limit per user is 2') });
    expect('release' in slots.take('bob')).toBe(true);
    expect(slots.count).toBe(3);
    if (!('release' in first)) throw new Error('unreachable');
    first.release();
    first.release();
    expect(slots.count).toBe(2);
    expect('release' in slots.take('alice')).toBe(true);
    expect('refusal' in slots.take('alice')).toBe(true);
  });

  it('refuses every user once the instance holds its total', () => {
    const slots = new StreamSlots({ maxSseStreamsPerUser: 5, maxSseStreamsTotal: 2 });
    slots.take('alice');
    slots.take(null);
    expect(slots.take('bob')).toEqual({ refusal: expect.stringContaining('maximum of 2 open SSE streams') });
  });
});
