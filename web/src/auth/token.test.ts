import { describe, expect, it } from 'vitest';
import { listenForPostedTokens, takeFragmentToken, tokenFromMessage } from './token';

describe('takeFragmentToken', () => {
  it('reads the token and removes it from the address bar at once, keeping the rest', () => {
    const calls: string[] = [];
    const hist = { state: null, replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void calls.push(String(url)) };
    const token = takeFragmentToken({ hash: '#token=abc.def.ghi&c=42', pathname: '/', search: '?x=1' }, hist);
    expect(token).toBe('abc.def.ghi');
    expect(calls).toEqual(['/?x=1#c=42']);
  });
  it('does nothing without a token', () => {
    const calls: string[] = [];
    const hist = { state: null, replaceState: () => void calls.push('x') };
    expect(takeFragmentToken({ hash: '#c=42', pathname: '/', search: '' }, hist)).toBeNull();
    expect(takeFragmentToken({ hash: '', pathname: '/', search: '' }, hist)).toBeNull();
    expect(calls).toEqual([]);
  });
});

describe('posted tokens', () => {
  it('accept only {type: "writeen-token", token}', () => {
    expect(tokenFromMessage({ type: 'writeen-token', token: 'x.y.z' })).toBe('x.y.z');
    expect(tokenFromMessage({ type: 'other', token: 'x.y.z' })).toBeNull();
    expect(tokenFromMessage('x.y.z')).toBeNull();
    expect(tokenFromMessage({ type: 'writeen-token', token: 5 })).toBeNull();
  });

  it('are taken only from the opener or parent, and only from allowed origins', () => {
    const opener = {};
    let handler: ((ev: MessageEvent) => void) | null = null;
    const win = {
      opener,
      addEventListener: (_: string, h: (ev: MessageEvent) => void) => {
        handler = h;
      },
      removeEventListener: () => {},
    } as unknown as Window;
    Object.assign(win, { parent: win });
    const got: string[] = [];
    listenForPostedTokens(win, ['https://writeen.example'], (t) => got.push(t));
    const send = (source: unknown, origin: string) =>
      handler!({ source, origin, data: { type: 'writeen-token', token: `${origin}-t` } } as unknown as MessageEvent);
    send({}, 'https://writeen.example');
    send(opener, 'https://evil.example');
    send(opener, 'https://writeen.example');
    expect(got).toEqual(['https://writeen.example-t']);
  });
});
