import { describe, expect, it } from 'vitest';
import { bannerAttention, isBannerFolded } from './bannerFold';

describe('consultation banner fold', () => {
  it('starts folded when nothing asks for attention', () => {
    expect(isBannerFolded(null, null)).toBe(true);
  });

  it('opens by itself for a session to rate or a problem', () => {
    expect(isBannerFolded(null, bannerAttention({ rateSessionId: 's1', problem: null }))).toBe(false);
    expect(isBannerFolded(null, bannerAttention({ rateSessionId: null, problem: 'offline' }))).toBe(false);
  });

  it("keeps the person's toggle while the reason is the same", () => {
    expect(isBannerFolded({ folded: false, attention: null }, null)).toBe(false);
    const rate = bannerAttention({ rateSessionId: 's1', problem: null });
    expect(isBannerFolded({ folded: true, attention: rate }, rate)).toBe(true);
  });

  it('opens again for a new reason after the person folded it', () => {
    const first = bannerAttention({ rateSessionId: 's1', problem: null });
    const second = bannerAttention({ rateSessionId: 's2', problem: null });
    expect(isBannerFolded({ folded: true, attention: first }, second)).toBe(false);
    expect(isBannerFolded({ folded: true, attention: null }, first)).toBe(false);
  });

  it('folds again once the reason is gone, unless the person opened it', () => {
    const rate = bannerAttention({ rateSessionId: 's1', problem: null });
    expect(isBannerFolded({ folded: true, attention: rate }, null)).toBe(true);
    expect(isBannerFolded({ folded: false, attention: null }, null)).toBe(false);
    expect(bannerAttention({ rateSessionId: 's1', problem: 'x' })).toBe('rate:s1');
  });
});
