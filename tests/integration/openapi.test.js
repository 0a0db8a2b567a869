'use strict';
// The OpenAPI document: served at /api/openapi.json without a token, the same as
// docs/openapi.json, and the checker that lib/http.js runs on every answer really rejects
// answers that do not match it.

const { describe, it, after, before } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { call, ok, registerUser, createConversation, sendRest } = require('./lib/http');
const openapi = require('./lib/openapi');

describe('OpenAPI document', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server.stop(); });

  it('is served at /api/openapi.json without a token and is docs/openapi.json', async () => {
    const res = await call(server, 'GET', '/api/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(res.body, openapi.document);
    assert.equal(res.body.openapi, '3.1.0');
  });

  it('documents every endpoint of API.md, the notifications ones included', () => {
    for (const p of ['/api/conversations/{id}/messages', '/api/files/{id}/download', '/api/sessions/{sessionId}/transcript',
      '/api/notifications', '/api/notifications/subscriptions/{id}', '/api/conversations/{id}/notifications', '/healthz', '/metrics']) {
      assert.ok(openapi.document.paths[p], `${p} is documented`);
    }
  });

  it('the response checker rejects a real answer that was altered, an undocumented status and a wrong content type', async () => {
    const user = await registerUser(server);
    const other = await registerUser(server, { role: 'tutor' });
    const conv = await createConversation(server, user, { type: 'direct', participantIds: [other.id] });
    await sendRest(server, user, conv.id, 'halo');
    const res = await call(server, 'GET', `/api/conversations/${conv.id}/messages`, { token: user.token });
    ok(res);
    const path = `/api/conversations/${conv.id}/messages`;
    assert.equal(openapi.check('GET', path, res), null);

    const altered = structuredClone(res.body);
    altered.data.messages[0].seq = 'one';
    assert.match(openapi.check('GET', path, { ...res, body: altered }), /\/data\/messages\/0\/seq must be integer/);
    const missing = structuredClone(res.body);
    delete missing.data.pagination;
    assert.match(openapi.check('GET', path, { ...res, body: missing }), /must have required property 'pagination'/);
    assert.match(openapi.check('GET', path, { ...res, status: 302 }), /302, which docs\/openapi.json does not list/);
    assert.match(openapi.check('GET', path, { ...res, headers: { 'content-type': 'text/html' } }), /Content-Type "text\/html"/);
    const badError = { status: 404, headers: { 'content-type': 'application/json' }, body: { success: false, error: { code: 'gone' } } };
    assert.match(openapi.check('GET', '/api/nowhere', badError), /error envelope/);
  });
});
