// Screenshots of the main screens for the README, taken from the real binary in Debian's
// Chromium: node screenshots.mjs [output dir]   (default: docs/screenshots/ of the repository)
// Needs a built server (WRITEEN_BINARY, default build/writeen-chat) and web client (web/dist).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launchBrowser, newPerson, openConversation, signIn } from './lib/browser.mjs';
import { samplePng } from './lib/samples.mjs';
import { ChatServer, repoRoot, waitFor } from './lib/server.mjs';

const outDir = resolve(process.argv[2] ?? join(repoRoot, 'docs', 'screenshots'));
mkdirSync(outDir, { recursive: true });

const AYU = 'Ayu Lestari';
const BUDI = 'Dr. Budi Santoso';
const CONSULTATION = 'Konsultasi Skripsi';

let step = 'start';

async function main() {
  const server = new ChatServer();
  let browser;
  try {
    await server.start();
    browser = await launchBrowser();
    const shot = async (page, name) => {
      step = `screenshot ${name}`;
      const path = join(outDir, name);
      await page.mouse.move(1, 1); // no hover effects or action toolbars from the last click
      await page.waitForTimeout(300); // let transitions settle
      await page.screenshot({ path });
      console.log(`wrote ${path}`);
    };

    // The sign-in picker.
    const visitor = await newPerson(browser, server.origin);
    await visitor.page.goto('/');
    await visitor.page.getByRole('button', { name: new RegExp(BUDI) }).waitFor();
    await shot(visitor.page, 'sign-in.png');
    await visitor.context.close();

    step = 'seeding messages';
    // A conversation to show: a few messages over REST, a reply, a reaction, an edit.
    const ayuToken = await server.token('student-ayu');
    const budiToken = await server.token('tutor-budi');
    const convs = (await server.api('GET', '/api/conversations', { token: ayuToken })).conversations;
    const direct = convs.find((c) => c.type === 'direct');
    const room = convs.find((c) => c.type === 'consultation');
    const post = async (token, cid, text, extra = {}) =>
      (await server.api('POST', `/api/conversations/${cid}/messages`, { token, body: { type: 'text', content: { text }, ...extra } })).message;

    const m1 = await post(ayuToken, direct.id, 'Selamat pagi Pak Budi 🙏 Draf Bab 2 sudah saya revisi sesuai catatan minggu lalu.');
    const m2 = await post(budiToken, direct.id, 'Pagi Ayu. Terima kasih, saya baca sore ini. Apakah bagian kerangka teori sudah ditambah?');
    await post(ayuToken, direct.id, 'Sudah, Pak. Saya tambahkan teori TAM (Davis, 1989) dan UTAUT. Referensinya: https://doi.org/10.2307/249008', { replyTo: m2.id });
    await server.api('POST', `/api/messages/${m1.id}/reactions`, { token: budiToken, body: { emoji: '👍' } });
    const m4 = await post(budiToken, direct.id, 'Bagus. Tolong cek lagi format sitasi APA edisi 7 di daftar pustaka.');
    await server.api('POST', `/api/messages/${m4.id}/reactions`, { token: ayuToken, body: { emoji: '🙏' } });
    await server.api('PATCH', `/api/messages/${m4.id}`, { token: budiToken, body: { content: { text: 'Bagus. Tolong cek lagi format sitasi APA edisi ke-7 di daftar pustaka.' } } });
    // A picture, when the server takes uploads.
    const form = new FormData();
    form.append('file', new Blob([await samplePng()], { type: 'image/png' }), 'diagram-kerangka-teori.png');
    const up = await server.request('POST', `/api/conversations/${direct.id}/upload`, { token: ayuToken, body: form });
    if (up.status !== 201 && up.status !== 200) console.log(`(no file in the screenshots: upload answered ${up.status})`);

    // The consultation room.
    await post(budiToken, room.id, 'Selamat datang di sesi konsultasi. Hari ini kita bahas Bab 2: Tinjauan Pustaka.');
    await post(ayuToken, room.id, 'Baik, Pak. Saya sudah siapkan pertanyaan tentang penelitian terdahulu.');
    await post(budiToken, room.id, 'Silakan mulai dengan pertanyaan pertama.');

    const ayu = await newPerson(browser, server.origin, { width: 1280, height: 800 });
    const budi = await newPerson(browser, server.origin, { width: 1280, height: 800 });
    await signIn(ayu.page, AYU);
    await signIn(budi.page, BUDI);
    await ayu.page.locator('.conversation-item.has-unread').first().waitFor();
    await shot(ayu.page, 'conversation-list.png');

    step = 'read ticks and typing';
    // Ayu sends; Budi reads (ticks turn read) and starts typing.
    await openConversation(ayu.page, BUDI);
    const box = ayu.page.getByRole('textbox', { name: 'Message' });
    await box.fill('Baik, Pak. Saya perbaiki malam ini dan kirim ulang besok pagi.');
    await box.press('Enter');
    await openConversation(budi.page, AYU);
    await ayu.page.locator('li.message.is-mine .ticks-read').last().waitFor({ timeout: 10_000 });
    const budiBox = budi.page.getByRole('textbox', { name: 'Message' });
    await budiBox.click();
    await budiBox.pressSequentially('Oke, saya tunggu', { delay: 30 });
    await ayu.page.locator('.typing-indicator').getByText('is typing').waitFor({ timeout: 10_000 });
    await shot(ayu.page, 'conversation.png');
    await budiBox.fill('');
    await budi.page.locator('.conversation-title').click();

    // The consultation room, as the tutor sees it.
    await openConversation(budi.page, CONSULTATION);
    await budi.page.locator('li.message').last().waitFor();
    await shot(budi.page, 'consultation-room.png');

    step = 'consultation session';
    // A consultation the service confirmed, with one session ended (summary, a rating) and a
    // second one live: the banner's timer and the sessions panel, as the student sees them.
    const service = await server.token('writeen-consultation');
    const start = new Date(Date.now() - 5 * 60_000);
    const konsul = (await server.api('PUT', '/api/consultations/K-2024-0042/chat', {
      token: service,
      body: {
        title: 'Bimbingan Bab 3: Metodologi', tutorId: 'tutor-budi', studentIds: ['student-ayu'],
        scheduledStart: start.toISOString(), scheduledEnd: new Date(start.getTime() + 3_600_000).toISOString(),
      },
    })).conversation;
    await server.api('POST', '/api/consultations/K-2024-0042/start', { token: service });
    await post(ayuToken, konsul.id, 'Pak, untuk metodologi saya memakai purposive sampling. Apakah purposive sampling sudah tepat?');
    await post(budiToken, konsul.id, 'Purposive sampling tepat untuk penelitian kualitatif ini. Kriteria informan perlu ditulis jelas.');
    await post(ayuToken, konsul.id, 'Baik Pak, kriteria informan akan saya tambahkan.');
    await post(budiToken, konsul.id, 'Tolong revisi bagian kriteria informan sebelum Jumat.');
    const first = (await server.api('POST', '/api/consultations/K-2024-0042/end', {
      token: service, body: { sessionNotes: 'Lanjut ke instrumen wawancara.', actionItems: ['Kirim draf Bab 3 revisi'] },
    })).session;
    await server.api('POST', `/api/sessions/${first.id}/rating`, { token: ayuToken, body: { rating: 5, comment: 'Jelas' } });
    await server.api('POST', '/api/consultations/K-2024-0042/start', { token: service });
    await ayu.page.locator(`.conversation-item[data-conversation-id="${konsul.id}"]`).click();
    await ayu.page.locator('.consultation-banner [role="timer"]').waitFor();
    await ayu.page.getByRole('button', { name: /^Sessions \(2\)$/ }).click();
    await ayu.page.locator('.session-card .topic-chip, .session-card .session-actions').first().waitFor();
    await shot(ayu.page, 'consultation-session.png');

    step = 'phone';
    // A phone, 375 px wide: the list, the conversation, a message's actions, and offline.
    const phone = await newPerson(browser, server.origin, { width: 375, height: 740, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await signIn(phone.page, AYU);
    await shot(phone.page, 'mobile-list.png');
    await openConversation(phone.page, BUDI);
    await waitFor(() => phone.page.locator('li.message').count(), { what: 'messages on the phone' });
    await shot(phone.page, 'mobile-conversation.png');

    step = 'phone: message actions';
    // A tap on a bubble opens its actions (a touch screen has no hover).
    await phone.page.locator('li.message.is-theirs .message-body').last().tap();
    await phone.page.locator('.bubble.is-acting').waitFor();
    step = 'screenshot mobile-actions.png';
    await phone.page.waitForTimeout(300);
    await phone.page.screenshot({ path: join(outDir, 'mobile-actions.png') });
    console.log(`wrote ${join(outDir, 'mobile-actions.png')}`);
    await phone.page.locator('.conversation-header .conversation-title').tap();

    step = 'phone offline';
    // Offline: the service worker's app shell and the device's copy of the last conversations.
    await waitFor(() => phone.page.evaluate(() => !!navigator.serviceWorker?.controller), { what: 'the service worker controls the phone', timeoutMs: 20_000 });
    await waitFor(() => phone.page.evaluate(() => localStorage.getItem('writeen-chat-offline') !== null), { what: 'the offline snapshot' });
    await server.stop();
    await phone.context.setOffline(true);
    await phone.page.reload();
    await phone.page.locator('.offline-notice').waitFor();
    await phone.page.locator('li.message').last().waitFor();
    await shot(phone.page, 'mobile-offline.png');
  } finally {
    await browser?.close();
    await server.dispose();
  }
}

main().catch((e) => {
  console.error(`screenshots failed after: ${step}`);
  console.error(e);
  process.exitCode = 1;
});
