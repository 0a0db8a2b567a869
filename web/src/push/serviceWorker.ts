// The service worker, built to /sw.js (vite.config.ts) so its scope is the whole site. It shows
// a notification for each Web Push message and, on a click, brings an open tab of the chat to
// the conversation (or opens one there). It caches nothing: the page itself is served as usual.
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
  addEventListener(type: 'notificationclick', listener: (e: NotificationEvent) => void): void;
}

const worker = self as unknown as WorkerScope;

// A new version takes over at once: it holds no state an old page depends on.
worker.addEventListener('install', (e) => e.waitUntil(worker.skipWaiting()));
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
