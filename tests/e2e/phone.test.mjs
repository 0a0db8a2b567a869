// The web client on a phone (issue 15): the consultation banner folds to one line (the phase and
// its timer) with a toggle, opens on demand and by itself for a session to rate; on a wide
// screen it is always whole and has no toggle.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newPerson, signIn } from './lib/browser.mjs';
import { ChatServer } from './lib/server.mjs';

const AYU = 'Ayu Lestari';

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
});
