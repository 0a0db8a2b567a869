// Checks a signed session transcript in the browser, as `writeen-chat verify-transcript` does
// (src/transcripts/transcript.cpp): recompute the SHA-256 chain over every message's canonical
// JSON, compare it with the entries and the head, then verify the Ed25519 signature over the
// canonical JSON of `transcript` with the public key whose id the signature names.
import type { TranscriptKey } from '../protocol';
import { isRecord } from '../protocol';
import { canonicalJson } from './canonicalJson';

/** The hash "before" the first message: 64 zeros. */
const genesis = '0'.repeat(64);

/** Why a transcript does not check out; `index`/`seq` name the first broken entry. */
export type TranscriptProblem =
  | { kind: 'shape' }
  | { kind: 'entry'; index: number; seq: number | null }
  | { kind: 'head' }
  | { kind: 'unknown_key'; keyId: string }
  | { kind: 'signature' };

export type TranscriptCheck =
  | { state: 'valid'; messages: number; keyId: string }
  /** The chain holds but this browser cannot check Ed25519 (or any hash at all). */
  | { state: 'not_checked'; messages: number | null }
  | { state: 'invalid'; problem: TranscriptProblem };

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256Hex(subtle: SubtleCrypto, data: Uint8Array<ArrayBuffer> | string): Promise<string> {
  return hex(await subtle.digest('SHA-256', typeof data === 'string' ? encoder.encode(data) : data));
}

function base64UrlBytes(s: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

function pemBytes(pem: string): Uint8Array<ArrayBuffer> | null {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  try {
    return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function seqOf(v: unknown): number | null {
  return isRecord(v) && Number.isInteger(v.seq) ? (v.seq as number) : null;
}

/** Recomputes the chain; the number of messages when it holds. */
async function checkChain(subtle: SubtleCrypto, transcript: Record<string, unknown>): Promise<number | TranscriptProblem> {
  const messages = transcript.messages;
  const chain = transcript.chain;
  if (!Array.isArray(messages) || !isRecord(chain) || chain.algorithm !== 'sha256' || !Array.isArray(chain.entries) || typeof chain.head !== 'string') {
    return { kind: 'shape' };
  }
  const entries: unknown[] = chain.entries;
  let previous = genesis;
  let lastSeq: number | null = null;
  for (let i = 0; i < Math.max(messages.length, entries.length); i++) {
    const seq = seqOf(messages[i]);
    const broken: TranscriptProblem = { kind: 'entry', index: i, seq };
    const entry = entries[i];
    if (i >= messages.length || i >= entries.length || seq === null || !isRecord(entry)) return broken;
    if (lastSeq !== null && seq <= lastSeq) return broken;
    if (seqOf(entry) !== seq || typeof entry.hash !== 'string') return broken;
    const hash = await sha256Hex(subtle, previous + canonicalJson(messages[i]));
    if (hash !== entry.hash) return broken;
    previous = hash;
    lastSeq = seq;
  }
  return chain.head === previous ? messages.length : { kind: 'head' };
}

/** The Ed25519 public key of a PEM, or 'unsupported' when this browser's WebCrypto lacks it. */
async function importKey(subtle: SubtleCrypto, der: Uint8Array<ArrayBuffer>): Promise<CryptoKey | 'unsupported' | null> {
  try {
    return await subtle.importKey('spki', der, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    return e instanceof DOMException && e.name === 'NotSupportedError' ? 'unsupported' : null;
  }
}

/**
 * Checks `sealed` ({transcript, signature}, or a saved API answer with them under `data`)
 * against `keys` (GET /api/transcripts/keys). `subtle` is the page's WebCrypto, absent outside a
 * secure context: then nothing is checked here and the answer says so.
 */
export async function checkTranscript(sealed: unknown, keys: readonly TranscriptKey[], subtle: SubtleCrypto | null = globalThis.crypto?.subtle ?? null): Promise<TranscriptCheck> {
  const doc = isRecord(sealed) && isRecord(sealed.data) ? sealed.data : sealed;
  if (!isRecord(doc) || !isRecord(doc.transcript) || !isRecord(doc.signature)) return { state: 'invalid', problem: { kind: 'shape' } };
  if (!subtle) return { state: 'not_checked', messages: null };
  const { transcript, signature } = doc;

  const chain = await checkChain(subtle, transcript);
  if (typeof chain !== 'number') return { state: 'invalid', problem: chain };

  if (signature.algorithm !== 'ed25519' || typeof signature.keyId !== 'string' || typeof signature.value !== 'string') {
    return { state: 'invalid', problem: { kind: 'shape' } };
  }
  const keyId = signature.keyId;
  const key = keys.find((k) => k.keyId === keyId);
  const der = key ? pemBytes(key.publicKey) : null;
  // The id is "ed25519-" + 16 hex digits of the SHA-256 of the raw key (the last 32 bytes of
  // its SubjectPublicKeyInfo): a listed key under a wrong id must not vouch for anything.
  if (!der || der.length !== 44 || `ed25519-${(await sha256Hex(subtle, der.slice(12))).slice(0, 16)}` !== keyId) {
    return { state: 'invalid', problem: { kind: 'unknown_key', keyId } };
  }
  const publicKey = await importKey(subtle, der);
  if (publicKey === 'unsupported') return { state: 'not_checked', messages: chain };
  const sig = base64UrlBytes(signature.value);
  if (!publicKey || !sig) return { state: 'invalid', problem: { kind: 'signature' } };
  const ok = await subtle.verify({ name: 'Ed25519' }, publicKey, sig, encoder.encode(canonicalJson(transcript)));
  return ok ? { state: 'valid', messages: chain, keyId } : { state: 'invalid', problem: { kind: 'signature' } };
}
