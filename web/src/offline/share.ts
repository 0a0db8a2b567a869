// The share target (manifest "share_target", GET): the phone's share sheet opens
// /?share_title=…&share_text=…&share_url=… ; the words are taken out of the address at once,
// kept for this tab (sessionStorage, so they survive the sign-in), and land in the composer of the
// conversation the person opens next. Files are not shared this way: a GET share target carries
// text only, and a POST one needs the service worker to hold the files, which it does not yet.

export const shareKey = 'writeen-chat-share';
const params = ['share_title', 'share_text', 'share_url'] as const;

/** The shared title, text and link as one composer text (no line repeated, none empty). */
export function sharedText(p: { title?: string | null; text?: string | null; url?: string | null }): string | null {
  const lines: string[] = [];
  for (const v of [p.title, p.text, p.url]) {
    const s = (v ?? '').trim();
    if (s && !lines.some((l) => l.includes(s))) lines.push(s);
  }
  return lines.length > 0 ? lines.join('\n') : null;
}

type Listener = (text: string | null) => void;
const listeners = new Set<Listener>();
let storageRef: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null = null;

function emit(): void {
  const t = pendingShare();
  for (const fn of listeners) fn(t);
}

/** Takes a share out of the address (replacing it without the parameters) and keeps it. */
export function takeShareFromAddress(loc: Location, history: History, storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null): void {
  storageRef = storage;
  const url = new URL(loc.href);
  if (!params.some((p) => url.searchParams.has(p))) return;
  const text = sharedText({ title: url.searchParams.get('share_title'), text: url.searchParams.get('share_text'), url: url.searchParams.get('share_url') });
  for (const p of params) url.searchParams.delete(p);
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  try {
    if (text) storage?.setItem(shareKey, text);
  } catch {
    /* blocked storage: the share is lost, the app still opens */
  }
  emit();
}

export function pendingShare(): string | null {
  try {
    return storageRef?.getItem(shareKey) ?? null;
  } catch {
    return null;
  }
}

/** The pending share, removed: it lands in one composer only. */
export function takePendingShare(): string | null {
  const t = pendingShare();
  if (t !== null) clearShare();
  return t;
}

export function clearShare(): void {
  try {
    storageRef?.removeItem(shareKey);
  } catch {
    /* blocked */
  }
  emit();
}

export function onShareChange(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
