'use strict';
// Office previews against the real binary and the real LibreOffice: a DOCX (python3-docx) and a
// PPTX (pptxgenjs) get a JPEG of their first page; hostile documents (a macro, an image linked
// from a URL, 5,000 pages) neither hang nor reach the network; a conversion that hangs is killed
// at --office-timeout while the server keeps serving; the start log says whether previews are on.
// One LibreOffice server is shared by the cases: each conversion starts LibreOffice (≈1–3 s here).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const PptxGenJS = require('pptxgenjs');
const { startServer, makeTempDir, removeDir } = require('./lib/server');
const { call, ok, fails, registerUser, createConversation, sleep } = require('./lib/http');
const { upload, getBytes } = require('./lib/uploads');

// Debian's python3 has python3-docx (scripts/install-deps.sh test); a pyenv python3 may not.
const PYTHON = process.env.WRITEEN_TEST_PYTHON || '/usr/bin/python3';
const MAKER = path.join(__dirname, 'lib', 'office_documents.py');

/** The executable called name on PATH, or null. */
function onPath(name) {
  for (const dir of (process.env.PATH || '').split(':').filter(Boolean)) {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return path.join(dir, name);
    } catch { /* not here */ }
  }
  return null;
}
const soffice = onPath('soffice');

/** A .docx of the given kind written by lib/office_documents.py (python3-docx). */
function docx(kind, url) {
  const dir = makeTempDir('writeen-docx-');
  try {
    const out = path.join(dir, 'out.docx');
    const r = spawnSync(PYTHON, [MAKER, kind, out, ...(url ? [url] : [])], { encoding: 'utf8' });
    assert.equal(r.status, 0, `office_documents.py ${kind}: ${r.stderr}`);
    return fs.readFileSync(out);
  } finally {
    removeDir(dir);
  }
}

/** A two-slide .pptx written by pptxgenjs. */
async function pptx() {
  const p = new PptxGenJS();
  p.addSlide().addText(`Writeen preview test ${crypto.randomBytes(4).toString('hex')}`, { x: 0.5, y: 1, w: 9, h: 1.5, fontSize: 40, color: '1F4E79' });
  p.addSlide().addText('Second slide', { x: 0.5, y: 1, w: 9, h: 1 });
  return p.write({ outputType: 'nodebuffer' });
}

/** A TCP listener counting who connects: an external link must never reach it. */
async function listener() {
  const l = { connections: 0 };
  l.server = net.createServer((sock) => { l.connections += 1; sock.destroy(); });
  await new Promise((resolve) => l.server.listen(0, '127.0.0.1', resolve));
  l.port = l.server.address().port;
  return l;
}

/** Width and height of a baseline or progressive JPEG (its SOF marker). */
function jpegSize(b) {
  assert.ok(b.length > 0, 'a non-empty thumbnail');
  assert.equal(b.readUInt16BE(0), 0xffd8, 'a JPEG');
  for (let i = 2; i + 8 < b.length;) {
    const marker = b.readUInt16BE(i);
    if (marker >= 0xffc0 && marker <= 0xffc3) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + b.readUInt16BE(i + 2);
  }
  throw new Error('no SOF in the JPEG');
}

/** Uploads, checks the fileInfo of API.md announces a preview, and returns it. */
async function uploadOffice(server, user, conv, name, data, mime) {
  const fi = ok(await upload(server, user, conv.id, { name, data }), 201).message.content.fileInfo;
  assert.equal(fi.fileType, mime);
  assert.equal(fi.thumbnailUrl, `/api/files/${fi.fileId}/thumbnail`);
  return fi;
}

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const PPTX_MIME = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

describe('office previews with the real LibreOffice', { skip: !soffice && 'LibreOffice is not installed (scripts/install-deps.sh test)' }, () => {
  let server; let tutor; let student; let conv;

  before(async () => {
    server = await startServer({ rateLimit: 100000, extraArgs: ['--soffice', soffice, '--office-timeout', '60'] });
    tutor = await registerUser(server, { role: 'tutor' });
    student = await registerUser(server);
    conv = await createConversation(server, tutor, { type: 'group', participantIds: [student.id], title: 'Office' });
  });
  after(async () => { if (server) await server.stop(); });

  it('logs at start that Office previews are on, and with which soffice', () => {
    const log = server.stdout.text + server.stderr.text;
    assert.match(log, new RegExp(`previews of Office files \\(DOCX, PPTX\\): on, with ${soffice.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('makes a JPEG of the first page of a real DOCX and of a real PPTX, in every size', async () => {
    const d = await uploadOffice(server, student, conv, 'Bab 1.docx', docx('plain'), DOCX_MIME);
    const p = await uploadOffice(server, student, conv, 'Sidang.pptx', await pptx(), PPTX_MIME);
    for (const fi of [d, p]) {
      const t = await getBytes(server, tutor, `${fi.thumbnailUrl}?size=small`);
      assert.equal(t.status, 200, t.bytes.toString());
      assert.equal(t.headers.get('content-type'), 'image/jpeg');
      const size = jpegSize(t.bytes);
      assert.equal(Math.max(size.width, size.height), 150);
      assert.ok(Math.min(size.width, size.height) > 50, `a page shape, not a sliver: ${JSON.stringify(size)}`);
    }
    // A page is portrait, a slide is landscape: each is its own document's first page.
    const page = jpegSize((await getBytes(server, tutor, `${d.thumbnailUrl}?size=medium`)).bytes);
    const slide = jpegSize((await getBytes(server, tutor, `${p.thumbnailUrl}?size=medium`)).bytes);
    assert.ok(page.height > page.width, `portrait page ${JSON.stringify(page)}`);
    assert.ok(slide.width > slide.height, `landscape slide ${JSON.stringify(slide)}`);
    assert.equal(Math.max(page.width, page.height), 480);
  });

  it('never fetches an image linked from a URL, and still previews the rest', async () => {
    const l = await listener();
    try {
      const fi = await uploadOffice(server, student, conv, 'linked.docx', docx('external-link', `http://127.0.0.1:${l.port}/pic.png`), DOCX_MIME);
      const t = await getBytes(server, tutor, `${fi.thumbnailUrl}?size=small`);
      assert.equal(t.status, 200, t.bytes.toString());
      jpegSize(t.bytes);
      await sleep(500);
      assert.equal(l.connections, 0, 'LibreOffice connected to the linked URL');
    } finally {
      l.server.close();
    }
  });

  it('does not run a macro (a macro-enabled document named .docx) and the file stays downloadable', async () => {
    const data = docx('macro');
    const up = ok(await upload(server, student, conv.id, { name: 'macro.docx', data }), 201).message.content.fileInfo;
    const t = await getBytes(server, tutor, `/api/files/${up.fileId}/thumbnail?size=small`);
    // Either a preview of the text or 422: what counts is that nothing ran and nothing hung.
    assert.ok([200, 404, 422].includes(t.status), `status ${t.status}`);
    if (t.status === 200) jpegSize(t.bytes);
    const dl = await getBytes(server, tutor, up.downloadUrl);
    assert.equal(dl.status, 200);
    assert.ok(dl.bytes.equals(data));
  });

  it('previews a 5,000-page document from its first page in bounded time while serving others', async () => {
    const fi = await uploadOffice(server, student, conv, 'tebal.docx', docx('many-pages'), DOCX_MIME);
    const started = Date.now();
    const thumb = getBytes(server, tutor, `${fi.thumbnailUrl}?size=small`);
    // Meanwhile the server answers: the conversion runs on its own pool, not on an I/O thread.
    ok(await call(server, 'GET', `/api/conversations/${conv.id}/messages?limit=5`, { token: tutor.token }));
    const dl = await getBytes(server, tutor, fi.downloadUrl);
    assert.equal(dl.status, 200);
    const t = await thumb;
    assert.equal(t.status, 200, t.bytes.toString());
    jpegSize(t.bytes);
    assert.ok(Date.now() - started < 30000, `took ${Date.now() - started} ms`);
  });
});

describe('office previews: a conversion that hangs is killed at --office-timeout', () => {
  let server; let tutor; let student; let conv; let dir;

  before(async () => {
    // A stand-in for soffice that never finishes, with a child like soffice.bin, so the real
    // binary's timeout and process-group kill are what is tested (LibreOffice itself rarely hangs
    // on demand). It records the child's pid.
    dir = makeTempDir('writeen-hang-');
    fs.writeFileSync(path.join(dir, 'soffice'), `#!/bin/sh\nsleep 600 & echo $! > ${dir}/child\nwait\n`, { mode: 0o755 });
    server = await startServer({ rateLimit: 100000, extraArgs: ['--soffice', path.join(dir, 'soffice'), '--office-timeout', '2'] });
    tutor = await registerUser(server, { role: 'tutor' });
    student = await registerUser(server);
    conv = await createConversation(server, tutor, { type: 'group', participantIds: [student.id], title: 'Hang' });
  });
  after(async () => {
    if (server) await server.stop();
    removeDir(dir);
  });

  it('answers 422 after the timeout, kills the whole group, keeps the file downloadable and keeps serving', async () => {
    const data = docx('plain');
    const fi = await uploadOffice(server, student, conv, 'hang.docx', data, DOCX_MIME);
    const started = Date.now();
    const thumb = getBytes(server, tutor, `${fi.thumbnailUrl}?size=small`);
    await sleep(300);
    ok(await call(server, 'GET', `/api/conversations/${conv.id}/messages?limit=5`, { token: tutor.token }));
    const t = await thumb;
    assert.equal(t.status, 422);
    assert.equal(JSON.parse(t.bytes.toString()).error.code, 'unprocessable');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1900 && elapsed < 8000, `answered after ${elapsed} ms`);
    const child = Number(fs.readFileSync(path.join(dir, 'child'), 'utf8'));
    let alive = true;
    for (let i = 0; i < 50 && alive; i += 1) {
      try {
        const stat = fs.readFileSync(`/proc/${child}/stat`, 'utf8');
        alive = !/\) Z /.test(stat);
      } catch { alive = false; }
      if (alive) await sleep(50);
    }
    assert.equal(alive, false, `the stand-in's child ${child} outlived the timeout`);
    const dl = await getBytes(server, tutor, fi.downloadUrl);
    assert.equal(dl.status, 200);
    assert.ok(dl.bytes.equals(data));
  });
});

describe('office previews off', () => {
  let server;
  before(async () => { server = await startServer({ extraArgs: ['--soffice', 'none'] }); });
  after(async () => { if (server) await server.stop(); });

  it('logs that they are off, and a DOCX has no thumbnailUrl', async () => {
    assert.match(server.stdout.text + server.stderr.text, /previews of Office files \(DOCX, PPTX\): off/);
    const tutor = await registerUser(server, { role: 'tutor' });
    const student = await registerUser(server);
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [student.id], title: 'Off' });
    const fi = ok(await upload(server, student, conv.id, { name: 'a.docx', data: docx('plain') }), 201).message.content.fileInfo;
    assert.equal(fi.thumbnailUrl, null);
    fails(await call(server, 'GET', `/api/files/${fi.fileId}/thumbnail`, { token: tutor.token }), 404, 'not_found');
  });
});
