// A transcript made by the real server (a session with Indonesian text, a quote, é and an emoji),
// checked as the browser checks it: the bytes hashed and signed are reproduced exactly.
import { describe, expect, it } from 'vitest';
import fixture from '../testing/transcript.fixture.json';
import type { TranscriptKey } from '../protocol';
import { checkTranscript } from './transcriptCheck';

const keys: TranscriptKey[] = fixture.keys;
interface Sealed {
  transcript: { messages: Array<{ seq: number; content: { text?: string } }>; session: Record<string, unknown> };
}
const copy = (): Sealed => JSON.parse(JSON.stringify(fixture.sealed)) as Sealed;

describe('checkTranscript', () => {
  it('finds a transcript of the server valid: chain and Ed25519 signature', async () => {
    const r = await checkTranscript(copy(), keys);
    expect(r).toEqual({ state: 'valid', messages: fixture.sealed.transcript.messages.length, keyId: fixture.sealed.signature.keyId });
  });

  it('accepts the saved API answer too (transcript and signature under data)', async () => {
    expect((await checkTranscript({ success: true, data: copy() }, keys)).state).toBe('valid');
  });

  it('names the first entry whose message was altered', async () => {
    const doc = copy();
    doc.transcript.messages[1]!.content.text = 'diubah';
    expect(await checkTranscript(doc, keys)).toEqual({ state: 'invalid', problem: { kind: 'entry', index: 1, seq: doc.transcript.messages[1]!.seq } });
  });

  it('notices a removed message', async () => {
    const doc = copy();
    doc.transcript.messages.splice(1, 1);
    expect((await checkTranscript(doc, keys)).state).toBe('invalid');
  });

  it('refuses a change outside the chain through the signature', async () => {
    const doc = copy();
    doc.transcript.session.duration = 99;
    expect(await checkTranscript(doc, keys)).toEqual({ state: 'invalid', problem: { kind: 'signature' } });
  });

  it('refuses a signature by a key the server does not list', async () => {
    expect(await checkTranscript(copy(), [])).toEqual({ state: 'invalid', problem: { kind: 'unknown_key', keyId: fixture.sealed.signature.keyId } });
  });

  it('says "not checked" when the browser has no WebCrypto, or no Ed25519 in it', async () => {
    expect(await checkTranscript(copy(), keys, null)).toEqual({ state: 'not_checked', messages: null });
    const subtle = globalThis.crypto.subtle;
    const noEd25519 = Object.create(subtle, {
      digest: { value: subtle.digest.bind(subtle) },
      importKey: { value: () => Promise.reject(new DOMException('no', 'NotSupportedError')) },
    }) as SubtleCrypto;
    expect(await checkTranscript(copy(), keys, noEd25519)).toEqual({ state: 'not_checked', messages: fixture.sealed.transcript.messages.length });
  });
});
