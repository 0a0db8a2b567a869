// Presence in a large conversation (docs/API-NOTES.md, "Presence in large conversations"), in
// Chromium against the real writeen-chat binary started with `--presence-large-group 2`: a group
// of three is then large, so a member who shares only that group with the viewer reaches her
// only as `presence_digest` while she views it, and as `isOnline` when she opens it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newPerson, openConversation, signIn } from './lib/browser.mjs';
import { ChatServer, waitFor } from './lib/server.mjs';

const AYU = 'Ayu Lestari';
const BUDI = 'Dr. Budi Santoso';
const GROUP = 'Kelompok Metodologi';
// A digest goes out every 250 ms; the UI must follow within a few seconds.
const within = { timeoutMs: 5000 };

describe('presence in a large group', () => {
  let server;
  let browser;
  let ayu;
  let rinaDevice;

  before(async () => {
    server = new ChatServer({ extraArgs: ['--presence-large-group', '2'] });
    await server.start();
    browser = await launchBrowser();
    // Budi (tutor) makes the group; Rina shares nothing else with Ayu (the dev seed gives her no
    // conversation), so her presence reaches Ayu only through this large group.
    const budiToken = await server.token('tutor-budi');
    await server.api('POST', '/api/conversations', {
      token: budiToken,
      body: { type: 'group', title: GROUP, participantIds: ['student-ayu', 'student-rina'] },
    });
    ayu = await newPerson(browser, server.origin);
    await signIn(ayu.page, AYU);
    // Rina's device: a page of the site holding a WebSocket with her token, opened and closed
    // by the test (she comes online and goes offline).
    rinaDevice = await newPerson(browser, server.origin);
    await rinaDevice.page.goto('/');
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  async function rinaOnline() {
    const token = await server.token('student-rina');
    await rinaDevice.page.evaluate(
      (url) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(url);
          window.rinaSocket = ws;
          ws.onopen = () => resolve();
          ws.onerror = () => reject(new Error('Rina’s WebSocket failed'));
        }),
      `${server.origin.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`,
    );
  }

  async function rinaOffline() {
    await rinaDevice.page.evaluate(
      () =>
        new Promise((resolve) => {
          const ws = window.rinaSocket;
          ws.onclose = () => resolve();
          ws.close(1000);
        }),
    );
  }

  const header = () => ayu.page.locator('.conversation-header .conversation-status');
  const headerDot = () => ayu.page.locator('.conversation-header > .avatar .presence-dot');
  const headerSays = async (re) => re.test(await header().innerText());
  const dotOnline = () => headerDot().evaluate((d) => d.classList.contains('is-online'));

  it('shows a member coming online and going offline while the group is open (presence_digest)', async () => {
    const { page } = ayu;
    await openConversation(page, GROUP);
    await header().filter({ hasText: '3 participants' }).waitFor();
    assert.equal(await headerSays(/online/i), false, 'nobody else is online yet');

    // The member list stays open and follows live presence.
    await page.getByRole('button', { name: 'Members' }).click();
    const dialog = page.getByRole('dialog', { name: /Members/ });
    const rinaStatus = dialog.locator('.member-row', { hasText: 'Rina Wijaya' }).locator('.member-status');
    await rinaStatus.filter({ hasText: /Student · (Last seen|Offline)/ }).waitFor();

    await rinaOnline();
    await waitFor(() => headerSays(/3 participants · 1 online/), { ...within, what: 'the header counting Rina online' });
    assert.equal(await dotOnline(), true, 'the dot agrees with the count');
    await waitFor(async () => /Student · Online/.test(await rinaStatus.innerText()), { ...within, what: 'Rina online in the member list' });

    await rinaOffline();
    await waitFor(async () => !(await headerSays(/online/i)), { ...within, what: 'the header without anyone online' });
    assert.equal(await dotOnline(), false, 'the dot agrees');
    await waitFor(async () => /Student · (Last seen|Offline)/.test(await rinaStatus.innerText()), { ...within, what: 'Rina offline in the member list' });
    await dialog.getByRole('button', { name: /Close/ }).click();
  });

  it('shows who is online when the group is opened, though no presence was pushed meanwhile', async () => {
    const { page } = ayu;
    if (await page.locator('dialog[open]').count()) await page.keyboard.press('Escape');
    // Ayu views another conversation: Rina's arrival is not sent to her (she shares only the
    // large group with Rina and does not view it).
    await openConversation(page, BUDI);
    await rinaOnline();
    await new Promise((r) => setTimeout(r, 1000)); // four digest periods: nothing may come
    await openConversation(page, GROUP);
    await waitFor(() => headerSays(/3 participants · 1 online/), { ...within, what: 'the header counting Rina online at the opening' });
    assert.equal(await dotOnline(), true);
    const listDot = page.locator('.conversation-item', { hasText: GROUP }).locator('.presence-dot');
    await waitFor(() => listDot.evaluate((d) => d.classList.contains('is-online')), { ...within, what: 'the list’s dot for the group' });

    // And gone while she was away from the group: the opening says so too.
    await openConversation(page, BUDI);
    await rinaOffline();
    await new Promise((r) => setTimeout(r, 1000));
    await openConversation(page, GROUP);
    await waitFor(async () => !(await headerSays(/online/i)), { ...within, what: 'nobody online in the header at the second opening' });
    assert.equal(await dotOnline(), false);
    assert.deepEqual(ayu.problems, []);
  });
});
