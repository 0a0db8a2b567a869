// What a Web Push message says and what the service worker shows for it. Shared by the service
// worker (serviceWorker.ts) and its unit test; imports nothing, so the worker bundle stays small.
//
// The payload is the server's JSON (API.md "Notifications"): {id, type, conversationId, title,
// body, url}; `preview` (the webhook's name for the text) is read when `body` is absent, and a
// missing or foreign `url` becomes the conversation's own address, so a push can never send the
// user to another site.

export interface PushPayload {
  id: string;
  type: string;
  conversationId: string | null;
  title: string;
  body: string;
  /** Same-origin address to open on click. */
  url: string;
}

export interface ShownNotification {
  title: string;
  options: {
    body: string;
    /** One notification per conversation: a newer push replaces the older one. */
    tag: string;
    data: { id: string; conversationId: string | null; url: string };
  };
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** The address of a conversation in the web client (app/route.ts). */
export function conversationAddress(conversationId: string | null): string {
  return conversationId ? `/#/c/${encodeURIComponent(conversationId)}` : '/';
}

/** Keeps `url` only when it stays on `origin`; the result is a path (with fragment). */
function sameOriginPath(url: string | null, origin: string): string | null {
  if (!url) return null;
  try {
    const u = new URL(url, origin);
    return u.origin === origin ? `${u.pathname}${u.search}${u.hash}` : null;
  } catch {
    return null;
  }
}

/** Reads a push's data; null when it is not JSON (the worker still shows a plain notice). */
export function parsePushPayload(raw: string | null, origin: string): PushPayload | null {
  if (!raw) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const conversationId = text(o.conversationId);
  return {
    id: text(o.id) ?? '',
    type: text(o.type) ?? 'message',
    conversationId,
    title: text(o.title) ?? 'Writeen Chat',
    body: (text(o.body) ?? text(o.preview) ?? '').slice(0, 200),
    url: sameOriginPath(text(o.url), origin) ?? conversationAddress(conversationId),
  };
}

/** What to show; a push without a readable payload still tells the user something arrived. */
export function notificationFor(p: PushPayload | null): ShownNotification {
  if (!p) return { title: 'Writeen Chat', options: { body: '', tag: 'writeen', data: { id: '', conversationId: null, url: '/' } } };
  return {
    title: p.title,
    options: { body: p.body, tag: p.conversationId ?? (p.id || 'writeen'), data: { id: p.id, conversationId: p.conversationId, url: p.url } },
  };
}
