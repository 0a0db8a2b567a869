// The downloads panel (issue 15): a download streams with HTTP Range and, when the connection
// drops mid-body (a proxy in front of the server closes it after a set number of bytes), resumes
// from the last byte received with `Range` and `If-Range` instead of restarting, and the saved
// file has the uploaded bytes; another is cancelled from the panel. The finished ones are kept
// across a reload and shared by the tabs of one browser.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newPerson, openConversation, signIn } from './lib/browser.mjs';
import { CuttingProxy } from './lib/cuttingProxy.mjs';
import { ChatServer } from './lib/server.mjs';

const AYU_NAME = 'Ayu Lestari';
const BUDI = 'Dr. Budi Santoso';
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** About `size` bytes of a thesis draft as plain text, each line numbered so no two are alike. */
function draft(size) {
  const line = ' Bab 4 Hasil dan Pembahasan — wawancara dengan informan tentang pembelajaran daring.\n';
  const parts = [];
  let n = 0;
  for (let i = 0; n < size; i += 1) {
    const s = `${String(i).padStart(7, '0')}${line}`;
    parts.push(s);
    n += Buffer.byteLength(s);
  }
  return Buffer.from(parts.join(''), 'utf8');
}

describe('downloads: Range, resume after a drop, cancel', () => {
  let server;
  let browser;
  let ayu;
  let ayuToken;
  let direct;

  before(async () => {
    server = new ChatServer();
    await server.start();
    browser = await launchBrowser();
    ayuToken = await server.token('student-ayu');
    const list = await server.api('GET', '/api/conversations?type=direct', { token: ayuToken });
    direct = list.conversations.find((c) => c.participants.some((p) => p.userId === 'tutor-budi'));
    ayu = await newPerson(browser, server.origin);
    await signIn(ayu.page, AYU_NAME);
    await openConversation(ayu.page, BUDI);
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  async function upload(name, bytes) {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'text/plain' }), name);
    const res = await server.request('POST', `/api/conversations/${direct.id}/upload`, { token: ayuToken, body: form });
    assert.ok(res.status === 201 || res.status === 200, `upload answered ${res.status}`);
  }

  /** The file's Download button in Ayu's conversation, once the scan lets it out. */
  async function downloadButton(name, page = ayu.page) {
    const button = page.locator('li.message .file-attachment', { hasText: name }).getByRole('button', { name: `Download: ${name}` });
    await button.waitFor({ timeout: 30_000 });
    return button;
  }

  it('resumes a download cut mid-body from the last byte, with Range and If-Range, and the right bytes', async () => {
    const name = 'Bab4-Hasil.txt';
    const bytes = draft(2_400_000);
    await upload(name, bytes);
    // Ayu on another device, reaching the server through a proxy that cuts the first
    // download of a file after 1,000,000 bytes of its body: the connection drops there.
    const cutAt = 1_000_000;
    const proxy = new CuttingProxy(server.port, { cut: /^GET \/api\/files\/[^/ ]+\/download[ ?]/, bodyBytes: cutAt });
    await proxy.start();
    const cut = await newPerson(browser, proxy.origin);
    try {
      const { page } = cut;
      await signIn(page, AYU_NAME);
      await openConversation(page, BUDI);
      const button = await downloadButton(name, page);

      // Every request for the file's bytes, with its Range and If-Range headers.
      const requests = [];
      page.on('request', async (r) => {
        if (r.method() !== 'GET' || !/\/api\/files\/[^/]+\/download$/.test(new URL(r.url()).pathname)) return;
        const headers = await r.allHeaders();
        requests.push({ range: headers.range ?? null, ifRange: headers['if-range'] ?? null });
      });
      // Throttled (~2.4 MB at 400 KB/s), so the panel is open before the cut at ~40 %.
      const cdp = await cut.context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: 400 * 1024, uploadThroughput: -1 });

      const saved = page.waitForEvent('download', { timeout: 90_000 });
      await button.click();
      await page.getByRole('button', { name: /^Downloads/ }).click();
      const panel = page.getByRole('dialog', { name: 'Downloads' });
      const item = panel.locator('.download-item', { hasText: name });
      // Every text the item's state line shows (the "resuming" one lasts only the backoff).
      await item.locator('.download-state').evaluate((el) => {
        window.__downloadStates = [el.textContent];
        new MutationObserver(() => window.__downloadStates.push(el.textContent)).observe(el, { subtree: true, childList: true, characterData: true });
      });

      const download = await saved;
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      assert.equal(proxy.cutAt, cutAt, 'the proxy cut the first download');
      const got = readFileSync(await download.path());
      assert.equal(download.suggestedFilename(), name);
      assert.equal(got.length, bytes.length, 'downloaded size');
      assert.equal(sha256(got), sha256(bytes), 'downloaded bytes are the uploaded bytes');
      await item.locator('.download-state', { hasText: /^Done/ }).waitFor();
      const states = await page.evaluate(() => window.__downloadStates);
      assert.ok(
        states.some((s) => /^Connection lost at .*, resuming/.test(s ?? '')),
        `the panel said the connection was lost (${JSON.stringify(states.slice(-8))})`,
      );

      // One request for the whole file, then exactly one for the rest from the byte it stopped at.
      assert.equal(requests.length, 2, `two requests (${JSON.stringify(requests)})`);
      assert.deepEqual(requests[0], { range: null, ifRange: null }, 'the first request asks for the whole file');
      // From the last byte the page received: at most the cut, less when Chromium dropped what it
      // still buffered on the failed stream (seen: the last ~4 KB), never from the start.
      const from = Number(/^bytes=(\d+)-$/.exec(requests[1].range ?? '')?.[1]);
      assert.ok(from > cutAt - 256 * 1024 && from <= cutAt, `the second resumes near the cut at ${cutAt} (${JSON.stringify(requests)})`);
      assert.match(requests[1].ifRange ?? '', /^"[0-9a-f]{64}"$/, 'If-Range carries the ETag');

      // Saved again from the panel, without another request.
      const again = page.waitForEvent('download');
      await panel.getByRole('button', { name: `Save again: ${name}` }).click();
      assert.equal(sha256(readFileSync(await (await again).path())), sha256(bytes));
      assert.equal(requests.length, 2);
      await page.keyboard.press('Escape');
      assert.deepEqual(cut.problems.filter((p) => !/WebSocket|ERR_|Failed to load resource/.test(p)), []);
    } finally {
      await cut.context.close();
      await proxy.close();
    }
  });

  it('cancels a running download from the panel', async () => {
    const { page } = ayu;
    const name = 'Bab5-Penutup.txt';
    await upload(name, draft(2_000_000));
    const button = await downloadButton(name);
    const cdp = await ayu.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: 200 * 1024, uploadThroughput: -1 });
    let saved = false;
    page.on('download', (d) => {
      if (d.suggestedFilename() === name) saved = true;
    });
    await button.click();
    await page.getByRole('button', { name: /^Downloads: 1 in progress/ }).click();
    const panel = page.getByRole('dialog', { name: 'Downloads' });
    await panel.getByRole('button', { name: `Cancel download: ${name}` }).click();
    await panel.locator('.download-item', { hasText: name }).locator('.download-state', { hasText: 'Cancelled' }).waitFor();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    // The file's own button is free again and nothing was saved.
    await button.waitFor();
    assert.equal(await button.isEnabled(), true);
    await page.waitForTimeout(500);
    assert.equal(saved, false);
    await panel.getByRole('button', { name: 'Clear finished' }).click();
    await page.getByRole('button', { name: /^Downloads/ }).waitFor({ state: 'detached' });
  });

  it('keeps finished downloads across a reload (names, not bytes); clear finished and signing out empty it', async () => {
    const { page } = ayu;
    const name = 'Bab1-Pendahuluan.txt';
    const bytes = draft(50_000);
    await upload(name, bytes);
    const saved = page.waitForEvent('download');
    await (await downloadButton(name)).click();
    assert.equal(sha256(readFileSync(await (await saved).path())), sha256(bytes));
    const key = 'writeen-chat-downloads:student-ayu';
    const stored = async () => page.evaluate((k) => localStorage.getItem(k), key);
    await page.waitForFunction((k) => (localStorage.getItem(k) ?? '').includes('Bab1-Pendahuluan'), key);
    assert.doesNotMatch(await stored(), /Bab 4 Hasil/, 'the stored list holds no file content');

    // After a reload the panel lists it as done, offering to download it again (the bytes are gone).
    await page.reload();
    await page.locator('.conversation-item').first().waitFor();
    await page.getByRole('button', { name: /^Downloads/ }).click();
    const panel = page.getByRole('dialog', { name: 'Downloads' });
    const item = panel.locator('.download-item', { hasText: name });
    await item.locator('.download-state', { hasText: /^Done/ }).waitFor();
    assert.equal(await panel.getByRole('button', { name: `Save again: ${name}` }).count(), 0);
    const again = page.waitForEvent('download');
    await panel.getByRole('button', { name: `Download again: ${name}` }).click();
    assert.equal(sha256(readFileSync(await (await again).path())), sha256(bytes));

    // Clear finished empties the stored list too (what stays is when it was cleared, for the
    // other tabs): nothing comes back after a reload.
    await panel.getByRole('button', { name: 'Clear finished' }).click();
    assert.deepEqual(JSON.parse(await stored()).entries, []);
    assert.doesNotMatch(await stored(), /Bab1-Pendahuluan/);
    await page.reload();
    await page.locator('.conversation-item').first().waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.getByRole('button', { name: /^Downloads/ }).count(), 0);

    // Signing out forgets the list of whoever signed out.
    await openConversation(page, BUDI);
    const third = page.waitForEvent('download');
    await (await downloadButton(name)).click();
    await third;
    await page.waitForFunction((k) => localStorage.getItem(k) !== null, key);
    await page.locator('.user-menu-button').click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: new RegExp(AYU_NAME) }).waitFor();
    assert.equal(await stored(), null);
    assert.equal(await page.getByRole('button', { name: /^Downloads/ }).count(), 0);
  });

  it('shares the list between two tabs: each lists the other’s downloads at once, and clear finished clears both', async () => {
    const { context, page: one } = ayu;
    // The previous test signed out; each tab signs in on its own (the dev sign-in is per tab).
    await signIn(one, AYU_NAME);
    await openConversation(one, BUDI);
    const two = await context.newPage();
    try {
      await signIn(two, AYU_NAME);
      await openConversation(two, BUDI);
      await upload('Tab-Satu.txt', draft(20_000));
      await upload('Tab-Dua.txt', draft(20_000));
      const names = (panel) => panel.locator('.download-item .download-name').allInnerTexts();

      // Tab one downloads; tab two lists it without a reload.
      const first = one.waitForEvent('download');
      await (await downloadButton('Tab-Satu.txt', one)).click();
      await first;
      await two.getByRole('button', { name: /^Downloads/ }).click();
      const panelTwo = two.getByRole('dialog', { name: 'Downloads' });
      await panelTwo.locator('.download-item', { hasText: 'Tab-Satu.txt' }).waitFor();
      // Another tab's download holds no bytes here: it offers to fetch it again.
      await panelTwo.getByRole('button', { name: 'Download again: Tab-Satu.txt' }).waitFor();
      await two.keyboard.press('Escape');

      // Tab two downloads too: its write keeps tab one's entry, and tab one lists both.
      const second = two.waitForEvent('download');
      await (await downloadButton('Tab-Dua.txt', two)).click();
      await second;
      await one.getByRole('button', { name: /^Downloads/ }).click();
      const panelOne = one.getByRole('dialog', { name: 'Downloads' });
      await panelOne.locator('.download-item', { hasText: 'Tab-Dua.txt' }).waitFor();
      assert.deepEqual(await names(panelOne), ['Tab-Dua.txt', 'Tab-Satu.txt'], 'newest first in tab one');
      await two.getByRole('button', { name: /^Downloads/ }).click();
      await panelTwo.locator('.download-item', { hasText: 'Tab-Dua.txt' }).waitFor();
      assert.deepEqual(await names(panelTwo), ['Tab-Dua.txt', 'Tab-Satu.txt'], 'the same order in tab two');
      await two.keyboard.press('Escape');
      const stored = JSON.parse(await one.evaluate(() => localStorage.getItem('writeen-chat-downloads:student-ayu')));
      assert.deepEqual(stored.entries.map((e) => e.fileName), ['Tab-Dua.txt', 'Tab-Satu.txt'], 'both in the stored list');

      // Clear finished in tab one clears tab two's panel too, and a reload brings nothing back.
      await panelOne.getByRole('button', { name: 'Clear finished' }).click();
      await two.getByRole('button', { name: /^Downloads/ }).waitFor({ state: 'detached' });
      await two.reload();
      await two.locator('.conversation-item').first().waitFor();
      await two.waitForTimeout(300);
      assert.equal(await two.getByRole('button', { name: /^Downloads/ }).count(), 0);
    } finally {
      await two.close();
    }
  });

  it('with the downloads button shown, the list title is whole and every header button in the pane, at 1280 px and on a phone', async () => {
    const { page } = ayu;
    await upload('Catatan-Header.txt', draft(5_000));
    const saved = page.waitForEvent('download');
    await (await downloadButton('Catatan-Header.txt')).click();
    await saved;
    await page.getByRole('button', { name: /^Downloads/ }).waitFor();
    const header = async (what) => {
      const m = await page.locator('.conversation-list .pane-header').evaluate((h) => {
        const title = h.querySelector('.pane-title');
        const pane = h.closest('.conversation-list').getBoundingClientRect();
        const outside = [...h.querySelectorAll('button')]
          .filter((b) => { const r = b.getBoundingClientRect(); return r.left < pane.left || r.right > pane.right; })
          .map((b) => b.getAttribute('aria-label') || b.textContent);
        return { text: title.textContent, cut: title.scrollWidth > title.clientWidth, outside, buttons: h.querySelectorAll('button').length };
      });
      assert.equal(m.text, 'Conversations');
      assert.equal(m.cut, false, `${what}: the list title is not cut off`);
      assert.deepEqual(m.outside, [], `${what}: no header button outside the pane`);
      assert.ok(m.buttons >= 4, `${what}: new, downloads, bell and user menu are there (${m.buttons})`);
    };
    try {
      await header('1280 px');
      await page.setViewportSize({ width: 390, height: 844 });
      // On a phone the open conversation hides the list: back to it.
      await page.getByRole('button', { name: 'Back to conversations' }).click();
      await page.locator('.conversation-list .pane-title').waitFor();
      await header('390 px');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
