// The web client as the phone app: installable (Chromium's own check over the DevTools
// protocol), with its manifest, icon and theme colour. A persistent profile, because Chromium
// never offers to install from an incognito context, which every newContext() is.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumFlags, chromiumPath } from './lib/browser.mjs';
import { ChatServer, waitFor } from './lib/server.mjs';

describe('installable web app', () => {
  let server;
  let context;
  let dir;

  before(async () => {
    server = new ChatServer();
    await server.start();
    dir = mkdtempSync(join(tmpdir(), 'writeen-e2e-pwa-'));
    context = await chromium.launchPersistentContext(dir, { executablePath: chromiumPath, headless: true, args: chromiumFlags, baseURL: server.origin, timeout: 30_000 });
  });

  after(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await server?.dispose();
  });

  it('has a manifest with name, icon and theme colour, and Chromium finds no installability error', async () => {
    const page = await context.newPage();
    await page.goto('/');
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    assert.deepEqual(manifest.errors, []);
    const data = JSON.parse(manifest.data);
    assert.equal(data.name, 'Writeen Chat');
    assert.equal(data.display, 'standalone');
    assert.equal(data.theme_color, await page.locator('meta[name="theme-color"]').getAttribute('content'));
    const icon = await page.request.get(data.icons[0].src);
    assert.equal(icon.status(), 200);
    assert.match(icon.headers()['content-type'], /^image\/svg\+xml/);
    // The check runs once the page and its manifest are settled.
    const errors = await waitFor(async () => {
      const r = await cdp.send('Page.getInstallabilityErrors');
      return r.installabilityErrors.length === 0 ? r.installabilityErrors : null;
    }, { what: 'no installability errors', timeoutMs: 10_000 }).catch(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors);
    assert.deepEqual(errors, []);
  });
});
