// Notifications in the web client (issue 11), in Chromium against the real writeen-chat
// binary. Chromium here reaches no push service, so the subscription is tested as far as it
// goes (the switch, the permission, the plain words when subscribing fails), and the service
// worker's push handler by delivering a push message to it over the DevTools protocol.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newPerson, openConversation, signIn } from './lib/browser.mjs';
import { ChatServer, waitFor } from './lib/server.mjs';

const AYU = 'Ayu Lestari';
const BUDI = 'Dr. Budi Santoso';

describe('notifications in the web client', () => {
  let server;
  let browser;
  let ayu;
  let direct;

  before(async () => {
    server = new ChatServer();
    await server.start();
    browser = await launchBrowser();
    ayu = await newPerson(browser, server.origin);
    await ayu.context.grantPermissions(['notifications'], { origin: server.origin });
    await signIn(ayu.page, AYU);
    const token = await server.token('student-ayu');
    const list = await server.api('GET', '/api/conversations?type=direct', { token });
    direct = list.conversations.find((c) => c.participants.some((p) => p.userId === 'tutor-budi'));
    assert.ok(direct);
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('serves the service worker at the site root, and it takes the whole site', async () => {
    const res = await fetch(`${server.origin}/sw.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    // Bounded: `ready` never settles when the worker fails to evaluate.
    const scope = await waitFor(() => ayu.page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/'))?.active?.scriptURL && (await navigator.serviceWorker.getRegistration('/')).scope), {
      what: 'an active service worker',
    });
    assert.equal(scope, `${server.origin}/`);
  });

  it('shows a notification for a push, and a click on it opens the conversation in the open tab', async () => {
    const { page } = ayu;
    const cdp = await ayu.context.newCDPSession(page);
    const registrations = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    // The newest state of each registration of the site: a later update may mark one deleted.
    const liveRegistration = () => {
      const latest = new Map();
      for (const r of registrations) if (r.scopeURL === `${server.origin}/`) latest.set(r.registrationId, r);
      return [...latest.values()].reverse().find((r) => !r.isDeleted)?.registrationId;
    };
    // A push reaches only an active worker; delivered while it still installed, the push was
    // probably what got lost in the one make test run where no notification showed.
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    const payload = { id: 'n-e2e-1', type: 'message', conversationId: direct.id, title: BUDI, body: 'Bab 3 sudah saya baca, ada catatan.', url: `/?conversation=${direct.id}` };
    // (the address the server's notifications branch puts in its payloads)
    const notifications = () =>
      page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }))).then((l) => (l.length > 0 ? l : null));
    // CDP's push delivery (the test's stand-in for a push service) was seen to lose one push in
    // a full browser run while the worker was idle: it is delivered again, up to three times.
    // Every push must show a notification, and one with the same tag replaces the last, so a
    // worker that shows nothing still fails, and one that shows twice still shows one.
    let shown = null;
    for (let attempt = 1; attempt <= 3 && !shown; ++attempt) {
      const registrationId = await waitFor(liveRegistration, { what: 'the worker registration over CDP' });
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.origin, registrationId, data: JSON.stringify(payload) });
      shown = await waitFor(notifications, { what: 'the notification shown by the worker', timeoutMs: 8_000 }).catch(() => null);
    }
    assert.ok(shown, 'the worker showed no notification for a push delivered three times');
    assert.deepEqual(shown, [{ title: BUDI, body: payload.body, tag: direct.id, data: { id: 'n-e2e-1', conversationId: direct.id, url: `/?conversation=${direct.id}` } }]);

    // A click: the worker's notificationclick, dispatched in the worker with the real notification.
    const worker = await waitFor(() => ayu.context.serviceWorkers()[0], { what: 'the worker in Playwright' });
    await worker.evaluate(async () => {
      const [n] = await self.registration.getNotifications();
      const e = new Event('notificationclick');
      let done;
      e.notification = n;
      e.waitUntil = (p) => {
        done = p;
      };
      self.dispatchEvent(e);
      await done;
    });
    await page.locator('.conversation-header .conversation-title', { hasText: BUDI }).waitFor();
    assert.equal(await page.evaluate(() => window.location.hash), `#/c/${direct.id}`);
    assert.equal((await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).length)), 0, 'the clicked notification is closed');
    await cdp.detach();
  });

  it('turns browser notifications on from the switch, and says so plainly when the browser cannot subscribe', async () => {
    const { page } = ayu;
    // Until this build's server has `GET /api/notifications/vapid-key` (the notifications
    // branch), a fresh P-256 key stands in for a 404, so the browser's subscribe() is reached.
    await page.route('**/api/notifications/vapid-key', async (route) => {
      const res = await route.fetch();
      if (res.status() !== 404) return route.fulfill({ response: res });
      const jwk = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'jwk' });
      const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
      return route.fulfill({ json: { success: true, data: { publicKey: point.toString('base64url') } } });
    });
    await page.locator('.user-menu-button').click();
    const toggle = page.getByRole('switch', { name: /Browser notifications/ });
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), false);
    await toggle.click();
    // No push service is reachable here: subscribe() fails and the switch stays off.
    await page.getByRole('alert').filter({ hasText: 'push service refused the subscription' }).waitFor({ timeout: 20_000 });
    assert.equal(await toggle.isChecked(), false);
    const subs = await server.request('GET', '/api/notifications/subscriptions', { token: await server.token('student-ayu') });
    if (subs.status === 200) assert.deepEqual(subs.body.data.subscriptions, [], 'nothing was registered on the server');
  });

  it('does not ask for permission before the switch is clicked', async () => {
    const other = await newPerson(browser, server.origin);
    try {
      await other.page.addInitScript(() => {
        window.__asked = 0;
        const ask = Notification.requestPermission.bind(Notification);
        Notification.requestPermission = (...a) => {
          window.__asked += 1;
          return ask(...a);
        };
      });
      await signIn(other.page, BUDI);
      await other.page.locator('.user-menu-button').click();
      await other.page.getByRole('switch', { name: /Browser notifications/ }).waitFor();
      assert.equal(await other.page.evaluate(() => window.__asked), 0);
    } finally {
      await other.context.close();
    }
  });

  it('mutes a conversation from its header, shows it in the list, and keeps it after a reload', async (t) => {
    if ((await server.request('GET', '/api/notifications/vapid-key')).status === 404) return t.skip('this server has no Notifications API yet');
    const { page } = ayu;
    const token = await server.token('student-ayu');
    await page.goto('/');
    await openConversation(page, BUDI);
    const mute = page.getByRole('button', { name: 'Mute conversation' });
    await mute.click();
    await page.getByRole('button', { name: 'Unmute conversation' }).waitFor();
    const setting = await server.api('GET', `/api/conversations/${direct.id}/notifications`, { token });
    assert.equal(setting.notifications.muted, true);
    await page.locator('.conversation-item', { hasText: BUDI }).locator('.muted-mark').waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Unmute conversation' }).waitFor();
    await page.getByRole('button', { name: 'Unmute conversation' }).click();
    await page.getByRole('button', { name: 'Mute conversation' }).waitFor();
    assert.equal((await server.api('GET', `/api/conversations/${direct.id}/notifications`, { token })).notifications.muted, false);
  });
});

describe('the notification bell', () => {
  let server;
  let browser;

  before(async () => {
    const probe = new ChatServer();
    await probe.start();
    const has = (await probe.request('GET', '/api/notifications/vapid-key')).status !== 404;
    await probe.dispose();
    if (!has) return;
    // Notified one second after a message instead of ten; a socket silent for 3 s is idle.
    server = new ChatServer({ extraArgs: ['--notify-delay-s', '1', '--notify-idle-s', '3'] });
    await server.start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('lists what was notified while away, opens the conversation, and marks all read', async (t) => {
    if (!server) return t.skip('this server has no Notifications API yet');
    const ayuToken = await server.token('student-ayu');
    const budiToken = await server.token('tutor-budi');
    const list = await server.api('GET', '/api/conversations?type=direct', { token: ayuToken });
    const direct = list.conversations.find((c) => c.participants.some((p) => p.userId === 'tutor-budi'));
    // Ayu has no socket: the message is notified.
    await server.api('POST', `/api/conversations/${direct.id}/messages`, { token: budiToken, body: { type: 'text', content: { text: 'Ayu, jadwal bimbingan besok jam 10.' } } });
    await waitFor(async () => (await server.api('GET', '/api/notifications', { token: ayuToken })).notifications.length > 0, { what: 'the notification on the server', timeoutMs: 15_000 });

    const ayu = await newPerson(browser, server.origin);
    try {
      await signIn(ayu.page, AYU);
      const bell = ayu.page.locator('.bell-button');
      await bell.locator('.bell-badge', { hasText: '1' }).waitFor();
      await bell.click();
      const item = ayu.page.locator('.notification-item.is-unread', { hasText: 'jadwal bimbingan besok' });
      await item.waitFor();
      await ayu.page.getByRole('button', { name: 'Mark all read' }).click();
      await bell.locator('.bell-badge').waitFor({ state: 'detached' });
      const after = await server.api('GET', '/api/notifications', { token: ayuToken });
      assert.ok(after.notifications.every((n) => n.readAt), 'read on the server');
      await ayu.page.locator('.notification-item', { hasText: 'jadwal bimbingan besok' }).click();
      await ayu.page.locator('.conversation-header .conversation-title', { hasText: BUDI }).waitFor();
      assert.deepEqual(ayu.problems, []);
    } finally {
      await ayu.context.close();
    }
  });

  it('notifies a user whose tab is hidden: the hidden tab sends nothing that counts as looking', async (t) => {
    if (!server) return t.skip('this server has no Notifications API yet');
    const ayuToken = await server.token('student-ayu');
    const budiToken = await server.token('tutor-budi');
    // Another conversation than the bell's test, so coalescing does not fold the two together.
    const list = await server.api('GET', '/api/conversations', { token: ayuToken });
    const room = list.conversations.find((c) => c.type !== 'direct' && (c.title ?? '').includes('Konsultasi Skripsi'));
    assert.ok(room, 'the dev seed has the consultation room');

    const ayu = await newPerson(browser, server.origin);
    try {
      await signIn(ayu.page, AYU);
      await openConversation(ayu.page, 'Konsultasi Skripsi');
      // The tab goes to the background (as the Page Visibility API reports it).
      await ayu.page.evaluate(() => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await new Promise((r) => setTimeout(r, 4000));
      await server.api('POST', `/api/conversations/${room.id}/messages`, { token: budiToken, body: { type: 'text', content: { text: 'Sudah sampai di kampus?' } } });
      // The message reaches the hidden tab, and it is still notified.
      await ayu.page.locator('li.message .message-body', { hasText: 'Sudah sampai di kampus?' }).waitFor();
      await waitFor(
        async () => (await server.api('GET', '/api/notifications', { token: ayuToken })).notifications.some((n) => n.preview.includes('Sudah sampai di kampus?')),
        { what: 'a notification for the hidden tab', timeoutMs: 10_000 },
      );
    } finally {
      await ayu.context.close();
    }
  });
});
