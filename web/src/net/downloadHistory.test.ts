import { describe, expect, it } from 'vitest';
import { DownloadHistory, historyLimit } from './downloadHistory';
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
  fileId: `f${id}`,
  fileName: `bab${id}.pdf`,
  downloadPath: `/api/files/f${id}/download`,
  received: 100,
  total: 100,
  state,
  error: null,
  resumes: 0,
  ...extra,
});

describe('DownloadHistory', () => {
  it('keeps the finished entries per user (not the running ones, not the bytes) and reads them back', () => {
    const storage = memoryStorage();
    const ayu = new DownloadHistory(storage, 'student-ayu');
    ayu.save([entry(3, 'receiving', { received: 10 }), entry(2, 'failed', { error: 'not_found', received: 5 }), entry(1, 'done')]);
    const back = new DownloadHistory(storage, 'student-ayu').load();
    expect(back.map((e) => [e.fileName, e.state, e.error])).toEqual([
      ['bab2.pdf', 'failed', 'not_found'],
      ['bab1.pdf', 'done', null],
    ]);
    expect(back[1]!.downloadPath).toBe('/api/files/f1/download');
    expect(JSON.stringify([...storage.map.values()])).not.toContain('resumes');
    // Another user on the same browser sees none of it.
    expect(new DownloadHistory(storage, 'tutor-budi').load()).toEqual([]);
  });

  it('is bounded to the newest entries and writes only when the finished ones change', () => {
    const storage = memoryStorage();
    const h = new DownloadHistory(storage, 'u');
    const many = Array.from({ length: historyLimit + 10 }, (_, i) => entry(historyLimit + 10 - i, 'done'));
    h.save(many);
    const back = h.load();
    expect(back).toHaveLength(historyLimit);
    expect(back[0]!.fileName).toBe(`bab${historyLimit + 10}.pdf`);
    const writes = storage.writes();
    // Progress of a running download changes nothing stored.
    h.save([entry(999, 'receiving', { received: 1 }), ...many]);
    h.save([entry(999, 'receiving', { received: 2 }), ...many]);
    expect(storage.writes()).toBe(writes);
  });

  it('ignores a corrupt or foreign stored value, and clear removes it', () => {
    const storage = memoryStorage();
    storage.setItem('writeen-chat-downloads:u', '{not json');
    expect(new DownloadHistory(storage, 'u').load()).toEqual([]);
    storage.setItem('writeen-chat-downloads:u', JSON.stringify([{ fileId: 1 }, { ...entry(1, 'done'), state: 'receiving' }, { ...entry(2, 'failed'), error: 'nonsense', received: -3 }]));
    const back = new DownloadHistory(storage, 'u').load();
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ fileName: 'bab2.pdf', error: 'unknown', received: 0 });
    const h = new DownloadHistory(storage, 'u');
    h.clear();
    expect(storage.map.has('writeen-chat-downloads:u')).toBe(false);
    expect(new DownloadHistory(null, 'u').load()).toEqual([]);
  });

  it('with Downloads: restored entries are listed below the running ones, offer no saved bytes, and clear finished empties the store', async () => {
    const storage = memoryStorage();
    new DownloadHistory(storage, 'u').save([entry(1, 'done'), entry(2, 'cancelled')]);
    const h = new DownloadHistory(storage, 'u');
    let finish!: (b: Blob) => void;
    const d = new Downloads({
      url: (p) => p,
      authorization: () => null,
      save: () => {},
      start: () => ({ done: new Promise<Blob>((res) => (finish = res)), cancel: () => {} }),
    });
    // The client's order at sign-in: restore, then store every change.
    d.restore(h.load());
    d.subscribe((list) => h.save(list));
    const running = d.download({ fileId: 'f9', fileName: 'bab9.pdf', downloadPath: '/api/files/f9/download' });
    expect(d.list().map((e) => [e.fileName, e.state])).toEqual([
      ['bab9.pdf', 'connecting'],
      ['bab1.pdf', 'done'],
      ['bab2.pdf', 'cancelled'],
    ]);
    const restored = d.list()[1]!;
    expect(d.canSaveAgain(restored.id)).toBe(false);
    expect(d.saveAgain(restored.id)).toBe(false);
    finish(new Blob([new Uint8Array(7)]));
    const done = await running;
    expect(d.canSaveAgain(done.id)).toBe(true);
    expect(new DownloadHistory(storage, 'u').load().map((e) => e.fileName)).toEqual(['bab9.pdf', 'bab1.pdf', 'bab2.pdf']);
    d.clearFinished();
    expect(storage.map.has('writeen-chat-downloads:u')).toBe(false);
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
    d.restore([entry(1, 'done')]);
    const running = d.download({ fileId: 'f2', fileName: 'bab2.pdf', downloadPath: '/x' });
    d.reset();
    expect(cancelled).toBe(true);
    expect(d.list()).toEqual([]);
    expect((await running).state).toBe('cancelled');
    expect(d.list()).toEqual([]);
  });
});
