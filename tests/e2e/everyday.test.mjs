// What a student and a tutor expect from a chat they use every day (issue 15), in Chromium
// against the real writeen-chat binary: addresses and the back button, scrolling, unread
// badges and the tab title.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bubbles, launchBrowser, newPerson, openConversation, signIn } from './lib/browser.mjs';
import { samplePng } from './lib/samples.mjs';
import { ChatServer, waitFor } from './lib/server.mjs';

const AYU = 'Ayu Lestari';
const BUDI = 'Dr. Budi Santoso';

describe('everyday use of the web client', () => {
  let server;
  let browser;
  let ayu;
  let ayuToken;
  let budiToken;
  let direct;

  before(async () => {
    server = new ChatServer();
    await server.start();
    browser = await launchBrowser();
    ayu = await newPerson(browser, server.origin);
    await signIn(ayu.page, AYU);
    ayuToken = await server.token('student-ayu');
    budiToken = await server.token('tutor-budi');
    const list = await server.api('GET', '/api/conversations?type=direct', { token: ayuToken });
    direct = list.conversations.find((c) => c.participants.some((p) => p.userId === 'tutor-budi'));
    assert.ok(direct, 'the dev seed has a direct conversation between Ayu and Budi');
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  const hash = (page) => page.evaluate(() => window.location.hash);
  const post = (token, conversationId, text, replyTo) =>
    server.api('POST', `/api/conversations/${conversationId}/messages`, { token, body: { type: 'text', content: { text }, ...(replyTo ? { replyTo } : {}) } });

  it('gives each conversation and thread an address that a reload, a shared link and the back button follow', async () => {
    const { page } = ayu;
    const root = (await post(budiToken, direct.id, 'Bab 3: tolong cek tabel 3.2')).message;
    await post(ayuToken, direct.id, 'Baik Pak, saya cek.', root.id);

    await openConversation(page, BUDI);
    assert.equal(await hash(page), `#/c/${direct.id}`);

    await page.locator('.thread-link').first().click();
    await page.locator('.thread-panel').waitFor();
    assert.equal(await hash(page), `#/c/${direct.id}/thread/${root.id}`);

    // A reload lands in the same conversation with the same thread open.
    await page.reload();
    await page.locator('.conversation-header .conversation-title', { hasText: BUDI }).waitFor();
    await page.locator('.thread-panel .message-body', { hasText: 'Baik Pak, saya cek.' }).waitFor();

    // Back closes the thread, back again leaves the conversation, forward returns to it.
    await page.goBack();
    await page.locator('.thread-panel').waitFor({ state: 'detached' });
    assert.equal(await hash(page), `#/c/${direct.id}`);
    await page.goBack();
    await page.locator('.no-conversation').waitFor();
    await page.goForward();
    await page.locator('.conversation-header .conversation-title', { hasText: BUDI }).waitFor();

    // On a phone the in-app back button steps back too (no new entry that the browser's back
    // would undo).
    await page.setViewportSize({ width: 390, height: 800 });
    await page.locator('.conversation-header .back-button').click();
    await page.locator('.no-conversation').waitFor({ state: 'attached' });
    assert.ok(['', '#/'].includes(await hash(page)), 'the address is the list again');
    await page.setViewportSize({ width: 1280, height: 800 });

    // A link shared with the tutor opens the conversation once he has signed in.
    const budi = await newPerson(browser, server.origin);
    try {
      await budi.page.goto(`/#/c/${direct.id}`);
      await budi.page.getByRole('button', { name: new RegExp(BUDI) }).click();
      await budi.page.locator('.conversation-header .conversation-title', { hasText: AYU }).waitFor();
      await bubbles(budi.page, 'Bab 3: tolong cek tabel 3.2').waitFor();
      assert.deepEqual(budi.problems, []);
    } finally {
      await budi.context.close();
    }
    assert.deepEqual(ayu.problems, []);
  });

  /** Pixels between the bottom of the message list and the bottom of its scroller. */
  const belowBottom = (page) =>
    page.locator('.conversation-main .message-scroller').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

  it('lands at the newest message with thumbnails, stays there as a bubble grows, and counts new messages below', async () => {
    const { page } = ayu;
    const group = (await server.api('POST', '/api/conversations', { token: budiToken, body: { type: 'group', participantIds: ['student-ayu'], title: 'Gambar Bab 4' } })).conversation;
    for (let i = 1; i <= 20; i++) await post(budiToken, group.id, `Catatan ${i}: periksa gambar dan tabel pada subbab 4.${i}.`);
    for (let i = 1; i <= 3; i++) {
      const form = new FormData();
      form.append('file', new Blob([await samplePng()], { type: 'image/png' }), `gambar-4-${i}.png`);
      await server.api('POST', `/api/conversations/${group.id}/upload`, { token: budiToken, body: form });
    }
    const last = (await post(budiToken, group.id, 'Yang terakhir: daftar pustaka.')).message;

    await page.goto(`/#/c/${group.id}`);
    await page.locator('.conversation-header .conversation-title', { hasText: 'Gambar Bab 4' }).waitFor();
    await waitFor(() => page.locator('.conversation-main .file-thumb img').evaluateAll((imgs) => imgs.length === 3 && imgs.every((i) => i.complete && i.naturalHeight > 0)), { what: 'three thumbnails loaded' });
    await waitFor(async () => (await belowBottom(page)) < 2, { what: 'the list at its newest message after the thumbnails loaded' });

    // A reaction makes the newest bubble taller: the list follows it.
    await server.api('POST', `/api/messages/${last.id}/reactions`, { token: budiToken, body: { emoji: '👍' } });
    await page.locator('.conversation-main li.message', { hasText: 'Yang terakhir' }).locator('.reactions button, .reaction').first().waitFor();
    await waitFor(async () => (await belowBottom(page)) < 2, { what: 'the grown bubble brought into view' });

    // Reading further up: new messages do not move the view; the button counts them.
    await page.locator('.conversation-main .message-scroller').evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    for (let i = 1; i <= 3; i++) await post(budiToken, group.id, `Tambahan ${i}`);
    const jump = page.locator('.jump-latest');
    await jump.filter({ hasText: '3 new' }).waitFor();
    assert.ok((await belowBottom(page)) > 200, 'the view stayed where the user was reading');
    await jump.click();
    await jump.waitFor({ state: 'detached' });
    await waitFor(async () => (await belowBottom(page)) < 2, { what: 'the list at the newest message after the jump' });
    await bubbles(page, 'Tambahan 3').waitFor();
    assert.deepEqual(ayu.problems, []);
  });

  it('after a restart the open, read conversation has no badge, and the tab title counts the unread', async () => {
    const { page } = ayu;
    await page.goto(`/#/c/${direct.id}`);
    await page.locator('.conversation-header .conversation-title', { hasText: BUDI }).waitFor();
    const group = (await server.api('GET', '/api/conversations?type=group', { token: ayuToken })).conversations.find((c) => c.title === 'Gambar Bab 4');
    await waitFor(async () => (await page.title()) === 'Writeen Chat', { what: 'a title without a count once everything is read' });

    // The server goes away; Budi writes in both conversations as soon as it is back.
    await server.stop();
    await page.locator('.connection-state:not(.is-online)').first().waitFor();
    await server.start();
    await post(budiToken, direct.id, 'Sudah saya kirim catatan revisinya.');
    await post(budiToken, group.id, 'Gambar 4.3 perlu sumber.');
    await post(budiToken, group.id, 'Gambar 4.4 juga.');
    await bubbles(page, 'Sudah saya kirim catatan revisinya.').waitFor({ timeout: 30_000 });

    // The open conversation is read: no badge, now and after the list is reloaded.
    const openItem = page.locator('.conversation-item', { hasText: BUDI }).first();
    const groupItem = page.locator('.conversation-item', { hasText: 'Gambar Bab 4' }).first();
    await groupItem.locator('.unread-badge', { hasText: '2' }).waitFor({ timeout: 15_000 });
    await waitFor(async () => (await page.title()) === '(2) Writeen Chat', { what: 'the tab title "(2) Writeen Chat"', timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await openItem.locator('.unread-badge').count(), 0, 'no stale badge on the open conversation');
    assert.equal(await page.title(), '(2) Writeen Chat');

    await groupItem.click();
    await waitFor(async () => (await page.title()) === 'Writeen Chat', { what: 'the count gone once the group is read' });
    assert.deepEqual(ayu.problems.filter((p) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(p)), []);
  });

  it('shows the same presence in the header words and dot, and nobody online while disconnected', async () => {
    const { page } = ayu;
    const budi = await newPerson(browser, server.origin);
    try {
      await signIn(budi.page, BUDI);
      await page.goto('/');
      await openConversation(page, 'Gambar Bab 4');
      const status = page.locator('.conversation-header .conversation-status');
      const dot = page.locator('.conversation-header .presence-dot');
      await status.filter({ hasText: /online/ }).waitFor();
      assert.equal(await dot.evaluate((d) => d.classList.contains('is-online')), true, 'the dot agrees with the words');

      await server.stop();
      await page.locator('.connection-state:not(.is-online)').first().waitFor();
      await waitFor(async () => !/online/i.test(await status.innerText()), { what: 'no "online" in the header while disconnected' });
      assert.equal(await dot.evaluate((d) => d.classList.contains('is-online')), false, 'no online dot while disconnected');
      assert.equal(await page.locator('.conversation-item .presence-dot.is-online').count(), 0, 'no online dot in the list');
    } finally {
      if (!server.proc) await server.start();
      await budi.context.close();
    }
  });
});
