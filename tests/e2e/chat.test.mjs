// The student (Ayu) and the tutor (Budi) chat in two browser contexts against the real
// writeen-chat binary: real-time messages, typing, delivered/read ticks, and a server restart
// with messages sent meanwhile appearing exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bubbles, countMessages, launchBrowser, newPerson, openConversation, send, signIn } from './lib/browser.mjs';
import { ChatServer, waitFor } from './lib/server.mjs';

const AYU = 'Ayu Lestari';
const BUDI = 'Dr. Budi Santoso';
const CONSULTATION = 'Konsultasi Skripsi';

describe('student and tutor chat in real time', () => {
  let server;
  let browser;
  let ayu;
  let budi;
  let direct; // the direct conversation of the pair, from the REST API

  before(async () => {
    server = new ChatServer();
    await server.start();
    browser = await launchBrowser();
    ayu = await newPerson(browser, server.origin);
    budi = await newPerson(browser, server.origin);
    await signIn(ayu.page, AYU);
    await signIn(budi.page, BUDI);
    const token = await server.token('student-ayu');
    const list = await server.api('GET', '/api/conversations?type=direct', { token });
    direct = list.conversations.find((c) => c.participants.some((p) => p.userId === 'tutor-budi'));
    assert.ok(direct, 'the dev seed has a direct conversation between Ayu and Budi');
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('shows the demo users on the sign-in picker and each user their conversations', async () => {
    const p = await browser.newPage({ baseURL: server.origin });
    try {
      await p.goto('/');
      for (const name of [AYU, BUDI]) await p.getByRole('button', { name: new RegExp(name) }).waitFor();
    } finally {
      await p.close();
    }
    await ayu.page.locator('.conversation-item', { hasText: BUDI }).waitFor();
    await ayu.page.locator('.conversation-item', { hasText: CONSULTATION }).waitFor();
    await budi.page.locator('.conversation-item', { hasText: AYU }).waitFor();
    // The pane's title is whole at a laptop's 1280 px, not cut to "Conversati…" by its buttons.
    const title = ayu.page.locator('.pane-title');
    assert.equal(await title.innerText(), 'Conversations');
    assert.ok(await title.evaluate((e) => e.scrollWidth <= e.clientWidth), 'the list title is not cut off');
  });

  it('delivers messages both ways in real time', async () => {
    await openConversation(ayu.page, BUDI);
    await openConversation(budi.page, AYU);
    await send(ayu.page, 'Selamat pagi Pak Budi, bab 2 sudah saya revisi.');
    await bubbles(budi.page, 'Selamat pagi Pak Budi, bab 2 sudah saya revisi.').waitFor({ timeout: 10_000 });
    await send(budi.page, 'Pagi Ayu, saya baca sore ini.');
    await bubbles(ayu.page, 'Pagi Ayu, saya baca sore ini.').waitFor({ timeout: 10_000 });
    // Sender name on the other side, exactly one copy on each side.
    await budi.page.locator('li.message.is-theirs .message-sender', { hasText: AYU }).first().waitFor();
    for (const [page, text] of [
      [ayu.page, 'Selamat pagi Pak Budi, bab 2 sudah saya revisi.'],
      [budi.page, 'Selamat pagi Pak Budi, bab 2 sudah saya revisi.'],
      [ayu.page, 'Pagi Ayu, saya baca sore ini.'],
      [budi.page, 'Pagi Ayu, saya baca sore ini.'],
    ]) {
      assert.equal(await countMessages(page, text), 1, `one copy of "${text}"`);
    }
  });

  it('shows the typing indicator to the other side, and hides it when the typist stops', async () => {
    const indicator = ayu.page.locator('.typing-indicator');
    const box = budi.page.getByRole('textbox', { name: 'Message' }).first();
    await box.click();
    await box.pressSequentially('Sebentar, saya', { delay: 40 });
    await indicator.getByText(`${BUDI} is typing…`).waitFor({ timeout: 10_000 });
    await box.fill('');
    await box.press('Backspace');
    await budi.page.locator('.conversation-title').click(); // blur: the throttle says "stopped"
    await waitFor(async () => (await indicator.innerText()).trim() === '', { timeoutMs: 8000, what: 'the typing indicator to clear' });
  });

  it('turns ticks from delivered to read with who read it', async () => {
    // Budi looks at another conversation: Ayu's message reaches his browser but is not read.
    await openConversation(budi.page, CONSULTATION);
    const text = 'Apakah format sitasi APA sudah benar, Pak?';
    await send(ayu.page, text);
    const mine = ayu.page.locator('li.message.is-mine:not(.is-pending)', { has: ayu.page.locator('.message-body', { hasText: text }) });
    await mine.locator('.ticks-delivered').waitFor({ timeout: 10_000 });
    // Unread badge on Budi's list entry for Ayu.
    await budi.page.locator('.conversation-item.has-unread', { hasText: AYU }).waitFor({ timeout: 10_000 });
    // Budi opens it: read.
    await openConversation(budi.page, AYU);
    await bubbles(budi.page, text).waitFor();
    const ticks = mine.locator('.ticks-read');
    await ticks.waitFor({ timeout: 10_000 });
    const label = await ticks.getAttribute('aria-label');
    assert.match(label ?? '', /^Read\. Read by Dr\. Budi Santoso/, `tick label: ${label}`);
    await budi.page.locator('.conversation-item.has-unread', { hasText: AYU }).waitFor({ state: 'detached', timeout: 10_000 });
    // And the server agrees.
    const token = await server.token('student-ayu');
    const page = await server.api('GET', `/api/conversations/${direct.id}/messages?limit=5`, { token });
    const stored = page.messages.find((m) => m.content?.text === text);
    assert.equal(stored?.status, 'read');
  });

  it('shows reactions and edits live on the other side, and message text only as text', async () => {
    const text = 'Draf daftar pustaka sudah saya unggah kemarin.';
    await send(ayu.page, text);
    const onBudi = budi.page.locator('li.message.is-theirs', { has: budi.page.locator('.message-body', { hasText: text }) });
    await onBudi.waitFor({ timeout: 10_000 });
    await onBudi.locator('.bubble').hover();
    await onBudi.getByRole('button', { name: 'Add reaction' }).click();
    await onBudi.getByRole('button', { name: 'React with 👍' }).click();
    const onAyu = ayu.page.locator('li.message.is-mine:not(.is-pending)', { has: ayu.page.locator('.message-body', { hasText: text }) });
    await onAyu.locator('.reaction', { hasText: '👍' }).waitFor({ timeout: 10_000 });
    assert.match(await onAyu.locator('.reaction', { hasText: '👍' }).innerText(), /1/);

    await onAyu.locator('.bubble').hover();
    await onAyu.getByRole('button', { name: 'Edit' }).click();
    const box = ayu.page.getByRole('textbox', { name: 'Message' }).first();
    await box.fill('Draf daftar pustaka sudah saya unggah tadi pagi.');
    await box.press('Enter');
    const edited = budi.page.locator('li.message.is-theirs', { has: budi.page.locator('.message-body', { hasText: 'sudah saya unggah tadi pagi.' }) });
    await edited.locator('.edited-mark').waitFor({ timeout: 10_000 });
    assert.equal(await countMessages(budi.page, text), 0, 'the old text is gone');

    const html = '<img src=x onerror="window.__injected=1"><b>tebal</b>';
    await send(ayu.page, html);
    await bubbles(budi.page, html).waitFor({ timeout: 10_000 });
    assert.equal(await countMessages(budi.page, html), 1, 'the markup shows as its own text');
    assert.equal(await budi.page.locator('li.message .message-body img, li.message .message-body b').count(), 0, 'no element made from message text');
    assert.equal(await budi.page.evaluate(() => window.__injected), undefined);
  });

  it('answers in a thread and finds messages with the search box, highlighted', async () => {
    const root = 'Pertanyaan: berapa minimal jumlah referensi jurnal?';
    await send(ayu.page, root);
    const rootOnBudi = budi.page.locator('li.message.is-theirs', { has: budi.page.locator('.message-body', { hasText: root }) });
    await rootOnBudi.waitFor({ timeout: 10_000 });
    await rootOnBudi.locator('.bubble').hover();
    await rootOnBudi.getByRole('button', { name: 'Reply' }).click();
    await send(budi.page, 'Minimal 25 referensi, 80% dari jurnal lima tahun terakhir.');
    // Ayu: the reply quotes its target; "1 reply" opens the thread with root and reply.
    const reply = ayu.page.locator('li.message.is-theirs', { has: ayu.page.locator('.message-body', { hasText: 'Minimal 25 referensi' }) });
    await reply.locator('.reply-quote', { hasText: 'berapa minimal' }).waitFor({ timeout: 10_000 });
    const rootOnAyu = ayu.page.locator('li.message.is-mine:not(.is-pending)', { has: ayu.page.locator('.message-body', { hasText: root }) });
    await rootOnAyu.getByRole('button', { name: '1 reply' }).click();
    const thread = ayu.page.getByRole('complementary', { name: 'Thread' });
    await thread.locator('.message-body', { hasText: root }).waitFor();
    await thread.locator('.message-body', { hasText: 'Minimal 25 referensi' }).waitFor();
    await thread.getByRole('button', { name: 'Close' }).click();

    // Search across conversations: the server's highlight is shown with <mark>.
    const search = ayu.page.getByRole('searchbox', { name: 'Search messages in all conversations' });
    await search.fill('referensi');
    const results = ayu.page.getByRole('list', { name: 'Search results' });
    await results.locator('.search-result', { hasText: 'Minimal 25' }).waitFor({ timeout: 10_000 });
    const marks = await results.locator('mark').allInnerTexts();
    assert.ok(marks.length > 0 && marks.every((m) => m.toLowerCase().startsWith('referensi')), `highlights: ${JSON.stringify(marks)}`);
    await search.fill('');
    await ayu.page.locator('.conversation-item', { hasText: BUDI }).waitFor();
  });

  it('survives a server restart: messages sent meanwhile appear exactly once, queued ones are sent once', async () => {
    const port = server.port;
    const banner = ayu.page.locator('.connection-state');

    const result = await server.stop();
    assert.deepEqual(result, { code: 0, signal: null }, 'SIGTERM drains and exits 0');
    await banner.getByText(/Reconnecting/).waitFor({ timeout: 10_000 });
    await budi.page.locator('.connection-state').getByText(/Reconnecting/).waitFor({ timeout: 10_000 });
    // Down long enough for several failed attempts in a row (the client then also tries to renew
    // its token, which fails while the server is down and must not end the retrying).
    await budi.page.waitForTimeout(5000);
    await budi.page.locator('.connection-state').getByText(/Reconnecting/).waitFor({ timeout: 1000 });

    // Ayu's browser stays away until the messages below exist (navigator.onLine false: the
    // client waits for the `online` event instead of retrying); Budi's retries with backoff.
    await ayu.context.setOffline(true);
    await banner.getByText(/offline/).waitFor({ timeout: 10_000 });
    const queued = 'Pesan ini saya ketik waktu offline.';
    await send(ayu.page, queued);
    await ayu.page.locator('li.message.is-pending', { hasText: queued }).locator('.ticks-sending').waitFor();

    await server.start();
    assert.equal(server.port, port, 'restarted on the same port');
    const budiToken = await server.token('tutor-budi');
    const meanwhile = ['Catatan 1: perbaiki abstrak.', 'Catatan 2: tambah 3 referensi 2023.', 'Catatan 3: kirim ulang Jumat.'];
    const sent = [];
    for (const [i, text] of meanwhile.entries()) {
      const d = await server.api('POST', `/api/conversations/${direct.id}/messages`, {
        token: budiToken,
        body: { type: 'text', content: { text }, clientMessageId: `e2e-restart-${i}` },
      });
      sent.push(d.message);
    }
    // A retry of one of them (same clientMessageId) must not make a second copy.
    await server.api('POST', `/api/conversations/${direct.id}/messages`, {
      token: budiToken,
      body: { type: 'text', content: { text: meanwhile[0] }, clientMessageId: 'e2e-restart-0' },
    });

    await ayu.context.setOffline(false);
    await banner.locator('.connection-dot').waitFor({ state: 'detached', timeout: 15_000 });
    for (const text of meanwhile) await bubbles(ayu.page, text).waitFor({ timeout: 10_000 });
    await bubbles(budi.page, queued).waitFor({ timeout: 15_000 });
    await ayu.page.locator('li.message.is-pending').waitFor({ state: 'detached', timeout: 10_000 });

    // Let anything late (a duplicate event, a second sync) arrive before counting.
    await ayu.page.waitForTimeout(1500);
    for (const text of meanwhile) {
      assert.equal(await countMessages(ayu.page, text), 1, `Ayu sees "${text}" once`);
      assert.equal(await countMessages(budi.page, text), 1, `Budi sees "${text}" once`);
    }
    assert.equal(await countMessages(ayu.page, queued), 1, 'Ayu sees her queued message once');
    assert.equal(await countMessages(budi.page, queued), 1, 'Budi sees Ayu\'s queued message once');
    // In seq order after what came before.
    const order = await ayu.page.locator('li.message:not(.is-pending)').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    assert.deepEqual(order, [...order].sort((a, b) => a - b), 'messages are shown in seq order');

    const ayuToken = await server.token('student-ayu');
    const stored = await server.api('GET', `/api/conversations/${direct.id}/messages?limit=50`, { token: ayuToken });
    for (const text of [...meanwhile, queued]) {
      assert.equal(stored.messages.filter((m) => m.content?.text === text).length, 1, `the server stored "${text}" once`);
    }
    // Both sides still chat after the restart.
    await send(budi.page, 'Sudah tersambung lagi.');
    await bubbles(ayu.page, 'Sudah tersambung lagi.').waitFor({ timeout: 10_000 });
  });

  it('left no errors in the pages', () => {
    // A WebSocket refused while the server was down is logged by Chromium itself; anything else
    // (an exception, a failed parse) is a bug.
    // Known server gap (API.md has it, the server does not yet): GET /api/conversations/:id/sessions
    // answers 404; the consultation banner then shows no session. Remove once it exists.
    const ignore = /WebSocket connection to .* failed|Failed to load resource: net::ERR_(CONNECTION_REFUSED|INTERNET_DISCONNECTED)|status of 404 .*\/api\/conversations\/[0-9a-f]+\/sessions\)$/;
    for (const [who, p] of [['Ayu', ayu], ['Budi', budi]]) {
      const left = p.problems.filter((m) => !ignore.test(m));
      assert.deepEqual(left, [], `${who}'s page logged errors`);
    }
  });
});
