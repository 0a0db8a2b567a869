'use strict';
// HEAD (RFC 9110 §9.3.2): served wherever GET is, with the GET's status and headers and never a
// body, over a raw kept-alive connection where a stray body would corrupt the next response.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const zlib = require('node:zlib');
const { startServer, makeTempDir, removeDir } = require('./lib/server');
const { call, ok, registerUser, createConversation } = require('./lib/http');
const { upload } = require('./lib/uploads');

/** A small RGB PNG, so the thumbnail route has something to serve. */
function png(width, height) {
  const table = new Uint32Array(256).map((_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc((width * 3 + 1) * height, 0x7f);
  for (let y = 0; y < height; y += 1) raw[y * (width * 3 + 1)] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * Parses one response at the start of buf; HEAD answers (and 1xx/204/304) have no body whatever
 * their Content-Length says. Returns null while incomplete.
 */
function parseResponse(buf, wasHead) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(lines[0]);
  assert.ok(status, `not a status line: ${JSON.stringify(lines[0])}`);
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const code = Number(status[1]);
  assert.notEqual(headers['transfer-encoding'], 'chunked', 'this test reads Content-Length bodies only');
  const bodyLength = wasHead || code < 200 || code === 204 || code === 304 ? 0 : Number(headers['content-length'] || 0);
  if (buf.length < end + 4 + bodyLength) return null;
  return {
    status: code,
    headers,
    body: buf.subarray(end + 4, end + 4 + bodyLength),
    rest: buf.subarray(end + 4 + bodyLength),
  };
}

/**
 * Sends the requests pipelined on one kept-alive connection and parses the answers in order;
 * afterwards waits a moment and asserts nothing more arrived (no body after a HEAD answer).
 */
function exchange(server, requests) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const answers = [];
    let settled = false;
    const finish = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err); else resolve(answers);
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${answers.length} of ${requests.length} answers; `
      + `unparsed: ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`)), 10000);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        while (answers.length < requests.length) {
          const parsed = parseResponse(buf, requests[answers.length].method === 'HEAD');
          if (!parsed) break;
          answers.push(parsed);
          buf = parsed.rest;
        }
      } catch (e) { finish(e); return; }
      if (answers.length === requests.length) {
        setTimeout(() => {
          if (buf.length) finish(new Error(`bytes after the last answer: ${JSON.stringify(buf.toString('latin1').slice(0, 200))}`));
          else finish();
        }, 300);
      }
    });
    socket.on('error', finish);
    socket.on('connect', () => {
      socket.write(requests.map(({ method, target, token }) => `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
        + `${token ? `Authorization: Bearer ${token}\r\n` : ''}\r\n`).join(''));
    });
  });
}

/** The headers a HEAD answer must share with the GET one (Date may tick in between; every
 *  request has its own X-Request-Id). */
function comparable(headers) {
  const out = { ...headers };
  delete out.date;
  delete out['x-request-id'];
  return out;
}

describe('HEAD', () => {
  let server; let webRoot; let user; let conv; let textFile; let imageFile;

  before(async () => {
    webRoot = makeTempDir('writeen-web-');
    fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Writeen</title><p>hello</p>\n');
    server = await startServer({ extraArgs: ['--web-root', webRoot] });
    user = await registerUser(server, { role: 'tutor' });
    const other = await registerUser(server);
    conv = await createConversation(server, user, { type: 'group', participantIds: [other.id], title: 'HEAD' });
    textFile = ok(await upload(server, user, conv.id, { name: 'catatan.txt', data: Buffer.from('isi catatan '.repeat(100)) }), 201)
      .message.content.fileInfo;
    imageFile = ok(await upload(server, user, conv.id, { name: 'foto.png', data: png(64, 48) }), 201).message.content.fileInfo;
  });
  after(async () => {
    if (server) await server.stop();
    removeDir(webRoot);
  });

  it('answers HEAD like GET, without a body, on every kind of GET route, and the next response parses', async () => {
    const targets = [
      ['/healthz'],
      ['/readyz'],
      ['/metrics', undefined, 'counters tick between the calls: its length may change'],
      ['/'],
      ['/index.html'],
      ['/api/conversations', user.token],
      [`/api/conversations/${conv.id}`, user.token],
      [`/api/conversations/${conv.id}/messages`, user.token],
      [textFile.downloadUrl, user.token],
      [`${imageFile.thumbnailUrl}?size=small`, user.token],
      ['/api/conversations'],  // 401 without a token: HEAD gets the same status and headers
      ['/api/files/0123456789abcdef01234567/download', user.token],  // 404
    ];
    for (const [target, token, changing] of targets) {
      // GET first so that a thumbnail made on demand exists for both; then HEAD, then GET again
      // on the same connection: a body after the HEAD answer would break the third parse.
      const [first, head, second] = await exchange(server, [
        { method: 'GET', target, token }, { method: 'HEAD', target, token }, { method: 'GET', target, token }]);
      assert.equal(head.status, second.status, target);
      assert.equal(head.body.length, 0, target);
      assert.ok(Number(head.headers['content-length']) > 0, `${target}: Content-Length of the GET body`);
      if (changing) continue;
      assert.deepEqual(comparable(head.headers), comparable(second.headers), target);
      assert.equal(Number(head.headers['content-length']), second.body.length, `${target}: Content-Length of the GET body`);
      assert.equal(first.status, second.status, target);
    }
  });

  it('answers HEAD on a path without GET with 405 and no body, and keeps the connection usable', async () => {
    const [refused, health] = await exchange(server, [
      { method: 'HEAD', target: `/api/conversations/${conv.id}/upload`, token: user.token },
      { method: 'GET', target: '/healthz' }]);
    assert.equal(refused.status, 405);
    assert.equal(refused.body.length, 0);
    assert.equal(health.status, 200);
    assert.ok(health.body.length > 0);
  });

  it('answers HEAD then GET of a download on one connection with the same headers', async () => {
    const [head, get] = await exchange(server, [
      { method: 'HEAD', target: textFile.downloadUrl, token: user.token },
      { method: 'GET', target: textFile.downloadUrl, token: user.token }]);
    assert.equal(head.status, 200);
    assert.equal(get.status, 200);
    assert.equal(head.headers['content-length'], String(textFile.fileSize));
    assert.equal(get.body.toString(), 'isi catatan '.repeat(100));
    assert.deepEqual(comparable(head.headers), comparable(get.headers));
  });
});
