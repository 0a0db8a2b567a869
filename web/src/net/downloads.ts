// The downloads of this tab, for the downloads panel: each file being fetched (received bytes,
// total, connecting / receiving / retrying after a drop) or finished (done, failed, cancelled),
// newest first, with cancel and "save again" for a finished one. The bytes come from
// resumableDownload; a done download keeps its Blob so saving again fetches nothing.
import type { ErrorCode } from '../protocol';
import { ChatError } from '../protocol';
import { newClientMessageId } from '../state/ids';
import type { StoredHistory } from './downloadHistory';
import type { DownloadPhase, ResumableDownloadHandle, ResumableDownloadRequest } from './resumableDownload';
import { resumableDownload } from './resumableDownload';

export type DownloadState = DownloadPhase | 'done' | 'failed' | 'cancelled';

export interface DownloadEntry {
  /** This tab's handle (for cancel and the saved bytes). */
  id: number;
  /** The download's id in every tab (downloadHistory merges by it). */
  key: string;
  fileId: string;
  fileName: string;
  /** Where the file is fetched from, to fetch it again once its bytes are gone (after a reload). */
  downloadPath: string;
  received: number;
  total: number | null;
  state: DownloadState;
  error: ErrorCode | null;
  /** How many times the connection dropped and the download resumed. */
  resumes: number;
  /** When it finished (ms since the epoch); null while it runs. */
  finishedAt: number | null;
}

export interface DownloadsDeps {
  url: (path: string) => string;
  authorization: () => string | null;
  save: (blob: Blob, fileName: string) => void;
  start?: (req: ResumableDownloadRequest) => ResumableDownloadHandle;
  now?: () => number;
  newKey?: () => string;
}

/** Whether a download still runs (and so can be cancelled). */
export function isActive(e: DownloadEntry): boolean {
  return e.state === 'connecting' || e.state === 'receiving' || e.state === 'retrying';
}

/** The fraction 0..1 received, or null while the size is unknown. */
export function fraction(e: DownloadEntry): number | null {
  if (e.state === 'done') return 1;
  return e.total && e.total > 0 ? Math.min(1, e.received / e.total) : null;
}

/** At most this many finished downloads are kept in the list (and stored, see downloadHistory). */
const keepFinished = 50;
/** Only the newest this many done downloads keep their Blob in memory for "save again". */
const keepBlobs = 20;

export class Downloads {
  private entries: DownloadEntry[] = [];
  private readonly handles = new Map<number, ResumableDownloadHandle>();
  private readonly blobs = new Map<number, Blob>();
  private readonly listeners = new Set<(list: readonly DownloadEntry[]) => void>();
  private nextId = 1;
  /** When "Clear finished" last emptied the list, here or in another tab (adopt). */
  private cleared = 0;

  constructor(private readonly deps: DownloadsDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** When the finished entries were last cleared (for downloadHistory's merge). */
  clearedAt(): number {
    return this.cleared;
  }

  list(): readonly DownloadEntry[] {
    return this.entries;
  }

  subscribe(fn: (list: readonly DownloadEntry[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Fetches the file at `downloadPath` and hands it to the browser; resolves when finished. */
  async download(file: { fileId: string; fileName: string; downloadPath: string }): Promise<DownloadEntry> {
    const id = this.nextId++;
    const key = (this.deps.newKey ?? newClientMessageId)();
    const first: DownloadEntry = { id, key, fileId: file.fileId, fileName: file.fileName, downloadPath: file.downloadPath, received: 0, total: null, state: 'connecting', error: null, resumes: 0, finishedAt: null };
    this.entries = [first, ...this.entries];
    this.trim();
    this.emit();
    const start = this.deps.start ?? resumableDownload;
    const handle = start({
      url: this.deps.url(file.downloadPath),
      authorization: this.deps.authorization,
      onProgress: (received, total) => this.update(id, { received, total }),
      onPhase: (phase) =>
        this.update(id, (e) => ({ state: phase, resumes: phase === 'retrying' && e.state !== 'retrying' ? e.resumes + 1 : e.resumes })),
    });
    this.handles.set(id, handle);
    try {
      const blob = await handle.done;
      this.blobs.set(id, blob);
      this.trimBlobs();
      this.update(id, { state: 'done', received: blob.size, total: blob.size, finishedAt: this.now() });
      this.deps.save(blob, file.fileName || 'file');
    } catch (e) {
      const code = e instanceof ChatError ? e.code : 'unknown';
      this.update(id, { state: code === 'cancelled' ? 'cancelled' : 'failed', error: code === 'cancelled' ? null : code, finishedAt: this.now() });
    } finally {
      this.handles.delete(id);
    }
    // Gone from the list only when a sign-out reset it meanwhile, which cancelled it.
    return this.entries.find((e) => e.id === id) ?? { ...first, state: 'cancelled' };
  }

  cancel(id: number): void {
    this.handles.get(id)?.cancel();
  }

  /** Whether `id` still holds its bytes (false for one restored after a reload, or trimmed). */
  canSaveAgain(id: number): boolean {
    return this.blobs.has(id);
  }

  /** Saves a finished download again from the Blob it kept; false when there is none. */
  saveAgain(id: number): boolean {
    const blob = this.blobs.get(id);
    const entry = this.entries.find((e) => e.id === id);
    if (!blob || !entry) return false;
    this.deps.save(blob, entry.fileName || 'file');
    return true;
  }

  /** Removes the finished entries (and frees their Blobs). */
  clearFinished(): void {
    const finished = this.entries.filter((e) => !isActive(e));
    for (const e of finished) this.blobs.delete(e.id);
    this.entries = this.entries.filter(isActive);
    // Every finish up to now (and every one listed, were the clock set back), also in a tab
    // that still lists them when it next writes.
    this.cleared = Math.max(this.cleared, this.now(), ...finished.map((e) => e.finishedAt ?? 0));
    this.emit();
  }

  /**
   * The finished entries become `stored`'s (another tab wrote, or this tab's write merged the
   * others' in): one already listed keeps its handle and bytes, a new one has none, one missing
   * was cleared or trimmed there. Running ones stay on top. Emits only on a change.
   */
  adopt(stored: StoredHistory): void {
    // They hold no bytes (another tab's, or an earlier visit's): the panel offers to download
    // them again.
    this.cleared = Math.max(this.cleared, stored.clearedAt);
    const running = this.entries.filter(isActive);
    const mine = new Map(this.entries.filter((e) => !isActive(e)).map((e) => [e.key, e]));
    const finished = stored.entries.map((s): DownloadEntry => {
      const had = mine.get(s.key);
      if (had && had.state === s.state && had.finishedAt === s.finishedAt) return had;
      return { ...s, id: had?.id ?? this.nextId++, resumes: had?.resumes ?? 0 };
    });
    const next = [...running, ...finished];
    if (next.length === this.entries.length && next.every((e, i) => e === this.entries[i])) return;
    const kept = new Set(next.map((e) => e.id));
    for (const id of [...this.blobs.keys()]) if (!kept.has(id)) this.blobs.delete(id);
    this.entries = next;
    this.emit();
  }

  /** Signing out: cancels what runs and forgets every entry and Blob. */
  reset(): void {
    for (const h of this.handles.values()) h.cancel();
    this.handles.clear();
    this.blobs.clear();
    this.entries = [];
    this.cleared = 0;
    this.emit();
  }

  private trimBlobs(): void {
    const keep = new Set(this.entries.filter((e) => this.blobs.has(e.id)).slice(0, keepBlobs).map((e) => e.id));
    for (const id of [...this.blobs.keys()]) if (!keep.has(id)) this.blobs.delete(id);
  }

  private trim(): void {
    const finished = this.entries.filter((e) => !isActive(e));
    if (finished.length <= keepFinished) return;
    const drop = new Set(finished.slice(keepFinished).map((e) => e.id));
    for (const id of drop) this.blobs.delete(id);
    this.entries = this.entries.filter((e) => !drop.has(e.id));
  }

  private update(id: number, change: Partial<DownloadEntry> | ((e: DownloadEntry) => Partial<DownloadEntry>)): void {
    this.entries = this.entries.map((e) => (e.id === id ? { ...e, ...(typeof change === 'function' ? change(e) : change) } : e));
    this.emit();
  }

  private emit(): void {
    for (const fn of this.listeners) fn(this.entries);
  }
}
