import { describe, expect, it } from 'vitest';
import { ChatError } from '../protocol';
import { Downloads, fraction, isActive } from './downloads';
import type { ResumableDownloadRequest } from './resumableDownload';

/** A controllable download: the test moves it on and finishes it. */
function controlled() {
  const runs: { req: ResumableDownloadRequest; resolve: (b: Blob) => void; reject: (e: unknown) => void; cancelled: boolean }[] = [];
  const start = (req: ResumableDownloadRequest) => {
    let resolve!: (b: Blob) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<Blob>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const run = { req, resolve, reject, cancelled: false };
    runs.push(run);
    return {
      done,
      cancel: () => {
        run.cancelled = true;
        reject(new ChatError('cancelled', 'cancelled'));
      },
    };
  };
  return { runs, start };
}

describe('Downloads', () => {
  it('lists a download with its progress, resumes and the saved file', async () => {
    const { runs, start } = controlled();
    const saved: string[] = [];
    const d = new Downloads({ url: (p) => `http://h${p}`, authorization: () => 'Bearer x', save: (_b, n) => saved.push(n), start });
    const seen: string[] = [];
    d.subscribe((l) => seen.push(l[0]?.state ?? 'none'));
    const finished = d.download({ fileId: 'f1', fileName: 'bab2.pdf', downloadPath: '/api/files/f1' });
    expect(runs[0]!.req.url).toBe('http://h/api/files/f1');
    runs[0]!.req.onPhase?.('receiving');
    runs[0]!.req.onProgress?.(50, 200);
    expect(fraction(d.list()[0]!)).toBe(0.25);
    runs[0]!.req.onPhase?.('retrying');
    runs[0]!.req.onPhase?.('retrying');
    runs[0]!.req.onPhase?.('receiving');
    expect(d.list()[0]!.resumes).toBe(1);
    runs[0]!.resolve(new Blob([new Uint8Array(200)]));
    const entry = await finished;
    expect(entry.state).toBe('done');
    expect(fraction(entry)).toBe(1);
    expect(saved).toEqual(['bab2.pdf']);
    expect(seen).toContain('retrying');
    expect(d.saveAgain(entry.id)).toBe(true);
    expect(saved).toEqual(['bab2.pdf', 'bab2.pdf']);
  });

  it('cancels a running download and records failures with their code', async () => {
    const { runs, start } = controlled();
    const d = new Downloads({ url: (p) => p, authorization: () => null, save: () => {}, start });
    const a = d.download({ fileId: 'a', fileName: 'a.pdf', downloadPath: '/a' });
    const b = d.download({ fileId: 'b', fileName: 'b.pdf', downloadPath: '/b' });
    expect(d.list().map((e) => e.fileName)).toEqual(['b.pdf', 'a.pdf']);
    expect(d.list().every(isActive)).toBe(true);
    d.cancel(d.list()[1]!.id);
    expect(runs[0]!.cancelled).toBe(true);
    expect((await a).state).toBe('cancelled');
    runs[1]!.reject(new ChatError('not_found', ''));
    const failed = await b;
    expect(failed.state).toBe('failed');
    expect(failed.error).toBe('not_found');
    expect(d.saveAgain(failed.id)).toBe(false);
    d.clearFinished();
    expect(d.list()).toEqual([]);
  });
});
