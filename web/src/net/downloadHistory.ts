// The downloads panel's finished entries survive a reload: done, failed and cancelled downloads
// (name, size, outcome, where to fetch the file again; never the bytes) are kept in localStorage
// per signed-in user, at most `historyLimit`, newest first. Running downloads are not kept: a
// reload ends them, and the list must not claim they still run.
import { isErrorCode, isRecord } from '../protocol';
import type { DownloadEntry } from './downloads';

export const historyLimit = 50;

/** What is stored of one finished download. */
export interface StoredDownload {
  fileId: string;
  fileName: string;
  downloadPath: string;
  received: number;
  total: number | null;
  state: 'done' | 'failed' | 'cancelled';
  error: DownloadEntry['error'];
}

const keyFor = (userId: string) => `writeen-chat-downloads:${userId}`;

const isFinishedState = (s: unknown): s is StoredDownload['state'] => s === 'done' || s === 'failed' || s === 'cancelled';

/** The finished entries of `list` (newest first, bounded) in the stored shape. */
export function toStored(list: readonly DownloadEntry[]): StoredDownload[] {
  return list.flatMap((e): StoredDownload[] =>
    isFinishedState(e.state)
      ? [{ fileId: e.fileId, fileName: e.fileName, downloadPath: e.downloadPath, received: e.received, total: e.total, state: e.state, error: e.error }]
      : [],
  ).slice(0, historyLimit);
}

/** Stores the finished entries of `list`; writes nothing when they did not change since the last write. */
export class DownloadHistory {
  private last: string | null = null;

  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null,
    private readonly userId: string,
  ) {}

  load(): StoredDownload[] {
    if (!this.storage) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(this.storage.getItem(keyFor(this.userId)) ?? '[]');
    } catch {
      return [];
    }
    if (!Array.isArray(raw)) return [];
    const entries = raw.flatMap((e): StoredDownload[] => {
      if (!isRecord(e) || typeof e.fileId !== 'string' || typeof e.fileName !== 'string' || typeof e.downloadPath !== 'string') return [];
      if (!isFinishedState(e.state)) return [];
      const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null);
      return [{
        fileId: e.fileId,
        fileName: e.fileName,
        downloadPath: e.downloadPath,
        received: count(e.received) ?? 0,
        total: count(e.total),
        state: e.state,
        error: e.state === 'failed' ? (isErrorCode(e.error) ? e.error : 'unknown') : null,
      }];
    }).slice(0, historyLimit);
    this.last = JSON.stringify(entries);
    return entries;
  }

  save(list: readonly DownloadEntry[]): void {
    if (!this.storage) return;
    const stored = toStored(list);
    const json = JSON.stringify(stored);
    if (json === this.last) return;
    try {
      if (stored.length === 0) this.storage.removeItem(keyFor(this.userId));
      else this.storage.setItem(keyFor(this.userId), json);
      this.last = json;
    } catch {
      /* quota or blocked storage: the list stays in memory only */
    }
  }

  clear(): void {
    this.last = null;
    try {
      this.storage?.removeItem(keyFor(this.userId));
    } catch {
      /* blocked storage */
    }
  }
}
