// Notifications in the web client (issue 11), in Chromium against the real writeen-chat
// binary. Chromium here reaches no push service, so the subscription is tested as far as it
// goes (the switch, the permission, the plain words when subscribing fails), and the service
// worker's push handler by delivering a push message to it over the DevTools protocol.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newPerson, signIn } from './lib/browser.mjs';
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
    const registrationId = await waitFor(() => registrations.find((r) => r.scopeURL === `${server.origin}/` && !r.isDeleted)?.registrationId, {
      what: 'the worker registration over CDP',
    });
    const payload = { id: 'n-e2e-1', type: 'message', conversationId: direct.id, title: BUDI, body: 'Bab 3 sudah saya baca, ada catatan.', url: `/?conversation=${direct.id}` };
    // (the address the server's notifications branch puts in its payloads)
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.origin, registrationId, data: JSON.stringify(payload) });
    const shown = await waitFor(
      () => page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }))).then((l) => (l.length > 0 ? l : null)),
      { what: 'the notification shown by the worker' },
    );
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
});
