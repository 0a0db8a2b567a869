'use strict';
// Authentication: JWT verification on REST and at the WebSocket upgrade, Origin allow-list,
// and a socket whose token expires while it is connected.

const { describe, it, before, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { sign, claims, nowSeconds, userToken } = require('./lib/tokens');
const { call, ok, fails, uid, registerUser } = require('./lib/http');
const { WsClient, UpgradeRefused, closeAll } = require('./lib/ws');

const ALLOWED_ORIGIN = 'http://chat.allowed.test';

describe('authentication', () => {
  let server;
  const sockets = [];

  before(async () => {
    server = await startServer({ allowedOrigins: ALLOWED_ORIGIN });
  });
  beforeEach(() => server && server.ensureRunning());
  after(async () => {
    await closeAll(sockets);
    if (server) await server.stop();
  });

  const list = (token, headers = {}) => call(server, 'GET', '/api/conversations', { token, headers });
  const someone = () => ({ id: uid('auth'), name: 'Auth Tester', role: 'student' });

  it('accepts a valid HS256 token signed with the configured secret', async () => {
    ok(await list(userToken(server.secret, someone())), 200);
  });

  it('rejects a request without a token with 401 unauthorized', async () => {
    fails(await list(undefined), 401, 'unauthorized');
  });

  it('rejects an Authorization header that is not a bearer JWT with 401 unauthorized', async () => {
    fails(await list(undefined, { authorization: 'Basic dXNlcjpwYXNz' }), 401, 'unauthorized');
    fails(await list('not.a.jwt'), 401, 'unauthorized');
    fails(await list('garbage'), 401, 'unauthorized');
  });

  it('rejects a token signed with another secret with 401 unauthorized', async () => {
    const token = sign(claims(someone()), 'another-secret-that-is-long-enough-0123456789');
    fails(await list(token), 401, 'unauthorized');
  });

  it('rejects a token whose payload was altered after signing with 401 unauthorized', async () => {
    const good = userToken(server.secret, someone());
    const [h, , s] = good.split('.');
    const forged = Buffer.from(JSON.stringify(claims({ ...someone(), role: 'admin' }))).toString('base64url');
    fails(await list(`${h}.${forged}.${s}`), 401, 'unauthorized');
  });

  it('rejects an expired token (beyond the 60 s clock skew) with 401 unauthorized', async () => {
    const token = sign(claims({ ...someone(), exp: nowSeconds() - 3600, iat: nowSeconds() - 7200 }), server.secret);
    fails(await list(token), 401, 'unauthorized');
  });

  it('accepts a token that expired less than 60 s ago (clock skew tolerance)', async () => {
    const token = sign(claims({ ...someone(), exp: nowSeconds() - 20, iat: nowSeconds() - 600 }), server.secret);
    ok(await list(token), 200);
  });

  it('rejects a token without exp with 401 unauthorized', async () => {
    const c = claims(someone());
    delete c.exp;
    fails(await list(sign(c, server.secret)), 401, 'unauthorized');
  });

  it('rejects a token without sub with 401 unauthorized', async () => {
    const c = claims(someone());
    delete c.sub;
    fails(await list(sign(c, server.secret)), 401, 'unauthorized');
  });

  it('rejects an unsigned alg "none" token with 401 unauthorized', async () => {
    const token = sign(claims(someone()), null, { alg: 'none' });
    fails(await list(token), 401, 'unauthorized');
    // Same, but with the HS256 signature left in place.
    const good = userToken(server.secret, someone()).split('.');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    fails(await list(`${noneHeader}.${good[1]}.${good[2]}`), 401, 'unauthorized');
  });

  it('rejects a token signed with an algorithm that is not configured (HS512) with 401 unauthorized', async () => {
    fails(await list(sign(claims(someone()), server.secret, { alg: 'HS512' })), 401, 'unauthorized');
    fails(await list(sign(claims(someone()), server.secret, { alg: 'HS384' })), 401, 'unauthorized');
  });

  it('answers a WebSocket upgrade without a token with HTTP 401 and the error envelope', async () => {
    const err = await WsClient.connect(server).then((c) => { sockets.push(c); return null; }, (e) => e);
    assert.ok(err instanceof UpgradeRefused, `expected the upgrade to be refused, got ${err}`);
    assert.equal(err.status, 401);
    assert.equal(err.body?.success, false, `body: ${err.text}`);
    assert.equal(err.body?.error?.code, 'unauthorized', `body: ${err.text}`);
  });

  it('answers a WebSocket upgrade with a badly signed token with HTTP 401 and the error envelope', async () => {
    const token = sign(claims(someone()), 'another-secret-that-is-long-enough-0123456789');
    const err = await WsClient.connect(server, { token }).then((c) => { sockets.push(c); return null; }, (e) => e);
    assert.ok(err instanceof UpgradeRefused, `expected the upgrade to be refused, got ${err}`);
    assert.equal(err.status, 401);
    assert.equal(err.body?.error?.code, 'unauthorized', `body: ${err.text}`);
  });

  it('answers a WebSocket upgrade with an expired token with HTTP 401', async () => {
    const token = sign(claims({ ...someone(), exp: nowSeconds() - 3600, iat: nowSeconds() - 7200 }), server.secret);
    const err = await WsClient.connect(server, { token }).then((c) => { sockets.push(c); return null; }, (e) => e);
    assert.ok(err instanceof UpgradeRefused, `expected the upgrade to be refused, got ${err}`);
    assert.equal(err.status, 401);
    assert.equal(err.body?.error?.code, 'unauthorized', `body: ${err.text}`);
  });

  it('refuses a token in the query string on every REST route with the 401 of a missing token', async () => {
    const user = await registerUser(server);
    const q = `token=${encodeURIComponent(user.token)}`;
    const fakeId = '0123456789abcdef01234567';
    const routes = [
      ['GET', `/api/conversations?${q}`],
      ['GET', `/api/conversations?page=1&${q}`],
      ['GET', `/api/conversations/${fakeId}?${q}`],
      ['GET', `/api/conversations/${fakeId}/messages?${q}`],
      ['POST', `/api/conversations?${q}`],
      ['GET', `/api/search?q=halo&${q}`],
      ['GET', `/api/files/${fakeId}/download?${q}`],
      ['GET', `/api/files/${fakeId}/thumbnail?size=small&${q}`],
      ['POST', `/api/conversations/${fakeId}/upload?${q}`],
    ];
    const missing = await call(server, 'GET', '/api/conversations');
    fails(missing, 401, 'unauthorized');
    for (const [method, path] of routes) {
      const headers = method === 'POST' && path.includes('/upload') ? { 'content-type': 'multipart/form-data; boundary=x' } : {};
      const res = await call(server, method, path, { body: method === 'POST' ? (headers['content-type'] ? '--x--\r\n' : '{}') : undefined, headers });
      fails(res, 401, 'unauthorized');
      assert.equal(res.headers.get('www-authenticate'), missing.headers.get('www-authenticate'), `${method} ${path}`);
    }
    // The same token in the header is accepted: the refusal is about where it travels.
    ok(await list(user.token), 200);
  });

  it('accepts a WebSocket whose token is in the ?token= query or in the Authorization header', async () => {
    const user = await registerUser(server);
    const a = await WsClient.connect(server, { token: user.token, label: 'query' });
    sockets.push(a);
    const b = await WsClient.connect(server, { headerToken: user.token, label: 'header' });
    sockets.push(b);
    for (const c of [a, b]) {
      const reply = await c.request('ping', {});
      assert.equal(reply.event, 'pong');
    }
  });

  it('refuses a WebSocket upgrade from a browser Origin outside the allow-list with 403', async () => {
    const user = await registerUser(server);
    const err = await WsClient.connect(server, { token: user.token, origin: 'http://evil.example' })
      .then((c) => { sockets.push(c); return null; }, (e) => e);
    assert.ok(err instanceof UpgradeRefused, `expected the upgrade to be refused, got ${err}`);
    assert.equal(err.status, 403);
  });

  it('accepts a WebSocket upgrade from an Origin in the allow-list', async () => {
    const user = await registerUser(server);
    const c = await WsClient.connect(server, { token: user.token, origin: ALLOWED_ORIGIN });
    sockets.push(c);
    assert.equal((await c.request('ping', {})).event, 'pong');
  });

  it('sends error unauthorized and then closes with 4001 when the token of an open socket expires', { timeout: 90000 }, async () => {
    // exp 3 s ahead; the server may close at exp or up to 60 s later (clock skew tolerance).
    const user = { id: uid('exp'), name: 'Expiring', role: 'student' };
    const token = sign(claims({ ...user, exp: nowSeconds() + 3 }), server.secret);
    const c = await WsClient.connect(server, { token, label: 'expiring' });
    sockets.push(c);
    assert.equal((await c.request('ping', {})).event, 'pong', 'the socket works before expiry');
    const info = await c.waitClosed(75000);
    assert.equal(info.code, 4001, `close code ${info.code} (${info.reason})`);
    const errors = c.events.filter((e) => e.event === 'error');
    assert.ok(errors.some((e) => e.data?.code === 'unauthorized'), `expected an error event with code unauthorized before the close; ${c.summary()}`);
  });
});
