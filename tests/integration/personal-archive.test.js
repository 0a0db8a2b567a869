'use strict';
// Each user's own archive (PUT /api/conversations/:id/archive): hides a conversation from the
// caller's list only, lists it under archived=true, and a newer message brings it back; distinct
// from a tutor's archive (PATCH archived), which closes it for everyone.

const { describe, it, before, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { call, ok, fails, registerUser, createConversation, sendRest } = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');

const QUIET_MS = 600; // how long we listen to assert that something did NOT arrive

describe('personal archive', () => {
  let server;
  let tutor; let student; let outsider;

  before(async () => {
    server = await startServer({ rateLimit: 100000 });
    tutor = await registerUser(server, { role: 'tutor' });
    student = await registerUser(server, { role: 'student' });
    outsider = await registerUser(server, { role: 'student' });
  });
  beforeEach(() => server && server.ensureRunning());
  after(async () => { if (server) await server.stop(); });

  const archive = (user, id, body) => call(server, 'PUT', `/api/conversations/${id}/archive`, { token: user.token, json: body });
  const ids = async (user, archived) =>
    ok(await call(server, 'GET', `/api/conversations?archived=${archived}`, { token: user.token })).conversations.map((c) => c.id);

  it('hides the conversation from the caller\'s list only and lists it as archived for them', async () => {
    const conv = await createConversation(server, student, { type: 'direct', participantIds: [tutor.id] });
    await sendRest(server, tutor, conv.id, 'Halo');
    const answer = ok(await archive(student, conv.id, { archived: true })).conversation;
    assert.equal(answer.isArchivedForMe, true);
    assert.equal(answer.isArchived, false, 'not closed for everyone');

    assert.ok(!(await ids(student, false)).includes(conv.id));
    const archivedList = ok(await call(server, 'GET', '/api/conversations?archived=true', { token: student.token })).conversations;
    assert.equal(archivedList.find((c) => c.id === conv.id)?.isArchivedForMe, true);
    assert.ok((await ids(tutor, false)).includes(conv.id), 'the tutor still sees it');
    assert.equal(ok(await call(server, 'GET', `/api/conversations/${conv.id}`, { token: student.token })).conversation.isArchivedForMe, true);
    assert.equal(ok(await call(server, 'GET', `/api/conversations/${conv.id}`, { token: tutor.token })).conversation.isArchivedForMe, false);

    // Still writable: the archive for me is not read-only.
    await sendRest(server, student, conv.id, 'masih bisa menulis');
  });

  it('brings the conversation back when a newer message arrives, and takes it out on archived:false', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [student.id], title: 'arsip saya' });
    ok(await archive(student, conv.id, { archived: true }));
    assert.ok((await ids(student, true)).includes(conv.id));
    await sendRest(server, tutor, conv.id, 'Pesan baru');
    assert.ok((await ids(student, false)).includes(conv.id), 'a new message brings it back');
    assert.ok(!(await ids(student, true)).includes(conv.id));

    ok(await archive(student, conv.id, { archived: true }));
    const out = ok(await archive(student, conv.id, { archived: false })).conversation;
    assert.equal(out.isArchivedForMe, false);
    assert.ok((await ids(student, false)).includes(conv.id));
  });

  it('counts archived conversations in the pagination of the filter they are listed under', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [outsider.id], title: 'hitung' });
    const before = ok(await call(server, 'GET', '/api/conversations?archived=false', { token: outsider.token })).pagination.total;
    ok(await archive(outsider, conv.id, { archived: true }));
    const after = ok(await call(server, 'GET', '/api/conversations?archived=false', { token: outsider.token })).pagination.total;
    const archived = ok(await call(server, 'GET', '/api/conversations?archived=true', { token: outsider.token })).pagination.total;
    assert.equal(after, before - 1);
    assert.equal(archived, 1);
  });

  it('tells the caller\'s open devices live with their own view (personal: true), and nobody else', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [student.id], title: 'dua perangkat' });
    await sendRest(server, tutor, conv.id, 'Halo dari tutor');
    const laptop = await WsClient.connect(server, { token: student.token, label: 'student laptop' });
    const phone = await WsClient.connect(server, { token: student.token, label: 'student phone' });
    const other = await WsClient.connect(server, { token: tutor.token, label: 'tutor' });
    try {
      const own = (want) => (d) => d.conversation?.id === conv.id && d.personal === true && d.conversation.isArchivedForMe === want;
      let marks = [laptop.mark(), phone.mark(), other.mark()];
      ok(await archive(student, conv.id, { archived: true }));
      for (const [i, socket] of [laptop, phone].entries()) {
        const ev = await socket.waitForEvent('conversation_updated', own(true), 5000, marks[i]);
        // The student's own view: their unread count (the tutor's message), not the shared 0.
        assert.equal(ev.data.conversation.unreadCount, 1, `${socket.label}: the caller's unread count`);
        assert.equal(ev.data.conversation.isArchived, false, 'not closed for everyone');
      }
      await new Promise((r) => setTimeout(r, QUIET_MS));
      assert.equal(other.since(marks[2], (e) => e.event === 'conversation_updated').length, 0, 'another participant gets nothing');

      marks = [laptop.mark(), phone.mark(), other.mark()];
      ok(await archive(student, conv.id, { archived: false }));
      await laptop.waitForEvent('conversation_updated', own(false), 5000, marks[0]);
      await phone.waitForEvent('conversation_updated', own(false), 5000, marks[1]);
      await new Promise((r) => setTimeout(r, QUIET_MS));
      assert.equal(other.since(marks[2], (e) => e.event === 'conversation_updated').length, 0, 'another participant gets nothing');

      // The shared broadcasts (a tutor's change) stay unmarked: they carry no one's own view.
      marks = [laptop.mark()];
      ok(await call(server, 'PATCH', `/api/conversations/${conv.id}`, { token: tutor.token, json: { title: 'judul baru' } }));
      const shared = await laptop.waitForEvent('conversation_updated', (d) => d.conversation?.title === 'judul baru', 5000, marks[0]);
      assert.notEqual(shared.data.personal, true);
    } finally {
      await closeAll([laptop, phone, other]);
    }
  });

  it('answers 400 without a boolean archived and 403/404 to a non-participant', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [student.id], title: 'fehler' });
    fails(await archive(student, conv.id, {}), 400, 'bad_request');
    fails(await archive(student, conv.id, { archived: 'yes' }), 400, 'bad_request');
    fails(await archive(outsider, conv.id, { archived: true }), [403, 404], ['forbidden', 'not_found']);
    fails(await archive(student, 'ffffffffffffffffffffffff', { archived: true }), 404, 'not_found');
  });
});
