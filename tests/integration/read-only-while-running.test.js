'use strict';
// The data directory turning read-only while the server runs (docs/SECURITY.md, "Storage
// failures"): the real thing, not a simulation. The data directory is a small ext4 file system
// on a loop device mounted `errors=remount-ro`; writing to its `trigger_fs_error` in sysfs makes
// the kernel record a file-system error, upon which ext4 turns the mount read-only, as it does
// when a failing disk reports an error. Writes and uploads then answer 503 `unavailable`, never
// 500 or an acknowledgement; /readyz is 503 and says the data directory is not writable; reads
// go on. ext4 cannot be made writable again while files are open on it (the kernel refuses to
// remount a mount in that state), so recovery is what an operator does: stop the server,
// unmount, fsck, mount, start; then every acknowledged message is there, once, and writes work.
// Needs root and loop devices; skipped otherwise.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Server, STORE, makeTempDir, removeDir } = require('./lib/server');
const { call, ok, fails, uid, registerUser, createConversation, allMessages } = require('./lib/http');
const { upload, getBytes } = require('./lib/uploads');

const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();

/** A 64 MiB ext4 image mounted on a fresh directory, or null when this machine cannot. */
function mountExt4() {
  const dir = makeTempDir('writeen-ro-');
  const image = `${dir}.img`;
  try {
    fs.writeFileSync(image, '');
    fs.truncateSync(image, 64 * 1024 * 1024);
    run('mkfs.ext4', ['-q', '-F', image]);
    run('mount', ['-o', 'loop,errors=remount-ro', image, dir]);
    const device = run('findmnt', ['-n', '-o', 'SOURCE', dir]);
    const trigger = `/sys/fs/ext4/${path.basename(device)}/trigger_fs_error`;
    if (!fs.existsSync(trigger)) throw new Error('no trigger_fs_error');
    return { dir, image, trigger };
  } catch {
    try { run('umount', [dir]); } catch { /* not mounted */ }
    fs.rmSync(image, { force: true });
    removeDir(dir);
    return null;
  }
}

function unmount(m) {
  try { run('umount', [m.dir]); } catch { /* busy or gone */ }
}

const probe = mountExt4();
if (probe) { unmount(probe); fs.rmSync(probe.image, { force: true }); removeDir(probe.dir); }
const skip = !probe ? 'needs root, loop devices and ext4 (mount -o loop)'
  : STORE === 'postgres' ? 'SQLite only: the database must be on the file system that turns read-only' : false;

describe('data directory turning read-only while running', { skip }, () => {
  let m;
  let server;

  before(async () => {
    m = mountExt4();
    server = new Server({ dataDir: path.join(m.dir, 'data'), rateLimit: 100000 });
    fs.mkdirSync(server.dataDir);
    await server.start();
  });
  after(async () => {
    if (server) await server.stop();
    if (m) {
      unmount(m);
      fs.rmSync(m.image, { force: true });
      removeDir(m.dir);
    }
  });

  it('answers writes 503, says why on /readyz, loses nothing acknowledged, and serves again after repair', { timeout: 90000 }, async () => {
    const a = await registerUser(server, { role: 'student', name: 'A' });
    const b = await registerUser(server, { role: 'tutor', name: 'B' });
    const conv = await createConversation(server, a, { type: 'direct', participantIds: [b.id] });
    const acknowledged = new Map();  // clientMessageId -> seq
    const refused = new Set();
    const send = async (text) => {
      const clientMessageId = uid('ro');
      const res = await call(server, 'POST', `/api/conversations/${conv.id}/messages`, {
        token: a.token, json: { type: 'text', content: { text }, clientMessageId },
      });
      if (res.status === 201) acknowledged.set(clientMessageId, res.body.data.message.seq);
      else refused.add(clientMessageId);
      return res;
    };
    for (let i = 0; i < 20; i += 1) ok(await send(`before ${i}`), 201);
    const file = ok(await upload(server, a, conv.id, { name: 'bab3.txt', data: Buffer.from(`bab 3 ${uid()}`) }), 201).message.content.fileInfo;
    assert.equal(ok(await call(server, 'GET', '/readyz')).dataDir, 'ok');

    // What a disk error does: the kernel turns the file system read-only under the server.
    fs.writeFileSync(m.trigger, '1');
    assert.throws(() => fs.writeFileSync(path.join(m.dir, 'probe'), 'x'), /EROFS/);

    for (let i = 0; i < 5; i += 1) fails(await send(`after ${i}`), 503, 'unavailable');
    fails(await upload(server, a, conv.id, { name: 'bab4.txt', data: Buffer.from(`bab 4 ${uid()}`) }), 503, 'unavailable');
    const ready = await call(server, 'GET', '/readyz');
    fails(ready, 503, 'unavailable');
    assert.equal(ready.body.data.dataDir, 'not writable', ready.text);
    assert.match(ready.body.data.dataDirDetail, /read-only file system/, ready.text);
    // Reads go on and show every acknowledged message.
    const whileRo = new Map((await allMessages(server, a, conv.id)).map((x) => [x.clientMessageId, x.seq]));
    for (const [cmid, seq] of acknowledged) assert.equal(whileRo.get(cmid), seq, `acknowledged ${cmid} is readable`);
    assert.equal(server.crashed, null);

    // The operator's repair: stop, unmount, fsck, mount, start.
    await server.signal('SIGTERM', 20000);
    run('umount', [m.dir]);
    try { run('e2fsck', ['-fy', m.image]); } catch (e) { if (e.status > 1) throw e; }  // 1: errors fixed
    run('mount', ['-o', 'loop,errors=remount-ro', m.image, m.dir]);
    await server.start();

    const stored = await allMessages(server, a, conv.id);
    assert.deepEqual(stored.map((x) => x.seq), stored.map((_, i) => i + 1), 'seq is gap-free');
    const storedIds = new Map(stored.map((x) => [x.clientMessageId, x.seq]));
    for (const [cmid, seq] of acknowledged) assert.equal(storedIds.get(cmid), seq, `acknowledged ${cmid} survived`);
    for (const cmid of refused) assert.ok(!storedIds.has(cmid), `refused ${cmid} was not stored`);
    ok(await send('writable again'), 201);
    assert.equal(ok(await call(server, 'GET', '/readyz')).dataDir, 'ok');
    const again = ok(await upload(server, a, conv.id, { name: 'bab4.txt', data: Buffer.from(`bab 4 ${uid()}`) }), 201);
    assert.ok(again.message.content.fileInfo.fileId);
    const old = await getBytes(server, b, file.downloadUrl);
    assert.equal(old.status, 200, 'the file stored before is still served');
  });
});
