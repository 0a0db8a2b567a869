'use strict';
// The process: start-up refusals, SIGTERM shutdown, configuration through WRITEEN_* variables,
// and the `token` subcommand.

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { startServer, runBinary, newSecret, makeTempDir, removeDir } = require('./lib/server');
const { call, ok, fails, uid, registerUser, createConversation, sendRest, allMessages } = require('./lib/http');
const { verifyHs256, decode, userToken, nowSeconds } = require('./lib/tokens');
const { WsClient, closeAll } = require('./lib/ws');

const dirs = [];
const tempDir = () => { const d = makeTempDir(); dirs.push(d); return d; };

/** Runs `serve` and expects it to refuse to start: exits non-zero by itself, within 10 s. */
async function expectRefusal(args, env = {}) {
  const r = await runBinary(['serve', ...args], { env, timeoutMs: 10000 });
  assert.equal(r.timedOut, false, `the server should have refused to start but kept running; stdout: ${r.stdout} stderr: ${r.stderr}`);
  assert.notEqual(r.code, 0, `exit code should be non-zero; stderr: ${r.stderr}`);
  assert.doesNotMatch(r.stdout, /listening on/, 'it must not announce a listening port');
  return r;
}

describe('process', () => {
  const servers = [];
  const sockets = [];
  after(async () => {
    await closeAll(sockets);
    for (const s of servers) await s.stop();
    for (const d of dirs) removeDir(d);
  });

  it('refuses to start without a JWT secret and says so on stderr', async () => {
    const r = await expectRefusal(['--listen', '127.0.0.1:0', '--data-dir', tempDir()]);
    assert.match(r.stderr, /secret/i);
  });

  it('refuses to start with a secret shorter than 32 bytes and says so on stderr', async () => {
    const r = await expectRefusal(['--listen', '127.0.0.1:0', '--data-dir', tempDir(), '--jwt-secret', 'x'.repeat(31)]);
    assert.match(r.stderr, /secret/i);
  });

  it('refuses a short secret given through WRITEEN_JWT_SECRET as well', async () => {
    const r = await expectRefusal(['--listen', '127.0.0.1:0', '--data-dir', tempDir()], { WRITEEN_JWT_SECRET: 'short' });
    assert.match(r.stderr, /secret/i);
  });

  it('refuses a commit interval outside 0..100 ms, naming the flag', async () => {
    for (const bad of ['-1', '101']) {
      const r = await expectRefusal(['--listen', '127.0.0.1:0', '--data-dir', tempDir(), '--jwt-secret', newSecret(),
        '--commit-interval-ms', bad]);
      assert.match(r.stderr, /commit-interval-ms/);
    }
  });

  it('refuses an unknown --store, and --store postgres without --postgres-url, naming the flag', async () => {
    const base = ['--listen', '127.0.0.1:0', '--data-dir', tempDir(), '--jwt-secret', newSecret()];
    const unknown = await expectRefusal([...base, '--store', 'mysql']);
    assert.match(unknown.stderr, /--store/);
    const noUrl = await expectRefusal([...base, '--store', 'postgres']);
    assert.match(noUrl.stderr, /--postgres-url/);
  });

  it('refuses to start with a data dir it cannot create or write, naming it on stderr', async () => {
    // We run as root, so permission bits do not stop us: use a path below a regular file.
    const base = tempDir();
    const file = path.join(base, 'not-a-directory');
    fs.writeFileSync(file, 'x');
    const bad = path.join(file, 'data');
    const r = await expectRefusal(['--listen', '127.0.0.1:0', '--data-dir', bad, '--jwt-secret', newSecret()]);
    assert.ok(r.stderr.includes(bad) || /data.?dir/i.test(r.stderr), `stderr names the data dir: ${r.stderr}`);
    const r2 = await expectRefusal(['--listen', '127.0.0.1:0', '--data-dir', file, '--jwt-secret', newSecret()]);
    assert.ok(r2.stderr.includes(file) || /data.?dir/i.test(r2.stderr), `stderr names the data dir: ${r2.stderr}`);
  });

  it('refuses to start on a port that is already taken, saying so on stderr', async () => {
    const blocker = net.createServer();
    await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address();
    try {
      const r = await expectRefusal(['--listen', `127.0.0.1:${port}`, '--data-dir', tempDir(), '--jwt-secret', newSecret()]);
      assert.match(r.stderr, /in use|address|bind|listen|port/i);
    } finally {
      blocker.close();
    }
  });

  it('exits 0 on SIGTERM and closes open WebSockets with 1001', { timeout: 30000 }, async () => {
    const s = await startServer();
    servers.push(s);
    const u = await registerUser(s);
    const c1 = await WsClient.connect(s, { token: u.token, label: 'c1' });
    const c2 = await WsClient.connect(s, { token: u.token, label: 'c2' });
    sockets.push(c1, c2);
    const exit = await s.terminate();
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGTERM; stderr: ${s.stderr.text}`);
    for (const c of [c1, c2]) {
      const info = await c.waitClosed(5000);
      assert.equal(info.code, 1001, `${c.label} close code ${info.code}`);
    }
  });

  it('keeps the data of a cleanly stopped server when restarted on the same data dir', { timeout: 30000 }, async () => {
    const s = await startServer();
    servers.push(s);
    const a = await registerUser(s);
    const b = await registerUser(s, { role: 'tutor' });
    const conv = await createConversation(s, a, { type: 'direct', participantIds: [b.id] });
    const m = await sendRest(s, a, conv.id, 'masih ada setelah restart');
    const exit = await s.terminate();
    assert.equal(exit.code, 0);
    await s.start();
    const msgs = await allMessages(s, b, conv.id);
    assert.deepEqual(msgs.map((x) => x.id), [m.id]);
  });

  it('reads its configuration from WRITEEN_* variables, and a flag wins over its variable', { timeout: 30000 }, async () => {
    const envSecret = newSecret();
    const fromEnv = await startServer({ secret: null, env: { WRITEEN_JWT_SECRET: envSecret } });
    servers.push(fromEnv);
    fromEnv.secret = envSecret;
    ok(await call(fromEnv, 'GET', '/api/conversations', { token: userToken(envSecret, { id: uid('env'), role: 'student' }) }), 200);
    await fromEnv.stop();

    const flagSecret = newSecret();
    const both = await startServer({ secret: flagSecret, env: { WRITEEN_JWT_SECRET: newSecret() } });
    servers.push(both);
    ok(await call(both, 'GET', '/api/conversations', { token: userToken(flagSecret, { id: uid('flag'), role: 'student' }) }), 200);
    fails(await call(both, 'GET', '/api/conversations', { token: userToken(both.opts.env.WRITEEN_JWT_SECRET, { id: uid('flag'), role: 'student' }) }), 401, 'unauthorized');
    await both.stop();
  });

  it('prints a valid HS256 token with the `token` subcommand', async () => {
    const secret = newSecret();
    const r = await runBinary(['token', '--user', 'mhs-42', '--name', 'Budi Santoso', '--role', 'student'], { env: { WRITEEN_JWT_SECRET: secret } });
    assert.equal(r.code, 0, `stderr: ${r.stderr}`);
    const token = (r.stdout.match(/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/) || [])[0];
    assert.ok(token, `stdout holds a JWT: ${r.stdout}`);
    assert.ok(verifyHs256(token, secret), 'signed with WRITEEN_JWT_SECRET');
    const { header, payload } = decode(token);
    assert.equal(header.alg, 'HS256');
    assert.equal(payload.sub, 'mhs-42');
    assert.equal(payload.name, 'Budi Santoso');
    assert.equal(payload.role, 'student');
    assert.ok(payload.exp > nowSeconds(), 'exp lies in the future');

    const s = await startServer({ secret });
    servers.push(s);
    ok(await call(s, 'GET', '/api/conversations', { token }), 200);
    await s.stop();
  });

  it('refuses the `token` subcommand without a secret', async () => {
    const r = await runBinary(['token', '--user', 'u1', '--name', 'U', '--role', 'tutor'], { timeoutMs: 10000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /secret/i);
    assert.doesNotMatch(r.stdout, /[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'no token printed');
  });
});
