'use strict';
// Operations endpoints (/healthz, /readyz, /metrics), routing errors, body size limit, and the
// --dev demo endpoints.

const { describe, it, before, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { call, ok, fails, rawRequest, uid, registerUser, createConversation } = require('./lib/http');
const { decode } = require('./lib/tokens');
const { WsClient, closeAll } = require('./lib/ws');

/** Parses Prometheus text into [{name, labels, value}] (comments skipped). */
function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m) out.push({ name: m[1], labels: m[2] || '', value: Number(m[3]) });
  }
  return out;
}
const key = (s) => `${s.name}${s.labels}`;

describe('operations', () => {
  let server;
  const sockets = [];

  before(async () => { server = await startServer({ rateLimit: 100000 }); });
  beforeEach(() => server && server.ensureRunning());
  after(async () => {
    await closeAll(sockets);
    if (server) await server.stop();
  });

  it('answers /healthz with 200', async () => {
    const res = await call(server, 'GET', '/healthz');
    assert.equal(res.status, 200, res.text);
  });

  it('answers /readyz with 200 and JSON naming storage, bus and scanner', async () => {
    const res = await call(server, 'GET', '/readyz');
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body && typeof res.body === 'object', `JSON body: ${res.text}`);
    for (const part of ['storage', 'bus', 'scanner']) assert.ok(res.text.includes(part), `readyz names ${part}: ${res.text}`);
  });

  it('exposes Prometheus metrics whose connection and message counters move with traffic', { timeout: 20000 }, async () => {
    const first = await call(server, 'GET', '/metrics');
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type') || '', /^text\/plain/);
    assert.match(first.text, /^# (HELP|TYPE) /m, 'Prometheus exposition format');
    const before_ = parseMetrics(first.text);
    assert.ok(before_.some((s) => /connection/i.test(s.name)), 'a connection metric exists');
    assert.ok(before_.some((s) => /message/i.test(s.name)), 'a message metric exists');
    assert.ok(before_.some((s) => /_bucket$/.test(s.name)), 'a histogram exists (fan-out / storage latency)');

    const a = await registerUser(server, { role: 'student' });
    const b = await registerUser(server, { role: 'tutor' });
    const conv = await createConversation(server, a, { type: 'direct', participantIds: [b.id] });
    const wa = await WsClient.connect(server, { token: a.token });
    const wb = await WsClient.connect(server, { token: b.token });
    sockets.push(wa, wb);
    for (let i = 0; i < 5; i += 1) {
      const r = await wa.request('send_message', { conversationId: conv.id, type: 'text', content: { text: `metrik ${i}` }, clientMessageId: uid('m') });
      assert.equal(r.event, 'message_sent');
    }
    await wb.waitForCount((e) => e.event === 'message_received', 5, 5000);
    const after_ = parseMetrics((await call(server, 'GET', '/metrics')).text);
    const beforeMap = new Map(before_.map((s) => [key(s), s.value]));
    const moved = (re) => after_.filter((s) => re.test(s.name) && s.value !== (beforeMap.get(key(s)) ?? 0));
    assert.ok(moved(/connection/i).length > 0, 'a connection metric changed while 2 sockets are open');
    const grewBy5 = after_.filter((s) => /message/i.test(s.name) && !/_bucket$|_sum$/.test(s.name) && s.value - (beforeMap.get(key(s)) ?? 0) >= 5);
    assert.ok(grewBy5.length > 0, `a message counter grew by at least 5: ${after_.filter((s) => /message/i.test(s.name)).map((s) => `${key(s)}=${s.value}`).join(', ')}`);
  });

  it('answers an unknown /api route with a 404 not_found envelope', async () => {
    const a = await registerUser(server);
    fails(await call(server, 'GET', '/api/definitely-not-a-route', { token: a.token }), 404, 'not_found');
    fails(await call(server, 'GET', '/api/conversations/ffffffffffffffffffffffff/nope', { token: a.token }), 404, 'not_found');
  });

  it('answers a wrong method on a known route with a 405 or 404 envelope', async () => {
    const a = await registerUser(server);
    const res = await call(server, 'DELETE', '/api/conversations', { token: a.token });
    fails(res, [405, 404], ['method_not_allowed', 'not_found', 'bad_request']);
    const res2 = await call(server, 'PUT', '/api/search?q=x', { token: a.token });
    fails(res2, [405, 404]);
  });

  it('answers a JSON body over 1 MiB with 413 payload_too_large', async () => {
    const a = await registerUser(server);
    const body = JSON.stringify({ type: 'group', participantIds: ['x'], title: 'x'.repeat(1024 * 1024 + 100) });
    const res = await rawRequest(server, 'POST', '/api/conversations', {
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      body,
    });
    fails(res, 413, 'payload_too_large');
  });

  it('hides the demo endpoints without --dev (404)', async () => {
    assert.equal((await call(server, 'GET', '/api/dev/users')).status, 404);
    assert.equal((await call(server, 'POST', '/api/dev/token', { json: { userId: 'x' } })).status, 404);
  });

  describe('demo mode (--dev)', () => {
    let dev;
    before(async () => { dev = await startServer({ dev: true }); });
    after(async () => { if (dev) await dev.stop(); });

    it('lists demo users and issues a token that the API accepts for that user', async () => {
      const users = ok(await call(dev, 'GET', '/api/dev/users'), 200).users;
      assert.ok(Array.isArray(users) && users.length > 0, 'demo users exist');
      for (const u of users) {
        assert.equal(typeof u.id, 'string');
        assert.equal(typeof u.name, 'string');
        assert.ok(['student', 'tutor', 'admin', 'service'].includes(u.role), `role ${u.role}`);
      }
      const pick = users.find((u) => u.role === 'student') || users[0];
      const { token } = ok(await call(dev, 'POST', '/api/dev/token', { json: { userId: pick.id } }), 200);
      assert.equal(decode(token).payload.sub, pick.id);
      ok(await call(dev, 'GET', '/api/conversations', { token }), 200);
      const res = await call(dev, 'POST', '/api/dev/token', { json: { userId: 'no-such-demo-user' } });
      assert.ok(res.status >= 400 && res.status < 500, `unknown demo user refused: ${res.status}`);
    });
  });
});
