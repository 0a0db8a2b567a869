// Debian's Chromium, headless, driven by playwright-core (no browser download), and the steps a
// person takes in the web client: pick a demo user, open a conversation, type, send.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// The flags of the machine notes: without the background-networking ones Chromium keeps trying
// to reach Google's hosts, which this closed network refuses.
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A browser with a fresh, empty profile. Playwright's `launch` creates its own temporary
 * --user-data-dir for every launch (and refuses one in `args`); ours is for downloads and
 * anything else the browser writes, removed on close.
 */
export async function launchBrowser() {
  const dir = mkdtempSync(join(tmpdir(), 'writeen-e2e-chromium-'));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
    downloadsPath: dir,
    timeout: 30_000,
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try {
      await close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return browser;
}

const notificationPaths = /\/api\/(notifications(\?|$)|conversations\/[^/]+\/notifications$)/;

/** True when the server has no Notifications API (its VAPID key route answers 404). */
async function serverLacksNotifications(origin) {
  try {
    const res = await fetch(`${origin}/api/notifications/vapid-key`, { signal: AbortSignal.timeout(5000) });
    return res.status === 404;
  } catch {
    return false;
  }
}

/** A new browser context (its own cookies, storage and sockets): one person on one device. */
export async function newPerson(browser, origin, { width = 1280, height = 800, locale = 'en-US', ...rest } = {}) {
  const context = await browser.newContext({
    baseURL: origin,
    viewport: { width, height },
    locale,
    acceptDownloads: true,
    ...rest,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  const absent = await serverLacksNotifications(origin);
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url ?? '';
    // The client asks for its notifications and mute settings; a server built without the
    // Notifications API answers 404, which the client takes as "no bell, no mute button".
    if (absent && /status of 404/.test(m.text()) && notificationPaths.test(url)) return;
    problems.push(`console: ${m.text()} (${url})`);
  });
  return { context, page, problems };
}

/** Opens the client and signs in as a demo user through the dev picker. */
export async function signIn(page, userName) {
  await page.goto('/');
  await page.getByRole('button', { name: new RegExp(userName) }).click();
  await page.locator('.conversation-item').first().waitFor();
}

/** Opens the conversation whose list entry contains `name`. */
export async function openConversation(page, name) {
  await page.locator('.conversation-item', { hasText: name }).first().click();
  await page.locator('.conversation-header .conversation-title', { hasText: name }).waitFor();
  // Attached, not visible: on a phone the list is hidden while a conversation is open.
  await page.locator('.conversation-item[aria-current="true"]', { hasText: name }).waitFor({ state: 'attached' });
  await page.locator('.composer textarea').first().waitFor();
}

/** Types into the composer and presses Enter. */
export async function send(page, text) {
  const box = page.getByRole('textbox', { name: 'Message' }).first();
  await box.fill(text);
  await box.press('Enter');
}

/** The server-acknowledged bubbles whose text is exactly `text`. */
export function bubbles(page, text) {
  return page.locator('li.message:not(.is-pending) .message-body', { hasText: text });
}

/** How many acknowledged messages on the page carry exactly `text`. */
export async function countMessages(page, text) {
  return page.locator('li.message:not(.is-pending) .message-body').evaluateAll(
    (els, t) => els.filter((e) => e.textContent?.trim() === t).length,
    text,
  );
}
