// The downloads of this tab, for the downloads panel: each file being fetched (received bytes,
// total, connecting / receiving / retrying after a drop) or finished (done, failed, cancelled),
// newest first, with cancel and "save again" for a finished one. The bytes come from
// resumableDownload; a done download keeps its Blob so saving again fetches nothing.
import type { ErrorCode } from '../protocol';
import { ChatError } from '../protocol';
import type { DownloadPhase, ResumableDownloadHandle, ResumableDownloadRequest } from './resumableDownload';
import { resumableDownload } from './resumableDownload';

export type DownloadState = DownloadPhase | 'done' | 'failed' | 'cancelled';

export interface DownloadEntry {
  id: number;
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
}

export interface DownloadsDeps {
  url: (path: string) => string;
  authorization: () => string | null;
  save: (blob: Blob, fileName: string) => void;
  start?: (req: ResumableDownloadRequest) => ResumableDownloadHandle;
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

  constructor(private readonly deps: DownloadsDeps) {}

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
    const first: DownloadEntry = { id, fileId: file.fileId, fileName: file.fileName, downloadPath: file.downloadPath, received: 0, total: null, state: 'connecting', error: null, resumes: 0 };
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
      this.update(id, { state: 'done', received: blob.size, total: blob.size });
      this.deps.save(blob, file.fileName || 'file');
    } catch (e) {
      const code = e instanceof ChatError ? e.code : 'unknown';
      this.update(id, { state: code === 'cancelled' ? 'cancelled' : 'failed', error: code === 'cancelled' ? null : code });
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
    for (const e of this.entries) if (!isActive(e)) this.blobs.delete(e.id);
    this.entries = this.entries.filter(isActive);
    this.emit();
  }

  /**
   * Puts back the finished entries of an earlier visit (newest first), below any running now.
   * They hold no bytes: the panel offers to download them again.
   */
  restore(finished: readonly Omit<DownloadEntry, 'id' | 'resumes'>[]): void {
    const restored = finished.filter((e) => !isActive({ ...e, id: 0, resumes: 0 })).map((e) => ({ ...e, id: this.nextId++, resumes: 0 }));
    this.entries = [...this.entries, ...restored];
    this.trim();
    this.emit();
  }

  /** Signing out: cancels what runs and forgets every entry and Blob. */
  reset(): void {
    for (const h of this.handles.values()) h.cancel();
    this.handles.clear();
    this.blobs.clear();
    this.entries = [];
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
