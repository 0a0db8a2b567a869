// The web client on a phone (issue 15): the consultation banner folds to one line (the phase and
// its timer) with a toggle, opens on demand and by itself for a session to rate; on a wide
// screen it is always whole and has no toggle. Message actions, shown on hover with a mouse, open
// on a touch screen with a tap or a long press on the bubble.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newPerson, openConversation, send, signIn } from './lib/browser.mjs';
import { ChatServer, waitFor } from './lib/server.mjs';

const AYU = 'Ayu Lestari';
const BUDI = 'Dr. Budi Santoso';

describe('the web client on a phone', () => {
  let server;
  let browser;
  let service;
  let konsul;

  before(async () => {
    server = new ChatServer();
    await server.start();
    browser = await launchBrowser();
    service = await server.token('writeen-consultation');
    const start = new Date(Date.now() - 5 * 60_000);
    konsul = (await server.api('PUT', '/api/consultations/K-PHONE-1/chat', {
      token: service,
      body: {
        title: 'Bimbingan Bab 4: Hasil dan Pembahasan yang cukup panjang', tutorId: 'tutor-budi', studentIds: ['student-ayu'],
        scheduledStart: start.toISOString(), scheduledEnd: new Date(start.getTime() + 3_600_000).toISOString(),
      },
    })).conversation;
    await server.api('POST', '/api/consultations/K-PHONE-1/start', { token: service });
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('folds the consultation banner to one line, opens it on demand and for a rating', async () => {
    const phone = await newPerson(browser, server.origin, { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      const { page } = phone;
      await signIn(page, AYU);
      await page.locator(`.conversation-item[data-conversation-id="${konsul.id}"]`).click();
      const banner = page.locator('.consultation-banner');
      const toggle = banner.getByRole('button', { name: 'Show consultation details' });
      await banner.locator('[role="timer"]').waitFor();

      // Folded: one line with the live timer, no title or sessions button, a toggle.
      await toggle.waitFor();
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      assert.equal(await banner.getByRole('button', { name: /^Sessions/ }).isVisible(), false);
      const phase = banner.locator('.consultation-phase');
      const line = await phase.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
      const folded = await banner.boundingBox();
      assert.ok((await phase.boundingBox()).height <= line * 1.5, 'the phase stays on one line');
      assert.ok(folded.height <= 52, `the folded banner is one line high (${folded.height} px)`);

      // Opened: the title and the sessions button; folded again by the same toggle.
      await toggle.click();
      const hide = banner.getByRole('button', { name: 'Hide consultation details' });
      assert.equal(await hide.getAttribute('aria-expanded'), 'true');
      await banner.getByRole('button', { name: /^Sessions \(1\)$/ }).waitFor();
      await banner.locator('.consultation-title', { hasText: 'Bimbingan Bab 4' }).waitFor();
      assert.ok((await banner.boundingBox()).height > folded.height);
      await hide.click();
      await banner.getByRole('button', { name: /^Sessions/ }).waitFor({ state: 'hidden' });

      // The session ends: the banner opens by itself for the rating, and folds when asked to.
      await server.api('POST', '/api/consultations/K-PHONE-1/end', { token: service, body: { sessionNotes: '', actionItems: [] } });
      await banner.locator('.rating-prompt').waitFor();
      assert.equal(await banner.getByRole('button', { name: 'Hide consultation details' }).getAttribute('aria-expanded'), 'true');
      await banner.getByRole('button', { name: 'Hide consultation details' }).click();
      await banner.locator('.rating-prompt').waitFor({ state: 'hidden' });
      await banner.locator('.phase-ended').waitFor();

      // A wide screen shows the whole banner and no toggle.
      await page.setViewportSize({ width: 1280, height: 800 });
      await banner.locator('.rating-prompt').waitFor();
      await banner.getByRole('button', { name: /^Sessions/ }).waitFor();
      assert.equal(await banner.locator('.consultation-fold').isVisible(), false);
      assert.deepEqual(phone.problems, []);
    } finally {
      await phone.context.close();
    }
  });

  it('opens a message’s actions with a tap or a long press, and replies and reacts through them', async () => {
    const ayuToken = await server.token('student-ayu');
    const budiToken = await server.token('tutor-budi');
    const list = await server.api('GET', '/api/conversations?type=direct', { token: ayuToken });
    const direct = list.conversations.find((c) => c.participants.some((p) => p.userId === 'tutor-budi'));
    const post = (text) => server.api('POST', `/api/conversations/${direct.id}/messages`, { token: budiToken, body: { type: 'text', content: { text } } });
    const question = (await post('Sudah dicek ulang tabel 4.2?')).message ?? null;
    await post('Kirim revisinya sebelum Jumat.');

    const phone = await newPerson(browser, server.origin, { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      const { page, context } = phone;
      assert.equal(await page.evaluate(() => matchMedia('(hover: none)').matches), true, 'a touch screen without hover');
      await signIn(page, AYU);
      await openConversation(page, BUDI);
      const message = (text) => page.locator('li.message:not(.is-pending)', { has: page.locator('.message-body', { hasText: text }) });
      const shown = (m) => m.locator('.message-actions').evaluate((el) => getComputedStyle(el).opacity === '1' && getComputedStyle(el).pointerEvents !== 'none');
      const first = message('tabel 4.2');
      const second = message('sebelum Jumat');
      await first.waitFor();

      // Closed until asked for, whatever hover or focus the emulated taps leave behind.
      assert.equal(await shown(first), false, 'no actions before a tap');
      await first.locator('.message-body').tap();
      await waitFor(() => shown(first), { what: 'the tap opens the action bar' });
      assert.equal(await shown(second), false, 'only the tapped message shows its actions');
      // A finger-sized bar, on screen.
      const bar = await first.locator('.message-actions').boundingBox();
      assert.ok(bar.height >= 40 && bar.x >= 0 && bar.x + bar.width <= 390, `the bar fits a finger and the screen (${JSON.stringify(bar)})`);
      // Tapped again, it closes; a tap elsewhere closes it too.
      await first.locator('.message-body').tap();
      await waitFor(async () => !(await shown(first)), { what: 'a second tap closes it' });
      await first.locator('.message-body').tap();
      await waitFor(() => shown(first), { what: 'opened again' });
      await page.locator('.conversation-header .conversation-title').tap();
      await waitFor(async () => !(await shown(first)), { what: 'a tap elsewhere closes it' });

      // Reply through the bar.
      await first.locator('.message-body').tap();
      await waitFor(() => shown(first), { what: 'opened for the reply' });
      await first.getByRole('button', { name: 'Reply' }).tap();
      await page.locator('.composer', { hasText: `Replying to ${BUDI}` }).waitFor();
      await waitFor(async () => !(await shown(first)), { what: 'the bar closes once the action is taken' });
      await send(page, 'Sudah, Pak. Angkanya sudah saya perbaiki.');
      const reply = message('Angkanya sudah saya perbaiki');
      await reply.locator('.reply-quote', { hasText: 'tabel 4.2' }).waitFor();
      // Her own message’s bar (with edit and delete, the widest) is on screen too.
      await reply.locator('.message-body').tap();
      await waitFor(() => shown(reply), { what: 'her own message’s bar opens' });
      const own = await reply.locator('.message-actions').boundingBox();
      assert.ok(own.x >= 0 && own.x + own.width <= 390 && own.y >= 0, `her own message’s bar is on screen (${JSON.stringify(own)})`);
      await reply.getByRole('button', { name: 'Edit' }).waitFor();
      await reply.locator('.message-body').tap();
      await waitFor(async () => !(await shown(reply)), { what: 'closed again' });

      // A long press (no tap) opens the bar of the second message, and it stays open when the
      // finger lifts; react through it.
      const box = await second.locator('.message-body').boundingBox();
      const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      const cdp = await context.newCDPSession(page);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at] });
      await page.waitForTimeout(800);
      assert.equal(await shown(second), true, 'the long press opened the bar before the finger lifts');
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await page.waitForTimeout(300);
      assert.equal(await shown(second), true, 'still open after the finger lifts');
      await second.getByRole('button', { name: 'Add reaction' }).tap();
      await second.getByRole('button', { name: 'React with 👍' }).tap();
      await second.locator('.reaction', { hasText: '👍' }).waitFor();
      const stored = await server.api('GET', `/api/conversations/${direct.id}/messages?limit=10`, { token: ayuToken });
      const reacted = stored.messages.find((m) => m.content?.text === 'Kirim revisinya sebelum Jumat.');
      assert.deepEqual(reacted?.reactions?.map((r) => [r.emoji, r.userId]), [['👍', 'student-ayu']], 'the server has the reaction');
      const replied = stored.messages.find((m) => m.content?.text === 'Sudah, Pak. Angkanya sudah saya perbaiki.');
      assert.ok(replied?.replyTo && (question === null || replied.replyTo === question.id), 'the server has the reply to the question');
      assert.deepEqual(phone.problems, []);
    } finally {
      await phone.context.close();
    }
  });
  it('keeps the conversation title whole at 375 px, with Archive as an icon button that keeps its name', async () => {
    const phone = await newPerson(browser, server.origin, { width: 375, height: 812, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      const { page } = phone;
      await signIn(page, AYU);
      await openConversation(page, BUDI);
      const header = page.locator('.conversation-header');
      const archive = header.getByRole('button', { name: 'Archive', exact: true });
      await archive.waitFor();
      const title = header.locator('.conversation-title');
      assert.equal(await title.innerText(), BUDI);
      const cut = await title.evaluate((el) => el.scrollWidth > el.clientWidth);
      assert.equal(cut, false, 'the title is not cut with an ellipsis');
      // Every header button is on screen and finger-sized.
      for (const b of await header.getByRole('button').all()) {
        if (!(await b.isVisible())) continue;
        const box = await b.boundingBox();
        const name = (await b.getAttribute('aria-label')) ?? (await b.innerText());
        assert.ok(box.x >= 0 && box.x + box.width <= 375, `${name} is on screen (${JSON.stringify(box)})`);
        assert.ok(box.height >= 32 && box.width >= 32, `${name} is big enough for a finger (${JSON.stringify(box)})`);
      }
      assert.equal(await archive.getAttribute('title'), 'Hide from my list until a new message arrives (others keep seeing it)');
      assert.deepEqual(phone.problems, []);
    } finally {
      await phone.context.close();
    }
  });
});
