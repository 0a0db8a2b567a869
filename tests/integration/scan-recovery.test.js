'use strict';
// Scanning recovers from clamd failures (docs/FILES.md, "Scanning"): with the real clamd of
// scripts/test-servers/clamd.sh, started and stopped by this file. A file uploaded while clamd
// is down stays `pending` (never `clean`, never a dead-end `error`), /readyz says the scanner is
// down and why, and once clamd is back the file is scanned without being uploaded again. The
// same when clamd dies in the middle of a scan (it is stopped with SIGSTOP so the scan is
// provably under way, then killed), and for files left pending or marked `error` when the
// server stopped: they are scanned at the next start.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Server, REPO_ROOT, STORE } = require('./lib/server');
const { call, ok, fails, uid, registerUser, createConversation, sleep } = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');
const { upload } = require('./lib/uploads');

const CLAMD_SH = path.join(REPO_ROOT, 'scripts', 'test-servers', 'clamd.sh');
const HAVE_CLAMD = fs.existsSync('/usr/sbin/clamd') || (() => {
  try { execFileSync('sh', ['-c', 'command -v clamd'], { stdio: 'ignore' }); return true; } catch { return false; }
})();
// Assembled here so this file is not itself flagged by a scanner.
const EICAR = Buffer.from('58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a', 'hex');

/** A clamd of our own, so stopping and killing it disturbs no other suite. */
class Clamd {
  constructor() {
    // Short: the unix socket path must fit in 107 bytes.
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsr-'));
    this.address = `unix:${path.join(this.dir, 'clamd.sock')}`;
  }

  start() { execFileSync(CLAMD_SH, ['start', this.dir], { stdio: ['ignore', 'ignore', 'inherit'] }); }

  stop() { execFileSync(CLAMD_SH, ['stop', this.dir], { stdio: 'ignore' }); }

  get pid() { return Number(fs.readFileSync(path.join(this.dir, 'clamd.pid'), 'utf8')); }

  signal(sig) { process.kill(this.pid, sig); }

  /** Waits until clamd answers PING on its socket (it creates the socket before loading signatures). */
  async ready(timeoutMs = 60000) {
    const net = require('node:net');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pong = await new Promise((resolve) => {
        const s = net.connect(path.join(this.dir, 'clamd.sock'));
        let got = '';
        s.on('connect', () => s.write('zPING\0'));
        s.on('data', (d) => { got += d.toString(); });
        s.on('close', () => resolve(got.startsWith('PONG')));
        s.on('error', () => resolve(false));
        s.setTimeout(2000, () => s.destroy());
      });
      if (pong) return;
      if (Date.now() > deadline) throw new Error('clamd did not answer PING');
      await sleep(200);
    }
  }

  remove() {
    try { this.stop(); } catch { /* already gone */ }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function statusOf(server, user, conversationId, fileId) {
  const data = ok(await call(server, 'GET', `/api/conversations/${conversationId}/messages?limit=200`, { token: user.token }));
  const m = data.messages.find((x) => x.content?.fileInfo?.fileId === fileId);
  return m && m.content.fileInfo.scanStatus;
}

async function waitForStatus(server, user, conversationId, fileId, wanted, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await statusOf(server, user, conversationId, fileId);
    if (last === wanted) return;
    if (Date.now() > deadline) throw new Error(`file ${fileId}: still ${last}, never ${wanted}`);
    await sleep(200);
  }
}

const skip = HAVE_CLAMD ? false : 'clamd is not installed (scripts/install-deps.sh test)';

describe('scan recovery: clamd down, killed mid-scan, files stranded at start', { skip }, () => {
  let clamd; let server; let s1; let s2; let conv; let ws;

  before(async () => {
    clamd = new Clamd();
    clamd.start();
    await clamd.ready();
    server = new Server({
      rateLimit: 100000,
      // One worker: a stopped clamd holds the one scan; probes every second at most.
      extraArgs: ['--scan', 'clamd', '--clamd-address', clamd.address, '--scan-workers', '1', '--scan-retry-max-s', '1'],
    });
    await server.start();
    s1 = await registerUser(server);
    s2 = await registerUser(server);
    conv = await createConversation(server, s1, { type: 'direct', participantIds: [s2.id] });
    ws = await WsClient.connect(server, { token: s2.token, label: 's2' });
  });
  after(async () => {
    await closeAll([ws]);
    if (server) await server.stop();
    if (clamd) clamd.remove();
  });

  it('keeps uploads pending while clamd is down, says so on /readyz, and scans them once clamd is back', async () => {
    clamd.stop();
    const clean = ok(await upload(server, s1, conv.id, { name: 'bab2.txt', data: Buffer.from(`revisi ${uid()}`) }), 201).message.content.fileInfo;
    const infected = ok(await upload(server, s1, conv.id, { name: 'eicar.txt', data: Buffer.concat([EICAR, Buffer.from(`\n${uid()}\n`)]) }), 201).message.content.fileInfo;
    // Several probe rounds of the backoff: nothing gives up on the files.
    await sleep(3000);
    for (const fi of [clean, infected]) {
      assert.equal(await statusOf(server, s1, conv.id, fi.fileId), 'pending', fi.fileName);
      fails(await call(server, 'GET', fi.downloadUrl, { token: s2.token }), 423, 'file_not_ready');
    }
    const ready = await call(server, 'GET', '/readyz');
    assert.equal(ready.status, 503);
    fails(ready, 503, 'unavailable');
    const checks = ready.body.data;
    assert.equal(checks.scanner, 'down', JSON.stringify(ready.body));
    assert.match(checks.scannerDetail, /pending/, JSON.stringify(ready.body));

    clamd.start();
    await clamd.ready();
    await waitForStatus(server, s1, conv.id, clean.fileId, 'clean');
    await waitForStatus(server, s1, conv.id, infected.fileId, 'infected');
    const res = await fetch(server.baseUrl + clean.downloadUrl, { headers: { authorization: `Bearer ${s2.token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-file-scan-status'), 'clean');
    await res.arrayBuffer();
    assert.equal(ok(await call(server, 'GET', '/readyz')).scanner, 'ok');
    // The participants saw the file go back to work and finish, never an error.
    const seen = ws.events.filter((e) => e.event === 'message_updated' && e.data.message.content.fileInfo?.fileId === clean.fileId)
      .map((e) => e.data.message.content.fileInfo.scanStatus);
    assert.ok(!seen.includes('error'), `statuses seen: ${seen}`);
    assert.equal(seen[seen.length - 1], 'clean', `statuses seen: ${seen}`);
  });

  it('scans a larger file again when clamd is killed in the middle of its scan', async () => {
    // 1.5 MiB of text: far more than a socket buffer holds, under clamd.sh's MaxFileSize (2M).
    const big = Buffer.from(crypto.randomBytes(1152 * 1024).toString('base64'));
    clamd.signal('SIGSTOP');
    let stopped = true;
    try {
      const fi = ok(await upload(server, s1, conv.id, { name: 'draft.txt', data: big }), 201).message.content.fileInfo;
      // The scan started and is stuck writing to a clamd that reads nothing.
      await ws.waitForEvent('message_updated', (d) => d.message.content.fileInfo?.fileId === fi.fileId && d.message.content.fileInfo.scanStatus === 'scanning', 20000);
      await sleep(500);
      assert.equal(await statusOf(server, s1, conv.id, fi.fileId), 'scanning');
      clamd.signal('SIGKILL');
      stopped = false;
      await waitForStatus(server, s1, conv.id, fi.fileId, 'pending', 20000);
      await sleep(1500);
      assert.equal(await statusOf(server, s1, conv.id, fi.fileId), 'pending', 'no verdict means pending, not error');
      fails(await call(server, 'GET', fi.downloadUrl, { token: s2.token }), 423, 'file_not_ready');
      assert.match(server.stderr.text + server.stdout.text, new RegExp(`file ${fi.fileId}: no verdict`));

      clamd.start();
      await clamd.ready();
      await waitForStatus(server, s1, conv.id, fi.fileId, 'clean');
      const res = await fetch(server.baseUrl + fi.downloadUrl, { headers: { authorization: `Bearer ${s2.token}` } });
      assert.equal(res.status, 200);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(big));
    } finally {
      if (stopped) { try { clamd.signal('SIGKILL'); } catch { /* gone */ } }
    }
  });

  it('scans at start the files left pending, and those marked error, when the server stopped', { skip: STORE === 'postgres' ? 'edits the SQLite file' : false }, async () => {
    clamd.stop();
    const pending = ok(await upload(server, s1, conv.id, { name: 'left.txt', data: Buffer.from(`left ${uid()}`) }), 201).message.content.fileInfo;
    const errored = ok(await upload(server, s1, conv.id, { name: 'old.txt', data: Buffer.from(`old ${uid()}`) }), 201).message.content.fileInfo;
    await server.terminate();
    // What a server before this fix left behind after a clamd outage: a file marked error.
    execFileSync('sqlite3', [path.join(server.dataDir, 'writeen.db'), `UPDATE files SET scan_status = 'error' WHERE id = '${errored.fileId}'`]);
    clamd.start();
    await clamd.ready();
    await server.start();
    await waitForStatus(server, s1, conv.id, pending.fileId, 'clean');
    await waitForStatus(server, s1, conv.id, errored.fileId, 'clean');
  });
});
