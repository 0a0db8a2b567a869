import { describe, expect, it } from 'vitest';
import type { StoredDownload, StoredHistory } from './downloadHistory';
import { DownloadHistory, historyLimit, mergeHistories, parseHistory } from './downloadHistory';
import type { DownloadEntry } from './downloads';
import { Downloads } from './downloads';

/** An in-memory Storage that counts its writes. */
function memoryStorage() {
  const map = new Map<string, string>();
  let writes = 0;
  return {
    map,
    writes: () => writes,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => {
      writes += 1;
      map.set(k, v);
    },
    removeItem: (k: string) => {
      writes += 1;
      map.delete(k);
    },
  };
}

const entry = (id: number, state: DownloadEntry['state'], extra: Partial<DownloadEntry> = {}): DownloadEntry => ({
  id,
  key: `k${id}`,
  fileId: `f${id}`,
  fileName: `bab${id}.pdf`,
  downloadPath: `/api/files/f${id}/download`,
  received: 100,
  total: 100,
  state,
  error: null,
  resumes: 0,
  finishedAt: state === 'done' || state === 'failed' || state === 'cancelled' ? 1000 + id : null,
  ...extra,
});

const stored = (key: string, finishedAt: number, extra: Partial<StoredDownload> = {}): StoredDownload => ({
  key,
  fileId: `f-${key}`,
  fileName: `${key}.pdf`,
  downloadPath: `/api/files/f-${key}/download`,
  received: 10,
  total: 10,
  state: 'done',
  error: null,
  finishedAt,
  ...extra,
});

const keys = (h: StoredHistory) => h.entries.map((e) => e.key);

describe('mergeHistories', () => {
  it('joins both by download key, newest first, the later finish winning', () => {
    const a = { clearedAt: 0, entries: [stored('x', 30), stored('b', 20, { state: 'failed', error: 'network' })] };
    const b = { clearedAt: 0, entries: [stored('b', 25), stored('c', 10)] };
    const m = mergeHistories(a, b);
    expect(keys(m)).toEqual(['x', 'b', 'c']);
    expect(m.entries[1]).toMatchObject({ state: 'done', finishedAt: 25 });
    // Either way round, the same list: both tabs come to one order.
    expect(mergeHistories(b, a)).toEqual(m);
  });

  it('drops what finished at or before the later clear, and keeps that clear', () => {
    const a = { clearedAt: 0, entries: [stored('old', 5), stored('new', 15)] };
    const b = { clearedAt: 10, entries: [] };
    expect(mergeHistories(a, b)).toEqual({ clearedAt: 10, entries: [stored('new', 15)] });
    expect(mergeHistories(b, a)).toEqual({ clearedAt: 10, entries: [stored('new', 15)] });
  });

  it('is bounded to the newest', () => {
    const many = Array.from({ length: historyLimit + 5 }, (_, i) => stored(`e${i}`, i + 1));
    const m = mergeHistories({ clearedAt: 0, entries: many.slice(0, 30) }, { clearedAt: 0, entries: many.slice(30) });
    expect(m.entries).toHaveLength(historyLimit);
    expect(m.entries[0]!.key).toBe(`e${historyLimit + 4}`);
    expect(m.entries.at(-1)!.key).toBe('e5');
  });
});

describe('DownloadHistory', () => {
  it('keeps the finished entries per user (not the running ones, not the bytes) and reads them back', () => {
    const storage = memoryStorage();
    const ayu = new DownloadHistory(storage, 'student-ayu');
    ayu.save([entry(3, 'receiving', { received: 10 }), entry(2, 'failed', { error: 'not_found', received: 5 }), entry(1, 'done')], 0);
    const back = new DownloadHistory(storage, 'student-ayu').load().entries;
    expect(back.map((e) => [e.fileName, e.state, e.error])).toEqual([
      ['bab2.pdf', 'failed', 'not_found'],
      ['bab1.pdf', 'done', null],
    ]);
    expect(back[1]!.downloadPath).toBe('/api/files/f1/download');
    expect(JSON.stringify([...storage.map.values()])).not.toContain('resumes');
    // Another user on the same browser sees none of it.
    expect(new DownloadHistory(storage, 'tutor-budi').load()).toEqual({ clearedAt: 0, entries: [] });
  });

  it('is bounded to the newest entries and writes only when the finished ones change', () => {
    const storage = memoryStorage();
    const h = new DownloadHistory(storage, 'u');
    const many = Array.from({ length: historyLimit + 10 }, (_, i) => entry(historyLimit + 10 - i, 'done'));
    h.save(many, 0);
    const back = h.load().entries;
    expect(back).toHaveLength(historyLimit);
    expect(back[0]!.fileName).toBe(`bab${historyLimit + 10}.pdf`);
    const writes = storage.writes();
    // Progress of a running download changes nothing stored, and is not even a merge.
    expect(h.save([entry(999, 'receiving', { received: 1 }), ...many], 0)).toBeNull();
    expect(h.save([entry(999, 'receiving', { received: 2 }), ...many], 0)).toBeNull();
    expect(storage.writes()).toBe(writes);
  });

  it('merges on write: another tab’s entries stay, and its clear is not undone', () => {
    const storage = memoryStorage();
    const tab1 = new DownloadHistory(storage, 'u');
    const tab2 = new DownloadHistory(storage, 'u');
    tab1.save([entry(1, 'done')], 0);
    // Tab 2 never saw tab 1's entry: its write keeps it, and hands it back to show.
    const merged = tab2.save([entry(2, 'done')], 0)!;
    expect(keys(merged)).toEqual(['k2', 'k1']);
    expect(keys(tab1.load())).toEqual(['k2', 'k1']);
    // Tab 1 clears; tab 2, not told yet, writes with both still listed: they stay cleared.
    tab1.save([], 2000);
    tab2.save([entry(3, 'done', { finishedAt: 3000 }), entry(2, 'done'), entry(1, 'done')], 0);
    expect(keys(tab1.load())).toEqual(['k3']);
    expect(tab1.load().clearedAt).toBe(2000);
  });

  it('ignores a corrupt or foreign stored value, reads the older array form, and clear removes it', () => {
    const storage = memoryStorage();
    storage.setItem('writeen-chat-downloads:u', '{not json');
    expect(new DownloadHistory(storage, 'u').load().entries).toEqual([]);
    const { key: _k1, finishedAt: _f1, ...old1 } = entry(1, 'done');
    const { key: _k2, finishedAt: _f2, ...old2 } = entry(2, 'failed');
    storage.setItem('writeen-chat-downloads:u', JSON.stringify([{ fileId: 1 }, { ...old1, state: 'receiving' }, { ...old2, error: 'nonsense', received: -3 }, old1]));
    const back = new DownloadHistory(storage, 'u').load().entries;
    expect(back).toHaveLength(2);
    expect(back[0]).toMatchObject({ fileName: 'bab2.pdf', error: 'unknown', received: 0, finishedAt: 0 });
    expect(back[1]).toMatchObject({ fileName: 'bab1.pdf', state: 'done' });
    expect(new Set(back.map((e) => e.key)).size).toBe(2);
    expect(parseHistory(JSON.stringify({ clearedAt: -1, entries: 'x' }))).toEqual({ clearedAt: 0, entries: [] });
    const h = new DownloadHistory(storage, 'u');
    h.clear();
    expect(storage.map.has('writeen-chat-downloads:u')).toBe(false);
    expect(new DownloadHistory(null, 'u').load().entries).toEqual([]);
  });

  /** A tab: its Downloads and history over the shared storage, wired as ChatClient does. */
  function tab(storage: ReturnType<typeof memoryStorage>, clock: { now: number }) {
    const h = new DownloadHistory(storage, 'u');
    const finishers: ((b: Blob) => void)[] = [];
    let n = 0;
    const d = new Downloads({
      url: (p) => p,
      authorization: () => null,
      save: () => {},
      now: () => clock.now,
      newKey: () => `${Math.random()}-${(n += 1)}`,
      start: () => ({ done: new Promise<Blob>((res) => finishers.push(res)), cancel: () => {} }),
    });
    d.adopt(h.load());
    d.subscribe((list) => {
      const merged = h.save(list, d.clearedAt());
      if (merged) d.adopt(merged);
    });
    return { d, h, finish: (i: number) => finishers[i]!(new Blob([new Uint8Array(3)])), storageEvent: () => d.adopt(h.load()) };
  }

  it('two tabs: each keeps the other’s downloads, lists them after the storage event, and clear finished clears both', async () => {
    const storage = memoryStorage();
    const clock = { now: 1000 };
    const one = tab(storage, clock);
    const two = tab(storage, clock);
    const a = one.d.download({ fileId: 'fa', fileName: 'a.pdf', downloadPath: '/a' });
    const b = two.d.download({ fileId: 'fb', fileName: 'b.pdf', downloadPath: '/b' });
    clock.now = 2000;
    one.finish(0);
    await a;
    clock.now = 3000;
    two.finish(0);
    await b;
    // Tab two's write merged tab one's entry in (and shows it); tab one, before the event, not yet.
    expect(two.d.list().map((e) => e.fileName)).toEqual(['b.pdf', 'a.pdf']);
    expect(new DownloadHistory(storage, 'u').load().entries.map((e) => e.fileName)).toEqual(['b.pdf', 'a.pdf']);
    one.storageEvent();
    expect(one.d.list().map((e) => e.fileName)).toEqual(['b.pdf', 'a.pdf']);
    // Its own keeps its bytes; the other's offers "download again".
    expect(one.d.canSaveAgain(one.d.list()[1]!.id)).toBe(true);
    expect(one.d.canSaveAgain(one.d.list()[0]!.id)).toBe(false);

    clock.now = 4000;
    one.d.clearFinished();
    expect(one.d.list()).toEqual([]);
    two.storageEvent();
    expect(two.d.list()).toEqual([]);
    expect(new DownloadHistory(storage, 'u').load()).toEqual({ clearedAt: 4000, entries: [] });
    // A download finishing after the clear is listed in both again.
    const c = one.d.download({ fileId: 'fc', fileName: 'c.pdf', downloadPath: '/c' });
    clock.now = 5000;
    one.finish(1);
    await c;
    two.storageEvent();
    expect(two.d.list().map((e) => e.fileName)).toEqual(['c.pdf']);
  });

  it('with Downloads: restored entries are listed below the running ones, offer no saved bytes', async () => {
    const storage = memoryStorage();
    new DownloadHistory(storage, 'u').save([entry(2, 'done'), entry(1, 'cancelled')], 0);
    const h = new DownloadHistory(storage, 'u');
    let finish!: (b: Blob) => void;
    const d = new Downloads({
      url: (p) => p,
      authorization: () => null,
      save: () => {},
      now: () => 5000,
      start: () => ({ done: new Promise<Blob>((res) => (finish = res)), cancel: () => {} }),
    });
    d.adopt(h.load());
    d.subscribe((list) => {
      const merged = h.save(list, d.clearedAt());
      if (merged) d.adopt(merged);
    });
    const running = d.download({ fileId: 'f9', fileName: 'bab9.pdf', downloadPath: '/api/files/f9/download' });
    expect(d.list().map((e) => [e.fileName, e.state])).toEqual([
      ['bab9.pdf', 'connecting'],
      ['bab2.pdf', 'done'],
      ['bab1.pdf', 'cancelled'],
    ]);
    const restored = d.list()[1]!;
    expect(d.canSaveAgain(restored.id)).toBe(false);
    expect(d.saveAgain(restored.id)).toBe(false);
    finish(new Blob([new Uint8Array(7)]));
    const done = await running;
    expect(d.canSaveAgain(done.id)).toBe(true);
    expect(d.list().find((e) => e.key === done.key)?.id).toBe(done.id);
    expect(new DownloadHistory(storage, 'u').load().entries.map((e) => e.fileName)).toEqual(['bab9.pdf', 'bab2.pdf', 'bab1.pdf']);
    d.clearFinished();
    expect(new DownloadHistory(storage, 'u').load().entries).toEqual([]);
  });

  it('with Downloads: reset (signing out) cancels what runs and forgets everything', async () => {
    let cancelled = false;
    const d = new Downloads({
      url: (p) => p,
      authorization: () => null,
      save: () => {},
      start: () => {
        let reject!: (e: unknown) => void;
        const done = new Promise<Blob>((_, rej) => (reject = rej));
        return { done, cancel: () => { cancelled = true; reject(new Error('cancelled')); } };
      },
    });
    d.adopt({ clearedAt: 0, entries: [stored('x', 1)] });
    const running = d.download({ fileId: 'f2', fileName: 'bab2.pdf', downloadPath: '/x' });
    d.reset();
    expect(cancelled).toBe(true);
    expect(d.list()).toEqual([]);
    expect((await running).state).toBe('cancelled');
    expect(d.list()).toEqual([]);
  });
});
