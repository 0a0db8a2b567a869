import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const opts = { baseMs: 500, maxMs: 30_000 };
  it('doubles with each attempt and stops at the cap', () => {
    const high = (n: number) => backoffDelay(n, opts, () => 0.999999);
    expect([0, 1, 2, 3].map(high)).toEqual([500, 1000, 2000, 4000]);
    expect(high(20)).toBe(30_000);
    expect(high(1000)).toBe(30_000);
  });
  it('jitters between half and all of the step, never zero', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(2000);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(3, opts);
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });
});
