// Where the token comes from and where it lives: in memory only. It is never logged, never put
// in storage, and taken out of the address bar as soon as it is read.
import type { TokenClaims } from '../protocol';
import { decodeTokenClaims, isRecord } from '../protocol';

/**
 * Reads `#token=...` from the URL fragment and removes it from the address bar and history
 * at once (history.replaceState keeps the rest of the fragment).
 */
export function takeFragmentToken(loc: Pick<Location, 'hash' | 'pathname' | 'search'>, hist: Pick<History, 'replaceState' | 'state'>): string | null {
  const hash = loc.hash.startsWith('#') ? loc.hash.slice(1) : loc.hash;
  if (!hash) return null;
  const params = new URLSearchParams(hash);
  const token = params.get('token');
  if (token === null) return null;
  params.delete('token');
  const rest = params.toString();
  hist.replaceState(hist.state, '', `${loc.pathname}${loc.search}${rest ? `#${rest}` : ''}`);
  return token || null;
}

/** The message the Writeen main application posts: {type: 'writeen-token', token}. */
export function tokenFromMessage(data: unknown): string | null {
  if (!isRecord(data) || data.type !== 'writeen-token' || typeof data.token !== 'string' || data.token === '') return null;
  return data.token;
}

/** Origins allowed to hand over tokens, from <meta name="writeen-app-origin" content="a, b">. */
export function allowedTokenOrigins(doc: Pick<Document, 'querySelector'>): string[] {
  const meta = doc.querySelector('meta[name="writeen-app-origin"]');
  const content = meta?.getAttribute('content') ?? '';
  return content
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Listens for tokens posted by the window that opened or embeds this one. A message from any
 * other window, or from an origin outside the configured list, is ignored.
 */
export function listenForPostedTokens(win: Window, origins: string[], onToken: (token: string) => void): () => void {
  const handler = (ev: MessageEvent) => {
    const fromOpener = win.opener !== null && ev.source === win.opener;
    const fromParent = win.parent !== win && ev.source === win.parent;
    if (!fromOpener && !fromParent) return;
    if (origins.length > 0 && !origins.includes(ev.origin)) return;
    const token = tokenFromMessage(ev.data);
    if (token) onToken(token);
  };
  win.addEventListener('message', handler);
  return () => win.removeEventListener('message', handler);
}

/** Asks the opener or parent for a (fresh) token; the request itself carries nothing secret. */
export function requestPostedToken(win: Window, origins: string[]): boolean {
  const target = win.opener ?? (win.parent !== win ? win.parent : null);
  if (!target) return false;
  const targets = origins.length > 0 ? origins : ['*'];
  for (const origin of targets) {
    try {
      (target as Window).postMessage({ type: 'writeen-token-request' }, origin);
    } catch {
      /* a closed opener */
    }
  }
  return true;
}

/** Holds the current token and its claims; `waitForNext` resolves on the next token handed over. */
export class TokenHolder {
  private token: string | null = null;
  private claimsValue: TokenClaims | null = null;
  private waiters: Array<(t: string | null) => void> = [];

  get(): string | null {
    return this.token;
  }

  claims(): TokenClaims | null {
    return this.claimsValue;
  }

  /** Accepts a token when its payload is readable; false when it is not a JWT with `sub`. */
  set(token: string): boolean {
    const claims = decodeTokenClaims(token);
    if (!claims) return false;
    this.token = token;
    this.claimsValue = claims;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f(token);
    return true;
  }

  clear(): void {
    this.token = null;
    this.claimsValue = null;
  }

  waitForNext(timeoutMs: number): Promise<string | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((f) => f !== done);
        resolve(null);
      }, timeoutMs);
      const done = (t: string | null) => {
        clearTimeout(timer);
        resolve(t);
      };
      this.waiters.push(done);
    });
  }
}
