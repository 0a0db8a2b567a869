// A file download that streams (fetch and its body's reader, no XMLHttpRequest buffer) and
// survives a dropped connection: the bytes already received stay, and the next attempt asks the
// server for the rest with `Range: bytes=<received>-` and `If-Range: <ETag>` (docs/FILES.md),
// so a changed file is sent whole again rather than spliced. Received chunks are folded into
// Blob parts every `partBytes`, so the file is never one ArrayBuffer in the page's memory (the
// browser may keep Blob parts on disk).
import type { ErrorCode } from '../protocol';
import { ChatError, codeForHttpStatus, isErrorCode, isRecord, isRetryable } from '../protocol';
import { backoffDelay, type BackoffOptions } from './backoff';

export type DownloadPhase = 'connecting' | 'receiving' | 'retrying';

export interface ResumableDownloadRequest {
  url: string;
  /** Asked before every attempt: a token refreshed meanwhile is used for the rest. */
  authorization: () => string | null;
  onProgress?: (received: number, total: number | null) => void;
  onPhase?: (phase: DownloadPhase) => void;
  /** Attempts in a row that bring no byte before the download fails (default 8). */
  maxFailures?: number;
  backoff?: BackoffOptions;
  /** An attempt that brings no byte for this long is dropped and resumed (default 8 s): a
   *  connection can die without an error (a lost network often just goes quiet). */
  stallMs?: number;
  /** Chunks are folded into a Blob part once they add up to this (default 1 MiB). */
  partBytes?: number;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface ResumableDownloadHandle {
  done: Promise<Blob>;
  cancel: () => void;
}

/** `bytes <first>-<last>/<size>` → first and size (size null for `*`); null when malformed. */
export function parseContentRange(header: string | null): { first: number; size: number | null } | null {
  const m = header ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim()) : null;
  if (!m) return null;
  return { first: Number(m[1]), size: m[3] === '*' ? null : Number(m[3]) };
}

/** The headers of an attempt that already holds `received` bytes of the file tagged `etag`. */
export function resumeHeaders(received: number, etag: string | null, authorization: string | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (authorization) headers.Authorization = authorization;
  if (received > 0) {
    headers.Range = `bytes=${received}-`;
    if (etag) headers['If-Range'] = etag;
  }
  return headers;
}

function sleepAbortable(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function errorCodeOf(res: Response): Promise<ErrorCode> {
  try {
    const body: unknown = await res.json();
    if (isRecord(body) && isRecord(body.error) && isErrorCode(body.error.code)) return body.error.code;
  } catch {
    /* not JSON */
  }
  return codeForHttpStatus(res.status);
}

/** Thrown inside an attempt when it should be retried (a drop, a 5xx); carries the code for the end. */
class Retry extends Error {
  constructor(readonly code: ErrorCode) {
    super(code);
  }
}

export function resumableDownload(req: ResumableDownloadRequest): ResumableDownloadHandle {
  const abort = new AbortController();
  const fetchImpl = req.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const sleep = req.sleep ?? sleepAbortable;
  const maxFailures = req.maxFailures ?? 8;
  const partBytes = req.partBytes ?? 1 << 20;
  const stallMs = req.stallMs ?? 8000;

  let parts: Blob[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let received = 0;
  let total: number | null = null;
  let etag: string | null = null;
  let type = '';
  let failures = 0;

  const fold = () => {
    if (pending.length === 0) return;
    parts.push(new Blob(pending as BlobPart[]));
    pending = [];
    pendingBytes = 0;
  };
  const restart = () => {
    parts = [];
    pending = [];
    pendingBytes = 0;
    received = 0;
  };
  const cancelled = () => new ChatError('cancelled', 'cancelled');

  /** One request; true when the file is complete. Throws Retry for what another attempt may fix. */
  const attempt = async (): Promise<boolean> => {
    // This attempt's own signal: aborted by cancel, or by the watchdog when nothing arrives.
    const own = new AbortController();
    const onCancel = () => own.abort();
    abort.signal.addEventListener('abort', onCancel, { once: true });
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const feed = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => own.abort(), stallMs);
    };
    try {
      feed();
      return await attemptWith(own.signal, feed);
    } finally {
      clearTimeout(watchdog);
      abort.signal.removeEventListener('abort', onCancel);
    }
  };

  const attemptWith = async (signal: AbortSignal, feed: () => void): Promise<boolean> => {
    req.onPhase?.('connecting');
    let res: Response;
    try {
      res = await fetchImpl(req.url, { headers: resumeHeaders(received, etag, req.authorization()), signal, cache: 'no-store' });
    } catch {
      if (abort.signal.aborted) throw cancelled();
      throw new Retry('network');
    }
    if (res.status === 416 && total !== null && received === total) return true;
    if (res.status === 206) {
      const range = parseContentRange(res.headers.get('Content-Range'));
      if (!range || range.first !== received) {
        // Not the rest we asked for: start over from the first byte.
        void res.body?.cancel();
        restart();
        throw new Retry('network');
      }
      if (range.size !== null) total = range.size;
    } else if (res.status === 200) {
      // The whole file: the first attempt, or the server would not resume (a new ETag).
      if (received > 0) restart();
      const length = res.headers.get('Content-Length');
      total = length !== null && /^\d+$/.test(length) ? Number(length) : null;
      etag = res.headers.get('ETag');
      type = res.headers.get('Content-Type') ?? '';
    } else {
      const code = await errorCodeOf(res);
      if (isRetryable(code)) throw new Retry(code);
      throw new ChatError(code, '', res.status);
    }
    if (!res.body) throw new ChatError('internal', 'no body');
    req.onPhase?.('receiving');
    req.onProgress?.(received, total);
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!value || value.byteLength === 0) continue;
        feed();
        pending.push(value);
        pendingBytes += value.byteLength;
        received += value.byteLength;
        if (pendingBytes >= partBytes) fold();
        failures = 0;
        req.onProgress?.(received, total);
      }
    } catch {
      if (abort.signal.aborted) throw cancelled();
      throw new Retry('network');
    } finally {
      fold();
    }
    if (total !== null && received < total) throw new Retry('network');
    if (total !== null && received > total) {
      restart();
      throw new Retry('network');
    }
    return true;
  };

  const run = async (): Promise<Blob> => {
    for (;;) {
      if (abort.signal.aborted) throw cancelled();
      try {
        if (await attempt()) return new Blob(parts, { type });
      } catch (e) {
        if (!(e instanceof Retry)) throw e;
        failures += 1;
        if (failures >= maxFailures) throw new ChatError(e.code, 'download failed after retries');
        req.onPhase?.('retrying');
        await sleep(backoffDelay(failures - 1, req.backoff ?? { baseMs: 500, maxMs: 8000 }), abort.signal);
      }
    }
  };

  return { done: run(), cancel: () => abort.abort() };
}
