import { describe, expect, it } from 'vitest';
import { pendingShare, sharedText, takePendingShare, takeShareFromAddress } from './share';

describe('share target', () => {
  it('joins title, text and link without repeats', () => {
    expect(sharedText({ title: 'Artikel TAM', text: 'Baca ini', url: 'https://doi.org/10.2307/249008' })).toBe('Artikel TAM\nBaca ini\nhttps://doi.org/10.2307/249008');
    expect(sharedText({ title: '', text: 'Lihat https://x.example', url: 'https://x.example' })).toBe('Lihat https://x.example');
    expect(sharedText({ title: ' ', text: null })).toBeNull();
  });

  it('takes the share out of the address and hands it to one composer', () => {
    const m = new Map<string, string>();
    const storage = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
    let replaced = '';
    const history = { state: null, replaceState: (_s: unknown, _t: string, u: string) => (replaced = u) } as unknown as History;
    takeShareFromAddress({ href: 'https://chat.example/?share_text=Halo%20Pak&share_url=https%3A%2F%2Fa.example&x=1#/' } as Location, history, storage);
    expect(replaced).toBe('/?x=1#/');
    expect(pendingShare()).toBe('Halo Pak\nhttps://a.example');
    expect(takePendingShare()).toBe('Halo Pak\nhttps://a.example');
    expect(takePendingShare()).toBeNull();
  });
});
