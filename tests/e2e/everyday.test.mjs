// What a student and a tutor expect from a chat they use every day (issue 15), in Chromium
// against the real writeen-chat binary: addresses and the back button, scrolling, unread
// badges and the tab title.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bubbles, launchBrowser, newPerson, openConversation, signIn } from './lib/browser.mjs';
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
});
