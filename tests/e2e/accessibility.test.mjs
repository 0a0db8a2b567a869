// Accessibility of every screen of the web client (issue 15): axe-core in Chromium finds no
// serious or critical violation on the sign-in picker, the list, a conversation, a thread, the
// consultation room (as tutor and as student), its sessions panel, the dialogs (members, people
// picker, emoji and sticker pickers, the reaction bar reached by keyboard, the user menu) and at
// phone width; and `<html lang>` follows the chosen language.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accessibilityProblems } from './lib/axe.mjs';
import { launchBrowser, newPerson, openConversation, signIn } from './lib/browser.mjs';
import { samplePng } from './lib/samples.mjs';
import { ChatServer } from './lib/server.mjs';

const AYU = 'Ayu Lestari';
const BUDI = 'Dr. Budi Santoso';

describe('accessibility of the web client', () => {
  let server;
  let browser;
  let ayuToken;
  let budiToken;
  let konsul;

  before(async () => {
    server = new ChatServer();
    await server.start();
    browser = await launchBrowser();
    ayuToken = await server.token('student-ayu');
    budiToken = await server.token('tutor-budi');
    // Something on every screen: messages with a reply, a reaction, an edit, a picture, a thread,
    // and a live consultation with an ended session.
    const convs = (await server.api('GET', '/api/conversations', { token: ayuToken })).conversations;
    const direct = convs.find((c) => c.type === 'direct');
    const post = async (token, cid, text, extra = {}) =>
      (await server.api('POST', `/api/conversations/${cid}/messages`, { token, body: { type: 'text', content: { text }, ...extra } })).message;
    const m1 = await post(ayuToken, direct.id, 'Selamat pagi Pak Budi, draf Bab 2 sudah saya revisi.');
    const m2 = await post(budiToken, direct.id, 'Terima kasih, saya baca sore ini. Kerangka teori sudah ditambah?');
    await post(ayuToken, direct.id, 'Sudah, Pak: https://doi.org/10.2307/249008', { replyTo: m2.id });
    await server.api('POST', `/api/messages/${m1.id}/reactions`, { token: budiToken, body: { emoji: '👍' } });
    await server.api('PATCH', `/api/messages/${m2.id}`, { token: budiToken, body: { content: { text: 'Terima kasih, saya baca sore ini. Kerangka teorinya sudah ditambah?' } } });
    const form = new FormData();
    form.append('file', new Blob([await samplePng()], { type: 'image/png' }), 'diagram.png');
    await server.request('POST', `/api/conversations/${direct.id}/upload`, { token: ayuToken, body: form });
    await post(budiToken, direct.id, 'Unread for Ayu');

    const service = await server.token('writeen-consultation');
    const start = new Date(Date.now() - 5 * 60_000);
    konsul = (await server.api('PUT', '/api/consultations/K-A11Y-1/chat', {
      token: service,
      body: {
        title: 'Bimbingan Bab 3', tutorId: 'tutor-budi', studentIds: ['student-ayu'],
        scheduledStart: start.toISOString(), scheduledEnd: new Date(start.getTime() + 3_600_000).toISOString(),
      },
    })).conversation;
    await server.api('POST', '/api/consultations/K-A11Y-1/start', { token: service });
    await post(ayuToken, konsul.id, 'Pak, apakah purposive sampling sudah tepat?');
    await post(budiToken, konsul.id, 'Tepat. Tolong revisi kriteria informan sebelum Jumat.');
    await server.api('POST', '/api/consultations/K-A11Y-1/end', { token: service, body: { sessionNotes: 'Lanjut.', actionItems: ['Kirim draf Bab 3'] } });
    await server.api('POST', '/api/consultations/K-A11Y-1/start', { token: service });
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  /** Runs axe on the page (or inside `selector`) and fails with every serious/critical finding. */
  async function check(page, screen, selector) {
    const problems = await accessibilityProblems(page, { selector });
    assert.deepEqual(problems, [], `${screen}: axe-core found serious or critical violations`);
  }

  /** `<html lang>` once it reads `want` (the app sets it in an effect after a render). */
  const htmlLang = async (page, want) => {
    try {
      await page.waitForFunction((w) => document.documentElement.lang === w, want, { timeout: 5000 });
    } catch {
      /* the assertion below reports what it is */
    }
    return page.evaluate(() => document.documentElement.lang);
  };

  it('sets <html lang> from the browser and from the language switch', async () => {
    const visitor = await newPerson(browser, server.origin, { locale: 'id-ID' });
    try {
      const { page } = visitor;
      await page.goto('/');
      await page.getByRole('button', { name: new RegExp(BUDI) }).waitFor();
      assert.equal(await htmlLang(page, 'id'), 'id', 'an Indonesian browser gets lang="id"');
      await check(page, 'sign-in (id)');
      await page.getByRole('button', { name: 'EN', exact: true }).click();
      assert.equal(await htmlLang(page, 'en'), 'en');
      await check(page, 'sign-in (en)');
      // Remembered: a reload keeps the chosen language over the browser's.
      await page.reload();
      await page.getByRole('button', { name: new RegExp(BUDI) }).waitFor();
      assert.equal(await htmlLang(page, 'en'), 'en');
      await page.getByRole('button', { name: 'ID', exact: true }).click();
      assert.equal(await htmlLang(page, 'id'), 'id');
      assert.deepEqual(visitor.problems, []);
    } finally {
      await visitor.context.close();
    }
  });

  it('has no serious violation on the list, a conversation, a thread and the dialogs', async () => {
    const ayu = await newPerson(browser, server.origin);
    try {
      const { page } = ayu;
      await signIn(page, AYU);
      await page.locator('.conversation-item.has-unread').first().waitFor();
      await check(page, 'conversation list');

      await openConversation(page, BUDI);
      await page.locator('li.message .message-body', { hasText: 'Unread for Ayu' }).waitFor();
      await page.locator('li.message img').first().waitFor();
      await check(page, 'conversation');

      await page.locator('.thread-link').first().click();
      await page.locator('.thread-panel').waitFor();
      await check(page, 'thread');
      await page.goBack();
      await page.locator('.thread-panel').waitFor({ state: 'detached' });

      await page.getByRole('button', { name: 'Insert emoji' }).click();
      const picker = page.getByRole('dialog', { name: 'Insert emoji' });
      await picker.getByRole('searchbox', { name: 'Search emoji' }).waitFor();
      await check(page, 'emoji picker');
      await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('hand');
      await picker.getByRole('button', { name: 'folded hands' }).waitFor();
      await check(page, 'emoji picker, searching');
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Stickers' }).click();
      await page.getByRole('button', { name: 'Send sticker: Chapter done' }).waitFor();
      await check(page, 'sticker picker');
      await page.keyboard.press('Escape');

      // The reaction bar, reached by keyboard: a message's actions take focus (Tab from its
      // first one) although they show only on hover or focus, and Enter opens the bar.
      const mine = page.locator('li.message.is-mine:not(.is-pending)', { has: page.locator('.message-body', { hasText: 'Selamat pagi Pak Budi' }) });
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
      await mine.getByRole('button', { name: 'Reply' }).focus();
      assert.equal(await focused(), 'Reply', 'the first action of a message takes focus');
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'Add reaction');
      await page.keyboard.press('Enter');
      const bar = mine.getByRole('group', { name: 'Add reaction' });
      await bar.getByRole('button', { name: 'React with 👍' }).waitFor();
      await check(page, 'reaction bar');
      await page.keyboard.press('Enter');
      await bar.waitFor({ state: 'detached' });

      await page.locator('.user-menu-button').click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await check(page, 'user menu');
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'New conversation' }).click();
      const search = page.getByRole('searchbox', { name: 'Find people by name' });
      await search.fill('budi');
      await page.locator('.people-picker .person-option', { hasText: BUDI }).waitFor();
      await check(page, 'people picker');
      await page.keyboard.press('Escape');
      assert.deepEqual(ayu.problems, []);
    } finally {
      await ayu.context.close();
    }
  });

  it('has no serious violation in the consultation room, for the tutor and the student', async () => {
    const budi = await newPerson(browser, server.origin);
    const ayu = await newPerson(browser, server.origin);
    try {
      await signIn(budi.page, BUDI);
      await budi.page.locator(`.conversation-item[data-conversation-id="${konsul.id}"]`).click();
      await budi.page.locator('.consultation-banner [role="timer"]').waitFor();
      await check(budi.page, 'consultation room (tutor, demo service)');

      await signIn(ayu.page, AYU);
      await ayu.page.locator(`.conversation-item[data-conversation-id="${konsul.id}"]`).click();
      await ayu.page.locator('.consultation-banner [role="timer"]').waitFor();
      await check(ayu.page, 'consultation room (student)');
      await ayu.page.getByRole('button', { name: 'Members' }).click();
      await ayu.page.getByRole('dialog', { name: /Members/ }).locator('.member-row').first().waitFor();
      await check(ayu.page, 'members dialog');
      await ayu.page.keyboard.press('Escape');
      await ayu.page.getByRole('button', { name: /^Sessions \(2\)$/ }).click();
      await ayu.page.locator('.session-card').first().waitFor();
      await check(ayu.page, 'sessions panel');
      assert.deepEqual(budi.problems, []);
      assert.deepEqual(ayu.problems, []);
    } finally {
      await budi.context.close();
      await ayu.context.close();
    }
  });

  it('has no serious violation at phone width', async () => {
    const phone = await newPerson(browser, server.origin, { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      const { page } = phone;
      await signIn(page, AYU);
      await check(page, 'phone: list');
      await openConversation(page, BUDI);
      await page.locator('li.message').first().waitFor();
      await check(page, 'phone: conversation');
      await page.locator('.conversation-header .back-button').click();
      await page.locator(`.conversation-item[data-conversation-id="${konsul.id}"]`).click();
      await page.locator('.consultation-banner').waitFor();
      await check(page, 'phone: consultation room');
      assert.deepEqual(phone.problems, []);
    } finally {
      await phone.context.close();
    }
  });
});
