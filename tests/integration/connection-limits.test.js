'use strict';
// Slowloris defences (docs/OPERATIONS.md): the header-read timeout, the body idle timeout, and
// the per-address limits on open connections and on connections still sending their headers.
// Short timeouts and small limits come from flags so that the file runs in seconds. Each refusal
// is counted in /metrics (writeen_connections_refused_total{reason}); the last describe runs a
// server out of file descriptors and checks it sheds connections, counts them and recovers.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const { startServer, runBinary, makeTempDir, removeDir, newSecret } = require('./lib/server');
const { sleep } = require('./lib/http');

/**
 * writeen_connections_refused_total by reason, read on a connection of its own that is closed
 * after the answer (fetch would keep it open and count against the per-address limit).
 */
function refusedCounts(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c) => { text += c.toString('utf8'); });
    socket.on('error', reject);
    socket.on('close', () => {
      const counts = {};
      for (const m of text.matchAll(/^writeen_connections_refused_total\{reason="(\w+)"\} (\d+)$/gm)) counts[m[1]] = Number(m[2]);
      if (Object.keys(counts).length === 0) reject(new Error(`no refusal counters in: ${text.slice(0, 300)}`));
      else resolve(counts);
    });
    socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  });
}

const HEADER_TIMEOUT_S = 2;
const BODY_IDLE_TIMEOUT_S = 1;
const MAX_CONNECTIONS = 4;
const MAX_PENDING = 2;

describe('connection limits', () => {
  let server;
  let open = [];

  before(async () => {
    server = await startServer({
      extraArgs: [
        '--header-timeout-s', String(HEADER_TIMEOUT_S),
        '--body-idle-timeout-s', String(BODY_IDLE_TIMEOUT_S),
        '--max-connections-per-address', String(MAX_CONNECTIONS),
        '--max-pending-headers-per-address', String(MAX_PENDING),
      ],
    });
  });
  afterEach(async () => {
    for (const s of open) s.destroy();
    open = [];
    await sleep(200);  // the server sees the closes and gives the units back
  });
  after(async () => { if (server) await server.stop(); });

  /** A connected socket that records what it receives and when it closes. */
  function connect() {
    return new Promise((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1');
      socket.received = '';
      socket.closedAt = new Promise((res) => socket.once('close', () => res(Date.now())));
      socket.on('data', (c) => { socket.received += c.toString('latin1'); });
      socket.on('error', () => { /* a reset shows as a close */ });
      socket.once('connect', () => { open.push(socket); resolve(socket); });
      socket.once('error', reject);
    });
  }

  /** Resolves to the time the socket closed, or null if it is still open after ms. */
  async function closedWithin(socket, ms) {
    return Promise.race([socket.closedAt, sleep(ms).then(() => null)]);
  }

  /** Sends a complete request on socket and waits for the start of an answer. */
  async function answered(socket, ms = 3000) {
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const until = Date.now() + ms;
    while (!/\r\n\r\n/.test(socket.received) && Date.now() < until) await sleep(20);
    return socket.received.split('\r\n')[0];
  }

  it('refuses timeouts below 1 s and negative limits at start', async () => {
    for (const args of [['--header-timeout-s', '0'], ['--body-idle-timeout-s', '0'],
      ['--max-connections-per-address=-1'], ['--max-pending-headers-per-address=-1']]) {
      const dir = makeTempDir();
      try {
        const res = await runBinary(['serve', '--listen', '127.0.0.1:0', '--data-dir', dir, '--jwt-secret', newSecret(), ...args]);
        assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
        assert.match(res.stderr, new RegExp(args[0].split('=')[0]));
      } finally {
        removeDir(dir);
      }
    }
  });

  it('drops a connection that trickles its headers for longer than --header-timeout-s', async () => {
    const before = await refusedCounts(server.port);
    const s = await connect();
    const started = Date.now();
    s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => { if (!s.destroyed) s.write('X-Slow: 1\r\n'); }, 200);
    try {
      const closedAt = await closedWithin(s, (HEADER_TIMEOUT_S + 3) * 1000);
      assert.ok(closedAt, 'the trickling connection is still open');
      assert.ok(closedAt - started >= HEADER_TIMEOUT_S * 1000 - 100, `closed too early: ${closedAt - started} ms`);
      assert.equal(s.received, '', 'nothing is answered to a request whose headers never ended');
    } finally {
      clearInterval(trickle);
    }
    const after = await refusedCounts(server.port);
    assert.equal(after.header_timeout, before.header_timeout + 1, 'the header timeout is counted once');
  });

  it('drops a silent connection, and an idle kept-alive one only after the keep-alive wait', async () => {
    const silent = await connect();
    assert.ok(await closedWithin(silent, (HEADER_TIMEOUT_S + 3) * 1000), 'a connection that sends nothing stays open');
    const kept = await connect();
    assert.match(await answered(kept), /^HTTP\/1\.1 200/);
    // Between requests the header timeout does not apply until the next request starts.
    assert.equal(await closedWithin(kept, (HEADER_TIMEOUT_S + 1) * 1000), null, 'an idle kept-alive connection was dropped');
    kept.received = '';
    assert.match(await answered(kept), /^HTTP\/1\.1 200/);
  });

  it('drops a request body that sends nothing for --body-idle-timeout-s, but not a slow one', async () => {
    const before = await refusedCounts(server.port);
    const stalled = await connect();
    stalled.write('POST /api/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
      + 'Content-Length: 100\r\n\r\n{"type":');
    const stalledAt = Date.now();
    const closedAt = await closedWithin(stalled, (BODY_IDLE_TIMEOUT_S + 3) * 1000);
    assert.ok(closedAt, 'the stalled body kept the connection open');
    assert.ok(closedAt - stalledAt >= BODY_IDLE_TIMEOUT_S * 1000 - 100, `closed too early: ${closedAt - stalledAt} ms`);

    // Slower overall than the idle timeout, but never silent for that long: it is read whole
    // and answered (401: no token), which shows the timeout is on silence, not on the body.
    const slow = await connect();
    const body = '{"type":"group","participantIds":[]}';
    slow.write(`POST /api/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    const pieces = body.match(/.{1,6}/g);
    for (const piece of pieces) {
      await sleep((BODY_IDLE_TIMEOUT_S * 1000) / 3);
      slow.write(piece);
    }
    const until = Date.now() + 3000;
    while (!/\r\n\r\n/.test(slow.received) && Date.now() < until) await sleep(20);
    assert.match(slow.received.split('\r\n')[0], /^HTTP\/1\.1 401/, `took ${pieces.length * BODY_IDLE_TIMEOUT_S / 3} s in all`);
    const after = await refusedCounts(server.port);
    assert.equal(after.body_idle_timeout, before.body_idle_timeout + 1, 'only the stalled body is counted');
  });

  it('closes at once a connection over --max-pending-headers-per-address, and accepts again once they finish', async () => {
    const before = await refusedCounts(server.port);
    const pending = [];
    for (let i = 0; i < MAX_PENDING; i += 1) pending.push(await connect());
    await sleep(100);
    const over = await connect();
    assert.ok(await closedWithin(over, 1000), 'a connection over the pending-headers limit was kept');
    assert.equal(over.received, '');
    // One of them completes its request: it no longer counts as pending.
    assert.match(await answered(pending[0]), /^HTTP\/1\.1 200/);
    await sleep(100);
    const next = await connect();
    assert.match(await answered(next), /^HTTP\/1\.1 200/);
    for (const s of open) s.destroy();
    await sleep(200);
    const after = await refusedCounts(server.port);
    assert.equal(after.too_many_pending_headers, before.too_many_pending_headers + 1);
  });

  it('closes at once a connection over --max-connections-per-address, and accepts again after one closes', async () => {
    const before = await refusedCounts(server.port);
    const kept = [];
    for (let i = 0; i < MAX_CONNECTIONS; i += 1) {
      const s = await connect();
      assert.match(await answered(s), /^HTTP\/1\.1 200/);
      kept.push(s);
    }
    await sleep(100);
    const over = await connect();
    assert.ok(await closedWithin(over, 1000), 'a connection over the per-address limit was kept');
    assert.equal(over.received, '');
    kept[0].destroy();
    await sleep(300);
    const next = await connect();
    assert.match(await answered(next), /^HTTP\/1\.1 200/);
    for (const s of open) s.destroy();
    await sleep(200);
    const after = await refusedCounts(server.port);
    assert.equal(after.too_many_connections, before.too_many_connections + 1);
  });
});

describe('out of file descriptors', () => {
  let server;
  const sockets = [];

  before(async () => { server = await startServer(); });
  after(async () => {
    for (const s of sockets) s.destroy();
    if (server) await server.stop();
  });

  it('sheds connections it cannot accept (closed, counted), keeps running and serves again once descriptors are free', async () => {
    const pid = server.proc.pid;
    const before = await refusedCounts(server.port);
    await sleep(200);  // the metrics connection is closed and its descriptor given back
    const inUse = fs.readdirSync(`/proc/${pid}/fd`).length;
    const [, soft, hard] = /Max open files\s+(\d+)\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'));
    // Room for a few connections only; the rest hit EMFILE in accept. Only the soft limit: a
    // container may not let the hard one be raised back.
    execFileSync('prlimit', [`--pid=${pid}`, `--nofile=${inUse + 4}:${hard}`]);
    try {
      const closed = [];
      for (let i = 0; i < 12; i += 1) {
        const s = net.connect(server.port, '127.0.0.1');
        s.on('error', () => { /* a reset shows as a close */ });
        sockets.push(s);
        closed.push(new Promise((res) => s.once('close', () => res(true))));
      }
      // Connections over the limit are closed promptly, not left hanging in the backlog.
      const settled = await Promise.all(closed.map((p) => Promise.race([p, sleep(3000).then(() => false)])));
      const shed = settled.filter(Boolean).length;
      assert.ok(shed >= 6, `only ${shed} of 12 connections were closed while out of descriptors`);
    } finally {
      for (const s of sockets) s.destroy();
      execFileSync('prlimit', [`--pid=${pid}`, `--nofile=${soft}:${hard}`]);
    }
    await sleep(300);
    assert.equal(server.crashed, null, 'the server died');
    const after = await refusedCounts(server.port);
    assert.ok(after.file_descriptors > before.file_descriptors, `not counted: ${JSON.stringify(after)}`);
    const s = net.connect(server.port, '127.0.0.1');
    sockets.push(s);
    let got = '';
    s.on('data', (c) => { got += c.toString('latin1'); });
    s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await new Promise((res) => s.once('close', res));
    assert.match(got.split('\r\n')[0], /^HTTP\/1\.1 200/);
  });
});
