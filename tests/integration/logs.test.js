'use strict';
// Logs: --log-format json (one object per line) and the request id that ties a request's log
// lines to its answer (X-Request-Id).

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, runBinary, makeTempDir, removeDir } = require('./lib/server');
const { call, ok, rawRequest, registerUser, sleep } = require('./lib/http');
const { WsClient, UpgradeRefused } = require('./lib/ws');

/** Waits until the server's stdout has a line for which pick() is true; returns it. */
async function logLine(server, pick, what) {
  for (let i = 0; i < 40; i += 1) {
    const found = server.stdout.text.split('\n').find(pick);
    if (found) return found;
    await sleep(50);
  }
  assert.fail(`no log line ${what}; stdout:\n${server.stdout.text.slice(-3000)}`);
}

describe('logs', () => {
  const servers = [];
  const dirs = [];
  after(async () => {
    for (const s of servers) await s.stop();
    for (const d of dirs) removeDir(d);
  });

  it('json: every line of stdout is one object with ts, level and msg, and a request line carries the incoming X-Request-Id', async () => {
    const server = await startServer({ extraArgs: ['--log-format', 'json', '--log-level', 'debug'] });
    servers.push(server);
    const user = await registerUser(server);
    const res = await call(server, 'GET', '/api/conversations', { token: user.token, headers: { 'x-request-id': 'lb-7f3a.42' } });
    ok(res);
    assert.equal(res.headers.get('x-request-id'), 'lb-7f3a.42', 'the incoming id is echoed');

    const line = await logLine(server, (l) => l.includes('lb-7f3a.42'), 'with the request id');
    const entry = JSON.parse(line);
    assert.equal(entry.requestId, 'lb-7f3a.42');
    assert.match(entry.msg, /^GET \/api\/conversations 200 /);
    assert.equal(entry.level, 'debug');

    const lines = server.stdout.text.split('\n').filter((l) => l.length > 0);
    assert.ok(lines.length > 3);
    for (const l of lines) {
      let parsed;
      assert.doesNotThrow(() => { parsed = JSON.parse(l); }, `not JSON: ${l}`);
      assert.match(parsed.ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, l);
      assert.equal(typeof parsed.level, 'string', l);
      assert.equal(typeof parsed.msg, 'string', l);
    }
    assert.ok(lines.some((l) => JSON.parse(l).msg.includes('listening on http://127.0.0.1:')));
  });

  it('an error answer has a request id and its log line carries it', async () => {
    const server = servers[0];
    const res = await call(server, 'GET', '/api/conversations', { headers: { 'x-request-id': 'no-token-1' } });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('x-request-id'), 'no-token-1');
    const entry = JSON.parse(await logLine(server, (l) => l.includes('no-token-1'), 'for the 401'));
    assert.match(entry.msg, /^GET \/api\/conversations 401 /);
  });

  it('a missing or insane X-Request-Id is replaced by a fresh id, never echoed', async () => {
    const server = servers[0];
    const plain = await call(server, 'GET', '/healthz');
    const generated = plain.headers.get('x-request-id');
    assert.match(generated, /^[0-9a-f]{24}$/);
    const other = (await call(server, 'GET', '/healthz')).headers.get('x-request-id');
    assert.notEqual(other, generated, 'one id per request');
    for (const bad of ['a'.repeat(129), 'has space', 'quote"it', '{json}']) {
      const res = await call(server, 'GET', '/healthz', { headers: { 'x-request-id': bad } });
      assert.match(res.headers.get('x-request-id'), /^[0-9a-f]{24}$/, `replaced: ${bad}`);
    }
  });

  it('answers made before routing carry the request id too: 413 for a big body, a refused WebSocket upgrade', async () => {
    const server = servers[0];
    const big = await rawRequest(server, 'POST', '/api/conversations', {
      headers: { 'content-type': 'application/json', 'x-request-id': 'big-body-1' }, body: Buffer.alloc(2 * 1024 * 1024, 'x'),
    });
    assert.equal(big.status, 413);
    assert.equal(big.headers['x-request-id'], 'big-body-1');
    const refused = await WsClient.connect(server, { headers: { 'x-request-id': 'ws-no-token-1' } }).then(
      () => assert.fail('the upgrade without a token must be refused'), (e) => e);
    assert.ok(refused instanceof UpgradeRefused, String(refused));
    assert.equal(refused.status, 401);
    assert.equal(refused.headers['x-request-id'], 'ws-no-token-1');
  });

  it('text: a request line carries [req ID]', async () => {
    const server = await startServer({ extraArgs: ['--log-level', 'debug'] });
    servers.push(server);
    await call(server, 'GET', '/readyz', { headers: { 'x-request-id': 'text-id-9' } });
    const line = await logLine(server, (l) => l.includes('text-id-9'), 'with the request id');
    assert.match(line, /\[debug\] \[req text-id-9\] GET \/readyz 200 \d+ ms/);
  });

  it('an unknown --log-format is refused at start', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const r = await runBinary(['serve', '--listen', '127.0.0.1:0', '--data-dir', dir, '--jwt-secret', 'x'.repeat(40), '--log-format', 'xml']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--log-format must be text or json/);
  });
});
