'use strict';
// S3 dying in the middle of an upload (docs/FILES.md, "Storage, deduplication, encryption"):
// with the real s3rver of scripts/test-servers/s3rver.sh, started and killed by this file. The
// upload answers 503 `unavailable`, no message refers to an object that is not there, no file
// row is left behind, and once S3 is back uploads work again without a restart of the server.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startServer, REPO_ROOT, STORE } = require('./lib/server');
const { call, ok, fails, uid, registerUser, createConversation, allMessages, sleep } = require('./lib/http');
const { multipart, upload, getBytes } = require('./lib/uploads');
const openapi = require('./lib/openapi');

const S3RVER_SH = path.join(REPO_ROOT, 'scripts', 'test-servers', 's3rver.sh');
const BUCKET = 'writeen-outage';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** An s3rver of our own, so killing it disturbs no other suite. */
class S3 {
  constructor(port) {
    this.port = port;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'writeen-s3-'));
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  start() { execFileSync(S3RVER_SH, ['start', this.dir, String(this.port), BUCKET], { stdio: ['ignore', 'ignore', 'inherit'] }); }

  /** Dies at once, as a crashed or unplugged S3 would: no graceful close of anything. */
  kill() {
    const pidfile = path.join(this.dir, 's3rver.pid');
    const pid = Number(fs.readFileSync(pidfile, 'utf8'));
    try { process.kill(-pid, 'SIGKILL'); } catch { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    fs.rmSync(pidfile, { force: true });
  }

  remove() {
    try { execFileSync(S3RVER_SH, ['stop', this.dir], { stdio: 'ignore' }); } catch { /* gone */ }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * An upload whose body is sent in two halves: `between` runs after the first `splitAt` bytes
 * (and a pause that lets the server pass them on to S3). Resolves with {status, body}.
 */
function splitUpload(server, user, conversationId, data, splitAt, between) {
  const form = multipart([{ name: 'file', filename: 'thesis-draft.txt', contentType: 'text/plain', data }]);
  const urlPath = `/api/conversations/${conversationId}/upload`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    const received = [];
    socket.on('data', (c) => received.push(c));
    socket.on('error', () => { /* the server may close while we still send: the answer counts */ });
    const timer = setTimeout(() => socket.destroy(), 60000);
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(received).toString('utf8');
      const m = /^HTTP\/1\.1 (\d{3})[^\r\n]*\r\n[\s\S]*?\r\n\r\n([\s\S]*)$/.exec(raw);
      if (!m) return reject(new Error(`no HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`));
      let body;
      try { body = JSON.parse(m[2]); } catch { body = undefined; }
      const res = { status: Number(m[1]), text: m[2], body, headers: new Headers() };
      const problem = openapi.check('POST', urlPath, { ...res, headers: new Headers({ 'content-type': 'application/json' }) });
      if (problem) return reject(new Error(`OpenAPI: ${problem}`));
      return resolve(res);
    });
    socket.on('connect', async () => {
      socket.write([`POST ${urlPath} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, `Authorization: Bearer ${user.token}`,
        `Content-Type: ${form.contentType}`, `Content-Length: ${form.body.length}`, 'Connection: close', '', ''].join('\r\n'));
      const send = async (from, to) => {
        for (let off = from; off < to && !socket.destroyed; off += 65536) {
          if (!socket.write(form.body.subarray(off, Math.min(off + 65536, to)))) {
            await new Promise((r) => { socket.once('drain', r); socket.once('close', r); });
          }
        }
      };
      await send(0, splitAt);
      await sleep(1500);
      await between();
      await send(splitAt, form.body.length);
    });
  });
}

function fileRows(server) {
  return Number(execFileSync('sqlite3', [path.join(server.dataDir, 'writeen.db'), 'SELECT count(*) FROM files']).toString().trim());
}

describe('S3 dying mid-upload', () => {
  let s3; let server; let s1; let s2; let conv;

  before(async () => {
    s3 = new S3(await freePort());
    s3.start();
    server = await startServer({
      extraArgs: ['--blob-store', 's3', '--s3-endpoint', s3.endpoint, '--s3-bucket', BUCKET, '--s3-region', 'us-east-1',
        '--s3-access-key', 'S3RVER', '--s3-secret-key', 'S3RVER', '--s3-path-style', 'true'],
    });
    s1 = await registerUser(server);
    s2 = await registerUser(server);
    conv = await createConversation(server, s1, { type: 'direct', participantIds: [s2.id] });
  });
  after(async () => {
    if (server) await server.stop();
    if (s3) s3.remove();
  });

  it('answers 503 unavailable, stores no message and no file row, and uploads work once S3 is back', async () => {
    // A stored file first, to show that what was stored before stays.
    const before = ok(await upload(server, s1, conv.id, { name: 'bab1.txt', data: Buffer.from(`bab 1 ${uid()}`) }), 201).message;
    const rowsBefore = STORE === 'postgres' ? null : fileRows(server);
    // 9.5 MiB: over the 8 MiB S3 part, so the first part is in S3 (a multipart upload) when it dies.
    const data = Buffer.from(crypto.randomBytes(Math.floor(9.5 * 1024 * 1024 * 3 / 4)).toString('base64'));
    const res = await splitUpload(server, s1, conv.id, data, 8.5 * 1024 * 1024, async () => s3.kill());
    assert.equal(res.status, 503, res.text);
    assert.equal(res.body.success, false);
    assert.equal(res.body.error.code, 'unavailable', res.text);

    // A small upload while S3 is still down: 503 as well (one PUT at the end, not multipart).
    fails(await upload(server, s2, conv.id, { name: 'catatan.txt', data: Buffer.from(`catatan ${uid()}`) }), 503, 'unavailable');

    // No message points at bytes that are not there; no file row was left behind.
    const messages = await allMessages(server, s1, conv.id);
    const files = messages.filter((m) => m.content?.fileInfo);
    assert.deepEqual(files.map((m) => m.id), [before.id]);
    if (rowsBefore !== null) assert.equal(fileRows(server), rowsBefore);
    // The server itself is fine: messages still go through.
    ok(await call(server, 'POST', `/api/conversations/${conv.id}/messages`, { token: s1.token, json: { type: 'text', content: { text: 'S3 is down' } } }), 201);

    s3.start();
    const again = ok(await upload(server, s1, conv.id, { name: 'thesis-draft.txt', data }), 201).message.content.fileInfo;
    const back = await getBytes(server, s2, again.downloadUrl);
    assert.equal(back.status, 200);
    assert.ok(back.bytes.equals(data), 'the bytes read back are the bytes sent');
    const old = await getBytes(server, s2, before.content.fileInfo.downloadUrl);
    assert.equal(old.status, 200, 'what was stored before the outage is still there');
  });
});
