import { describe, expect, it } from 'vitest';
import { parseRoute, routeFromAddress, routeHash } from './route';

describe('route', () => {
  it('reads a conversation and a thread from the fragment', () => {
    expect(parseRoute('#/c/65a1b2c3d4e5f6a7b8c9d0e1')).toEqual({ conversationId: '65a1b2c3d4e5f6a7b8c9d0e1', threadRootId: null });
    expect(parseRoute('#/c/abc/thread/def')).toEqual({ conversationId: 'abc', threadRootId: 'def' });
  });

  it('reads anything else as the conversation list', () => {
    for (const h of ['', '#', '#/', '#/c/', '#/x/abc', '#token=a.b.c', '#/c/%E0%A4%A']) expect(parseRoute(h)).toBeNull();
  });

  it('round-trips ids that need escaping', () => {
    const r = { conversationId: 'a/b c', threadRootId: 'm#1' };
    expect(parseRoute(routeHash(r))).toEqual(r);
    expect(routeHash(null)).toBe('#/');
  });

  it('reads the Web Push address ?conversation=<id>, the fragment first', () => {
    expect(routeFromAddress(new URL('https://x/?conversation=abc'))).toEqual({ conversationId: 'abc', threadRootId: null });
    expect(routeFromAddress(new URL('https://x/?conversation=abc#/c/def'))).toEqual({ conversationId: 'def', threadRootId: null });
    expect(routeFromAddress(new URL('https://x/'))).toBeNull();
  });
});
