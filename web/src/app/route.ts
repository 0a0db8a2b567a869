// The address of what the user is looking at, kept in the URL fragment so a reload or a shared
// link lands in the same conversation (or thread) and the browser's back button steps out of it.
// A fragment rather than a path: the server's static fallback serves index.html only for paths
// without a dot, and the fragment never reaches server logs. `#token=` (the hand-over from the
// Writeen app) is read and removed before any route is read (auth/token.ts).

export interface Route {
  conversationId: string;
  /** The root message of the open thread, if one is open. */
  threadRootId: string | null;
}

function decode(part: string | undefined): string | null {
  if (!part) return null;
  try {
    const s = decodeURIComponent(part);
    return s.length > 0 && s.length <= 128 ? s : null;
  } catch {
    return null;
  }
}

/** `#/c/<id>` or `#/c/<id>/thread/<messageId>`; anything else is the conversation list (null). */
export function parseRoute(hash: string): Route | null {
  const parts = (hash.startsWith('#') ? hash.slice(1) : hash).split('/');
  if (parts[0] !== '' || parts[1] !== 'c') return null;
  const conversationId = decode(parts[2]);
  if (!conversationId) return null;
  const threadRootId = parts[3] === 'thread' ? decode(parts[4]) : null;
  return { conversationId, threadRootId };
}

/**
 * The route of a whole address: the fragment, else `?conversation=<id>` (the address the
 * server puts in Web Push payloads, docs of the notifications branch), else the list.
 */
export function routeFromAddress(url: Pick<URL, 'hash' | 'search'>): Route | null {
  const fromHash = parseRoute(url.hash);
  if (fromHash) return fromHash;
  const id = new URLSearchParams(url.search).get('conversation');
  return id && id.length <= 128 ? { conversationId: id, threadRootId: null } : null;
}

/** The fragment for a route; `#/` for the list. */
export function routeHash(route: Route | null): string {
  if (!route) return '#/';
  const base = `#/c/${encodeURIComponent(route.conversationId)}`;
  return route.threadRootId ? `${base}/thread/${encodeURIComponent(route.threadRootId)}` : base;
}

export function sameRoute(a: Route | null, b: Route | null): boolean {
  return routeHash(a) === routeHash(b);
}
