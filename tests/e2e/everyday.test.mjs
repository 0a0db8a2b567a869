// What a student and a tutor expect from a chat they use every day (issue 15), in Chromium
// against the real writeen-chat binary: addresses and the back button, scrolling, unread
// badges and the tab title, presence, the member list and the people picker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bubbles, launchBrowser, newPerson, openConversation, send, signIn } from './lib/browser.mjs';
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

  it('finds people by name, lists members with role and presence, lets the tutor add and remove them, and keeps students in their room', async () => {
    const budi = await newPerson(browser, server.origin);
    try {
      const { page } = budi;
      page.on('dialog', (d) => void d.accept());
      await signIn(page, BUDI);

      // A group made with the people picker: typing a name, not a user id.
      await page.getByRole('button', { name: 'New conversation' }).click();
      await page.locator('label', { hasText: 'Group' }).click();
      await page.getByRole('searchbox', { name: 'Find people by name' }).fill('ayu');
      await page.locator('.people-picker .person-option', { hasText: AYU }).click();
      await page.getByLabel('Title (optional)').fill('Seminar Proposal');
      await page.getByRole('button', { name: 'Start conversation' }).click();
      await page.locator('.conversation-header .conversation-title', { hasText: 'Seminar Proposal' }).waitFor();

      // The member list: tutor first, Ayu online (her tab is open), each with a role.
      await page.getByRole('button', { name: 'Members' }).click();
      const dialog = page.getByRole('dialog', { name: /Members/ });
      const row = (name) => dialog.locator('.member-row', { hasText: name });
      await row(AYU).locator('.member-status', { hasText: 'Student · Online' }).waitFor();
      await row(BUDI).locator('.member-status', { hasText: 'Tutor · Online' }).waitFor();
      assert.deepEqual(await dialog.locator('.member-name').allInnerTexts(), [`${BUDI} (You)`, AYU]);

      // Add Rina through the picker, then remove her again.
      await dialog.getByRole('button', { name: 'Add member' }).click();
      await dialog.getByRole('searchbox', { name: 'Find people by name' }).fill('Rina');
      await dialog.locator('.person-option', { hasText: 'Rina Wijaya' }).click();
      await row('Rina Wijaya').locator('.member-status', { hasText: /Student · (Last seen|Offline)/ }).waitFor();
      await dialog.locator('.person-option', { hasText: 'Rina Wijaya' }).filter({ hasText: 'Already a member' }).waitFor();
      await dialog.getByRole('button', { name: 'Remove Rina Wijaya' }).click();
      await row('Rina Wijaya').waitFor({ state: 'detached' });
      const group = (await server.api('GET', '/api/conversations?type=group', { token: budiToken })).conversations.find((c) => c.title === 'Seminar Proposal');
      assert.deepEqual(group.participants.filter((p) => p.leftAt === null).map((p) => p.userId).sort(), ['student-ayu', 'tutor-budi']);
      await page.keyboard.press('Escape');
      assert.deepEqual(budi.problems, []);

      // Ayu: no Leave in the consultation room and no member management; Leave in the group.
      const ayuPage = ayu.page;
      await ayuPage.goto('/');
      await openConversation(ayuPage, 'Konsultasi Skripsi');
      await ayuPage.getByRole('button', { name: 'Members' }).click();
      const ayuDialog = ayuPage.getByRole('dialog', { name: /Members/ });
      await ayuDialog.locator('.member-row', { hasText: BUDI }).waitFor();
      assert.equal(await ayuDialog.getByRole('button', { name: 'Add member' }).count(), 0);
      assert.equal(await ayuDialog.getByRole('button', { name: /^Remove/ }).count(), 0);
      await ayuPage.keyboard.press('Escape');
      assert.equal(await ayuPage.getByRole('button', { name: 'Leave conversation' }).count(), 0, 'no Leave for a student in a consultation room');
      await openConversation(ayuPage, 'Seminar Proposal');
      await ayuPage.getByRole('button', { name: 'Leave conversation' }).waitFor();

      // A student finds tutors and the people she shares a conversation with, not other students.
      await ayuPage.getByRole('button', { name: 'New conversation' }).click();
      const search = ayuPage.getByRole('searchbox', { name: 'Find people by name' });
      await search.fill('budi');
      await ayuPage.locator('.people-picker .person-option', { hasText: BUDI }).waitFor();
      await search.fill('rina');
      await ayuPage.locator('.people-picker', { hasText: 'Nobody found' }).waitFor();
      await ayuPage.keyboard.press('Escape');
    } finally {
      await budi.context.close();
    }
  });

  it('archives a conversation for the reader only: under the filter, on her other device live, back with a new message, the tutor still sees it', async () => {
    const { page } = ayu;
    // Ayu's phone, open meanwhile: her archive reaches it without a reload.
    const phone = await newPerson(browser, server.origin, { width: 390, height: 844 });
    await signIn(phone.page, AYU);
    const onPhone = phone.page.locator('.conversation-item', { hasText: 'Seminar Proposal' });
    await onPhone.waitFor();
    await page.goto('/');
    await openConversation(page, 'Seminar Proposal');
    await page.getByRole('button', { name: 'Archive', exact: true }).click();
    const item = page.locator('.conversation-item', { hasText: 'Seminar Proposal' });
    await item.waitFor({ state: 'detached' });
    await onPhone.waitFor({ state: 'detached' });
    const phoneArchived = phone.page.getByRole('checkbox', { name: 'Archived' });
    await phoneArchived.check();
    await onPhone.waitFor();
    await phoneArchived.uncheck();

    const showArchived = page.getByRole('checkbox', { name: 'Archived' });
    await showArchived.check();
    await item.waitFor();
    const tutorsView = (await server.api('GET', '/api/conversations?archived=false', { token: budiToken })).conversations;
    assert.ok(tutorsView.some((c) => c.title === 'Seminar Proposal'), 'the tutor still has it in his list');
    await showArchived.uncheck();
    await item.waitFor({ state: 'detached' });

    // A new message brings it back, live and after a reload.
    const group = tutorsView.find((c) => c.title === 'Seminar Proposal');
    await post(budiToken, group.id, 'Jadwal seminar: Senin');
    await item.waitFor();
    await onPhone.waitFor();
    await page.reload();
    await page.locator('.conversation-item', { hasText: 'Seminar Proposal' }).waitFor();

    // Unarchived on one device, back in the list on the other.
    await openConversation(page, 'Seminar Proposal');
    await page.getByRole('button', { name: 'Archive', exact: true }).click();
    await onPhone.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Unarchive', exact: true }).click();
    await onPhone.waitFor();
    assert.deepEqual(ayu.problems.filter((p) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(p)), []);
    assert.deepEqual(phone.problems.filter((p) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(p)), []);
    await phone.context.close();
  });

  it('ArrowUp in the empty composer edits the last own message', async () => {
    const { page } = ayu;
    await page.goto('/');
    await openConversation(page, BUDI);
    await send(page, 'Jadwalnya hari Selasa');
    await bubbles(page, 'Jadwalnya hari Selasa').waitFor();
    const box = page.getByRole('textbox', { name: 'Message' }).first();
    await box.press('ArrowUp');
    await page.locator('.composer.is-editing').waitFor();
    assert.equal(await box.inputValue(), 'Jadwalnya hari Selasa');
    await box.fill('Jadwalnya hari Rabu');
    await box.press('Enter');
    await page.locator('li.message', { hasText: 'Jadwalnya hari Rabu' }).locator('.edited-mark').waitFor();
    // The edit's own answer ends the editing (the broadcast may come first).
    await page.locator('.composer.is-editing').waitFor({ state: 'detached' });
    // With text in the composer ArrowUp moves the caret as usual.
    await box.fill('draf');
    await box.press('ArrowUp');
    assert.equal(await page.locator('.composer.is-editing').count(), 0);
    await box.fill('');
  });

  it('picks emoji by name with the keyboard, remembers them as recent, and reacts from the same set', async () => {
    const { page } = ayu;
    await page.goto('/');
    await openConversation(page, BUDI);
    const box = page.getByRole('textbox', { name: 'Message' }).first();
    await box.fill('Terima kasih ');
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    const picker = page.getByRole('dialog', { name: 'Insert emoji' });
    const search = picker.getByRole('searchbox', { name: 'Search emoji' });
    await search.waitFor();
    assert.ok(await search.evaluate((el) => el === document.activeElement), 'the search has the focus');
    await search.fill('folded');
    await picker.getByRole('button', { name: 'folded hands' }).waitFor();
    await search.press('ArrowDown');
    await page.keyboard.press('Enter');
    await picker.waitFor({ state: 'detached' });
    assert.equal(await box.inputValue(), 'Terima kasih 🙏');
    assert.ok(await box.evaluate((el) => el === document.activeElement), 'the focus is back in the composer');

    // Reopened, "Recently used" shows it first; arrows move through the grid, Escape closes.
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    await picker.getByRole('tab', { name: 'Recently used', selected: true }).waitFor();
    await picker.getByRole('button', { name: 'folded hands' }).waitFor();
    await picker.getByRole('tab', { name: 'Smileys & emotion' }).click();
    await picker.getByRole('button', { name: 'grinning face', exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'grinning face with big eyes');
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
    await box.press('Enter');
    await bubbles(page, 'Terima kasih 🙏').waitFor();

    // The reaction picker offers the whole set too.
    const mine = page.locator('li.message.is-mine:not(.is-pending)', { has: page.locator('.message-body', { hasText: 'Terima kasih 🙏' }) });
    await mine.locator('.bubble').hover();
    await mine.getByRole('button', { name: 'Add reaction' }).click();
    await mine.getByRole('button', { name: 'More emoji' }).click();
    const reactPicker = page.getByRole('dialog', { name: 'Add reaction' });
    await reactPicker.getByRole('searchbox', { name: 'Search emoji' }).fill('party popper');
    await reactPicker.getByRole('searchbox', { name: 'Search emoji' }).press('Enter');
    await mine.locator('.reaction', { hasText: '🎉' }).waitFor();
    assert.deepEqual(ayu.problems.filter((p) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(p)), []);
  });

  it('sends a sticker of the project\'s set as a sticker message that the other side sees', async () => {
    const { page } = ayu;
    await page.goto('/');
    await openConversation(page, BUDI);
    await page.getByRole('button', { name: 'Stickers' }).click();
    await page.getByRole('button', { name: 'Send sticker: Chapter done' }).click();
    await page.locator('li.message.is-mine:not(.is-pending) img.message-sticker[alt="Chapter done"]').waitFor();
    await waitFor(async () => {
      const { messages } = await server.api('GET', `/api/conversations/${direct.id}/messages?limit=5`, { token: budiToken });
      return messages.some((m) => m.type === 'sticker' && m.content.sticker === 'writeen/chapter-done');
    }, { what: 'the sticker message stored with its id' });
    // The picture is served like every other asset of the page.
    const loaded = await page.locator('img.message-sticker[alt="Chapter done"]').last().evaluate((img) => img.complete && img.naturalWidth > 0);
    assert.ok(loaded, 'the sticker picture loaded');
  });

  it('on a phone the header keeps the title readable and every action on screen', async () => {
    const budi = await newPerson(browser, server.origin, { width: 390, height: 844 });
    try {
      const { page } = budi;
      await signIn(page, BUDI);
      await openConversation(page, 'Konsultasi Skripsi');
      const title = await page.locator('.conversation-header .conversation-title').boundingBox();
      assert.ok(title && title.width >= 200, `the title has room (${title?.width} px)`);
      const outside = await page.locator('.conversation-header button').evaluateAll((els) =>
        els.filter((b) => { const r = b.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth; }).map((b) => b.textContent || b.getAttribute('aria-label')));
      assert.deepEqual(outside, [], 'no header button runs off the screen');
    } finally {
      await budi.context.close();
    }
  });
});
