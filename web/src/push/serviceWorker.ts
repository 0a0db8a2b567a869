// The service worker, built to /sw.js (vite.config.ts) so its scope is the whole site. It shows
// a notification for each Web Push message and, on a click, brings an open tab of the chat to
// the conversation (or opens one there). It also keeps the app shell (offline/shell.ts) so the
// app opens without a network and shows the last conversations from its own snapshot.
import { assetsOf, shellCacheName, shellUrls, strategyFor } from '../offline/shell';
import type { OpenConversationMessage } from './openMessage';
import { notificationFor, parsePushPayload } from './pushPayload';

// The parts of the worker's global scope used here. The project's TypeScript program has the
// DOM library; the WebWorker one would clash with it, so these few types are stated locally.
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  readonly data: { text(): string } | null;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(r: Promise<Response>): void;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification;
}
interface WindowClient {
  readonly url: string;
  focus(): Promise<WindowClient>;
  postMessage(message: OpenConversationMessage): void;
}
interface WorkerScope {
  readonly location: Location;
  readonly registration: ServiceWorkerRegistration;
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'push', listener: (e: PushEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (e: NotificationEvent) => void): void;
}

const worker = self as unknown as WorkerScope;

/** The shell and the assets the page links; best effort: a failed piece is fetched again later. */
async function cacheShell(): Promise<void> {
  const cache = await caches.open(shellCacheName);
  await Promise.all(shellUrls.map((u) => cache.add(u).catch(() => undefined)));
  const page = await cache.match('/');
  const assets = page ? assetsOf(await page.text()) : [];
  await Promise.all(assets.map((u) => cache.add(u).catch(() => undefined)));
}

/** Network first (a shell file's cached copy refreshed); the cached copy when the network fails. */
async function freshResponse(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  try {
    const fresh = await fetch(request);
    if (fresh.ok && shellUrls.includes(path)) {
      const copy = fresh.clone();
      void caches.open(shellCacheName).then((c) => c.put(path, copy));
    }
    return fresh;
  } catch (e) {
    // Every address of the app is "/" with a fragment: the one shell serves every page.
    const cached = await caches.match(request.mode === 'navigate' ? '/' : path, { cacheName: shellCacheName });
    if (cached) return cached;
    throw e;
  }
}

/** Cache first; a miss is fetched and kept (assets are named by their content). */
async function assetResponse(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: shellCacheName, ignoreSearch: true });
  if (cached) return cached;
  const fresh = await fetch(request);
  if (fresh.ok) {
    const copy = fresh.clone();
    void caches.open(shellCacheName).then((c) => c.put(request, copy));
  }
  return fresh;
}

// A new version takes over at once: it holds no state an old page depends on.
worker.addEventListener('install', (e) => e.waitUntil(cacheShell().then(() => worker.skipWaiting())));

worker.addEventListener('fetch', (e) => {
  const strategy = strategyFor(e.request, worker.location.origin);
  if (strategy === 'fresh') e.respondWith(freshResponse(e.request));
  else if (strategy === 'asset') e.respondWith(assetResponse(e.request));
});
worker.addEventListener('activate', (e) => e.waitUntil(worker.clients.claim()));

worker.addEventListener('push', (e) => {
  let raw: string | null = null;
  try {
    raw = e.data?.text() ?? null;
  } catch {
    raw = null;
  }
  const shown = notificationFor(parsePushPayload(raw, worker.location.origin));
  // userVisibleOnly: every push must show a notification.
  e.waitUntil(worker.registration.showNotification(shown.title, shown.options));
});

worker.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const data = (e.notification.data ?? {}) as { url?: unknown; conversationId?: unknown };
  const url = typeof data.url === 'string' ? data.url : '/';
  const conversationId = typeof data.conversationId === 'string' ? data.conversationId : null;
  e.waitUntil(
    (async () => {
      const tabs = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const origin = worker.location.origin;
      const tab = tabs.find((c) => c.url.startsWith(`${origin}/`)) ?? null;
      if (tab) {
        // The tab keeps its sign-in and socket; it moves to the conversation itself.
        tab.postMessage({ type: 'writeen-open', url, conversationId });
        // Focus needs the click's user activation; without it the tab still moves.
        await tab.focus().catch(() => undefined);
        return;
      }
      await worker.clients.openWindow(new URL(url, origin).href);
    })(),
  );
});
