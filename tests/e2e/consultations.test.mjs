// A consultation's whole lifecycle in two browser contexts, the tutor (Budi) playing the
// consultation service with the dev-mode buttons: confirm → scheduled on both banners; start →
// live with a running timer; messages; end → ended and a rating prompt on both (a 422 shown in
// words, then ratings sent); the sessions panel shows the server's summary; the transcript is
// downloaded, found valid in the browser, and the same file passes `writeen-chat verify-transcript`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bubbles, launchBrowser, newPerson, openConversation, send, signIn } from './lib/browser.mjs';
import { ChatServer, binaryPath, waitFor } from './lib/server.mjs';

const AYU = 'Ayu Lestari';
const BUDI = 'Dr. Budi Santoso';
const CONSULTATION = 'Konsultasi Skripsi';

describe('a consultation from confirmation to a verified transcript', () => {
  let server;
  let browser;
  let ayu;
  let budi;
  let roomId; // the room the service's confirmation made
  let sessionId;
  const files = mkdtempSync(join(tmpdir(), 'writeen-e2e-transcript-'));

  const banner = (p) => p.page.getByRole('region', { name: 'Consultation room' });
  const openRoom = async (p) => {
    await p.page.locator(`.conversation-item[data-conversation-id="${roomId}"]`).click();
    await p.page.locator(`.conversation-item[aria-current="true"][data-conversation-id="${roomId}"]`).waitFor();
    await banner(p).waitFor();
  };

  before(async () => {
    server = new ChatServer();
    await server.start();
    browser = await launchBrowser();
    ayu = await newPerson(browser, server.origin);
    budi = await newPerson(browser, server.origin);
    await signIn(ayu.page, AYU);
    await signIn(budi.page, BUDI);
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
    rmSync(files, { recursive: true, force: true });
  });

  it('confirms the consultation from the demo service buttons: both banners say scheduled, with the time', async () => {
    await openConversation(budi.page, CONSULTATION);
    const seeded = await budi.page.locator('.conversation-item[aria-current="true"]').getAttribute('data-conversation-id');
    assert.equal(await ayu.page.getByText('Demo consultation service').count(), 0, 'the student has no service buttons');
    await budi.page.getByText('Demo consultation service (development mode)').click();
    await budi.page.getByRole('button', { name: 'Confirm (in 15 min)' }).click();
    // The seeded room has no consultation record: the service makes the consultation's room.
    roomId = await waitFor(async () => {
      const id = await budi.page.locator('.conversation-item[aria-current="true"]').getAttribute('data-conversation-id');
      return id && id !== seeded ? id : null;
    }, { what: 'the confirmed room to open' });
    await banner(budi).locator('.phase-scheduled', { hasText: /^Scheduled for / }).waitFor();
    await openRoom(ayu);
    const line = banner(ayu).locator('.phase-scheduled');
    await line.waitFor();
    assert.match(await line.innerText(), /^Scheduled for .*\d/, 'the scheduled time is shown');
    assert.equal(await banner(ayu).locator('[role="timer"]').count(), 0);
  });

  it('starts the session: live with a running timer on both sides, driven by the pushed events', async () => {
    const details = budi.page.locator('details.demo-service');
    if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
    await budi.page.getByRole('button', { name: 'Start session' }).click();
    for (const p of [ayu, budi]) await banner(p).locator('.phase-live').waitFor({ timeout: 10_000 });
    const timer = banner(ayu).getByRole('timer', { name: 'Session time' });
    const first = await timer.innerText();
    assert.match(first, /^\d\d:\d\d$/);
    await waitFor(async () => (await timer.innerText()) !== first, { timeoutMs: 5000, what: 'the timer to tick' });
    await ayu.page.locator('.system-message', { hasText: 'The consultation has started' }).waitFor();
  });

  it('carries messages both ways during the session', async () => {
    const question = 'Pak, apakah purposive sampling cocok? Sampling purposive dipakai di bab tiga.';
    const answer = 'Purposive sampling cocok.\nTolong revisi bab tiga sebelum Jumat.';
    await send(ayu.page, question);
    await bubbles(budi.page, 'Pak, apakah purposive sampling cocok?').waitFor({ timeout: 10_000 });
    await send(budi.page, answer);
    await bubbles(ayu.page, 'Tolong revisi bab tiga').waitFor({ timeout: 10_000 });
  });

  it('ends the session: ended on both banners and a rating prompt on both; a 422 is said in words', async () => {
    await budi.page.getByLabel('Session notes').fill('Lanjut ke bab 4');
    await budi.page.getByLabel('Action items (one per line)').fill('Kirim draf bab 4 Jumat');
    await budi.page.getByRole('button', { name: 'End session' }).click();
    for (const p of [ayu, budi]) {
      await banner(p).locator('.phase-ended', { hasText: /^Session ended / }).waitFor({ timeout: 10_000 });
      await banner(p).getByRole('form', { name: 'How was this session?' }).waitFor();
    }
    const sessions = await server.api('GET', `/api/conversations/${roomId}/sessions`, { token: await server.token('student-ayu') });
    sessionId = sessions.sessions[0].id;
    assert.ok(sessions.sessions[0].endTime, 'the server closed the session');

    // Budi rates 4.
    await banner(budi).getByRole('radio', { name: '4 of 5' }).click();
    await banner(budi).getByRole('button', { name: 'Send rating' }).click();
    await banner(budi).getByRole('status').getByText('Thank you for your rating.').waitFor();

    // Ayu's comment is over the server's 2,000 characters: the 422 comes back in words.
    const prompt = banner(ayu).getByRole('form', { name: 'How was this session?' });
    await prompt.getByRole('radio', { name: '5 of 5' }).click();
    await prompt.getByLabel('Comment (optional)').fill('x'.repeat(2001));
    await prompt.getByRole('button', { name: 'Send rating' }).click();
    await prompt.getByRole('alert').getByText(/The rating was refused: it must be 1 to 5 and the comment at most 2,000 characters/).waitFor();
    await prompt.getByLabel('Comment (optional)').fill('Penjelasannya jelas, terima kasih Pak.');
    await prompt.getByRole('button', { name: 'Send rating' }).click();
    await banner(ayu).getByText('Thank you for your rating.').waitFor();
  });

  it('lists the session with its summary in the sessions panel, action items as a checklist', async () => {
    const token = await server.token('student-ayu');
    const stored = (await server.api('GET', `/api/conversations/${roomId}/sessions`, { token })).sessions[0];
    assert.equal(stored.analytics.satisfaction, 4.5, 'both ratings reached the server');

    await banner(ayu).getByRole('button', { name: 'Sessions (1)' }).click();
    const panel = ayu.page.getByRole('complementary', { name: 'Sessions' });
    const card = panel.locator('.session-card');
    await card.waitFor();
    const stat = async (label) => (await card.locator('.session-stat', { has: ayu.page.locator('dt').getByText(label, { exact: true }) }).locator('dd').innerText()).trim();
    await waitFor(async () => (await stat('Rating')) === '4.5 / 5', { what: 'the rating in the panel' });
    assert.equal(await stat('Duration'), `${stored.duration} min`);
    assert.equal(await stat('Messages'), String(stored.summary.totalMessages));
    assert.equal(stored.summary.totalMessages, 2);
    assert.equal(await stat('Average response time'), stored.analytics.responseTime === null ? '—' : `${stored.analytics.responseTime} s`);
    assert.deepEqual(await card.locator('.session-people li').allInnerTexts(), stored.participants.map((p) => `${p.userId === 'student-ayu' ? AYU : BUDI}: ${p.messageCount}`));
    assert.deepEqual(await card.locator('.topic-chip').allInnerTexts(), stored.summary.keyTopics);
    const items = await card.locator('.session-actions li').allInnerTexts();
    assert.deepEqual(items.map((s) => s.trim()), stored.summary.actionItems);
    assert.ok(items.some((s) => s.includes('Kirim draf bab 4 Jumat')) && items.some((s) => s.includes('Tolong revisi bab tiga')), `action items: ${items}`);
    assert.equal((await card.locator('.session-notes').innerText()).trim(), 'Lanjut ke bab 4');

    const box = card.getByRole('checkbox', { name: 'Kirim draf bab 4 Jumat' });
    await box.check();
    await card.getByText('Ticks are kept on this device only.').waitFor();
    // Reopening the panel keeps the tick (this device's storage).
    await panel.getByRole('button', { name: 'Close' }).click();
    await banner(ayu).getByRole('button', { name: 'Sessions (1)' }).click();
    assert.equal(await ayu.page.getByRole('complementary', { name: 'Sessions' }).getByRole('checkbox', { name: 'Kirim draf bab 4 Jumat' }).isChecked(), true);
  });

  it('downloads the transcript and shows it valid; the same file passes verify-transcript', async () => {
    const card = ayu.page.getByRole('complementary', { name: 'Sessions' }).locator('.session-card');
    const [download] = await Promise.all([ayu.page.waitForEvent('download'), card.getByRole('button', { name: 'Download transcript' }).click()]);
    assert.equal(download.suggestedFilename(), `transcript-${sessionId}.json`);
    await card.locator('.transcript-result.is-valid', { hasText: /^Valid: 4 messages, hash chain and signature checked \(key ed25519-[0-9a-f]{16}\)\.$/ }).waitFor({ timeout: 10_000 });

    const file = join(files, 'transcript.json');
    await download.saveAs(file);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(saved.transcript.session.id, sessionId);
    const keys = (await server.api('GET', '/api/transcripts/keys', { token: await server.token('student-ayu') })).keys;
    const pem = join(files, 'key.pem');
    writeFileSync(pem, keys.find((k) => k.keyId === saved.signature.keyId).publicKey);
    const out = execFileSync(binaryPath(), ['verify-transcript', file, '--public-key', pem], { encoding: 'utf8', timeout: 10_000 });
    assert.match(out, /valid/);
  });

  it('raised no page errors or console errors on either side', async () => {
    // The browser logs every failed request; the one 422 of the rating above is expected.
    const expected = (m) => /status of 422 .*\/api\/sessions\/[0-9a-f]+\/rating/.test(m);
    assert.equal(ayu.problems.filter(expected).length, 1, 'the refused rating');
    for (const p of [ayu, budi]) {
      const rest = p.problems.filter((m) => !expected(m));
      assert.deepEqual(rest, [], `page errors: ${rest.join('\n')}`);
    }
  });
});
