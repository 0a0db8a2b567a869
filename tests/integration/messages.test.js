'use strict';
// Messages over REST: send, validation, idempotency, history paging, edit, delete, reactions,
// threads and the read cursor.

const { describe, it, before, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const {
  call, ok, fails, uid, registerUser, createConversation, sendRest, allMessages, sleep, OBJECT_ID, RFC3339_MS_UTC,
} = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');

const MESSAGE_KEYS = ['id', 'conversationId', 'seq', 'senderId', 'sender', 'type', 'content', 'status', 'readBy',
  'deliveredTo', 'replyTo', 'replyCount', 'reactions', 'edited', 'clientMessageId', 'consultationId', 'sessionId',
  'createdAt', 'updatedAt', 'deletedAt'];

describe('messages', () => {
  let server;
  let tutor; let s1; let s2; let stranger; let service;
  const sockets = [];

  before(async () => {
    server = await startServer({ rateLimit: 100000 });
    tutor = await registerUser(server, { role: 'tutor', name: 'Dr. Sari' });
    s1 = await registerUser(server, { role: 'student', name: 'Budi' });
    s2 = await registerUser(server, { role: 'student', name: 'Citra' });
    stranger = await registerUser(server, { role: 'student', name: 'Eko' });
    service = await registerUser(server, { role: 'service', name: 'consultation-service' });
  });
  beforeEach(() => server && server.ensureRunning());
  after(async () => {
    await closeAll(sockets);
    if (server) await server.stop();
  });

  const group = (title = 'Grup') => createConversation(server, tutor, { type: 'group', participantIds: [s1.id, s2.id], title });
  const postMsg = (user, convId, json) => call(server, 'POST', `/api/conversations/${convId}/messages`, { token: user.token, json });
  const history = (user, convId, query = '') => call(server, 'GET', `/api/conversations/${convId}/messages${query}`, { token: user.token });
  const patchMsg = (user, id, json) => call(server, 'PATCH', `/api/messages/${id}`, { token: user.token, json });
  const delMsg = (user, id) => call(server, 'DELETE', `/api/messages/${id}`, { token: user.token });
  const react = (user, id, emoji) => call(server, 'POST', `/api/messages/${id}/reactions`, { token: user.token, json: { emoji } });
  const unreact = (user, id, emoji) => call(server, 'DELETE', `/api/messages/${id}/reactions/${encodeURIComponent(emoji)}`, { token: user.token });
  const seqs = (msgs) => msgs.map((m) => m.seq);

  it('stores a text message with 201 and answers the full message object', async () => {
    const conv = await group();
    const clientMessageId = uid('cm');
    const res = await postMsg(s1, conv.id, { type: 'text', content: { text: 'Selamat pagi, Bu' }, clientMessageId });
    const m = ok(res, 201).message;
    for (const k of MESSAGE_KEYS) assert.ok(k in m, `message lacks ${k}: ${JSON.stringify(m)}`);
    assert.match(m.id, OBJECT_ID);
    assert.equal(m.conversationId, conv.id);
    assert.equal(m.seq, 1);
    assert.equal(m.senderId, s1.id);
    assert.equal(m.sender.name, 'Budi');
    assert.equal(m.sender.avatar, s1.avatar);
    assert.equal(m.type, 'text');
    assert.equal(m.content.text, 'Selamat pagi, Bu');
    assert.equal(m.status, 'sent');
    assert.deepEqual(m.readBy, []);
    assert.deepEqual(m.deliveredTo, []);
    assert.equal(m.replyTo, null);
    assert.equal(m.replyCount, 0);
    assert.deepEqual(m.reactions, []);
    assert.equal(m.edited, false);
    assert.equal(m.clientMessageId, clientMessageId);
    assert.equal(m.consultationId, null);
    assert.equal(m.sessionId, null);
    assert.match(m.createdAt, RFC3339_MS_UTC);
    assert.match(m.updatedAt, RFC3339_MS_UTC);
    assert.equal(m.deletedAt, null);
    const ts = Date.parse(m.createdAt);
    assert.ok(Math.abs(ts - Date.now()) < 60000, `createdAt ${m.createdAt} is not now`);
  });

  it('gives messages of a conversation the gap-free seq 1, 2, 3 in the order they were stored', async () => {
    const conv = await group();
    const got = [];
    for (let i = 0; i < 5; i += 1) got.push((await sendRest(server, i % 2 ? tutor : s1, conv.id, `pesan ${i}`)).seq);
    assert.deepEqual(got, [1, 2, 3, 4, 5]);
    const other = await group('lain');
    assert.equal((await sendRest(server, s2, other.id, 'x')).seq, 1, 'seq is per conversation');
  });

  it('stores a retried send with the same clientMessageId once and answers the stored message with 200', async () => {
    const conv = await group();
    const ws = await WsClient.connect(server, { token: s2.token, label: 's2' });
    sockets.push(ws);
    const clientMessageId = uid('cm');
    const body = { type: 'text', content: { text: 'sekali saja' }, clientMessageId };
    const first = ok(await postMsg(s1, conv.id, body), 201).message;
    const retry = ok(await postMsg(s1, conv.id, body), 200).message;
    assert.equal(retry.id, first.id);
    assert.equal(retry.seq, first.seq);
    // Not broadcast twice.
    await ws.waitForEvent('message_received', (d) => d.message?.id === first.id, 5000);
    await sleep(500);
    const copies = ws.events.filter((e) => e.event === 'message_received' && e.data?.message?.clientMessageId === clientMessageId);
    assert.equal(copies.length, 1, 'the retry was broadcast again');
    const msgs = await allMessages(server, tutor, conv.id);
    assert.equal(msgs.filter((m) => m.clientMessageId === clientMessageId).length, 1);
    await ws.close();
  });

  it('keys idempotency by sender: another sender with the same clientMessageId gets a new message', async () => {
    const conv = await group();
    const clientMessageId = uid('cm');
    const a = ok(await postMsg(s1, conv.id, { type: 'text', content: { text: 'a' }, clientMessageId }), 201).message;
    const b = ok(await postMsg(s2, conv.id, { type: 'text', content: { text: 'b' }, clientMessageId }), 201).message;
    assert.notEqual(a.id, b.id);
    assert.deepEqual([a.seq, b.seq], [1, 2]);
  });

  it('answers 409 conflict to a clientMessageId the sender already used in another conversation (REST and WebSocket)', async () => {
    const first = await group('Pertama');
    const second = await group('Kedua');
    const clientMessageId = uid('cm');
    const stored = ok(await postMsg(s1, first.id, { type: 'text', content: { text: 'di grup pertama' }, clientMessageId }), 201).message;
    fails(await postMsg(s1, second.id, { type: 'text', content: { text: 'di grup kedua' }, clientMessageId }), 409, 'conflict');
    const ws = await WsClient.connect(server, { token: s1.token, label: 's1' });
    sockets.push(ws);
    const reply = await ws.request('send_message', { conversationId: second.id, type: 'text', content: { text: 'lewat socket' }, clientMessageId });
    assert.equal(reply.event, 'error', JSON.stringify(reply));
    assert.equal(reply.data.code, 'conflict');
    // Nothing was stored in the second conversation, and the first one still answers the retry.
    assert.equal((await allMessages(server, tutor, second.id)).length, 0);
    const retry = ok(await postMsg(s1, first.id, { type: 'text', content: { text: 'di grup pertama' }, clientMessageId }), 200).message;
    assert.equal(retry.id, stored.id);
    const again = await ws.request('send_message', { conversationId: first.id, type: 'text', content: { text: 'di grup pertama' }, clientMessageId });
    assert.equal(again.event, 'message_sent', JSON.stringify(again));
    assert.equal(again.data.message.id, stored.id);
    await ws.close();
  });

  it('answers empty or whitespace-only text with 422 unprocessable and stores nothing', async () => {
    const conv = await group();
    fails(await postMsg(s1, conv.id, { type: 'text', content: { text: '' }, clientMessageId: uid('cm') }), 422, 'unprocessable');
    fails(await postMsg(s1, conv.id, { type: 'text', content: { text: '   \n\t ' }, clientMessageId: uid('cm') }), 422, 'unprocessable');
    assert.equal((await allMessages(server, s1, conv.id)).length, 0);
  });

  it('accepts 10,000 characters and answers 10,001 characters with 413 payload_too_large', async () => {
    const conv = await group();
    const okMsg = ok(await postMsg(s1, conv.id, { type: 'text', content: { text: 'a'.repeat(10000) }, clientMessageId: uid('cm') }), 201).message;
    assert.equal(okMsg.content.text.length, 10000);
    fails(await postMsg(s1, conv.id, { type: 'text', content: { text: 'a'.repeat(10001) }, clientMessageId: uid('cm') }), 413, 'payload_too_large');
    // Characters, not bytes: 10,000 two-byte characters fit.
    ok(await postMsg(s1, conv.id, { type: 'text', content: { text: 'é'.repeat(10000) }, clientMessageId: uid('cm') }), 201);
    assert.equal((await allMessages(server, s1, conv.id)).length, 2);
  });

  it('answers content.text that is not a string, or a missing content, with 400 bad_request', async () => {
    const conv = await group();
    fails(await postMsg(s1, conv.id, { type: 'text', content: { text: 42 }, clientMessageId: uid('cm') }), 400, 'bad_request');
    fails(await postMsg(s1, conv.id, { type: 'text', content: { text: ['a'] }, clientMessageId: uid('cm') }), 400, 'bad_request');
    fails(await postMsg(s1, conv.id, { type: 'text', clientMessageId: uid('cm') }), 400, 'bad_request');
    fails(await postMsg(s1, conv.id, { type: 'text', content: 'hello', clientMessageId: uid('cm') }), 400, 'bad_request');
  });

  it('answers a malformed JSON body with 400 bad_request', async () => {
    const conv = await group();
    fails(await call(server, 'POST', `/api/conversations/${conv.id}/messages`, { token: s1.token, body: '{"type":"text","content":{"text":"x"' }), 400, 'bad_request');
    fails(await call(server, 'POST', `/api/conversations/${conv.id}/messages`, { token: s1.token, body: '[1,2,3]' }), 400, 'bad_request');
  });

  it('forbids a service token from chatting', async () => {
    const conv = await group();
    fails(await postMsg(service, conv.id, { type: 'text', content: { text: 'bot' }, clientMessageId: uid('cm') }), [403, 404], ['forbidden', 'not_found']);
  });

  it('answers a send to a conversation the user is not in with 403 or 404 and stores nothing', async () => {
    const conv = await group();
    fails(await postMsg(stranger, conv.id, { type: 'text', content: { text: 'intip' }, clientMessageId: uid('cm') }), [403, 404], ['forbidden', 'not_found']);
    assert.equal((await allMessages(server, s1, conv.id)).length, 0);
  });

  describe('history', () => {
    let conv; let msgs;
    before(async () => {
      conv = await group('riwayat');
      msgs = [];
      for (let i = 1; i <= 5; i += 1) {
        msgs.push(await sendRest(server, i % 2 ? s1 : tutor, conv.id, `riwayat ${i}`));
        await sleep(15); // distinct createdAt milliseconds
      }
    });

    it('lists newest first with page/limit and hasMore', async () => {
      const p1 = ok(await history(s2, conv.id, '?limit=2&page=1'), 200);
      assert.deepEqual(seqs(p1.messages), [5, 4]);
      for (const [k, v] of Object.entries({ page: 1, limit: 2, hasMore: true })) assert.equal(p1.pagination[k], v, `pagination.${k}`);
      const p2 = ok(await history(s2, conv.id, '?limit=2&page=2'), 200);
      assert.deepEqual(seqs(p2.messages), [3, 2]);
      assert.equal(p2.pagination.hasMore, true);
      const p3 = ok(await history(s2, conv.id, '?limit=2&page=3'), 200);
      assert.deepEqual(seqs(p3.messages), [1]);
      assert.equal(p3.pagination.hasMore, false);
      const all = ok(await history(s2, conv.id), 200);
      assert.deepEqual(seqs(all.messages), [5, 4, 3, 2, 1]);
      assert.equal(all.pagination.limit, 50, 'default limit is 50');
    });

    it('answers a history limit outside 1..200 with 400 bad_request instead of capping it', async () => {
      fails(await history(s2, conv.id, '?limit=0'), 400, 'bad_request');
      fails(await history(s2, conv.id, '?limit=201'), 400, 'bad_request');
      fails(await history(s2, conv.id, '?limit=x'), 400, 'bad_request');
      const max = ok(await history(s2, conv.id, '?limit=200'), 200);
      assert.equal(max.pagination.limit, 200);
    });

    it('reads `before` as a seq when it is an integer', async () => {
      const res = ok(await history(s2, conv.id, '?before=4'), 200);
      assert.deepEqual(seqs(res.messages), [3, 2, 1]);
      const limited = ok(await history(s2, conv.id, '?before=4&limit=2'), 200);
      assert.deepEqual(seqs(limited.messages), [3, 2]);
      assert.equal(limited.pagination.hasMore, true);
    });

    it('reads `before` as an RFC 3339 time otherwise', async () => {
      const t = msgs[2].createdAt; // seq 3
      const res = ok(await history(s2, conv.id, `?before=${encodeURIComponent(t)}`), 200);
      assert.deepEqual(seqs(res.messages), [2, 1]);
      fails(await history(s2, conv.id, '?before=yesterday-ish'), 400, 'bad_request');
    });

    it('lists oldest first after `afterSeq`, with hasMore', async () => {
      const res = ok(await history(s2, conv.id, '?afterSeq=2'), 200);
      assert.deepEqual(seqs(res.messages), [3, 4, 5]);
      assert.equal(res.pagination.hasMore, false);
      const limited = ok(await history(s2, conv.id, '?afterSeq=1&limit=2'), 200);
      assert.deepEqual(seqs(limited.messages), [2, 3]);
      assert.equal(limited.pagination.hasMore, true);
      assert.deepEqual(seqs(ok(await history(s2, conv.id, '?afterSeq=5'), 200).messages), []);
    });
  });

  describe('edit and delete', () => {
    it('lets the sender edit: new text, edited flag, previous text in editHistory', async () => {
      const conv = await group();
      const m = await sendRest(server, s1, conv.id, 'draf pertama');
      const e = ok(await patchMsg(s1, m.id, { content: { text: 'draf kedua' } }), 200).message;
      assert.equal(e.id, m.id);
      assert.equal(e.seq, m.seq);
      assert.equal(e.content.text, 'draf kedua');
      assert.equal(e.edited, true);
      assert.ok(Array.isArray(e.editHistory), `editHistory visible to the sender: ${JSON.stringify(e)}`);
      assert.equal(e.editHistory.length, 1);
      assert.ok(JSON.stringify(e.editHistory).includes('draf pertama'), `editHistory: ${JSON.stringify(e.editHistory)}`);
      assert.ok(Date.parse(e.updatedAt) >= Date.parse(m.updatedAt));
    });

    it('shows editHistory to the sender and tutors but not to other students', async () => {
      const conv = await group();
      const m = await sendRest(server, s1, conv.id, 'rahasia lama');
      ok(await patchMsg(s1, m.id, { content: { text: 'versi publik' } }), 200);
      const view = async (user) => ok(await history(user, conv.id), 200).messages.find((x) => x.id === m.id);
      const tutorView = await view(tutor);
      assert.ok(JSON.stringify(tutorView.editHistory || null).includes('rahasia lama'), `tutor sees editHistory: ${JSON.stringify(tutorView)}`);
      const senderView = await view(s1);
      assert.ok(JSON.stringify(senderView.editHistory || null).includes('rahasia lama'), 'sender sees editHistory');
      const otherView = await view(s2);
      assert.equal(otherView.edited, true);
      assert.equal(otherView.content.text, 'versi publik');
      assert.ok(!JSON.stringify(otherView).includes('rahasia lama'), `another student must not see the previous text: ${JSON.stringify(otherView)}`);
      assert.ok(otherView.editHistory === undefined || otherView.editHistory === null, `editHistory is not shown to another student: ${JSON.stringify(otherView.editHistory)}`);
    });

    it('forbids editing someone else\'s message, even for a tutor (403)', async () => {
      const conv = await group();
      const m = await sendRest(server, s1, conv.id, 'punyaku');
      fails(await patchMsg(s2, m.id, { content: { text: 'diubah' } }), 403, 'forbidden');
      fails(await patchMsg(tutor, m.id, { content: { text: 'diubah' } }), 403, 'forbidden');
      fails(await patchMsg(stranger, m.id, { content: { text: 'diubah' } }), [403, 404], ['forbidden', 'not_found']);
      const now = (await allMessages(server, s1, conv.id)).find((x) => x.id === m.id);
      assert.equal(now.content.text, 'punyaku');
      assert.equal(now.edited, false);
    });

    it('answers an edit to empty text with 422 and to a non-string text with 400', async () => {
      const conv = await group();
      const m = await sendRest(server, s1, conv.id, 'isi');
      fails(await patchMsg(s1, m.id, { content: { text: '  ' } }), 422, 'unprocessable');
      fails(await patchMsg(s1, m.id, { content: { text: 7 } }), 400, 'bad_request');
    });

    it('answers 404 for an edit of an unknown message id', async () => {
      fails(await patchMsg(s1, 'ffffffffffffffffffffffff', { content: { text: 'x' } }), 404, 'not_found');
    });

    it('soft-deletes: the message keeps its seq, gets deletedAt and an empty content', async () => {
      const conv = await group();
      const m = await sendRest(server, s1, conv.id, 'akan dihapus');
      await sendRest(server, s1, conv.id, 'tetap');
      const d = ok(await delMsg(s1, m.id), 200).message;
      assert.equal(d.id, m.id);
      assert.equal(d.seq, m.seq);
      assert.match(d.deletedAt, RFC3339_MS_UTC);
      assert.deepEqual(d.content, {});
      assert.equal(d.type, 'text', 'type unchanged');
      const listed = await allMessages(server, s2, conv.id);
      assert.deepEqual(seqs(listed), [1, 2]);
      assert.deepEqual(listed[0].content, {});
      assert.ok(listed[0].deletedAt);
      assert.ok(!JSON.stringify(listed[0]).includes('akan dihapus'), 'deleted text is gone for others');
    });

    it('answers an edit of a deleted message with 409 conflict', async () => {
      const conv = await group();
      const m = await sendRest(server, s1, conv.id, 'hapus lalu ubah');
      ok(await delMsg(s1, m.id), 200);
      fails(await patchMsg(s1, m.id, { content: { text: 'terlambat' } }), 409, 'conflict');
    });

    it('lets a tutor delete a student\'s message but not another student (403)', async () => {
      const conv = await group();
      const m1 = await sendRest(server, s1, conv.id, 'hapus oleh tutor');
      fails(await delMsg(s2, m1.id), 403, 'forbidden');
      const d = ok(await delMsg(tutor, m1.id), 200).message;
      assert.ok(d.deletedAt);
    });
  });

  describe('reactions', () => {
    it('adds a reaction once per user and emoji; adding twice is a no-op', async () => {
      const conv = await group();
      const m = await sendRest(server, s1, conv.id, 'terima kasih');
      const r1 = ok(await react(s2, m.id, '👍'), 200).message;
      assert.equal(r1.reactions.length, 1);
      assert.equal(r1.reactions[0].userId, s2.id);
      assert.equal(r1.reactions[0].emoji, '👍');
      assert.match(r1.reactions[0].addedAt, RFC3339_MS_UTC);
      const r2 = ok(await react(s2, m.id, '👍'), 200).message;
      assert.equal(r2.reactions.length, 1, `twice is a no-op: ${JSON.stringify(r2.reactions)}`);
      const r3 = ok(await react(tutor, m.id, '👍'), 200).message;
      assert.equal(r3.reactions.length, 2);
      const r4 = ok(await react(s2, m.id, '🎉'), 200).message;
      assert.equal(r4.reactions.length, 3);
    });

    it('accepts a multi-code-point emoji that is one grapheme cluster', async () => {
      const conv = await group();
      const m = await sendRest(server, s1, conv.id, 'keluarga');
      const family = '👨‍👩‍👧'; // ZWJ sequence, 18 bytes
      const r = ok(await react(s2, m.id, family), 200).message;
      assert.equal(r.reactions[0].emoji, family);
      const r2 = ok(await unreact(s2, m.id, family), 200).message;
      assert.equal(r2.reactions.length, 0);
    });

    it('answers a reaction that is not a single emoji with 422 unprocessable', async () => {
      const conv = await group();
      const m = await sendRest(server, s1, conv.id, 'x');
      fails(await react(s2, m.id, '👍👍'), 422, 'unprocessable');
      fails(await react(s2, m.id, ''), [400, 422], ['bad_request', 'unprocessable']);
      // One grapheme cluster is not enough: it must be an emoji.
      for (const notEmoji of ['\u202E', 'a', 'é', '\u200B', '\u200D', 'a\u200Db', '👍\u200D', '\u202E👍', '🎉🏽', '1', '🇮']) {
        fails(await react(s2, m.id, notEmoji), 422, 'unprocessable');
      }
      const stored = (await allMessages(server, s1, conv.id)).find((x) => x.id === m.id);
      assert.deepEqual(stored.reactions, []);
      for (const emoji of ['1️⃣', '🇮🇩', '👍🏽', '🏳️‍🌈', '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}']) {
        ok(await react(s2, m.id, emoji), 200);
      }
    });

    it('removes only the caller\'s reaction', async () => {
      const conv = await group();
      const m = await sendRest(server, s1, conv.id, 'hapus reaksi');
      ok(await react(s2, m.id, '❤️'), 200);
      ok(await react(tutor, m.id, '❤️'), 200);
      const r = ok(await unreact(s2, m.id, '❤️'), 200).message;
      assert.deepEqual(r.reactions.map((x) => x.userId), [tutor.id]);
      const stored = (await allMessages(server, s1, conv.id)).find((x) => x.id === m.id);
      assert.deepEqual(stored.reactions.map((x) => [x.userId, x.emoji]), [[tutor.id, '❤️']]);
    });
  });

  describe('threads', () => {
    it('counts replies on the root and lists root and replies oldest first', async () => {
      const conv = await group();
      const root = await sendRest(server, s1, conv.id, 'pertanyaan tentang bab 3');
      await sendRest(server, tutor, conv.id, 'obrolan lain');
      const r1 = await sendRest(server, tutor, conv.id, 'jawaban satu', { replyTo: root.id });
      const r2 = await sendRest(server, s2, conv.id, 'jawaban dua', { replyTo: root.id });
      assert.equal(r1.replyTo, root.id);
      const stored = (await allMessages(server, s1, conv.id)).find((x) => x.id === root.id);
      assert.equal(stored.replyCount, 2);
      const data = ok(await call(server, 'GET', `/api/messages/${root.id}/thread`, { token: s2.token }), 200);
      const rootMsg = data.root ?? data.message;
      const replies = data.replies ?? data.messages;
      assert.ok(rootMsg, `thread answer names the root (data.root or data.message): ${JSON.stringify(data)}`);
      assert.equal(rootMsg.id, root.id);
      assert.ok(Array.isArray(replies), `thread answer lists replies: ${JSON.stringify(data)}`);
      assert.deepEqual(replies.map((x) => x.id), [r1.id, r2.id]);
      assert.ok(data.pagination, 'thread is paginated');
      fails(await call(server, 'GET', `/api/messages/${root.id}/thread`, { token: stranger.token }), [403, 404], ['forbidden', 'not_found']);
    });
  });

  describe('read cursor', () => {
    it('moves the read cursor forward only and computes unreadCount from messages of others above it', async () => {
      const conv = await group('baca');
      for (let i = 1; i <= 4; i += 1) await sendRest(server, s1, conv.id, `m${i}`);
      await sendRest(server, s2, conv.id, 'punya s2 sendiri'); // seq 5, s2's own
      await sendRest(server, tutor, conv.id, 'm6');
      const unread = async () => ok(await call(server, 'GET', '/api/conversations?limit=100', { token: s2.token }), 200)
        .conversations.find((c) => c.id === conv.id).unreadCount;
      assert.equal(await unread(), 5, 'own messages are not unread');
      ok(await call(server, 'POST', `/api/conversations/${conv.id}/read`, { token: s2.token, json: { upToSeq: 3 } }), 200);
      assert.equal(await unread(), 2);
      ok(await call(server, 'POST', `/api/conversations/${conv.id}/read`, { token: s2.token, json: { upToSeq: 1 } }), 200);
      assert.equal(await unread(), 2, 'the cursor never moves backward');
      ok(await call(server, 'POST', `/api/conversations/${conv.id}/read`, { token: s2.token, json: { upToSeq: 6 } }), 200);
      assert.equal(await unread(), 0);
      const got = ok(await call(server, 'GET', `/api/conversations/${conv.id}`, { token: s2.token }), 200).conversation;
      assert.equal(got.unreadCount, 0);
    });

    it('answers a read cursor body without a numeric upToSeq with 400', async () => {
      const conv = await group();
      fails(await call(server, 'POST', `/api/conversations/${conv.id}/read`, { token: s2.token, json: { upToSeq: 'x' } }), 400, 'bad_request');
    });

    it('reports readBy and status read to the sender once every other participant has read', async () => {
      const me = await registerUser(server, { role: 'student' });
      const conv = await createConversation(server, me, { type: 'direct', participantIds: [tutor.id] });
      const m = await sendRest(server, me, conv.id, 'sudah dibaca?');
      ok(await call(server, 'POST', `/api/conversations/${conv.id}/read`, { token: tutor.token, json: { upToSeq: m.seq } }), 200);
      const stored = (await allMessages(server, me, conv.id))[0];
      assert.equal(stored.status, 'read');
      assert.deepEqual(stored.readBy.map((r) => r.userId), [tutor.id]);
      assert.match(stored.readBy[0].readAt, RFC3339_MS_UTC);
    });
  });
});
