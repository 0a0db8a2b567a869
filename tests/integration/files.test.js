'use strict';
// Files: streamed upload with every check of API.md, download with Range/ETag, thumbnails,
// dedup by hash, encryption at rest, scanning with a real clamd (EICAR plain and in a .docx,
// a zip bomb, more uploads than scan workers, clamd unreachable), and the S3 blob store on s3rver.
// clamd and S3 parts run when scripts/test.sh exported WRITEEN_TEST_CLAMD / _S3_ENDPOINT.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const zlib = require('node:zlib');
const { startServer, runBinary, makeTempDir, removeDir, newSecret } = require('./lib/server');
const { call, ok, fails, rawRequest, uid, registerUser, createConversation, sleep, OBJECT_ID } = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');
const { multipart, upload, getBytes } = require('./lib/uploads');

const CLAMD = process.env.WRITEEN_TEST_CLAMD;
const S3_ENDPOINT = process.env.WRITEEN_TEST_S3_ENDPOINT;
const S3_BUCKET = process.env.WRITEEN_TEST_S3_BUCKET || 'writeen-test';

// ---- content makers -------------------------------------------------------------------------

// The EICAR test string, assembled here so this file is not itself flagged by a scanner.
const EICAR = Buffer.from('58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a', 'hex');

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** An RGB PNG of width×height; `declared` overrides the size written in the header. */
function png(width, height, { declared, seed = crypto.randomBytes(1)[0] } = {}) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(declared ? declared.width : width, 0);
  ihdr.writeUInt32BE(declared ? declared.height : height, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = (x + seed) & 0xff; raw[o + 1] = y & 0xff; raw[o + 2] = seed;
    }
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A one-page PDF with a coloured rectangle; `note` makes its bytes unique. */
function pdf(note = crypto.randomBytes(8).toString('hex')) {
  const content = '0 0 1 rg 20 20 160 60 re f';
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`];
  let out = `%PDF-1.4\n% ${note}\n`;
  const offsets = [];
  objects.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A zip archive; entries [{name, data, deflate}]. */
function zip(entries) {
  const locals = []; const centrals = []; let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const data = e.deflate ? zlib.deflateRawSync(e.data) : e.data;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt16LE(0x21, 12); local.writeUInt32LE(crc32(e.data), 14); local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(e.data.length, 22); local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10); central.writeUInt16LE(0x21, 14); central.writeUInt32LE(crc32(e.data), 16);
    central.writeUInt32LE(data.length, 20); central.writeUInt32LE(e.data.length, 24); central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data); centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const CONTENT_TYPES = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
  + '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>');
/** A .docx-shaped zip with extra entries. */
function docx(extra = []) {
  return zip([{ name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: 'word/document.xml', data: Buffer.from(`<w:document>${crypto.randomBytes(4).toString('hex')}</w:document>`) }, ...extra]);
}

/** Width and height of a JPEG, from its SOF marker; also whether it has APP1 (EXIF/XMP). */
function jpegInfo(b) {
  assert.equal(b.readUInt16BE(0), 0xffd8, 'a JPEG');
  let app1 = false;
  for (let i = 2; i < b.length;) {
    const marker = b.readUInt16BE(i);
    const len = b.readUInt16BE(i + 2);
    if (marker === 0xffe1) app1 = true;
    if (marker >= 0xffc0 && marker <= 0xffc3) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7), app1 };
    i += 2 + len;
  }
  throw new Error('no SOF in the JPEG');
}

/** Every stored blob file under the data dir (local store), excluding in-progress ones. */
/** The number of stored blobs once it has stayed the same for 300 ms (at most 5 s). */
async function settledBlobCount(server) {
  let count = blobFiles(server).length;
  for (let waited = 0; waited < 5000; waited += 300) {
    await sleep(300);
    const now = blobFiles(server).length;
    if (now === count) return now;
    count = now;
  }
  return count;
}

function blobFiles(server) {
  const root = path.join(server.dataDir, 'blobs');
  const out = [];
  if (!fs.existsSync(root)) return out;
  for (const d of fs.readdirSync(root)) {
    if (d === 'tmp') continue;
    for (const f of fs.readdirSync(path.join(root, d))) out.push(path.join(root, d, f));
  }
  return out;
}

/** Polls history until the file message satisfies pred; returns its fileInfo. */
async function waitForFile(server, user, conversationId, fileId, pred, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    const data = ok(await call(server, 'GET', `/api/conversations/${conversationId}/messages?limit=200`, { token: user.token }));
    const m = data.messages.find((x) => x.content && x.content.fileInfo && x.content.fileInfo.fileId === fileId);
    last = m && m.content.fileInfo;
    if (last && pred(last)) return last;
    if (Date.now() > deadline) throw new Error(`file ${fileId} never reached the state; last ${JSON.stringify(last)}`);
    await sleep(100);
  }
}

// ---- without scanning, local store -------------------------------------------------------------

describe('files: upload, download, thumbnails (scanning disabled, local store)', () => {
  let server; let tutor; let s1; let s2; let stranger; let conv;
  const sockets = [];

  before(async () => {
    server = await startServer({ rateLimit: 100000 });
    tutor = await registerUser(server, { role: 'tutor' });
    s1 = await registerUser(server);
    s2 = await registerUser(server);
    stranger = await registerUser(server);
    conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id, s2.id], title: 'Files' });
  });
  after(async () => {
    await closeAll(sockets);
    if (server) await server.stop();
  });

  it('stores a PDF as a file message with the fileInfo of API.md and answers 201 with the upload', async () => {
    const ws = await WsClient.connect(server, { token: s2.token, label: 's2' });
    sockets.push(ws);
    const bytes = pdf();
    const data = ok(await upload(server, s1, conv.id, { name: 'Bab 1 Skripsi.pdf', data: bytes, description: 'draf bab 1' }), 201);
    const m = data.message;
    assert.equal(m.type, 'file');
    assert.equal(m.content.text, 'draf bab 1');
    const fi = m.content.fileInfo;
    assert.match(fi.fileId, OBJECT_ID);
    assert.equal(fi.fileName, 'Bab 1 Skripsi.pdf');
    assert.equal(fi.fileSize, bytes.length);
    assert.equal(fi.fileType, 'application/pdf');
    assert.equal(fi.fileHash, crypto.createHash('sha256').update(bytes).digest('hex'));
    assert.equal(fi.downloadUrl, `/api/files/${fi.fileId}/download`);
    assert.equal(fi.thumbnailUrl, `/api/files/${fi.fileId}/thumbnail`);
    assert.equal(fi.scanStatus, 'unscanned');
    assert.deepEqual(data.upload, { id: fi.fileId, status: 'completed', progress: 100 });
    const received = await ws.waitForEvent('message_received', (d) => d.message.id === m.id);
    assert.equal(received.data.message.content.fileInfo.fileId, fi.fileId);
  });

  it('serves the download with every header of API.md, Range, ETag and If-None-Match', async () => {
    const bytes = Buffer.from(`hello range ${crypto.randomBytes(225000).toString('base64')}`);
    const fi = ok(await upload(server, s1, conv.id, { name: 'catatan final\u202e.txt', data: bytes }), 201).message.content.fileInfo;
    const res = await getBytes(server, s2, fi.downloadUrl);
    assert.equal(res.status, 200);
    assert.ok(res.bytes.equals(bytes), 'downloaded bytes equal the upload');
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(res.headers.get('content-length'), String(bytes.length));
    assert.equal(res.headers.get('x-file-scan-status'), 'unscanned');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const disposition = res.headers.get('content-disposition');
    assert.match(disposition, /^attachment; filename="[^"\r\n]*"; filename\*=UTF-8''/);
    const etag = res.headers.get('etag');
    assert.equal(etag, `"${fi.fileHash}"`);

    const part = await getBytes(server, s2, fi.downloadUrl, { range: 'bytes=6-10' });
    assert.equal(part.status, 206);
    assert.equal(part.bytes.toString(), 'range');
    assert.equal(part.headers.get('content-range'), `bytes 6-10/${bytes.length}`);
    const tail = await getBytes(server, s2, fi.downloadUrl, { range: 'bytes=-100' });
    assert.equal(tail.status, 206);
    assert.ok(tail.bytes.equals(bytes.subarray(bytes.length - 100)));
    const across = await getBytes(server, s2, fi.downloadUrl, { range: 'bytes=65530-131080' });
    assert.ok(across.bytes.equals(bytes.subarray(65530, 131081)), 'a range across encryption segments');
    const outside = await call(server, 'GET', fi.downloadUrl, { token: s2.token, headers: { range: `bytes=${bytes.length}-` } });
    assert.equal(outside.status, 416);
    assert.equal(outside.headers.get('content-range'), `bytes */${bytes.length}`);
    const cached = await getBytes(server, s2, fi.downloadUrl, { 'if-none-match': etag });
    assert.equal(cached.status, 304);
    assert.equal(cached.bytes.length, 0);
  });

  it('refuses the download to strangers (404), without download permission (403) and without a token (401)', async () => {
    const fi = ok(await upload(server, s1, conv.id, { name: 'a.txt', data: Buffer.from(`secret ${uid()}`) }), 201).message.content.fileInfo;
    fails(await call(server, 'GET', fi.downloadUrl, { token: stranger.token }), 404, 'not_found');
    fails(await call(server, 'GET', fi.downloadUrl), 401, 'unauthorized');
    fails(await call(server, 'GET', '/api/files/ffffffffffffffffffffffff/download', { token: s1.token }), 404, 'not_found');
    const reader = await registerUser(server);
    ok(await call(server, 'POST', `/api/conversations/${conv.id}/participants`, {
      token: tutor.token, json: { userId: reader.id, permissions: ['read', 'write'] },
    }));
    fails(await call(server, 'GET', fi.downloadUrl, { token: reader.token }), 403, 'forbidden');
    fails(await upload(server, reader, conv.id, { name: 'b.txt', data: Buffer.from('x') }), 403, 'forbidden');
  });

  it('checks permission, allowFileUpload and membership before reading the body', async () => {
    const room = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id] });
    fails(await upload(server, stranger, room.id, { data: Buffer.from('x') }), 404, 'not_found');
    ok(await call(server, 'PATCH', `/api/conversations/${room.id}`, { token: tutor.token, json: { settings: { allowFileUpload: false } } }));
    fails(await upload(server, s1, room.id, { data: Buffer.from('hello') }), 403, 'forbidden');
    const form = multipart([{ name: 'file', filename: 'a.txt', data: 'x' }]);
    fails(await call(server, 'POST', `/api/conversations/${conv.id}/upload`, { body: form.body, headers: { 'content-type': form.contentType } }), 401, 'unauthorized');
  });

  it('answers 415 when the content does not match the extension or the name is hostile', async () => {
    const cases = [
      ['thesis.pdf', png(4, 4)],               // a PNG named .pdf
      ['thesis.pdf.exe', pdf()],               // extension not allowed
      ['run.exe', Buffer.from('MZ')],
      ['../../etc/passwd', Buffer.from('x')],  // reduced to 'passwd': no extension
      ['noextension', Buffer.from('x')],
      ['slides.pptx', docx()],                 // a DOCX named .pptx
      ['photo.jpg', pdf()],
      // Bytes libmagic cannot name at all (found by content_sniffer_fuzz): refused, not a 500.
      ['notes.txt', Buffer.from('0000fefffff7002141d8', 'hex')],
    ];
    for (const [name, data] of cases) {
      const err = fails(await upload(server, s1, conv.id, { name, data }), 415, 'unsupported_media_type');
      assert.ok(err.message.length > 0, name);
    }
    // NUL in a name: percent-encoded in filename* it is removed like any control character, and
    // what is left (`ab.txt"`, the quote closing the header) has no allowed extension (415); raw
    // in the part header it is already a malformed header (400).
    const encoded = multipart([{ name: 'file', filename: "x.txt\"; filename*=UTF-8''a%00b.txt", data: 'x' }]);
    fails(await call(server, 'POST', `/api/conversations/${conv.id}/upload`, {
      token: s1.token, body: encoded.body, headers: { 'content-type': encoded.contentType },
    }), 415, 'unsupported_media_type');
    const raw = multipart([{ name: 'file', filename: 'a\u0000b.txt', data: 'x' }]);
    fails(await call(server, 'POST', `/api/conversations/${conv.id}/upload`, {
      token: s1.token, body: raw.body, headers: { 'content-type': raw.contentType },
    }), [400, 415]);
  });

  it('keeps a name with path components reduced to its last one (/ and \\ alike), and the download uses it', async () => {
    const cases = [
      ['../../etc/passwd.txt', 'passwd.txt'],
      ['..\\..\\boot.txt', 'boot.txt'],
      ['C:\\Users\\ani\\Bab 1.txt', 'Bab 1.txt'],
      ['a/../b.txt', 'b.txt'],
    ];
    for (const [name, reduced] of cases) {
      const fi = ok(await upload(server, s1, conv.id, { name, data: Buffer.from(`x ${name}`) }), 201).message.content.fileInfo;
      assert.equal(fi.fileName, reduced, name);
      const d = await getBytes(server, s2, fi.downloadUrl);
      assert.equal(d.status, 200, name);
      assert.match(d.headers.get('content-disposition'), new RegExp(`filename="${reduced.replace('.', '\\.')}"`), name);
    }
  });

  it('answers 201 for an image with its width and height already in fileInfo (PNG and JPEG headers)', async () => {
    const p = ok(await upload(server, s1, conv.id, { name: 'wide.png', data: png(320, 200) }), 201).message;
    assert.equal(p.type, 'image');
    assert.equal(p.content.fileInfo.width, 320);
    assert.equal(p.content.fileInfo.height, 200);
    // A real JPEG: the server's own small thumbnail of that PNG.
    const jpeg = await getBytes(server, s1, `${p.content.fileInfo.thumbnailUrl}?size=small`);
    assert.equal(jpeg.status, 200);
    const dim = jpegInfo(jpeg.bytes);
    const j = ok(await upload(server, s1, conv.id, { name: 'small.jpg', data: jpeg.bytes }), 201).message;
    assert.equal(j.content.fileInfo.width, dim.width);
    assert.equal(j.content.fileInfo.height, dim.height);
  });

  it('answers 400 for a body that is not multipart, a form without a file, and a broken multipart body', async () => {
    fails(await call(server, 'POST', `/api/conversations/${conv.id}/upload`, { token: s1.token, json: { file: 'x' } }), 400, 'bad_request');
    const noFile = multipart([{ name: 'description', data: 'no file' }]);
    fails(await call(server, 'POST', `/api/conversations/${conv.id}/upload`, {
      token: s1.token, body: noFile.body, headers: { 'content-type': noFile.contentType },
    }), 400, 'bad_request');
    const cut = multipart([{ name: 'file', filename: 'a.txt', data: 'abc' }]);
    fails(await call(server, 'POST', `/api/conversations/${conv.id}/upload`, {
      token: s1.token, body: cut.body.subarray(0, cut.body.length - 10), headers: { 'content-type': cut.contentType },
    }), 400, 'bad_request');
  });

  it('answers 413 as soon as the file crosses maxFileSize, while streaming, and closes the connection', async () => {
    const room = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id] });
    ok(await call(server, 'PATCH', `/api/conversations/${room.id}`, { token: tutor.token, json: { settings: { maxFileSize: 100000 } } }));
    // Declared too large: refused from the Content-Length alone.
    const big = multipart([{ name: 'file', filename: 'big.txt', data: Buffer.alloc(3 * 1024 * 1024, 'a') }]);
    const early = await rawRequest(server, 'POST', `/api/conversations/${room.id}/upload`, {
      headers: { authorization: `Bearer ${s1.token}`, 'content-type': big.contentType }, body: big.body,
    });
    fails(early, 413, 'payload_too_large');
    // Chunked (no length): the answer arrives while the client is still sending, and the body
    // is never read whole.
    const answer = await new Promise((resolve, reject) => {
      const form = multipart([{ name: 'file', filename: 'big.txt', data: '' }]);
      const [head] = [form.body.subarray(0, form.body.indexOf('\r\n\r\n') + 4)];
      const socket = net.connect(server.port, '127.0.0.1');
      let received = '';
      let sent = 0;
      const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no 413 after ${sent} bytes`)); }, 15000);
      socket.on('data', (c) => { received += c.toString(); if (received.includes('\r\n\r\n{')) { clearTimeout(timer); resolve({ received, sent }); socket.destroy(); } });
      socket.on('error', () => {});
      socket.on('connect', async () => {
        socket.write(`POST /api/conversations/${room.id}/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s1.token}\r\n`
          + `Content-Type: ${form.contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`);
        const send = (b) => socket.write(`${b.length.toString(16)}\r\n`) && socket.write(b) && socket.write('\r\n');
        send(head);
        for (let i = 0; i < 400 && !received && !socket.destroyed; i += 1) {
          send(Buffer.alloc(16384, 'b'));
          sent += 16384;
          await sleep(2);
        }
      });
    });
    assert.match(answer.received, /^HTTP\/1\.1 413/);
    assert.match(answer.received, /payload_too_large/);
    assert.match(answer.received, /[Cc]onnection: close/);
    assert.ok(answer.sent < 2 * 1024 * 1024, `answered after ${answer.sent} bytes, not at the end`);
  });

  it('keeps clientMessageId idempotent: a retried upload returns the stored message (200) and stores nothing new', async () => {
    const cm = uid('cm');
    const data = Buffer.from(`retry ${uid()}`);
    const first = ok(await upload(server, s1, conv.id, { name: 'r.txt', data, clientMessageId: cm }), 201);
    const before = blobFiles(server).length;
    const again = ok(await upload(server, s1, conv.id, { name: 'r.txt', data, clientMessageId: cm }), 200);
    assert.equal(again.message.id, first.message.id);
    assert.equal(again.upload.id, first.upload.id);
    await sleep(300);
    assert.equal(blobFiles(server).length, before, 'the retry left no extra blob');
  });

  it('stores identical content once, encrypted: the bytes on disk are not the plaintext', async () => {
    const marker = `PLAINTEXT-MARKER-${uid()}`;
    const data = Buffer.from(`${marker}\n`.repeat(2000));
    const before = blobFiles(server).length;
    const a = ok(await upload(server, s1, conv.id, { name: 'one.txt', data }), 201).message.content.fileInfo;
    const b = ok(await upload(server, s2, conv.id, { name: 'two.txt', data }), 201).message.content.fileInfo;
    assert.notEqual(a.fileId, b.fileId);
    assert.equal(a.fileHash, b.fileHash);
    // The second upload's own copy is deleted in the background after its commit.
    for (let waited = 0; waited < 5000 && blobFiles(server).length !== before + 1; waited += 100) await sleep(100);
    const files = blobFiles(server);
    assert.equal(files.length, before + 1, 'one blob for two uploads of the same content');
    for (const f of files) {
      const stored = fs.readFileSync(f);
      assert.ok(!stored.includes(Buffer.from(marker)), `${f} holds the plaintext`);
      assert.equal(stored.subarray(0, 8).toString(), 'WRTNENC1');
    }
    // Storage names are server-made hex, never the client's name.
    for (const f of files) assert.match(path.basename(f), /^[0-9a-f]{32,34}$/);
    for (const fi of [a, b]) assert.ok((await getBytes(server, s1, fi.downloadUrl)).bytes.equals(data));
  });

  it('deletes the blob when the last message referencing it is deleted', async () => {
    const data = Buffer.from(`to delete ${uid()}`);
    // Earlier tests' thumbnails are written to the blob store in the background: count once
    // nothing else is arriving, so only this test's blob moves the count.
    const before = await settledBlobCount(server);
    const m1 = ok(await upload(server, s1, conv.id, { name: 'd.txt', data }), 201).message;
    const m2 = ok(await upload(server, s1, conv.id, { name: 'd.txt', data }), 201).message;
    // The second upload's own copy of the bytes is deleted in the background once its commit
    // found the first blob: wait for it rather than race it.
    for (let waited = 0; waited < 5000 && blobFiles(server).length !== before + 1; waited += 100) await sleep(100);
    assert.equal(blobFiles(server).length, before + 1, 'one blob for the two uploads');
    ok(await call(server, 'DELETE', `/api/messages/${m1.id}`, { token: s1.token }));
    fails(await call(server, 'GET', m1.content.fileInfo.downloadUrl, { token: s1.token }), 404, 'not_found');
    await sleep(300);
    assert.equal(blobFiles(server).length, before + 1, 'still referenced by the second upload');
    ok(await call(server, 'DELETE', `/api/messages/${m2.id}`, { token: s1.token }));
    // The blob is collected after the delete commits, off the request path.
    for (let waited = 0; waited < 5000 && blobFiles(server).length !== before; waited += 100) await sleep(100);
    assert.equal(blobFiles(server).length, before, 'the last reference took the blob with it');
  });

  it('sends images as image messages, measures them, and serves JPEG thumbnails of images and PDFs', async () => {
    const m = ok(await upload(server, s1, conv.id, { name: 'foto.png', data: png(600, 300) }), 201).message;
    assert.equal(m.type, 'image');
    const fi = await waitForFile(server, s1, conv.id, m.content.fileInfo.fileId, (f) => f.width !== null);
    assert.equal(fi.width, 600);
    assert.equal(fi.height, 300);
    const sizes = { small: 150, medium: 480, large: 600 };
    for (const [size, long] of Object.entries(sizes)) {
      const t = await getBytes(server, s2, `${fi.thumbnailUrl}?size=${size}`);
      assert.equal(t.status, 200, size);
      assert.equal(t.headers.get('content-type'), 'image/jpeg');
      assert.match(t.headers.get('cache-control'), /max-age/);
      const dim = jpegInfo(t.bytes);
      assert.equal(Math.max(dim.width, dim.height), long, `${size}: ${JSON.stringify(dim)}`);
      assert.equal(dim.app1, false, 'no EXIF/XMP: metadata stripped');
    }
    fails(await call(server, 'GET', `${fi.thumbnailUrl}?size=huge`, { token: s1.token }), 400, 'bad_request');
    const p = ok(await upload(server, s1, conv.id, { name: 'doc.pdf', data: pdf() }), 201).message.content.fileInfo;
    const pt = await getBytes(server, s1, `${p.thumbnailUrl}?size=small`);
    assert.equal(pt.status, 200);
    const pdim = jpegInfo(pt.bytes);
    assert.equal(Math.max(pdim.width, pdim.height), 150);
    const t = ok(await upload(server, s1, conv.id, { name: 'n.txt', data: Buffer.from('text') }), 201).message.content.fileInfo;
    assert.equal(t.thumbnailUrl, null);
    fails(await call(server, 'GET', `/api/files/${t.fileId}/thumbnail`, { token: s1.token }), 404, 'not_found');
  });

  it('refuses to decode an image whose header declares more pixels than the cap (decompression bomb)', async () => {
    const bomb = png(16, 16, { declared: { width: 60000, height: 60000 } });
    const m = ok(await upload(server, s1, conv.id, { name: 'bomb.png', data: bomb }), 201).message;
    await sleep(500);
    const fi = await waitForFile(server, s1, conv.id, m.content.fileInfo.fileId, () => true);
    assert.equal(fi.width, null);
    fails(await call(server, 'GET', `${fi.thumbnailUrl}?size=small`, { token: s1.token }), 422, 'unprocessable');
    assert.equal(server.proc.exitCode, null, 'the server is alive');
  });

  it('says on /readyz that scanning is disabled', async () => {
    const data = ok(await call(server, 'GET', '/readyz'));
    assert.equal(data.scanner, 'disabled');
  });
});

describe('files: the pixel cap and the thumbnail pool are configurable', () => {
  let server; let tutor; let s1; let conv;

  before(async () => {
    server = await startServer({ rateLimit: 100000, extraArgs: ['--max-image-megapixels', '1', '--thumbnail-workers', '1'] });
    tutor = await registerUser(server, { role: 'tutor' });
    s1 = await registerUser(server);
    conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id], title: 'Pixels' });
  });
  after(async () => { if (server) await server.stop(); });

  it('refuses to decode an image over --max-image-megapixels and still previews one under it', async () => {
    const over = ok(await upload(server, s1, conv.id, { name: 'over.png', data: png(1200, 1000) }), 201).message;
    assert.equal(over.content.fileInfo.width, null, 'a size over the cap is not reported');
    fails(await call(server, 'GET', `${over.content.fileInfo.thumbnailUrl}?size=small`, { token: s1.token }), 422, 'unprocessable');
    const under = ok(await upload(server, s1, conv.id, { name: 'under.png', data: png(1000, 900) }), 201).message;
    assert.equal(under.content.fileInfo.width, 1000);
    // One thumbnail worker: several requests at once are queued, not refused, and all answered.
    const thumbs = await Promise.all(['small', 'medium', 'large', 'small'].map(
      (size) => getBytes(server, s1, `${under.content.fileInfo.thumbnailUrl}?size=${size}`)));
    for (const t of thumbs) assert.equal(t.status, 200);
  });

  it('refuses a pixel cap or a thumbnail pool outside its range at start', async () => {
    for (const args of [['--max-image-megapixels', '0'], ['--thumbnail-workers', '0'], ['--thumbnail-workers', '17']]) {
      const dir = makeTempDir();
      try {
        const res = await runBinary(['serve', '--listen', '127.0.0.1:0', '--data-dir', dir, '--jwt-secret', newSecret(), ...args]);
        assert.notEqual(res.code, 0, args.join(' '));
        assert.match(res.stderr, new RegExp(args[0]), args.join(' '));
      } finally {
        removeDir(dir);
      }
    }
  });
});

// ---- with clamd ---------------------------------------------------------------------------------

describe('files: scanning with clamd', { skip: CLAMD ? false : 'WRITEEN_TEST_CLAMD is not set (scripts/test.sh starts clamd)' }, () => {
  let server; let s1; let s2; let conv; let ws;

  before(async () => {
    server = await startServer({ rateLimit: 100000, extraArgs: ['--scan', 'clamd', '--clamd-address', CLAMD, '--scan-workers', '1'] });
    s1 = await registerUser(server);
    s2 = await registerUser(server);
    conv = await createConversation(server, s1, { type: 'direct', participantIds: [s2.id] });
    ws = await WsClient.connect(server, { token: s2.token, label: 's2' });
  });
  after(async () => {
    await closeAll([ws]);
    if (server) await server.stop();
  });

  const statusesOf = (fileId) => ws.events
    .filter((e) => e.event === 'message_updated' && e.data.message.content.fileInfo && e.data.message.content.fileInfo.fileId === fileId)
    .map((e) => e.data.message.content.fileInfo.scanStatus);

  it('marks a clean file pending, then scanning, then clean with message_updated; only then serves it', async () => {
    const m = ok(await upload(server, s1, conv.id, { name: 'clean.txt', data: Buffer.from(`clean ${uid()}`) }), 201).message;
    const fi = m.content.fileInfo;
    assert.equal(fi.scanStatus, 'pending');
    await ws.waitForEvent('message_updated', (d) => d.message.content.fileInfo?.fileId === fi.fileId && d.message.content.fileInfo.scanStatus === 'clean', 20000);
    assert.deepEqual(statusesOf(fi.fileId), ['scanning', 'clean']);
    const res = await getBytes(server, s2, fi.downloadUrl);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-file-scan-status'), 'clean');
  });

  it('marks EICAR infected, deletes its bytes and refuses the download with 423', async () => {
    const before = blobFiles(server).length;
    const fi = ok(await upload(server, s1, conv.id, { name: 'eicar.txt', data: EICAR }), 201).message.content.fileInfo;
    fails(await call(server, 'GET', fi.downloadUrl, { token: s2.token }), 423, 'file_not_ready');
    await ws.waitForEvent('message_updated', (d) => d.message.content.fileInfo?.fileId === fi.fileId && d.message.content.fileInfo.scanStatus === 'infected', 20000);
    fails(await call(server, 'GET', fi.downloadUrl, { token: s2.token }), 423, 'file_not_ready');
    await sleep(300);
    assert.equal(blobFiles(server).length, before, 'infected bytes are deleted');
    const history = ok(await call(server, 'GET', `/api/conversations/${conv.id}/messages?limit=5`, { token: s2.token }));
    assert.equal(history.messages.find((x) => x.content.fileInfo?.fileId === fi.fileId).content.fileInfo.scanStatus, 'infected');
  });

  it('finds EICAR inside a .docx and flags a zip bomb', async () => {
    const infected = ok(await upload(server, s1, conv.id, { name: 'laporan.docx', data: docx([{ name: 'word/media/eicar.txt', data: EICAR }]) }), 201).message.content.fileInfo;
    const bomb = ok(await upload(server, s1, conv.id, {
      name: 'bomb.docx', data: docx([{ name: 'word/media/zeros.bin', data: Buffer.alloc(40 * 1024 * 1024), deflate: true }]),
    }), 201).message.content.fileInfo;
    for (const fi of [infected, bomb]) {
      const done = await waitForFile(server, s1, conv.id, fi.fileId, (f) => !['pending', 'scanning'].includes(f.scanStatus));
      assert.equal(done.scanStatus, 'infected', fi.fileName);
      fails(await call(server, 'GET', fi.downloadUrl, { token: s2.token }), 423, 'file_not_ready');
    }
  });

  it('queues more uploads than scan workers and marks none clean without a verdict', async () => {
    const mark = ws.mark();
    const uploads = await Promise.all(Array.from({ length: 8 }, (_, i) => upload(server, s1, conv.id, {
      // Distinct content, so every file gets a scan of its own (equal content shares a verdict).
      name: `u${i}.txt`, data: i % 2 ? Buffer.concat([EICAR, Buffer.from(`\n${uid()}\n`)]) : Buffer.from(`fine ${i} ${uid()}`),
    })));
    const files = uploads.map((r, i) => ({ infected: i % 2 === 1, fi: ok(r, 201).message.content.fileInfo }));
    for (const { fi } of files) assert.equal(fi.scanStatus, 'pending');
    for (const { fi, infected } of files) {
      const final = await waitForFile(server, s1, conv.id, fi.fileId, (f) => !['pending', 'scanning'].includes(f.scanStatus), 60000);
      assert.equal(final.scanStatus, infected ? 'infected' : 'clean', fi.fileName);
    }
    await sleep(300);
    for (const { fi, infected } of files) {
      const seen = ws.since(mark, (e) => e.event === 'message_updated' && e.data.message.content.fileInfo?.fileId === fi.fileId)
        .map((e) => e.data.message.content.fileInfo.scanStatus);
      assert.deepEqual(seen, ['scanning', infected ? 'infected' : 'clean'], `${fi.fileName}: ${seen}`);
    }
  });

  it('gives equal content the same verdict: a second EICAR upload sharing the blob is infected too', async () => {
    const data = Buffer.concat([EICAR, Buffer.from(`\n${uid()}\n`)]);
    const [a, b] = await Promise.all([upload(server, s1, conv.id, { name: 'a.txt', data }), upload(server, s2, conv.id, { name: 'b.txt', data })]);
    for (const r of [a, b]) {
      const fi = ok(r, 201).message.content.fileInfo;
      const final = await waitForFile(server, s1, conv.id, fi.fileId, (f) => !['pending', 'scanning'].includes(f.scanStatus));
      assert.equal(final.scanStatus, 'infected');
    }
  });

  it('reports the scanner on /readyz', async () => {
    const data = ok(await call(server, 'GET', '/readyz'));
    assert.equal(data.scanner, 'ok');
  });
});

describe('files: clamd unreachable', () => {
  let server; let s1; let s2; let conv;
  before(async () => {
    server = await startServer({ extraArgs: ['--scan', 'clamd', '--clamd-address', 'unix:/nonexistent/clamd.sock'] });
    s1 = await registerUser(server);
    s2 = await registerUser(server);
    conv = await createConversation(server, s1, { type: 'direct', participantIds: [s2.id] });
  });
  after(async () => { if (server) await server.stop(); });

  it('keeps the file pending (no verdict yet), never clean, refuses the download, and /readyz is 503', async () => {
    const fi = ok(await upload(server, s1, conv.id, { name: 'x.txt', data: Buffer.from('hello') }), 201).message.content.fileInfo;
    // The first attempt finds clamd gone; the file waits for it (scan-recovery.test.js has it come back).
    await sleep(1500);
    const waiting = await waitForFile(server, s1, conv.id, fi.fileId, () => true);
    assert.equal(waiting.scanStatus, 'pending');
    fails(await call(server, 'GET', fi.downloadUrl, { token: s2.token }), 423, 'file_not_ready');
    const ready = await call(server, 'GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.data.scanner, 'down');
  });
});

// ---- S3 ----------------------------------------------------------------------------------------

describe('files: S3 blob store', { skip: S3_ENDPOINT ? false : 'WRITEEN_TEST_S3_ENDPOINT is not set (scripts/test.sh starts s3rver)' }, () => {
  let server; let s1; let s2; let conv;
  before(async () => {
    server = await startServer({
      extraArgs: ['--blob-store', 's3', '--s3-endpoint', S3_ENDPOINT, '--s3-bucket', S3_BUCKET, '--s3-region', 'us-east-1',
        '--s3-access-key', 'S3RVER', '--s3-secret-key', 'S3RVER', '--s3-path-style', 'true'],
    });
    s1 = await registerUser(server);
    s2 = await registerUser(server);
    conv = await createConversation(server, s1, { type: 'direct', participantIds: [s2.id] });
  });
  after(async () => { if (server) await server.stop(); });

  it('uploads to and downloads from S3, with Range, encrypted in the bucket', async () => {
    const marker = `S3-PLAINTEXT-${uid()}`;
    const data = Buffer.from(`${marker}${crypto.randomBytes(150000).toString('base64')}`);
    const fi = ok(await upload(server, s1, conv.id, { name: 's3.txt', data }), 201).message.content.fileInfo;
    const whole = await getBytes(server, s2, fi.downloadUrl);
    assert.equal(whole.status, 200);
    assert.ok(whole.bytes.equals(data));
    const part = await getBytes(server, s2, fi.downloadUrl, { range: 'bytes=100000-100099' });
    assert.equal(part.status, 206);
    assert.ok(part.bytes.equals(data.subarray(100000, 100100)));
    // The objects as s3rver holds them (it does not check signatures on reads).
    const list = await (await fetch(`${S3_ENDPOINT}/${S3_BUCKET}?prefix=blobs/`)).text();
    const keys = [...list.matchAll(/<Key>([^<]+)<\/Key>/g)].map((x) => x[1]);
    assert.ok(keys.length >= 1, list);
    for (const key of keys) {
      const stored = Buffer.from(await (await fetch(`${S3_ENDPOINT}/${S3_BUCKET}/${key}`)).arrayBuffer());
      assert.ok(!stored.includes(Buffer.from(marker)), `${key} holds the plaintext`);
      assert.match(key, /^blobs\/[0-9a-f]{32,34}$/);
    }
  });
});
