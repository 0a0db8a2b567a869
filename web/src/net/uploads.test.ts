import { describe, expect, it } from 'vitest';
import { ChatError } from '../protocol';
import { Store } from '../state';
import { loadedState, message, student } from '../testing/fixtures';
import { Api } from './api';
import type { UploadHandle, UploadRequest } from './files';
import { Uploads } from './uploads';

function harness() {
  const store = new Store(loadedState([message(1)]));
  const started: Array<{ req: UploadRequest; resolve: (m: ReturnType<typeof message>) => void; reject: (e: unknown) => void; cancelled: boolean }> = [];
  const start = (req: UploadRequest): UploadHandle => {
    let resolve!: (m: ReturnType<typeof message>) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<ReturnType<typeof message>>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry = { req, resolve, reject, cancelled: false };
    started.push(entry);
    return {
      done,
      cancel: () => {
        entry.cancelled = true;
        reject(new ChatError('cancelled', 'aborted'));
      },
    };
  };
  const uploads = new Uploads(new Api({ getToken: () => 'tok' }), store, start);
  return { store, uploads, started };
}

const file = (name: string, size = 1000) => new File([new Uint8Array(size)], name);
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('Uploads', () => {
  it('refuses a file the conversation does not allow, before sending anything', () => {
    const h = harness();
    expect(h.uploads.add('c1', file('virus.exe'))).toBe('file_type_not_allowed');
    expect(h.uploads.add('c1', file('big.pdf', 10_485_761))).toBe('file_too_large');
    expect(h.started).toHaveLength(0);
  });

  it('shows progress and puts the stored message into the conversation when done', async () => {
    const h = harness();
    expect(h.uploads.add('c1', file('Bab 1.pdf'))).toBeNull();
    const s = h.started[0]!;
    expect(s.req.url).toBe('/api/conversations/c1/upload');
    expect(s.req.authorization).toBe('Bearer tok');
    s.req.onProgress(0.4);
    expect(h.uploads.tasks('c1')[0]!.progress).toBe(0.4);
    s.resolve(message(2, { senderId: student.id, type: 'file', clientMessageId: s.req.clientMessageId }));
    await tick();
    expect(h.uploads.tasks('c1')).toEqual([]);
    expect(h.store.get().logs.c1!.seqs).toEqual([1, 2]);
  });

  it('retries a failed upload with the same clientMessageId', async () => {
    const h = harness();
    h.uploads.add('c1', file('a.pdf'));
    h.started[0]!.reject(new ChatError('network', 'down'));
    await tick();
    const task = h.uploads.tasks('c1')[0]!;
    expect(task).toMatchObject({ state: 'failed', error: 'network' });
    h.uploads.retry(task.id);
    expect(h.started).toHaveLength(2);
    expect(h.started[1]!.req.clientMessageId).toBe(h.started[0]!.req.clientMessageId);
  });

  it('cancels an upload and forgets it', async () => {
    const h = harness();
    h.uploads.add('c1', file('a.pdf'));
    const id = h.uploads.tasks('c1')[0]!.id;
    h.uploads.cancel(id);
    await tick();
    expect(h.started[0]!.cancelled).toBe(true);
    expect(h.uploads.tasks('c1')).toEqual([]);
  });
});
