// Ayu uploads a file through the composer (the progress bar shows while it goes, the upload
// throttled so there is something to see) and Budi downloads it on the other side, byte for byte.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newPerson, openConversation, signIn } from './lib/browser.mjs';
import { ChatServer, waitFor } from './lib/server.mjs';

const AYU = 'Ayu Lestari';
const BUDI = 'Dr. Budi Santoso';

/** About 1.5 MB of plain text: a thesis chapter draft. */
function chapterText() {
  const line = 'Bab 2 Tinjauan Pustaka — penelitian terdahulu tentang pembelajaran daring di perguruan tinggi.\n';
  let out = '';
  let i = 0;
  while (out.length < 1_500_000) out += `${String(++i).padStart(6, '0')} ${line}`;
  return Buffer.from(out, 'utf8');
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

describe('files: upload with progress, download on the other side', () => {
  let server;
  let browser;
  let ayu;
  let budi;

  before(async () => {
    server = new ChatServer();
    await server.start();
    browser = await launchBrowser();
    ayu = await newPerson(browser, server.origin);
    budi = await newPerson(browser, server.origin);
    await signIn(ayu.page, AYU);
    await signIn(budi.page, BUDI);
    await openConversation(ayu.page, BUDI);
    await openConversation(budi.page, AYU);
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('uploads a file with a progress bar and the tutor downloads the same bytes', async () => {
    const name = 'Bab2-Tinjauan-Pustaka.txt';
    const bytes = chapterText();

    // ~1.5 MB at 400 KB/s: the upload takes a few seconds, long enough to watch the bar move.
    const cdp = await ayu.context.newCDPSession(ayu.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 400 * 1024 });
    // Record every value the progress bar shows.
    await ayu.page.evaluate(() => {
      const w = window;
      w.__progressSeen = [];
      w.__progressTimer = setInterval(() => {
        const p = document.querySelector('.upload-list progress');
        if (p) w.__progressSeen.push(Number(p.value));
      }, 50);
    });

    const answer = ayu.page.waitForResponse((r) => r.url().includes('/upload') && r.request().method() === 'POST', { timeout: 60_000 });
    await ayu.page.locator('.composer input[type=file]').setInputFiles({ name, mimeType: 'text/plain', buffer: bytes });
    await ayu.page.getByRole('progressbar', { name: `Uploading ${name}` }).waitFor({ timeout: 10_000 });
    const res = await answer;
    const status = res.status();
    let body = '';
    try {
      body = await res.text();
    } catch {
      body = '';
    }
    if (status !== 201 && status !== 200) {
      // Tell a missing endpoint from a refused file: a tiny upload over REST.
      const token = await server.token('student-ayu');
      const cid = new URL(res.url()).pathname.split('/')[3];
      const form = new FormData();
      form.append('file', new Blob(['probe\n'], { type: 'text/plain' }), 'probe.txt');
      const probe = await server.request('POST', `/api/conversations/${cid}/upload`, { token, body: form });
      const missing = probe.status === 404 ? ' — a 6-byte upload answers 404 too: the upload endpoint is not there' : ` (a 6-byte upload answers ${probe.status})`;
      assert.fail(`POST /api/conversations/:id/upload answered ${status}: ${body.slice(0, 300)}${missing}`);
    }
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    const seen = await ayu.page.evaluate(() => {
      clearInterval(window.__progressTimer);
      return window.__progressSeen;
    });
    assert.ok(seen.some((v) => v > 0 && v < 100), `the progress bar moved between 0 and 100 (saw ${JSON.stringify(seen.slice(0, 20))}…)`);
    await ayu.page.locator('.upload-list progress').waitFor({ state: 'detached', timeout: 10_000 });

    // The message on both sides: name, size, scan status.
    const mine = ayu.page.locator('li.message.is-mine .file-attachment', { hasText: name });
    await mine.waitFor({ timeout: 10_000 });
    const theirs = budi.page.locator('li.message.is-theirs .file-attachment', { hasText: name });
    await theirs.waitFor({ timeout: 10_000 });
    assert.match(await theirs.locator('.file-sub').innerText(), /MB/);

    // Budi downloads it (the button shows once the scan lets the file out).
    const button = theirs.getByRole('button', { name: `Download: ${name}` });
    await button.waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([budi.page.waitForEvent('download', { timeout: 30_000 }), button.click()]);
    assert.equal(download.suggestedFilename(), name);
    const path = await download.path();
    const got = readFileSync(path);
    assert.equal(got.length, bytes.length, 'downloaded size');
    assert.equal(sha256(got), sha256(bytes), 'downloaded bytes are the uploaded bytes');

    // The server's own record agrees.
    const token = await server.token('tutor-budi');
    const msgs = await waitFor(async () => {
      const list = await server.api('GET', '/api/conversations?type=direct', { token });
      const conv = list.conversations.find((c) => c.participants.some((p) => p.userId === 'student-ayu'));
      const page = await server.api('GET', `/api/conversations/${conv.id}/messages?limit=5`, { token });
      return page.messages.filter((m) => m.content?.fileInfo?.fileName === name);
    }, { what: 'the file message over REST' });
    assert.equal(msgs.length, 1, 'one file message stored');
    assert.equal(msgs[0].content.fileInfo.fileHash, sha256(bytes));
  });
});
