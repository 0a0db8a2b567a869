'use strict';
// Disk full (docs/SECURITY.md, "Storage failures"): the data directory is a small tmpfs that a
// filler file fills while a client sends. Writes and uploads answer 503 `unavailable` (API.md
// has no 507), never 500, never a crash and never an acknowledgement of something not stored;
// reads go on; and once the filler is removed writes succeed again without a restart. Needs
// root to mount the tmpfs; skipped otherwise.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Server, STORE, makeTempDir, removeDir } = require('./lib/server');
const { call, ok, fails, uid, registerUser, createConversation, allMessages } = require('./lib/http');
const { upload } = require('./lib/uploads');

const SIZE = '24m';

/** Mounts a tmpfs of `size` on a fresh directory; null when mounting is not permitted. */
function mountTmpfs(size) {
  const dir = makeTempDir('writeen-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    removeDir(dir);
    return null;
  }
}

/** Writes a file until the filesystem refuses more; returns its path. */
function fill(dir) {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
      const chunk = Buffer.alloc(size, 0x61);
      for (;;) {
        try { fs.writeSync(fd, chunk); } catch (e) { if (e.code === 'ENOSPC') break; throw e; }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

const mounted = mountTmpfs('1m');
if (mounted) { execFileSync('umount', [mounted]); removeDir(mounted); }

// On PostgreSQL the messages are not on the filled filesystem, so nothing would refuse them:
// the case is the SQLite store's (a full PostgreSQL disk is PostgreSQL's own failure: 503 as
// for PostgreSQL down, tests/unit/store/postgres_outage_test.cpp).
const skip = !mounted ? 'mounting a tmpfs needs root'
  : STORE === 'postgres' ? 'SQLite only: the filled filesystem holds the SQLite database' : false;

describe('disk full', { skip }, () => {
  let dir;
  let server;

  before(async () => {
    dir = mountTmpfs(SIZE);
    server = new Server({ dataDir: path.join(dir, 'data'), rateLimit: 100000 });
    fs.mkdirSync(server.dataDir);
    await server.start();
  });
  after(async () => {
    if (server) await server.stop();
    if (dir) {
      try { execFileSync('umount', [dir]); } catch { /* still busy: left for the OS */ }
      removeDir(dir);
    }
  });

  it('answers writes and uploads 503 while full, keeps reads and everything acknowledged, and writes again once space is back', { timeout: 60000 }, async () => {
    const a = await registerUser(server, { role: 'student', name: 'A' });
    const b = await registerUser(server, { role: 'tutor', name: 'B' });
    const conv = await createConversation(server, a, { type: 'direct', participantIds: [b.id] });
    const acknowledged = new Map();  // clientMessageId -> seq
    const send = async (text) => {
      const clientMessageId = uid('full');
      const res = await call(server, 'POST', `/api/conversations/${conv.id}/messages`, {
        token: a.token, json: { type: 'text', content: { text }, clientMessageId },
      });
      if (res.status === 201) acknowledged.set(clientMessageId, res.body.data.message.seq);
      return res;
    };
    for (let i = 0; i < 10; i += 1) ok(await send(`before ${i}`), 201);

    const filler = fill(dir);
    // SQLite may still find room in pages and WAL frames it already owns: send large messages
    // until one is refused. Every answer is 201 (stored) or 503; nothing else.
    const big = 'x'.repeat(9000);
    let refused = null;
    for (let i = 0; i < 400 && !refused; i += 1) {
      const res = await send(`${big} ${i}`);
      if (res.status !== 201) refused = res;
    }
    assert.ok(refused, 'no write was refused on a full disk');
    fails(refused, 503, 'unavailable');
    // Still full: the next write is refused too.
    fails(await send('still full'), 503, 'unavailable');

    const file = await upload(server, a, conv.id, { name: 'notes.txt', data: Buffer.alloc(256 * 1024, 0x62) });
    fails(file, 503, 'unavailable');

    // Reads go on, and show every acknowledged message.
    const whileFull = await allMessages(server, a, conv.id);
    const bySeq = new Map(whileFull.map((m) => [m.clientMessageId, m.seq]));
    for (const [cmid, seq] of acknowledged) assert.equal(bySeq.get(cmid), seq, `acknowledged ${cmid} is readable`);
    assert.equal(server.crashed, null);

    fs.unlinkSync(filler);
    ok(await send('space is back'), 201);
    const uploaded = await upload(server, a, conv.id, { name: 'notes.txt', data: Buffer.alloc(64 * 1024, 0x62) });
    ok(uploaded, 201);

    // Nothing acknowledged is lost, across a restart too, and seq has no gap.
    await server.restart();
    const stored = await allMessages(server, a, conv.id);
    assert.deepEqual(stored.map((m) => m.seq), stored.map((_, i) => i + 1), 'seq is gap-free');
    const storedIds = new Map(stored.map((m) => [m.clientMessageId, m.seq]));
    for (const [cmid, seq] of acknowledged) assert.equal(storedIds.get(cmid), seq, `acknowledged ${cmid} survived`);
  });
});
