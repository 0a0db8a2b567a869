import { describe, expect, it } from 'vitest';
import { ChatError } from '../protocol';
import { parseContentRange, resumableDownload, resumeHeaders } from './resumableDownload';

const file = new Uint8Array(10_000).map((_, i) => (i * 7 + 3) % 251);

interface Seen {
  range: string | null;
  ifRange: string | null;
  auth: string | null;
}

/**
 * A file server over fetch's types: Range (a single `a-` range), If-Range against its ETag, and
 * a connection that drops after `dropAfter[n]` bytes of the n-th answer.
 */
function fakeServer(opts: { dropAfter?: number[]; etag?: () => string; ignoreRange?: boolean; failFirst?: number; status?: number } = {}) {
  const seen: Seen[] = [];
  let answers = 0;
  const fetchImpl = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const h = new Headers(init?.headers);
    seen.push({ range: h.get('Range'), ifRange: h.get('If-Range'), auth: h.get('Authorization') });
    const n = answers++;
    if (opts.failFirst !== undefined && n < opts.failFirst) throw new TypeError('Failed to fetch');
    if (opts.status) return new Response(JSON.stringify({ error: { code: 'not_found', message: 'x' } }), { status: opts.status });
    const etag = opts.etag?.() ?? '"abc"';
    const m = /^bytes=(\d+)-$/.exec(h.get('Range') ?? '');
    const honour = m && !opts.ignoreRange && (h.get('If-Range') === null || h.get('If-Range') === etag);
    const first = honour ? Number(m![1]) : 0;
    const body = file.slice(first);
    const drop = opts.dropAfter?.[n];
    // Pulled chunk by chunk: erroring a stream drops what it still queues, as a real drop would
    // lose bytes in flight, so the error comes only after the last chunk was read.
    const upTo = drop === undefined ? body.length : Math.min(drop, body.length);
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at < upTo) {
          c.enqueue(body.slice(at, Math.min(at + 1000, upTo)));
          at = Math.min(at + 1000, upTo);
        } else if (drop === undefined) c.close();
        else c.error(new TypeError('network error'));
      },
    });
    const headers: Record<string, string> = { ETag: etag, 'Content-Type': 'application/pdf', 'Content-Length': String(body.length) };
    if (honour) headers['Content-Range'] = `bytes ${first}-${file.length - 1}/${file.length}`;
    return new Response(stream, { status: honour ? 206 : 200, headers });
  }) as typeof fetch;
  return { fetchImpl, seen };
}

const noSleep = async () => {};
const bytesOf = async (b: Blob) => new Uint8Array(await b.arrayBuffer());

describe('resumableDownload', () => {
  it('downloads a file in one go, folded into parts, with its type', async () => {
    const { fetchImpl, seen } = fakeServer();
    const progress: number[] = [];
    const blob = await resumableDownload({ url: '/f', authorization: () => 'Bearer t', fetchImpl, sleep: noSleep, partBytes: 3000, onProgress: (r) => progress.push(r) }).done;
    expect(await bytesOf(blob)).toEqual(file);
    expect(blob.type).toBe('application/pdf');
    expect(seen).toEqual([{ range: null, ifRange: null, auth: 'Bearer t' }]);
    expect(progress.at(-1)).toBe(10_000);
  });

  it('resumes after a dropped connection from the last byte received, with If-Range', async () => {
    const { fetchImpl, seen } = fakeServer({ dropAfter: [4000, 3000] });
    const blob = await resumableDownload({ url: '/f', authorization: () => null, fetchImpl, sleep: noSleep }).done;
    expect(await bytesOf(blob)).toEqual(file);
    expect(seen.map((s) => s.range)).toEqual([null, 'bytes=4000-', 'bytes=7000-']);
    expect(seen[1]?.ifRange).toBe('"abc"');
  });

  it('starts over when the file changed meanwhile (If-Range answers the whole file)', async () => {
    let tag = '"v1"';
    const { fetchImpl, seen } = fakeServer({
      dropAfter: [5000],
      etag: () => {
        const now = tag;
        tag = '"v2"';
        return now;
      },
    });
    const blob = await resumableDownload({ url: '/f', authorization: () => null, fetchImpl, sleep: noSleep }).done;
    expect(await bytesOf(blob)).toEqual(file);
    expect(seen.map((s) => s.range)).toEqual([null, 'bytes=5000-']);
  });

  it('starts over when the server ignores Range', async () => {
    const { fetchImpl } = fakeServer({ dropAfter: [5000], ignoreRange: true });
    const blob = await resumableDownload({ url: '/f', authorization: () => null, fetchImpl, sleep: noSleep }).done;
    expect(await bytesOf(blob)).toEqual(file);
  });

  it('retries a request that never connected, and gives up after maxFailures in a row', async () => {
    const ok = fakeServer({ failFirst: 2 });
    expect(await bytesOf(await resumableDownload({ url: '/f', authorization: () => null, fetchImpl: ok.fetchImpl, sleep: noSleep }).done)).toEqual(file);
    const down = fakeServer({ failFirst: 100 });
    const err = await resumableDownload({ url: '/f', authorization: () => null, fetchImpl: down.fetchImpl, sleep: noSleep, maxFailures: 3 }).done.catch((e) => e);
    expect(err).toBeInstanceOf(ChatError);
    expect((err as ChatError).code).toBe('network');
    expect(down.seen.length).toBe(3);
  });

  it('fails at once with the server’s code for a refusal', async () => {
    const { fetchImpl, seen } = fakeServer({ status: 404 });
    const err = await resumableDownload({ url: '/f', authorization: () => null, fetchImpl, sleep: noSleep }).done.catch((e) => e);
    expect((err as ChatError).code).toBe('not_found');
    expect(seen.length).toBe(1);
  });

  it('stops on cancel with the cancelled code', async () => {
    const { fetchImpl } = fakeServer({ failFirst: 100 });
    const d = resumableDownload({ url: '/f', authorization: () => null, fetchImpl, sleep: (ms, signal) => new Promise((r) => signal.addEventListener('abort', () => r())) });
    setTimeout(() => d.cancel(), 5);
    const err = await d.done.catch((e) => e);
    expect((err as ChatError).code).toBe('cancelled');
  });

  it('parses Content-Range and builds the resume headers', () => {
    expect(parseContentRange('bytes 100-199/200')).toEqual({ first: 100, size: 200 });
    expect(parseContentRange('bytes 0-9/*')).toEqual({ first: 0, size: null });
    expect(parseContentRange('bytes */200')).toBeNull();
    expect(parseContentRange(null)).toBeNull();
    expect(resumeHeaders(0, '"e"', null)).toEqual({});
    expect(resumeHeaders(5, '"e"', 'Bearer x')).toEqual({ Authorization: 'Bearer x', Range: 'bytes=5-', 'If-Range': '"e"' });
    expect(resumeHeaders(5, null, null)).toEqual({ Range: 'bytes=5-' });
  });
});
