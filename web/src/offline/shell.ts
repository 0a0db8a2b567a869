// What the service worker keeps so the app opens offline: the page ("/", the app shell), its
// manifest and icons, and the built assets (/assets/, named by content hash, so a cached one is
// never stale). Pages, the manifest and icons are fetched from the network first (a new
// version shows at once) and from the cache only when the network fails; assets from the cache
// first. The API and the
// WebSocket are never cached: the offline view is the app's own snapshot (snapshot.ts).

export const shellCacheName = 'writeen-shell-v1';
export const shellUrls = ['/', '/manifest.webmanifest', '/icons/app-icon.svg'];

export type Strategy = 'fresh' | 'asset' | 'none';

/** How the worker answers a request: `fresh` network-first, `asset` cache-first, `none` untouched. */
export function strategyFor(req: { url: string; method: string; mode: string }, origin: string): Strategy {
  if (req.method !== 'GET') return 'none';
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return 'none';
  }
  if (url.origin !== origin) return 'none';
  if (url.pathname.startsWith('/api/') || url.pathname === '/ws' || url.pathname === '/sw.js') return 'none';
  if (req.mode === 'navigate' || shellUrls.includes(url.pathname)) return 'fresh';
  if (url.pathname.startsWith('/assets/')) return 'asset';
  return 'none';
}

/** The same-origin /assets/ files a page links (scripts, styles, preloads, icons). */
export function assetsOf(html: string): string[] {
  const found = new Set<string>();
  for (const m of html.matchAll(/\b(?:src|href)\s*=\s*["'](\/assets\/[^"'?#]+)["']/g)) found.add(m[1]!);
  return [...found];
}
