'use strict';
// Memory of thumbnails (docs/FILES.md, "Thumbnails"): several 7000×7000 images (49 megapixels,
// under the 50-megapixel cap; 147 MB each once decoded) thumbnailed at once by the real server,
// whose resident memory (VmRSS in /proc) is sampled every 10 ms meanwhile. libvips shrinks JPEGs
// on load and reads PNGs sequentially, and only --thumbnail-workers (2) decode at a time, so the
// growth stays a small fraction of one decoded image instead of ~110 MiB per image. Prints the
// figures that docs/FILES.md records. Images come from build/test_image_tool (libvips).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startServer, BINARY } = require('./lib/server');
const { call, ok, registerUser, createConversation, sleep } = require('./lib/http');
const { upload, getBytes } = require('./lib/uploads');

const TOOL = path.join(path.dirname(BINARY), 'test_image_tool');
const SIDE = 7000;
const IMAGES = 8;  // 4 JPEG, 4 PNG: four times the two thumbnail workers
// A bound with room for the noise of malloc arenas, far under one decoded image (147 MB) and
// under the ~110 MiB per image the issue measured without shrink-on-load.
const MAX_GROWTH_MIB = 160;

function rssMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

describe('thumbnail memory', { skip: fs.existsSync(TOOL) ? false : `${TOOL} is missing: build the test_image_tool target` }, () => {
  let server; let tutor; let student; let room;
  const files = [];

  before(async () => {
    // Made before the server starts, then uploaded back to back: making them takes tens of
    // seconds (the event loop blocked), and a kept-alive connection left idle that long is
    // closed by the server's header timeout just as the next request is written on it.
    const images = [];
    for (let i = 0; i < IMAGES; i += 1) {
      const format = i % 2 ? 'png' : 'jpeg';
      const data = execFileSync(TOOL, [String(SIDE), String(SIDE), format, String(i + 1)], { maxBuffer: 256 * 1024 * 1024 });
      images.push({ name: `scan-${i}.${format === 'png' ? 'png' : 'jpg'}`, data });
    }
    server = await startServer({ rateLimit: 100000 });
    tutor = await registerUser(server, { role: 'tutor' });
    student = await registerUser(server);
    room = await createConversation(server, tutor, { type: 'group', participantIds: [student.id] });
    ok(await call(server, 'PATCH', `/api/conversations/${room.id}`, { token: tutor.token, json: { settings: { maxFileSize: 64 * 1024 * 1024 } } }));
    for (const { name, data } of images) {
      const m = ok(await upload(server, tutor, room.id, { name, data }), 201).message;
      files.push({ name, bytes: data.length, fileInfo: m.content.fileInfo });
    }
  });
  after(async () => { if (server) await server.stop(); });

  it(`thumbnails ${IMAGES} images of ${SIDE}×${SIDE} at once within ${MAX_GROWTH_MIB} MiB of resident memory`, { timeout: 240000 }, async () => {
    for (const f of files) assert.equal(f.fileInfo.width, SIDE, `${f.name}: measured from the header`);
    const pid = server.proc.pid;
    // libvips and its loaders warmed up by one small thumbnail, then the memory at rest.
    const warm = await getBytes(server, student, `${files[0].fileInfo.thumbnailUrl}?size=small`);
    assert.equal(warm.status, 200);
    await sleep(300);
    const baseline = rssMiB(pid);
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, rssMiB(pid));
        await sleep(10);
      }
    })();
    const started = Date.now();
    const answers = await Promise.all(files.map((f) => getBytes(server, student, `${f.fileInfo.thumbnailUrl}?size=large`)));
    const seconds = (Date.now() - started) / 1000;
    sampling = false;
    await sampler;
    for (const [i, res] of answers.entries()) {
      assert.equal(res.status, 200, files[i].name);
      assert.equal(res.headers.get('content-type'), 'image/jpeg');
      assert.ok(res.bytes.length > 1000);
    }
    const growth = peak - baseline;
    const sizes = files.map((f) => `${f.name} ${(f.bytes / 1048576).toFixed(1)} MiB`).join(', ');
    console.log(`thumbnail memory: ${IMAGES} images of ${SIDE}x${SIDE} (${sizes}) in ${seconds.toFixed(1)} s; `
      + `RSS at rest ${baseline.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, growth ${growth.toFixed(0)} MiB`);
    assert.ok(growth < MAX_GROWTH_MIB, `resident memory grew by ${growth.toFixed(0)} MiB`);
  });
});
