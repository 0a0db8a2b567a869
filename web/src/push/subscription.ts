// This browser's Web Push subscription (API.md "Notifications"): the settings switch turns it
// on (permission asked only then, VAPID key from the server, pushManager.subscribe, POST to the
// server) and off (DELETE on the server, unsubscribe here). The server's id of the subscription
// is remembered per user in localStorage so it can be deleted later.
import type { Api } from '../net/api';
import { ChatError } from '../protocol';

/** Why push could not be turned on, in the words of i18n keys. */
export type PushProblem = 'pushUnsupported' | 'pushDenied' | 'pushDismissed' | 'pushSubscribeFailed';

export class PushSetupError extends Error {
  constructor(readonly problem: PushProblem, detail = '') {
    super(detail || problem);
  }
}

export type PushSwitchState = 'unsupported' | 'denied' | 'off' | 'on';

/** base64url (no padding) → bytes, for `applicationServerKey`. */
export function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export const serviceWorkerUrl = '/sw.js';

function pushSupported(win: Window): boolean {
  return 'serviceWorker' in win.navigator && 'PushManager' in win && typeof (win as Window & typeof globalThis).Notification === 'function';
}

/** Registers the service worker (scope `/`); resolves once it is active. */
export async function serviceWorkerReady(win: Window): Promise<ServiceWorkerRegistration> {
  await win.navigator.serviceWorker.register(serviceWorkerUrl, { scope: '/' });
  return win.navigator.serviceWorker.ready;
}

export class PushSubscriptions {
  constructor(
    private readonly win: Window,
    private readonly api: Api,
    private readonly storage: Storage | null,
    private readonly userId: string,
  ) {}

  private get key(): string {
    return `writeen-chat-push:${this.userId}`;
  }

  private storedId(): string | null {
    try {
      return this.storage?.getItem(this.key) ?? null;
    } catch {
      return null;
    }
  }

  private store(id: string | null): void {
    try {
      if (id) this.storage?.setItem(this.key, id);
      else this.storage?.removeItem(this.key);
    } catch {
      /* storage blocked: the switch then shows "off" after a reload */
    }
  }

  private async current(): Promise<PushSubscription | null> {
    const reg = await this.win.navigator.serviceWorker.getRegistration('/');
    return (await reg?.pushManager.getSubscription()) ?? null;
  }

  async state(): Promise<PushSwitchState> {
    if (!pushSupported(this.win)) return 'unsupported';
    if (Notification.permission === 'denied') return 'denied';
    if (Notification.permission !== 'granted' || !this.storedId()) return 'off';
    try {
      return (await this.current()) ? 'on' : 'off';
    } catch {
      return 'off';
    }
  }

  /** Turns push on; throws PushSetupError (or ChatError from the server). */
  async enable(): Promise<void> {
    if (!pushSupported(this.win)) throw new PushSetupError('pushUnsupported');
    // Asked here, from the click, and nowhere else.
    const permission = await Notification.requestPermission();
    if (permission === 'denied') throw new PushSetupError('pushDenied');
    if (permission !== 'granted') throw new PushSetupError('pushDismissed');
    const reg = await serviceWorkerReady(this.win);
    const publicKey = await this.api.vapidKey();
    let sub: PushSubscription;
    try {
      sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(publicKey) });
    } catch (e) {
      throw new PushSetupError('pushSubscribeFailed', e instanceof Error ? e.message : String(e));
    }
    const json = sub.toJSON();
    const p256dh = json.keys?.p256dh;
    const auth = json.keys?.auth;
    if (!json.endpoint || !p256dh || !auth) {
      await sub.unsubscribe().catch(() => false);
      throw new PushSetupError('pushSubscribeFailed', 'subscription without keys');
    }
    try {
      const rec = await this.api.addPushSubscription({ endpoint: json.endpoint, keys: { p256dh, auth }, userAgent: this.win.navigator.userAgent });
      this.store(rec.id);
    } catch (e) {
      // The server does not know it: a subscription here would only swallow nothing.
      await sub.unsubscribe().catch(() => false);
      throw e;
    }
  }

  /** Turns push off: the server forgets the subscription, then the browser drops it. */
  async disable(): Promise<void> {
    const id = this.storedId();
    if (id) {
      try {
        await this.api.deletePushSubscription(id);
      } catch (e) {
        if (!(e instanceof ChatError && e.code === 'not_found')) throw e;
      }
    }
    this.store(null);
    if (!pushSupported(this.win)) return;
    const sub = await this.current().catch(() => null);
    await sub?.unsubscribe().catch(() => false);
  }
}
