import { describe, expect, it } from 'vitest';
import { pending } from '../testing/fixtures';
import { loadOutbox, saveOutbox } from './persist';

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    keys: () => [...m.keys()],
  };
}

describe('outbox persistence', () => {
  it('keeps unsent messages per user across a reload, to be sent again with the same id', () => {
    const st = memoryStorage();
    const p = { ...pending('cm-1', 'Draf bab 4'), state: 'sending' as const, sentOnConnection: 3 };
    saveOutbox(st, 'u-ayu', [p]);
    const back = loadOutbox(st, 'u-ayu');
    expect(back).toEqual([{ ...p, state: 'queued', sentOnConnection: null }]);
    expect(loadOutbox(st, 'u-budi')).toEqual([]);
    saveOutbox(st, 'u-ayu', []);
    expect(st.keys()).toEqual([]);
  });

  it('ignores what it cannot read', () => {
    const st = memoryStorage();
    st.setItem('writeen-chat-outbox:u-ayu', '{not json');
    expect(loadOutbox(st, 'u-ayu')).toEqual([]);
    st.setItem('writeen-chat-outbox:u-ayu', JSON.stringify([{ nope: 1 }, { clientMessageId: 'x', conversationId: 'c', state: 'failed', error: 'forbidden' }]));
    expect(loadOutbox(st, 'u-ayu')).toMatchObject([{ clientMessageId: 'x', state: 'failed', error: 'forbidden' }]);
  });
});
