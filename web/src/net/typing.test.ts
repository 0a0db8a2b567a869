import { describe, expect, it } from 'vitest';
import { TypingThrottle } from './typing';

function harness() {
  let t = 0;
  const sent: boolean[] = [];
  const timers: Array<{ at: number; f: () => void; id: number }> = [];
  let nextId = 1;
  const throttle = new TypingThrottle((v) => sent.push(v), 3000, 5000, () => t, {
    set: (f: () => void, ms: number) => {
      const id = nextId++;
      timers.push({ at: t + ms, f, id });
      return id;
    },
    clear: (id: unknown) => {
      const i = timers.findIndex((x) => x.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  const advance = (ms: number) => {
    t += ms;
    for (const timer of [...timers].filter((x) => x.at <= t)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.f();
    }
  };
  return { throttle, sent, advance };
}

describe('TypingThrottle', () => {
  it('says "typing" at most every 3 s while keys are pressed', () => {
    const h = harness();
    for (let i = 0; i < 20; i++) {
      h.throttle.input(false);
      h.advance(400);
    }
    // 8 s of typing: at 0, 3.2 s and 6.4 s.
    expect(h.sent).toEqual([true, true, true]);
  });
  it('says "stopped" once after 5 s without input, and on send', () => {
    const h = harness();
    h.throttle.input(false);
    h.advance(5000);
    expect(h.sent).toEqual([true, false]);
    h.throttle.input(false);
    h.throttle.stop();
    h.throttle.stop();
    expect(h.sent).toEqual([true, false, true, false]);
  });
  it('treats clearing the draft as stopping', () => {
    const h = harness();
    h.throttle.input(false);
    h.throttle.input(true);
    expect(h.sent).toEqual([true, false]);
  });
});
