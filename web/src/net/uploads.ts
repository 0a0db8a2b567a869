// Uploads in progress, one task per file: progress, cancel, retry with the same clientMessageId
// (the server stores a retried upload once).
import type { ErrorCode } from '../protocol';
import { ChatError } from '../protocol';
import type { Store } from '../state';
import { newClientMessageId } from '../state';
import type { Api } from './api';
import type { UploadHandle, UploadRequest } from './files';
import { checkFile, uploadFile } from './files';

export interface UploadTask {
  id: string;
  conversationId: string;
  file: File;
  replyTo: string | null;
  /** 0..1 */
  progress: number;
  state: 'uploading' | 'failed';
  error: ErrorCode | null;
}

export class Uploads {
  private list: UploadTask[] = [];
  private readonly handles = new Map<string, UploadHandle>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly api: Api,
    private readonly store: Store,
    private readonly start: (req: UploadRequest) => UploadHandle = (req) => uploadFile(req),
  ) {}

  tasks(conversationId: string): UploadTask[] {
    return this.list.filter((t) => t.conversationId === conversationId);
  }

  subscribe(f: () => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private changed(): void {
    for (const f of [...this.listeners]) f();
  }

  private update(id: string, patch: Partial<UploadTask>): void {
    this.list = this.list.map((t) => (t.id === id ? { ...t, ...patch } : t));
    this.changed();
  }

  /** Checks the file against the conversation's settings and starts it; the reason when refused. */
  add(conversationId: string, file: File, replyTo: string | null = null): ErrorCode | null {
    const conv = this.store.get().conversations[conversationId];
    if (!conv) return 'not_found';
    const problem = checkFile(file, conv.settings);
    if (problem) return problem;
    const task: UploadTask = { id: newClientMessageId(), conversationId, file, replyTo, progress: 0, state: 'uploading', error: null };
    this.list = [...this.list, task];
    this.changed();
    this.run(task);
    return null;
  }

  private run(task: UploadTask): void {
    const handle = this.start({
      url: this.api.url(`/api/conversations/${encodeURIComponent(task.conversationId)}/upload`),
      authorization: this.api.authHeader(),
      file: task.file,
      fileName: task.file.name,
      clientMessageId: task.id,
      ...(task.replyTo ? { replyTo: task.replyTo } : {}),
      onProgress: (p) => this.update(task.id, { progress: p }),
    });
    this.handles.set(task.id, handle);
    handle.done.then(
      (message) => {
        this.handles.delete(task.id);
        this.store.dispatch({ type: 'message_upserted', message });
        this.list = this.list.filter((t) => t.id !== task.id);
        this.changed();
      },
      (e: unknown) => {
        this.handles.delete(task.id);
        const code: ErrorCode = e instanceof ChatError ? e.code : 'unknown';
        if (code === 'cancelled') return;
        this.update(task.id, { state: 'failed', error: code });
      },
    );
  }

  cancel(id: string): void {
    const h = this.handles.get(id);
    this.list = this.list.filter((t) => t.id !== id);
    this.changed();
    h?.cancel();
  }

  retry(id: string): void {
    const task = this.list.find((t) => t.id === id);
    if (!task || task.state !== 'failed') return;
    const again: UploadTask = { ...task, state: 'uploading', progress: 0, error: null };
    this.list = this.list.map((t) => (t.id === id ? again : t));
    this.changed();
    this.run(again);
  }
}
