// The downloads panel's finished entries survive a reload and are shared by the tabs of one
// browser: done, failed and cancelled downloads (name, size, outcome, where to fetch the file
// again; never the bytes) are kept in localStorage per signed-in user, at most `historyLimit`,
// newest first. Running downloads are not kept: a reload ends them, and the list must not claim
// they still run.
//
// Two tabs write the same key, so a write is a merge, never an overwrite: read what is stored,
// join it with this tab's entries by download key (the newer finish wins), drop what a "Clear
// finished" in either tab removed (`clearedAt`, the newest clear: a tab that had not heard of
// it yet cannot bring those back), order newest first, bound. The other tab hears of the write
// through the `storage` event and takes the stored list as its own (`adopt`).
import { isErrorCode, isRecord } from '../protocol';
import type { DownloadEntry } from './downloads';

export const historyLimit = 50;

/** What is stored of one finished download. */
export interface StoredDownload {
  /** The download's own id, the same in every tab (a file downloaded twice has two). */
  key: string;
  fileId: string;
  fileName: string;
  downloadPath: string;
  received: number;
  total: number | null;
  state: 'done' | 'failed' | 'cancelled';
  error: DownloadEntry['error'];
  /** When it finished (ms since the epoch): the order of the list and which copy is newer. */
  finishedAt: number;
}

/** The stored value: the finished downloads and when the list was last cleared. */
export interface StoredHistory {
  clearedAt: number;
  entries: StoredDownload[];
}

export const historyKey = (userId: string) => `writeen-chat-downloads:${userId}`;

const isFinishedState = (s: unknown): s is StoredDownload['state'] => s === 'done' || s === 'failed' || s === 'cancelled';

/** The finished entries of `list` (newest first, bounded) in the stored shape. */
export function toStored(list: readonly DownloadEntry[]): StoredDownload[] {
  return list.flatMap((e): StoredDownload[] =>
    isFinishedState(e.state)
      ? [{ key: e.key, fileId: e.fileId, fileName: e.fileName, downloadPath: e.downloadPath, received: e.received, total: e.total, state: e.state, error: e.error, finishedAt: e.finishedAt ?? 0 }]
      : [],
  ).slice(0, historyLimit);
}

/**
 * One history from two: every download of either by key (the later finish wins, `b` on a tie),
 * none finished at or before the later clear, newest first (by finish, then key, so both tabs
 * come to the same order), at most `limit`.
 */
export function mergeHistories(a: StoredHistory, b: StoredHistory, limit = historyLimit): StoredHistory {
  const clearedAt = Math.max(a.clearedAt, b.clearedAt);
  const byKey = new Map<string, StoredDownload>();
  for (const e of [...a.entries, ...b.entries]) {
    const had = byKey.get(e.key);
    if (!had || e.finishedAt >= had.finishedAt) byKey.set(e.key, e);
  }
  const entries = [...byKey.values()]
    // Never cleared: keep all, also an older version's entries without a finish time (0).
    .filter((e) => clearedAt === 0 || e.finishedAt > clearedAt)
    .sort((x, y) => y.finishedAt - x.finishedAt || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
    .slice(0, limit);
  return { clearedAt, entries };
}

const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null);

/** A stored value checked entry by entry; the list of an older version (an array) is read too. */
export function parseHistory(json: string | null): StoredHistory {
  let raw: unknown;
  try {
    raw = JSON.parse(json ?? 'null');
  } catch {
    return { clearedAt: 0, entries: [] };
  }
  const list: unknown[] = Array.isArray(raw) ? raw : isRecord(raw) && Array.isArray(raw.entries) ? raw.entries : [];
  const clearedAt = isRecord(raw) ? count(raw.clearedAt) ?? 0 : 0;
  const entries = list.flatMap((e, i): StoredDownload[] => {
    if (!isRecord(e) || typeof e.fileId !== 'string' || typeof e.fileName !== 'string' || typeof e.downloadPath !== 'string') return [];
    if (!isFinishedState(e.state)) return [];
    return [{
      // An entry of the older version had no key: one from its place and file, stable across tabs.
      key: typeof e.key === 'string' && e.key !== '' ? e.key : `old-${i}-${e.fileId}`,
      fileId: e.fileId,
      fileName: e.fileName,
      downloadPath: e.downloadPath,
      received: count(e.received) ?? 0,
      total: count(e.total),
      state: e.state,
      error: e.state === 'failed' ? (isErrorCode(e.error) ? e.error : 'unknown') : null,
      finishedAt: count(e.finishedAt) ?? 0,
    }];
  });
  // Stored in order already; merging with nothing puts a hand-edited one in order and bounds it.
  return mergeHistories({ clearedAt, entries: [] }, { clearedAt, entries });
}

/** Stores the finished entries of this tab, merged with what the other tabs stored. */
export class DownloadHistory {
  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null,
    private readonly userId: string,
  ) {}

  /** The key whose `storage` events concern this history. */
  get key(): string {
    return historyKey(this.userId);
  }

  private read(): { raw: string | null; history: StoredHistory } {
    let raw: string | null = null;
    try {
      raw = this.storage?.getItem(this.key) ?? null;
    } catch {
      raw = null;
    }
    return { raw, history: parseHistory(raw) };
  }

  load(): StoredHistory {
    return this.read().history;
  }

  /** This tab's finished entries and clear as of its last save. */
  private lastMine: string | null = null;

  /**
   * Merges this tab's finished entries (and its last clear) into the stored list and returns
   * the result, which the tab should show: the other tabs' entries included. Null when this
   * tab's part did not change since its last save (a running download's progress): nothing to
   * write or show. Writes nothing when the merge is what is stored already.
   */
  save(list: readonly DownloadEntry[], clearedAt: number): StoredHistory | null {
    const mine: StoredHistory = { clearedAt, entries: toStored(list) };
    const mineJson = JSON.stringify(mine);
    if (mineJson === this.lastMine) return null;
    this.lastMine = mineJson;
    const { raw, history } = this.read();
    const merged = mergeHistories(history, mine);
    if (!this.storage) return merged;
    const json = JSON.stringify(merged);
    const empty = merged.entries.length === 0 && merged.clearedAt === 0;
    if (json === raw || (empty && raw === null)) return merged;
    try {
      if (empty) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, json);
    } catch {
      /* quota or blocked storage: the list stays in memory only */
    }
    return merged;
  }

  /** Signing out: nothing of this user's downloads stays on the device. */
  clear(): void {
    this.lastMine = null;
    try {
      this.storage?.removeItem(this.key);
    } catch {
      /* blocked storage */
    }
  }
}
