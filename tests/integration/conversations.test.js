'use strict';
// Conversations over REST: create (direct/group/consultation), list with filters and
// pagination, get, PATCH (title, settings, archive), participants and leaving.

const { describe, it, before, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const {
  call, ok, fails, uid, registerUser, createConversation, sendRest, allMessages, sleep, OBJECT_ID, RFC3339_MS_UTC,
} = require('./lib/http');

const DEFAULT_SETTINGS = {
  allowFileUpload: true,
  maxFileSize: 10485760,
  allowedFileTypes: ['.pdf', '.docx', '.pptx', '.txt', '.jpg', '.jpeg', '.png', '.gif'],
  autoArchive: false,
  retention: 365,
};

/** The documented pagination fields have these values (extra fields are allowed). */
function assertPagination(actual, expected) {
  assert.ok(actual && typeof actual === 'object', 'pagination object');
  for (const [k, v] of Object.entries(expected)) assert.equal(actual[k], v, `pagination.${k} in ${JSON.stringify(actual)}`);
}

const CONVERSATION_KEYS = ['id', 'type', 'title', 'consultationId', 'participants', 'lastMessage', 'unreadCount',
  'isOnline', 'isArchived', 'settings', 'lastSeq', 'createdAt', 'updatedAt'];

describe('conversations', () => {
  let server;
  let tutor; let s1; let s2; let s3; let stranger; let admin;

  before(async () => {
    server = await startServer();
    tutor = await registerUser(server, { role: 'tutor', name: 'Dr. Sari' });
    s1 = await registerUser(server, { role: 'student', name: 'Budi' });
    s2 = await registerUser(server, { role: 'student', name: 'Citra' });
    s3 = await registerUser(server, { role: 'student', name: 'Dewi' });
    stranger = await registerUser(server, { role: 'student', name: 'Eko' });
    admin = await registerUser(server, { role: 'admin', name: 'Admin' });
  });
  beforeEach(() => server && server.ensureRunning());
  after(async () => { if (server) await server.stop(); });

  const post = (user, json) => call(server, 'POST', '/api/conversations', { token: user.token, json });
  const get = (user, id) => call(server, 'GET', `/api/conversations/${id}`, { token: user.token });
  const patch = (user, id, json) => call(server, 'PATCH', `/api/conversations/${id}`, { token: user.token, json });
  const list = (user, query = '') => call(server, 'GET', `/api/conversations${query}`, { token: user.token });
  const ids = (conv) => conv.participants.map((p) => p.userId).sort();
  const activeIds = (conv) => conv.participants.filter((p) => !p.leftAt).map((p) => p.userId).sort();

  it('creates a direct conversation with 201 and answers the same pair again with 200 and the same id', async () => {
    const first = await post(s1, { type: 'direct', participantIds: [tutor.id] });
    const created = ok(first, 201).conversation;
    assert.match(created.id, OBJECT_ID);
    assert.equal(created.type, 'direct');
    assert.deepEqual(ids(created), [s1.id, tutor.id].sort());

    const again = ok(await post(s1, { type: 'direct', participantIds: [tutor.id] }), 200).conversation;
    assert.equal(again.id, created.id);
    // The pair is unordered: the other side asking gets the same conversation.
    const reverse = ok(await post(tutor, { type: 'direct', participantIds: [s1.id] }), 200).conversation;
    assert.equal(reverse.id, created.id);
  });

  it('treats the caller listed in participantIds of a direct conversation as the caller, not as a third user', async () => {
    const conv = ok(await post(s2, { type: 'direct', participantIds: [s2.id, tutor.id] }), 201).conversation;
    assert.deepEqual(ids(conv), [s2.id, tutor.id].sort());
  });

  it('returns a conversation object with every documented field, default settings and participant details', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id, s2.id], title: 'Bab 2 — Metodologi' });
    for (const k of CONVERSATION_KEYS) assert.ok(k in conv, `conversation lacks ${k}: ${JSON.stringify(conv)}`);
    assert.equal(conv.type, 'group');
    assert.equal(conv.title, 'Bab 2 — Metodologi');
    assert.equal(conv.isArchived, false);
    assert.equal(conv.lastMessage, null);
    assert.equal(conv.unreadCount, 0);
    assert.equal(conv.lastSeq, 0);
    assert.match(conv.createdAt, RFC3339_MS_UTC);
    assert.match(conv.updatedAt, RFC3339_MS_UTC);
    assert.deepEqual(conv.settings, DEFAULT_SETTINGS);
    assert.deepEqual(ids(conv), [tutor.id, s1.id, s2.id].sort());
    const byId = Object.fromEntries(conv.participants.map((p) => [p.userId, p]));
    assert.equal(byId[tutor.id].role, 'tutor');
    assert.equal(byId[s1.id].role, 'student');
    assert.equal(byId[s1.id].user.name, 'Budi');
    assert.equal(byId[s1.id].user.avatar, s1.avatar);
    assert.match(byId[s1.id].joinedAt, RFC3339_MS_UTC);
    assert.equal(byId[s1.id].leftAt ?? null, null);
    assert.ok('permissions' in byId[s1.id], 'participant lacks permissions');
  });

  it('creates a group with 201 and always includes the caller', async () => {
    const conv = ok(await post(tutor, { type: 'group', participantIds: [s1.id], title: 'Kelompok' }), 201).conversation;
    assert.deepEqual(ids(conv), [tutor.id, s1.id].sort());
  });

  it('answers a missing participantIds with 400 bad_request', async () => {
    fails(await post(s1, { type: 'group', title: 'x' }), 400, 'bad_request');
    fails(await post(s1, { type: 'direct' }), 400, 'bad_request');
  });

  it('answers a participantIds that is not an array with 400 bad_request', async () => {
    fails(await post(s1, { type: 'direct', participantIds: tutor.id }), 400, 'bad_request');
    fails(await post(s1, { type: 'group', participantIds: { a: s2.id } }), 400, 'bad_request');
  });

  it('answers a malformed JSON body with 400 bad_request', async () => {
    fails(await call(server, 'POST', '/api/conversations', { token: s1.token, body: '{"type": "direct", ' }), 400, 'bad_request');
  });

  it('answers a wrong number of users for the type with 422 unprocessable', async () => {
    fails(await post(s1, { type: 'direct', participantIds: [] }), 422, 'unprocessable');
    fails(await post(s1, { type: 'direct', participantIds: [s1.id] }), 422, 'unprocessable');
    fails(await post(s1, { type: 'direct', participantIds: [tutor.id, s2.id] }), 422, 'unprocessable');
    fails(await post(tutor, { type: 'group', participantIds: [] }), 422, 'unprocessable');
    fails(await post(tutor, { type: 'group', participantIds: [tutor.id] }), 422, 'unprocessable');
  });

  it('forbids a student or a tutor from creating a consultation conversation (403)', async () => {
    fails(await post(s1, { type: 'consultation', participantIds: [tutor.id], consultationId: uid('c') }), 403, 'forbidden');
    fails(await post(tutor, { type: 'consultation', participantIds: [s1.id], consultationId: uid('c') }), 403, 'forbidden');
  });

  it('lets an admin create a consultation conversation', async () => {
    const consultationId = uid('consult');
    const conv = ok(await post(admin, { type: 'consultation', participantIds: [tutor.id, s1.id], consultationId, title: 'Konsultasi' }), 201).conversation;
    assert.equal(conv.type, 'consultation');
    assert.equal(conv.consultationId, consultationId);
  });

  it('gets one conversation by id for a participant', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id], title: 'Satu' });
    const got = ok(await get(s1, conv.id), 200).conversation;
    assert.equal(got.id, conv.id);
    assert.equal(got.title, 'Satu');
    for (const k of CONVERSATION_KEYS) assert.ok(k in got, `conversation lacks ${k}`);
  });

  it('answers 404 not_found for an unknown conversation id', async () => {
    fails(await get(s1, 'ffffffffffffffffffffffff'), 404, 'not_found');
    fails(await get(s1, 'no-such-conversation'), [404, 400], ['not_found', 'bad_request']);
  });

  it('answers 404 not_found to a user who is not a participant, as if the conversation did not exist', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id], title: 'Private' });
    fails(await get(stranger, conv.id), 404, 'not_found');
    fails(await call(server, 'GET', `/api/conversations/${conv.id}/messages`, { token: stranger.token }), 404, 'not_found');
  });

  it('lists only the caller\'s conversations, paginated, with total and totalPages', async () => {
    const me = await registerUser(server, { role: 'student' });
    const other = await registerUser(server, { role: 'student' });
    const c1 = await createConversation(server, me, { type: 'direct', participantIds: [tutor.id] });
    const c2 = await createConversation(server, me, { type: 'direct', participantIds: [other.id] });
    const c3 = await createConversation(server, tutor, { type: 'group', participantIds: [me.id, s2.id], title: 'G' });
    await createConversation(server, tutor, { type: 'group', participantIds: [s2.id], title: 'not mine' });

    const all = ok(await list(me, '?page=1&limit=100'), 200);
    assert.deepEqual(all.conversations.map((c) => c.id).sort(), [c1.id, c2.id, c3.id].sort());
    assertPagination(all.pagination, { page: 1, limit: 100, total: 3, totalPages: 1 });
    for (const c of all.conversations) {
      for (const k of CONVERSATION_KEYS) assert.ok(k in c, `list item lacks ${k}: ${JSON.stringify(c)}`);
    }

    const p1 = ok(await list(me, '?page=1&limit=2'), 200);
    const p2 = ok(await list(me, '?page=2&limit=2'), 200);
    assert.equal(p1.conversations.length, 2);
    assert.equal(p2.conversations.length, 1);
    assertPagination(p1.pagination, { page: 1, limit: 2, total: 3, totalPages: 2 });
    assertPagination(p2.pagination, { page: 2, limit: 2, total: 3, totalPages: 2 });
    const paged = [...p1.conversations, ...p2.conversations].map((c) => c.id);
    assert.equal(new Set(paged).size, 3, 'pages overlap');
    assert.deepEqual(paged.sort(), [c1.id, c2.id, c3.id].sort());
  });

  it('lists the conversation with the newest activity first', async () => {
    const me = await registerUser(server, { role: 'student' });
    const a = await createConversation(server, me, { type: 'direct', participantIds: [tutor.id] });
    await sleep(15);
    const b = await createConversation(server, me, { type: 'direct', participantIds: [s3.id] });
    await sleep(15);
    let order = ok(await list(me, '?limit=10'), 200).conversations.map((c) => c.id);
    assert.deepEqual(order, [b.id, a.id], 'newest created first');
    await sleep(15);
    const m = await sendRest(server, tutor, a.id, 'pesan baru');
    const items = ok(await list(me, '?limit=10'), 200).conversations;
    order = items.map((c) => c.id);
    assert.deepEqual(order, [a.id, b.id], 'a message moves its conversation to the top');
    const top = items[0];
    assert.equal(top.lastMessage.id, m.id);
    assert.equal(top.lastMessage.senderId, tutor.id);
    assert.equal(top.lastMessage.type, 'text');
    assert.ok(JSON.stringify(top.lastMessage.content).includes('pesan baru'), `lastMessage.content: ${JSON.stringify(top.lastMessage.content)}`);
    assert.match(top.lastMessage.sentAt, RFC3339_MS_UTC);
    assert.equal(top.unreadCount, 1);
    assert.equal(top.lastSeq, 1);
  });

  it('filters the list by type', async () => {
    const me = await registerUser(server, { role: 'student' });
    const d = await createConversation(server, me, { type: 'direct', participantIds: [tutor.id] });
    const g = await createConversation(server, tutor, { type: 'group', participantIds: [me.id], title: 'G' });
    const directs = ok(await list(me, '?type=direct'), 200).conversations;
    assert.deepEqual(directs.map((c) => c.id), [d.id]);
    const groups = ok(await list(me, '?type=group'), 200).conversations;
    assert.deepEqual(groups.map((c) => c.id), [g.id]);
    assert.equal(ok(await list(me, '?type=consultation'), 200).conversations.length, 0);
  });

  it('answers a list limit outside 1..100 or a bad page/type with 400 bad_request', async () => {
    fails(await list(s1, '?limit=0'), 400, 'bad_request');
    fails(await list(s1, '?limit=101'), 400, 'bad_request');
    fails(await list(s1, '?limit=-5'), 400, 'bad_request');
    fails(await list(s1, '?limit=abc'), 400, 'bad_request');
    fails(await list(s1, '?page=0'), 400, 'bad_request');
    fails(await list(s1, '?type=banana'), 400, 'bad_request');
    ok(await list(s1, '?limit=1'), 200);
    ok(await list(s1, '?limit=100'), 200);
  });

  it('updates the title through PATCH', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id], title: 'Lama' });
    const updated = ok(await patch(tutor, conv.id, { title: 'Baru' }), 200).conversation;
    assert.equal(updated.title, 'Baru');
    assert.equal(ok(await get(s1, conv.id), 200).conversation.title, 'Baru');
  });

  it('lets a tutor change settings, merging them with the current ones', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id], title: 'S' });
    const updated = ok(await patch(tutor, conv.id, { settings: { allowFileUpload: false, retention: 30 } }), 200).conversation;
    assert.deepEqual(updated.settings, { ...DEFAULT_SETTINGS, allowFileUpload: false, retention: 30 });
    assert.deepEqual(ok(await get(s1, conv.id), 200).conversation.settings, updated.settings);
  });

  it('forbids a student from changing settings or archiving (403)', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id], title: 'S' });
    fails(await patch(s1, conv.id, { settings: { allowFileUpload: false } }), 403, 'forbidden');
    fails(await patch(s1, conv.id, { archived: true }), 403, 'forbidden');
    const after1 = ok(await get(s1, conv.id), 200).conversation;
    assert.equal(after1.isArchived, false);
    assert.deepEqual(after1.settings, DEFAULT_SETTINGS);
  });

  it('makes an archived conversation read-only (send is 403) until a tutor unarchives it', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id], title: 'Arsip' });
    const archived = ok(await patch(tutor, conv.id, { archived: true }), 200).conversation;
    assert.equal(archived.isArchived, true);
    const send = (user) => call(server, 'POST', `/api/conversations/${conv.id}/messages`, {
      token: user.token, json: { type: 'text', content: { text: 'halo' }, clientMessageId: uid('cm') },
    });
    fails(await send(s1), 403, 'forbidden');
    fails(await send(tutor), 403, 'forbidden');
    const unarchived = ok(await patch(tutor, conv.id, { archived: false }), 200).conversation;
    assert.equal(unarchived.isArchived, false);
    ok(await send(s1), 201);
  });

  it('filters the list by archived=true / archived=false', async () => {
    const me = await registerUser(server, { role: 'student' });
    const keep = await createConversation(server, tutor, { type: 'group', participantIds: [me.id], title: 'aktif' });
    const old = await createConversation(server, tutor, { type: 'group', participantIds: [me.id], title: 'arsip' });
    ok(await patch(tutor, old.id, { archived: true }), 200);
    const active = ok(await list(me, '?archived=false'), 200).conversations;
    assert.deepEqual(active.map((c) => c.id), [keep.id]);
    const arch = ok(await list(me, '?archived=true'), 200).conversations;
    assert.deepEqual(arch.map((c) => c.id), [old.id]);
    assert.equal(arch[0].isArchived, true);
  });

  it('adds a participant (tutor) with a user_joined system message', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id], title: 'Tambah' });
    const res = await call(server, 'POST', `/api/conversations/${conv.id}/participants`, { token: tutor.token, json: { userId: s3.id } });
    assert.ok([200, 201].includes(res.status), `status ${res.status}: ${res.text}`);
    ok(res, res.status);
    const got = ok(await get(s3, conv.id), 200).conversation;
    assert.deepEqual(activeIds(got), [tutor.id, s1.id, s3.id].sort());
    const msgs = await allMessages(server, tutor, conv.id);
    const joined = msgs.filter((m) => m.type === 'system' && JSON.stringify(m.content).includes('user_joined'));
    assert.equal(joined.length, 1, `system messages: ${JSON.stringify(msgs.map((m) => m.content))}`);
    assert.ok(JSON.stringify(joined[0].content).includes(s3.id), `user_joined names the user: ${JSON.stringify(joined[0].content)}`);
  });

  it('forbids a student from adding or removing other participants (403)', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id, s2.id], title: 'X' });
    fails(await call(server, 'POST', `/api/conversations/${conv.id}/participants`, { token: s1.token, json: { userId: s3.id } }), 403, 'forbidden');
    fails(await call(server, 'DELETE', `/api/conversations/${conv.id}/participants/${s2.id}`, { token: s1.token }), 403, 'forbidden');
  });

  it('removes a participant (tutor) with a user_left system message; the removed user can no longer send', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id, s2.id], title: 'Hapus' });
    const res = await call(server, 'DELETE', `/api/conversations/${conv.id}/participants/${s2.id}`, { token: tutor.token });
    ok(res, 200);
    const got = ok(await get(tutor, conv.id), 200).conversation;
    assert.deepEqual(activeIds(got), [tutor.id, s1.id].sort());
    const msgs = await allMessages(server, tutor, conv.id);
    const left = msgs.filter((m) => m.type === 'system' && JSON.stringify(m.content).includes('user_left'));
    assert.equal(left.length, 1, `system messages: ${JSON.stringify(msgs.map((m) => m.content))}`);
    assert.ok(JSON.stringify(left[0].content).includes(s2.id));
    fails(await call(server, 'POST', `/api/conversations/${conv.id}/messages`, {
      token: s2.token, json: { type: 'text', content: { text: 'masih di sini?' }, clientMessageId: uid('cm') },
    }), 403, 'forbidden');
  });

  it('lets a student leave a group by removing themself', async () => {
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id, s2.id], title: 'Pergi' });
    ok(await call(server, 'DELETE', `/api/conversations/${conv.id}/participants/${s2.id}`, { token: s2.token }), 200);
    const got = ok(await get(tutor, conv.id), 200).conversation;
    assert.deepEqual(activeIds(got), [tutor.id, s1.id].sort());
    const msgs = await allMessages(server, s1, conv.id);
    assert.ok(msgs.some((m) => m.type === 'system' && JSON.stringify(m.content).includes('user_left') && JSON.stringify(m.content).includes(s2.id)));
  });

  it('refuses adding participants to a direct conversation', async () => {
    const me = await registerUser(server, { role: 'student' });
    const conv = await createConversation(server, tutor, { type: 'direct', participantIds: [me.id] });
    const res = await call(server, 'POST', `/api/conversations/${conv.id}/participants`, { token: tutor.token, json: { userId: s3.id } });
    fails(res, [400, 403, 409, 422]);
    assert.deepEqual(ids(ok(await get(me, conv.id), 200).conversation), [tutor.id, me.id].sort());
  });
});
