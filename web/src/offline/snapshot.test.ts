import { describe, expect, it } from 'vitest';
import { conversation, loadedState, message } from '../testing/fixtures';
import { clearSnapshot, loadSnapshot, saveSnapshot, snapshotKey, takeSnapshot } from './snapshot';

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    raw: m,
  };
}

describe('offline snapshot', () => {
  it('keeps the conversations and their newest messages, and reads them back', () => {
    const msgs = Array.from({ length: 50 }, (_, i) => message(i + 1, { content: { text: `m${i + 1}` } }));
    const state = loadedState(msgs);
    const snap = takeSnapshot(state, new Date('2026-01-01T00:00:00Z'), { maxConversations: 30, maxMessages: 40 })!;
    expect(snap.me).toEqual(state.me);
    expect(snap.conversations.map((c) => c.id)).toEqual(Object.keys(state.conversations));
    const kept = snap.messages[snap.conversations[0]!.id]!;
    expect(kept.length).toBe(40);
    expect(kept[0]!.seq).toBe(11);
    expect(kept.at(-1)!.content.text).toBe('m50');
    const storage = memoryStorage();
    saveSnapshot(storage, snap);
    expect(storage.raw.get(snapshotKey)).not.toMatch(/token|Bearer/);
    expect(loadSnapshot(storage)).toEqual(snap);
    clearSnapshot(storage);
    expect(loadSnapshot(storage)).toBeNull();
  });

  it('keeps the most recently updated conversations when there are too many', () => {
    const state = loadedState([]);
    const conversations = Object.fromEntries(
      ['a', 'b', 'c'].map((id, i) => [id, conversation({ id, updatedAt: `2026-01-0${i + 1}T00:00:00.000Z` })]),
    );
    const snap = takeSnapshot({ ...state, conversations, logs: {} }, new Date(), { maxConversations: 2, maxMessages: 5 })!;
    expect(snap.conversations.map((c) => c.id)).toEqual(['c', 'b']);
    expect(snap.messages).toEqual({});
  });

  it('takes nothing when signed out or empty, and drops a damaged snapshot', () => {
    const state = loadedState([]);
    expect(takeSnapshot({ ...state, me: null })).toBeNull();
    expect(takeSnapshot({ ...state, conversations: {} })).toBeNull();
    const storage = memoryStorage();
    storage.setItem(snapshotKey, '{not json');
    expect(loadSnapshot(storage)).toBeNull();
    storage.setItem(snapshotKey, JSON.stringify({ version: 1, me: { id: 'u', name: 'U', role: 'wizard' }, conversations: [], messages: {} }));
    expect(loadSnapshot(storage)).toBeNull();
    storage.setItem(snapshotKey, JSON.stringify({ version: 1, me: { id: 'u', name: 'U', role: 'student' }, conversations: [{ nope: 1 }], messages: {} }));
    expect(loadSnapshot(storage)).toBeNull();
    expect(loadSnapshot(null)).toBeNull();
  });
});
