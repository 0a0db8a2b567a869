'use strict';
// The user directory behind the people picker (GET /api/users): who finds whom, matching,
// paging, and the answers to bad parameters.

const { describe, it, before, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { call, ok, fails, registerUser, createConversation, sleep } = require('./lib/http');
const { WsClient } = require('./lib/ws');

describe('user directory', () => {
  let server;
  let tutor; let admin; let student; let peer; let stranger; let service;
  // A tag shared by this run's names, so that users of other suites never match.
  const tag = `Zq${process.pid}`;

  before(async () => {
    server = await startServer();
    tutor = await registerUser(server, { role: 'tutor', name: `Dewi Tutor ${tag}` });
    admin = await registerUser(server, { role: 'admin', name: `Agus Admin ${tag}` });
    student = await registerUser(server, { role: 'student', name: `Budi Student ${tag}` });
    peer = await registerUser(server, { role: 'student', name: `Citra Peer ${tag}` });
    stranger = await registerUser(server, { role: 'student', name: `Eko Stranger ${tag}` });
    service = await registerUser(server, { role: 'service', name: `Service ${tag}` });
    await createConversation(server, tutor, { type: 'group', participantIds: [student.id, peer.id], title: 'bimbingan' });
  });
  beforeEach(() => server && server.ensureRunning());
  after(async () => { if (server) await server.stop(); });

  const find = (user, query) => call(server, 'GET', `/api/users?${query}`, { token: user.token });
  const names = (data) => data.users.map((u) => u.name);

  it('a student finds tutors, admins and peers they share a conversation with, not other students, by name', async () => {
    const data = ok(await find(student, `q=${tag}`));
    assert.deepEqual(names(data), [`Agus Admin ${tag}`, `Citra Peer ${tag}`, `Dewi Tutor ${tag}`]);
    assert.deepEqual(data.pagination, { page: 1, limit: 20, total: 3, totalPages: 1 });
  });

  it('a tutor finds every user the server knows except themself and service users', async () => {
    const data = ok(await find(tutor, `q=${tag.toLowerCase()}`));
    assert.deepEqual(names(data), [`Agus Admin ${tag}`, `Budi Student ${tag}`, `Citra Peer ${tag}`, `Eko Stranger ${tag}`]);
    assert.ok(!data.users.some((u) => u.id === service.id || u.id === tutor.id));
  });

  it('each user carries id, name, avatar, role, isOnline and lastSeen', async () => {
    const [u] = ok(await find(student, `q=${encodeURIComponent(`dewi tutor ${tag}`)}`)).users;
    assert.equal(u.id, tutor.id);
    assert.equal(u.role, 'tutor');
    assert.equal(u.avatar, tutor.avatar);
    assert.equal(u.isOnline, false);
    assert.match(u.lastSeen, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('matches the id too, and treats % and _ as plain characters', async () => {
    assert.deepEqual(ok(await find(tutor, `q=${encodeURIComponent(stranger.id)}`)).users.map((u) => u.id), [stranger.id]);
    assert.deepEqual(ok(await find(tutor, 'q=%25')).users, []);
    assert.deepEqual(ok(await find(tutor, `q=${tag}_`)).users, []);
  });

  it('pages with limit and page', async () => {
    const first = ok(await find(tutor, `q=${tag}&limit=3`));
    assert.deepEqual(first.pagination, { page: 1, limit: 3, total: 4, totalPages: 2 });
    const second = ok(await find(tutor, `q=${tag}&limit=3&page=2`));
    assert.deepEqual(names(second), [`Eko Stranger ${tag}`]);
  });

  it('answers 400 to a malformed or out-of-range limit or page and 422 to a query no name can have', async () => {
    fails(await find(tutor, 'limit=0'), 400, 'bad_request');
    fails(await find(tutor, 'limit=101'), 400, 'bad_request');
    fails(await find(tutor, 'page=x'), 400, 'bad_request');
    fails(await find(tutor, `q=${'a'.repeat(101)}`), 422, 'unprocessable');
    fails(await find(tutor, 'q=a%0Ab'), 422, 'unprocessable');
    ok(await find(tutor, `q=${'é'.repeat(100)}`));
  });

  it('with conversationId lists the current members of that conversation, the caller included', async () => {
    const group = await createConversation(server, tutor, { type: 'group', participantIds: [stranger.id], title: 'members' });
    const data = ok(await find(stranger, `conversationId=${group.id}`));
    assert.deepEqual(data.users.map((u) => u.id), [tutor.id, stranger.id]);
    assert.deepEqual(ok(await find(stranger, `conversationId=${group.id}&q=eko`)).users.map((u) => u.id), [stranger.id]);
    ok(await call(server, 'DELETE', `/api/conversations/${group.id}/participants/${stranger.id}`, { token: stranger.token }));
    assert.deepEqual(ok(await find(tutor, `conversationId=${group.id}`)).users.map((u) => u.id), [tutor.id]);
    fails(await find(peer, `conversationId=${group.id}`), [403, 404], ['forbidden', 'not_found']);
  });

  it('needs a token', async () => {
    fails(await call(server, 'GET', '/api/users?q=a'), 401, 'unauthorized');
  });

  it('admins find everyone too', async () => {
    assert.equal(ok(await find(admin, `q=${tag}`)).pagination.total, 4);
  });

  it('stores the last seen of users still connected when the server stops gracefully', async () => {
    // Their sockets close during the drain, after the store has closed: the last seen must
    // already be in the last batch, or it stays the time the user was first seen.
    const ws = await WsClient.connect(server, { token: peer.token, label: 'peer' });
    await sleep(1500);
    const stoppedAt = Date.now();
    await server.restart();
    await ws.close();
    const [u] = ok(await find(tutor, `q=${encodeURIComponent(peer.id)}`)).users;
    assert.ok(Date.parse(u.lastSeen) >= stoppedAt - 100,
      `lastSeen ${u.lastSeen} is older than the stop at ${new Date(stoppedAt).toISOString()}`);
    assert.equal(u.isOnline, false);
  });
});
