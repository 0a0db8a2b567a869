'use strict';
// Durability: every acknowledged message survives kill -9, seq stays gap-free, and retrying an
// acknowledged clientMessageId after the restart returns the stored message.

const { describe, it, before, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { call, ok, uid, registerUser, createConversation, allMessages, sleep } = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');

const COUNT = 500;

describe('durability', () => {
  let server;
  let sockets = [];

  before(async () => { server = await startServer({ rateLimit: 100000 }); });
  beforeEach(() => server && server.ensureRunning());
  after(async () => {
    await closeAll(sockets);
    if (server) await server.stop();
  });

  it('keeps every acknowledged message, gap-free, across kill -9 and answers retries of acknowledged ids with the stored message', { timeout: 90000 }, async () => {
    const a = await registerUser(server, { role: 'student', name: 'A' });
    const b = await registerUser(server, { role: 'tutor', name: 'B' });
    const conv = await createConversation(server, a, { type: 'direct', participantIds: [b.id] });
    const ws = await WsClient.connect(server, { token: a.token, label: 'writer' });
    sockets.push(ws);

    const sent = [];
    for (let i = 0; i < COUNT; i += 1) {
      const clientMessageId = uid(`dur${i}`);
      sent.push({ clientMessageId, text: `tahan banting ${i}` });
      ws.send('send_message', { conversationId: conv.id, type: 'text', content: { text: `tahan banting ${i}` }, clientMessageId });
    }
    // Crash the server in the middle of the stream: after half the acks (or all, if it is fast).
    await ws.waitForCount((e) => e.event === 'message_sent', COUNT / 2, 30000, 'acks');
    await server.kill9();
    await ws.waitClosed(5000).catch(() => ws.ws.terminate());
    const acks = new Map();
    for (const e of ws.events) {
      if (e.event === 'message_sent') acks.set(e.data.clientMessageId, e.data.message);
    }
    assert.ok(acks.size >= COUNT / 2, `${acks.size} acks before the crash`);

    await server.restart();
    const stored = await allMessages(server, a, conv.id);
    const n = stored.length;
    assert.ok(n >= acks.size, `${n} stored >= ${acks.size} acknowledged`);
    assert.deepEqual(stored.map((m) => m.seq), Array.from({ length: n }, (_, i) => i + 1), 'seq is gap-free 1..N after the crash');
    const storedByCmid = new Map(stored.map((m) => [m.clientMessageId, m]));
    for (const [cmid, ackMsg] of acks) {
      const m = storedByCmid.get(cmid);
      assert.ok(m, `acknowledged message ${cmid} (seq ${ackMsg.seq}) survived`);
      assert.equal(m.id, ackMsg.id);
      assert.equal(m.seq, ackMsg.seq);
      assert.equal(m.content.text, ackMsg.content.text);
    }
    const sentIds = new Set(sent.map((s) => s.clientMessageId));
    for (const m of stored) assert.ok(sentIds.has(m.clientMessageId), `stored ${m.clientMessageId} was sent by us`);

    // Retries of acknowledged ids over REST: 200 with the same message.
    const sample = [...acks.keys()].filter((_, i, arr) => i % 25 === 0 || i === arr.length - 1);
    for (const cmid of sample) {
      const text = sent.find((s) => s.clientMessageId === cmid).text;
      const res = await call(server, 'POST', `/api/conversations/${conv.id}/messages`, {
        token: a.token, json: { type: 'text', content: { text }, clientMessageId: cmid },
      });
      const m = ok(res, 200).message;
      assert.equal(m.id, acks.get(cmid).id, `retry of ${cmid} returns the stored message`);
    }

    // The client retries everything it sent (acked or not) over a new socket: nothing is duplicated.
    const ws2 = await WsClient.connect(server, { token: a.token, label: 'retrier' });
    sockets.push(ws2);
    const from = ws2.mark();
    for (const s of sent) {
      ws2.send('send_message', { conversationId: conv.id, type: 'text', content: { text: s.text }, clientMessageId: s.clientMessageId });
    }
    const replies = await ws2.waitForCount((e) => e.index >= from && (e.event === 'message_sent' || e.event === 'error'), COUNT, 60000, 'retry replies');
    const errs = replies.filter((e) => e.event === 'error');
    assert.deepEqual(errs.map((e) => e.raw), [], 'no retry refused');
    for (const e of replies) {
      const ackMsg = acks.get(e.data.clientMessageId);
      if (ackMsg) assert.equal(e.data.message.id, ackMsg.id, 'a retried acknowledged message keeps its id');
    }
    await sleep(200);
    const final = await allMessages(server, b, conv.id);
    assert.deepEqual(final.map((m) => m.seq), Array.from({ length: COUNT }, (_, i) => i + 1), 'exactly one stored copy of each of the 500 sends');
    assert.equal(new Set(final.map((m) => m.clientMessageId)).size, COUNT);
    await closeAll([ws, ws2]);
    sockets = [];
  });

  it('keeps conversations, edits, reactions and read cursors across a graceful restart', { timeout: 30000 }, async () => {
    const a = await registerUser(server, { role: 'student' });
    const b = await registerUser(server, { role: 'tutor' });
    const conv = await createConversation(server, a, { type: 'direct', participantIds: [b.id] });
    const post = (text) => call(server, 'POST', `/api/conversations/${conv.id}/messages`, { token: a.token, json: { type: 'text', content: { text }, clientMessageId: uid('g') } });
    const m1 = ok(await post('satu'), 201).message;
    ok(await post('dua'), 201);
    ok(await call(server, 'PATCH', `/api/messages/${m1.id}`, { token: a.token, json: { content: { text: 'satu!' } } }), 200);
    ok(await call(server, 'POST', `/api/messages/${m1.id}/reactions`, { token: b.token, json: { emoji: '✅' } }), 200);
    ok(await call(server, 'POST', `/api/conversations/${conv.id}/read`, { token: b.token, json: { upToSeq: 1 } }), 200);
    const beforeState = await allMessages(server, a, conv.id);
    await server.restart();
    const afterState = await allMessages(server, a, conv.id);
    assert.deepEqual(afterState, beforeState);
    const listed = ok(await call(server, 'GET', '/api/conversations?limit=100', { token: b.token }), 200).conversations.find((c) => c.id === conv.id);
    assert.ok(listed, 'the conversation survived');
    assert.equal(listed.unreadCount, 1);
  });
});
