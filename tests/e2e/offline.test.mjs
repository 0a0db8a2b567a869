// The app offline (issue 15): loaded once online, then with the network gone and the server
// stopped, a reload still opens it (the service worker's app shell) and shows the last
// conversations and their messages from the device's snapshot, read-only, with an offline
// notice; the manifest offers the app as a share target, whose text lands in a composer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bubbles, launchBrowser, newPerson, openConversation, signIn } from './lib/browser.mjs';
import { ChatServer, waitFor } from './lib/server.mjs';

const AYU = 'Ayu Lestari';
const BUDI = 'Dr. Budi Santoso';

describe('the app offline', () => {
  let server;
  let browser;

  before(async () => {
    server = new ChatServer();
    await server.start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('opens offline with the last conversations and messages, read-only', async () => {
    const ayuToken = await server.token('student-ayu');
    const budiToken = await server.token('tutor-budi');
    const list = await server.api('GET', '/api/conversations?type=direct', { token: ayuToken });
    const direct = list.conversations.find((c) => c.participants.some((p) => p.userId === 'tutor-budi'));
    await server.api('POST', `/api/conversations/${direct.id}/messages`, { token: budiToken, body: { type: 'text', content: { text: 'Draf Bab 3 sudah saya baca.' } } });
    const form = new FormData();
    form.append('file', new Blob(['Catatan revisi Bab 3\n'], { type: 'text/plain' }), 'catatan-bab3.txt');
    await server.api('POST', `/api/conversations/${direct.id}/upload`, { token: budiToken, body: form });
    await server.api('POST', `/api/conversations/${direct.id}/messages`, { token: ayuToken, body: { type: 'text', content: { text: 'Terima kasih, Pak.' } } });

    const ayu = await newPerson(browser, server.origin);
    const { page, context } = ayu;
    // The token the page signs in with, to look for it in what the device keeps.
    const tokens = [];
    page.on('response', async (r) => {
      if (new URL(r.url()).pathname === '/api/dev/token' && r.ok()) tokens.push((await r.json()).data.token);
    });
    try {
      await signIn(page, AYU);
      await openConversation(page, BUDI);
      await bubbles(page, 'Terima kasih, Pak.').waitFor();
      await page.getByRole('button', { name: 'Download: catatan-bab3.txt' }).waitFor();
      // The worker has taken the page and cached the shell; the snapshot is written.
      await waitFor(() => page.evaluate(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined), { what: 'the service worker controls the page', timeoutMs: 20_000 });
      await waitFor(() => page.evaluate(async () => (await caches.open('writeen-shell-v1').then((c) => c.keys())).some((r) => /\/assets\/main-.*\.js$/.test(r.url))), { what: 'the app shell cached', timeoutMs: 20_000 });
      await waitFor(() => page.evaluate(() => (localStorage.getItem('writeen-chat-offline') ?? '').includes('Terima kasih, Pak.')), { what: 'the offline snapshot saved' });
      assert.ok(tokens.length > 0, 'the sign-in token was seen');
      const kept = await page.evaluate(() => JSON.stringify({ ...localStorage }));
      for (const t of tokens) assert.ok(!kept.includes(t) && !kept.includes(t.split('.')[2]), 'no token in localStorage');

      // No network and no server.
      await server.stop();
      await context.setOffline(true);
      await page.reload();
      await page.locator('.offline-notice').waitFor();
      assert.match(await page.locator('.offline-notice').innerText(), /Offline/);
      await page.locator('.conversation-item', { hasText: BUDI }).waitFor();
      await page.locator('.conversation-header .conversation-title', { hasText: BUDI }).waitFor();
      await bubbles(page, 'Draf Bab 3 sudah saya baca.').waitFor();
      await bubbles(page, 'Terima kasih, Pak.').waitFor();
      // Sending is off: no composer, a read-only line instead.
      assert.equal(await page.getByRole('textbox', { name: 'Message' }).count(), 0);
      await page.locator('.composer-readonly', { hasText: 'sending is off' }).waitFor();
      // What needs the server is there but disabled, and says why: Archive, the mute bell, the
      // notifications bell and the file's Download.
      const unavailable = async (button, what) => {
        await button.waitFor();
        assert.equal(await button.isDisabled(), true, `${what} is disabled offline`);
        assert.equal(await button.getAttribute('title'), 'Not available offline', `${what} says why`);
      };
      const header = page.locator('.conversation-header');
      await unavailable(header.getByRole('button', { name: 'Archive', exact: true }), 'Archive');
      if (await header.locator('.mute-button').count()) await unavailable(header.locator('.mute-button'), 'the mute bell');
      await unavailable(page.locator('.bell-button'), 'the notifications bell');
      await unavailable(page.getByRole('button', { name: 'Download: catatan-bab3.txt' }), 'the file’s Download');
      // The list works from the copy too.
      await page.locator('.conversation-item', { hasText: 'Konsultasi' }).first().click();
      await page.locator('.composer-readonly', { hasText: 'sending is off' }).waitFor();

      // Back online with the server: a reload signs in as usual and the composer returns.
      await server.start();
      await context.setOffline(false);
      await page.locator('.offline-notice').waitFor({ state: 'detached', timeout: 20_000 });
      await page.locator('.conversation-item', { hasText: BUDI }).first().click();
      await page.getByRole('textbox', { name: 'Message' }).waitFor();
      assert.equal(await page.locator('.conversation-header').getByRole('button', { name: 'Archive', exact: true }).isDisabled(), false, 'Archive works again online');
      assert.equal(await page.locator('.bell-button').isDisabled(), false, 'so does the bell');

      // Signing out leaves nothing of Ayu's to show offline.
      await waitFor(() => page.evaluate(() => localStorage.getItem('writeen-chat-offline') !== null), { what: 'the snapshot written again' });
      await page.locator('.user-menu-button').click();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: new RegExp(AYU) }).waitFor();
      await page.waitForTimeout(1500);
      assert.equal(await page.evaluate(() => localStorage.getItem('writeen-chat-offline')), null, 'the snapshot is gone after sign-out');
    } finally {
      await context.close();
      // The next test needs the server, also when this one failed while it was stopped.
      if (!server.proc) await server.start();
    }
  });

  it('offers the app as a share target, and shared text lands in the composer of the conversation opened', async () => {
    const res = await fetch(`${server.origin}/manifest.webmanifest`);
    const manifest = await res.json();
    assert.equal(manifest.share_target?.action, '/');
    assert.equal(manifest.share_target?.method, 'GET');
    // Stated, or Chromium's manifest parser warns (an installability error in pwa.test.mjs).
    assert.equal(manifest.share_target?.enctype, 'application/x-www-form-urlencoded');
    assert.deepEqual(manifest.share_target?.params, { title: 'share_title', text: 'share_text', url: 'share_url' });

    const ayu = await newPerson(browser, server.origin);
    try {
      const { page } = ayu;
      await signIn(page, AYU);
      // What the share sheet opens: the words in the address, taken out at once.
      await page.goto(`/?share_title=${encodeURIComponent('Artikel TAM')}&share_url=${encodeURIComponent('https://doi.org/10.2307/249008')}`);
      await page.locator('.share-notice', { hasText: 'Artikel TAM' }).waitFor();
      assert.equal(new URL(page.url()).search, '', 'the shared words left the address');
      await openConversation(page, BUDI);
      const box = page.getByRole('textbox', { name: 'Message' });
      assert.equal(await box.inputValue(), 'Artikel TAM\nhttps://doi.org/10.2307/249008');
      await page.locator('.share-notice').waitFor({ state: 'detached' });
      // Only once: another conversation's composer stays empty.
      await openConversation(page, 'Konsultasi');
      assert.equal(await page.getByRole('textbox', { name: 'Message' }).inputValue(), '');
      assert.deepEqual(ayu.problems, []);
    } finally {
      await ayu.context.close();
    }
  });
});
