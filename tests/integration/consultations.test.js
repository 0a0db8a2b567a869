'use strict';
// Consultations (API.md, "Consultations"): the consultation service's lifecycle calls, sessions,
// ratings, signed transcripts, idempotent and concurrent retries, and a kill -9 after `end`.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, runBinary, makeTempDir, removeDir } = require('./lib/server');
const { call, ok, fails, uid, registerUser, sendRest, allMessages } = require('./lib/http');
const { userToken } = require('./lib/tokens');
const { WsClient, closeAll } = require('./lib/ws');

const START = '2024-01-15T14:30:00.000Z';
const END = '2024-01-15T15:30:00.000Z';

describe('consultations', () => {
  let s;
  let service;
  let tutor;
  let student;
  let outsider;
  const sockets = [];
  const dirs = [];

  before(async () => {
    s = await startServer();
    service = { id: uid('svc'), token: null };
    service.token = userToken(s.secret, { id: service.id, name: 'Writeen Consultation', role: 'service' });
    tutor = await registerUser(s, { role: 'tutor', name: 'Dr. Sari' });
    student = await registerUser(s, { role: 'student', name: 'Budi' });
    outsider = await registerUser(s, { role: 'student' });
  });
  after(async () => {
    await closeAll(sockets);
    await s.stop();
    for (const d of dirs) removeDir(d);
  });

  const body = (extra = {}) => ({ title: 'Bimbingan Bab 3', tutorId: tutor.id, studentIds: [student.id],
    scheduledStart: START, scheduledEnd: END, ...extra });
  const put = (id, json, token = service.token) => call(s, 'PUT', `/api/consultations/${id}/chat`, { token, json });
  const step = (id, what, json, token = service.token) => call(s, 'POST', `/api/consultations/${id}/${what}`, { token, json });
  const systemActions = async (conversationId, user = tutor) =>
    (await allMessages(s, user, conversationId)).filter((m) => m.type === 'system').map((m) => m.content.systemMessage.action);
  async function confirmed(extra) {
    const id = uid('konsul');
    const conv = ok(await put(id, body(extra)), 201).conversation;
    return { id, conv };
  }

  it('refuses every lifecycle call from a token that is not role: service with 403', async () => {
    const { id } = await confirmed();
    for (const u of [student, tutor]) {
      fails(await put(id, body(), u.token), 403, 'forbidden');
      fails(await step(id, 'start', undefined, u.token), 403, 'forbidden');
      fails(await step(id, 'end', {}, u.token), 403, 'forbidden');
      fails(await call(s, 'DELETE', `/api/consultations/${id}/chat`, { token: u.token }), 403, 'forbidden');
    }
    const admin = await registerUser(s, { role: 'admin' });
    fails(await put(id, body(), admin.token), 403, 'forbidden');
  });

  it('validates the confirmation: 400 for malformed input, 422 for an impossible consultation', async () => {
    const id = uid('konsul');
    fails(await call(s, 'PUT', `/api/consultations/${id}/chat`, { token: service.token, body: '{"title":' }), 400, 'bad_request');
    fails(await put(id, body({ title: 42 })), 400, 'bad_request');
    fails(await put(id, { ...body(), title: undefined }), 400, 'bad_request');
    fails(await put(id, body({ studentIds: student.id })), 400, 'bad_request');
    fails(await put(id, body({ scheduledStart: 'tomorrow' })), 400, 'bad_request');
    fails(await put(id, body({ scheduledEnd: START })), 422, 'unprocessable');
    fails(await put(id, body({ studentIds: [tutor.id] })), 422, 'unprocessable');
    fails(await put(id, body({ studentIds: [] })), 422, 'unprocessable');
    fails(await put(id, body({ title: '   ' })), 422, 'unprocessable');
    fails(await put(id, body({ participants: [{ userId: outsider.id, name: 'X' }] })), 422, 'unprocessable');
    fails(await step(id, 'start'), 404, 'not_found');
    fails(await step(id, 'end', {}), 404, 'not_found');
    fails(await call(s, 'DELETE', `/api/consultations/${id}/chat`, { token: service.token }), 404, 'not_found');
  });

  it('creates the room once, however often and however concurrently the confirmation is retried', async () => {
    const id = uid('konsul');
    const answers = await Promise.all([put(id, body()), put(id, body()), put(id, body())]);
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 201]);
    const ids = new Set(answers.map((r) => r.body.data.conversation.id));
    assert.equal(ids.size, 1);
    const conv = answers[0].body.data.conversation;
    assert.equal(conv.type, 'consultation');
    assert.equal(conv.consultationId, id);
    assert.deepEqual(conv.participants.map((p) => [p.userId, p.role]).sort(),
      [[student.id, 'student'], [tutor.id, 'tutor']].sort());
    ok(await put(id, body()), 200);
    assert.deepEqual(await systemActions(conv.id), ['consultation_confirmed']);
    const list = ok(await call(s, 'GET', '/api/conversations?type=consultation', { token: student.token }));
    assert.equal(list.conversations.filter((c) => c.consultationId === id).length, 1);
  });

  it('posts consultation_rescheduled and participant changes once for a changed confirmation', async () => {
    const { id, conv } = await confirmed();
    const second = await registerUser(s, { role: 'student' });
    const changed = body({ scheduledStart: '2024-01-16T14:30:00.000Z', scheduledEnd: '2024-01-16T15:30:00.000Z',
      title: 'Bimbingan Bab 3 (ulang)', studentIds: [second.id] });
    await Promise.all([put(id, changed), put(id, changed)]);
    ok(await put(id, changed), 200);
    const msgs = (await allMessages(s, tutor, conv.id)).filter((m) => m.type === 'system');
    assert.deepEqual(msgs.map((m) => m.content.systemMessage.action),
      ['consultation_confirmed', 'user_joined', 'user_left', 'consultation_rescheduled']);
    const rescheduled = msgs[3].content.systemMessage.data;
    assert.equal(rescheduled.scheduledStart, '2024-01-16T14:30:00.000Z');
    assert.equal(rescheduled.previous.scheduledStart, START);
    const now = ok(await call(s, 'GET', `/api/conversations/${conv.id}`, { token: tutor.token })).conversation;
    assert.equal(now.title, 'Bimbingan Bab 3 (ulang)');
    assert.ok(now.participants.find((p) => p.userId === student.id).leftAt, 'the first student left');
  });

  it('opens one session for concurrent starts and tags every message sent while it is open', async () => {
    const { id, conv } = await confirmed();
    fails(await step(id, 'end', {}), 409, 'conflict');
    const starts = await Promise.all([step(id, 'start'), step(id, 'start'), step(id, 'start')]);
    const sessions = starts.map((r) => ok(r).session);
    assert.equal(new Set(sessions.map((x) => x.id)).size, 1);
    const session = sessions[0];
    assert.equal(session.endTime, null);
    assert.equal(session.consultationId, id);

    const viaRest = await sendRest(s, student, conv.id, 'Pak, bagaimana teknik sampling untuk skripsi saya?');
    assert.equal(viaRest.sessionId, session.id);
    assert.equal(viaRest.consultationId, id);
    const ws = await WsClient.connect(s, { token: tutor.token, label: 'tutor' });
    sockets.push(ws);
    const sent = await ws.request('send_message', { conversationId: conv.id, type: 'text',
      content: { text: 'Teknik sampling purposive cocok.\nTolong revisi bab tiga' }, clientMessageId: uid('cm') });
    assert.equal(sent.event, 'message_sent');
    assert.equal(sent.data.message.sessionId, session.id);
    assert.equal(sent.data.message.consultationId, id);

    const listed = ok(await call(s, 'GET', `/api/conversations/${conv.id}/messages?sessionId=${session.id}`, { token: student.token }));
    assert.deepEqual(listed.messages.map((m) => m.sessionId), listed.messages.map(() => session.id));
    assert.equal(listed.messages.length, 3, 'consultation_started and the two messages');
    fails(await call(s, 'GET', `/api/conversations/${conv.id}/messages?sessionId=${'0'.repeat(24)}`, { token: student.token }), 404, 'not_found');
  });

  it('ends a session once for concurrent ends, with its summary, and answers it unchanged afterwards', async () => {
    const { id, conv } = await confirmed();
    const started = ok(await step(id, 'start')).session;
    await sendRest(s, student, conv.id, 'Saya bingung soal ukuran sampel penelitian');
    await sendRest(s, tutor, conv.id, 'Ukuran sampel tergantung kejenuhan data');
    await sendRest(s, student, conv.id, 'Jadi ukuran sampel ditentukan kejenuhan data ya pak');
    fails(await step(id, 'end', { actionItems: 'baca' }), 400, 'bad_request');
    const ends = await Promise.all([0, 1, 2].map(() => step(id, 'end', { sessionNotes: 'Lanjut bab 4', actionItems: ['Kirim draf bab 4'] })));
    const sessions = ends.map((r) => ok(r).session);
    assert.equal(new Set(sessions.map((x) => JSON.stringify(x))).size, 1, 'every end answers the same session');
    const ended = sessions[0];
    assert.equal(ended.id, started.id);
    assert.ok(ended.endTime);
    assert.deepEqual(Object.keys(ended).sort(), ['analytics', 'consultationId', 'duration', 'endTime', 'id',
      'participants', 'sessionType', 'startTime', 'summary'].sort());
    assert.equal(ended.summary.totalMessages, 3);
    assert.equal(ended.summary.sessionNotes, 'Lanjut bab 4');
    assert.deepEqual(ended.summary.actionItems, ['Kirim draf bab 4']);
    assert.ok(ended.summary.keyTopics.includes('ukuran sampel'), JSON.stringify(ended.summary.keyTopics));
    assert.equal(ended.participants.find((p) => p.userId === student.id).messageCount, 2);
    assert.equal(typeof ended.analytics.responseTime, 'number');
    assert.equal(ended.analytics.satisfaction, null);
    assert.deepEqual(ok(await step(id, 'end', {})).session, ended);
    assert.deepEqual(await systemActions(conv.id), ['consultation_confirmed', 'consultation_started', 'consultation_ended']);

    const listed = ok(await call(s, 'GET', `/api/conversations/${conv.id}/sessions`, { token: student.token }));
    assert.deepEqual(listed.sessions, [ended]);
    fails(await call(s, 'GET', `/api/conversations/${conv.id}/sessions`, { token: outsider.token }), 404, 'not_found');

    // A second session comes first in the list.
    const again = ok(await step(id, 'start')).session;
    assert.notEqual(again.id, ended.id);
    const both = ok(await call(s, 'GET', `/api/conversations/${conv.id}/sessions`, { token: tutor.token })).sessions;
    assert.deepEqual(both.map((x) => x.id), [again.id, ended.id]);
  });

  it('takes ratings after the session ended: 409 while open, 422 for a bad rating, a second one replaces', async () => {
    const { id, conv } = await confirmed();
    const open = ok(await step(id, 'start')).session;
    const rate = (u, json) => call(s, 'POST', `/api/sessions/${open.id}/rating`, { token: u.token, json });
    fails(await rate(student, { rating: 5 }), 409, 'conflict');
    await sendRest(s, student, conv.id, 'halo');
    ok(await step(id, 'end', {}));
    for (const bad of [0, 6, 4.5, -1]) fails(await rate(student, { rating: bad }), 422, 'unprocessable');
    fails(await rate(student, { rating: '5' }), 400, 'bad_request');
    fails(await rate(student, {}), 400, 'bad_request');
    fails(await rate(outsider, { rating: 5 }), 404, 'not_found');
    fails(await call(s, 'POST', `/api/sessions/${'0'.repeat(24)}/rating`, { token: student.token, json: { rating: 5 } }), 404, 'not_found');
    ok(await rate(student, { rating: 2, comment: 'kurang' }));
    ok(await rate(tutor, { rating: 5 }));
    const replaced = ok(await rate(student, { rating: 4 })).session;
    assert.equal(replaced.analytics.satisfaction, 4.5);
  });

  it('serves a signed transcript that verify-transcript accepts, and rejects when altered', async () => {
    const { id, conv } = await confirmed();
    const session = ok(await step(id, 'start')).session;
    fails(await call(s, 'GET', `/api/sessions/${session.id}/transcript`, { token: student.token }), 409, 'conflict');
    const m = await sendRest(s, student, conv.id, 'Draf bab tiga sudah saya kirim');
    ok(await call(s, 'PATCH', `/api/messages/${m.id}`, { token: student.token, json: { content: { text: 'Draf bab tiga sudah terkirim' } } }));
    ok(await step(id, 'end', {}));
    fails(await call(s, 'GET', `/api/sessions/${session.id}/transcript`, { token: outsider.token }), 404, 'not_found');
    const bySvc = ok(await call(s, 'GET', `/api/sessions/${session.id}/transcript`, { token: service.token }));
    const res = await call(s, 'GET', `/api/sessions/${session.id}/transcript`, { token: student.token });
    const data = ok(res);
    assert.deepEqual(data, bySvc);
    assert.deepEqual(data.transcript.messages.map((x) => x.content.systemMessage?.action ?? x.content.text),
      ['consultation_started', 'Draf bab tiga sudah terkirim', 'consultation_ended']);
    assert.equal(data.transcript.chain.entries.length, 3);
    assert.equal(data.signature.algorithm, 'ed25519');
    const keys = ok(await call(s, 'GET', '/api/transcripts/keys', { token: student.token })).keys;
    const key = keys.find((k) => k.keyId === data.signature.keyId);
    assert.ok(key, 'the signing key is listed');

    const dir = makeTempDir();
    dirs.push(dir);
    const file = path.join(dir, 'transcript.json');
    const pem = path.join(dir, 'key.pem');
    fs.writeFileSync(file, res.text);
    fs.writeFileSync(pem, key.publicKey);
    const good = await runBinary(['verify-transcript', file, '--public-key', pem]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /^valid/);
    const altered = JSON.parse(res.text);
    altered.data.transcript.messages[1].content.text = 'Draf belum dikirim';
    fs.writeFileSync(file, JSON.stringify(altered));
    const bad = await runBinary(['verify-transcript', file, '--public-key', pem]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /entry 1/);
  });

  it('gives the lifecycle messages exactly once to a client that syncs after reconnecting', async () => {
    const { id, conv } = await confirmed();
    const first = await WsClient.connect(s, { token: student.token, label: 'before' });
    sockets.push(first);
    await first.request('join_conversation', { conversationId: conv.id });
    await first.close();
    ok(await step(id, 'start'));
    await sendRest(s, tutor, conv.id, 'Selamat siang');
    await Promise.all([step(id, 'end', {}), step(id, 'end', {})]);
    const again = await WsClient.connect(s, { token: student.token, label: 'after' });
    sockets.push(again);
    const r = await again.request('sync', { conversationId: conv.id, afterSeq: 1 });
    assert.equal(r.event, 'sync_result');
    const actions = r.data.messages.map((m) => (m.type === 'system' ? m.content.systemMessage.action : m.type));
    assert.deepEqual(actions, ['consultation_started', 'text', 'consultation_ended']);
  });

  it('archives on end with settings.autoArchive, and cancellation makes the room read-only once', async () => {
    const { id, conv } = await confirmed();
    ok(await call(s, 'PATCH', `/api/conversations/${conv.id}`, { token: tutor.token, json: { settings: { autoArchive: true } } }));
    ok(await step(id, 'start'));
    ok(await step(id, 'end', {}));
    let now = ok(await call(s, 'GET', `/api/conversations/${conv.id}`, { token: tutor.token })).conversation;
    assert.equal(now.isArchived, true);

    const other = await confirmed();
    ok(await step(other.id, 'start'));
    const cancels = await Promise.all([0, 1].map(() => call(s, 'DELETE', `/api/consultations/${other.id}/chat`, { token: service.token })));
    for (const c of cancels) assert.equal(ok(c).conversation.isArchived, true);
    assert.deepEqual(await systemActions(other.conv.id),
      ['consultation_confirmed', 'consultation_started', 'consultation_ended', 'consultation_cancelled']);
    fails(await call(s, 'POST', `/api/conversations/${other.conv.id}/messages`, { token: student.token,
      json: { type: 'text', content: { text: 'masih bisa?' } } }), 403, 'forbidden');
    fails(await step(other.id, 'start'), 409, 'conflict');
    fails(await put(other.id, body()), 409, 'conflict');
    now = ok(await call(s, 'GET', `/api/conversations/${other.conv.id}/sessions`, { token: student.token }));
    assert.ok(now.sessions[0].endTime, 'the open session was ended by the cancellation');
  });

  it('keeps a consistent state after a kill -9 right after `end` was answered', { timeout: 60000 }, async () => {
    const { id, conv } = await confirmed();
    const session = ok(await step(id, 'start')).session;
    await sendRest(s, student, conv.id, 'Pesan terakhir sebelum selesai');
    const ended = ok(await step(id, 'end', {})).session;
    await s.kill9();
    await s.start();
    const sessions = ok(await call(s, 'GET', `/api/conversations/${conv.id}/sessions`, { token: tutor.token })).sessions;
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0].id, session.id);
    assert.deepEqual(sessions[0], ended);
    assert.deepEqual(await systemActions(conv.id), ['consultation_confirmed', 'consultation_started', 'consultation_ended']);
    assert.deepEqual(ok(await step(id, 'end', {})).session, ended, 'a retry after the restart answers it unchanged');
    const after = await sendRest(s, student, conv.id, 'setelah restart');
    assert.equal(after.sessionId, null, 'no session is open any more');
  });
});
