'use strict';
// The per-user message rate limit (--rate-limit 5): over the limit the message is refused with
// rate_limited and not stored, over WebSocket and over REST (429 with Retry-After).

const { describe, it, before, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { call, ok, fails, uid, registerUser, createConversation, allMessages, sleep } = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');

describe('rate limit', () => {
  let server;
  let tutor;
  const sockets = [];

  before(async () => {
    server = await startServer({ rateLimit: 5 });
    tutor = await registerUser(server, { role: 'tutor' });
  });
  beforeEach(() => server && server.ensureRunning());
  after(async () => {
    await closeAll(sockets);
    if (server) await server.stop();
  });

  it('refuses WebSocket messages over the limit with error rate_limited and does not store them', { timeout: 30000 }, async () => {
    const sender = await registerUser(server, { role: 'student' });
    const conv = await createConversation(server, sender, { type: 'direct', participantIds: [tutor.id] });
    const ws = await WsClient.connect(server, { token: sender.token, label: 'sender' });
    sockets.push(ws);
    const from = ws.mark();
    const sent = [];
    for (let i = 0; i < 30; i += 1) {
      const clientMessageId = uid('rl');
      sent.push(clientMessageId);
      ws.send('send_message', { conversationId: conv.id, type: 'text', content: { text: `cepat ${i}` }, clientMessageId }, `rl-req-${i}`);
    }
    const replies = await ws.waitForCount((e) => e.index >= from && (e.event === 'message_sent' || e.event === 'error'), 30, 15000, 'replies');
    const acked = replies.filter((e) => e.event === 'message_sent');
    const limited = replies.filter((e) => e.event === 'error' && e.data.code === 'rate_limited');
    assert.ok(limited.length > 0, `expected some rate_limited errors out of 30, got ${replies.map((e) => e.data.code || e.event).join(',')}`);
    assert.ok(acked.length > 0, 'some messages within the burst are accepted');
    assert.equal(acked.length + limited.length, 30, `every send is answered by message_sent or rate_limited: ${replies.map((e) => e.data.code || e.event).join(',')}`);
    for (const e of limited) assert.match(e.requestId || '', /^rl-req-\d+$/, 'the error echoes the requestId');
    const limitedIds = new Set(limited.map((e) => sent[Number(e.requestId.split('-').pop())]));
    const stored = await allMessages(server, tutor, conv.id);
    assert.equal(stored.length, acked.length, 'exactly the acknowledged messages are stored');
    assert.deepEqual(new Set(stored.map((m) => m.clientMessageId)), new Set(acked.map((e) => e.data.clientMessageId)));
    for (const m of stored) assert.ok(!limitedIds.has(m.clientMessageId), `rate-limited ${m.clientMessageId} was stored`);
    assert.deepEqual(stored.map((m) => m.seq), stored.map((_, i) => i + 1), 'refused messages leave no gap in seq');
  });

  it('answers REST sends over the limit with 429 rate_limited and a Retry-After header, storing only the accepted ones', { timeout: 30000 }, async () => {
    const sender = await registerUser(server, { role: 'student' });
    const conv = await createConversation(server, sender, { type: 'direct', participantIds: [tutor.id] });
    await sleep(1500); // let the bucket refill after the conversation creation
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => call(server, 'POST', `/api/conversations/${conv.id}/messages`, {
      token: sender.token, json: { type: 'text', content: { text: `rest ${i}` }, clientMessageId: uid('rl') },
    })));
    const created = results.filter((r) => r.status === 201);
    const limited = results.filter((r) => r.status === 429);
    assert.ok(limited.length > 0, `expected some 429 out of 30, got ${results.map((r) => r.status).join(',')}`);
    assert.equal(created.length + limited.length, 30, `statuses: ${results.map((r) => r.status).join(',')}`);
    for (const r of limited) {
      fails(r, 429, 'rate_limited');
      const retryAfter = r.headers.get('retry-after');
      assert.ok(retryAfter !== null, 'Retry-After header is set');
      assert.match(retryAfter, /^\d+$/, `Retry-After is a number of seconds: ${retryAfter}`);
    }
    const stored = await allMessages(server, tutor, conv.id);
    assert.equal(stored.length, created.length);
  });

  it('counts REST and WebSocket messages of a user together', { timeout: 30000 }, async () => {
    const sender = await registerUser(server, { role: 'student' });
    const conv = await createConversation(server, sender, { type: 'direct', participantIds: [tutor.id] });
    const ws = await WsClient.connect(server, { token: sender.token, label: 'mixed' });
    sockets.push(ws);
    await sleep(1500);
    const from = ws.mark();
    for (let i = 0; i < 30; i += 1) {
      ws.send('send_message', { conversationId: conv.id, type: 'text', content: { text: `ws ${i}` }, clientMessageId: uid('mx') }, `mx-${i}`);
    }
    await ws.waitForCount((e) => e.index >= from && (e.event === 'message_sent' || e.event === 'error'), 30, 15000, 'replies');
    const res = await call(server, 'POST', `/api/conversations/${conv.id}/messages`, {
      token: sender.token, json: { type: 'text', content: { text: 'rest setelah ws' }, clientMessageId: uid('mx') },
    });
    fails(res, 429, 'rate_limited');
  });

  it('accepts messages again after waiting Retry-After', { timeout: 30000 }, async () => {
    const sender = await registerUser(server, { role: 'student' });
    const conv = await createConversation(server, sender, { type: 'direct', participantIds: [tutor.id] });
    let retryAfter = null;
    for (let i = 0; i < 60 && retryAfter === null; i += 1) {
      const r = await call(server, 'POST', `/api/conversations/${conv.id}/messages`, {
        token: sender.token, json: { type: 'text', content: { text: `isi ${i}` }, clientMessageId: uid('ra') },
      });
      if (r.status === 429) retryAfter = Number(r.headers.get('retry-after'));
      else ok(r, 201);
    }
    assert.ok(retryAfter !== null, 'the limit was reached');
    assert.ok(retryAfter >= 1 && retryAfter <= 10, `Retry-After ${retryAfter} is a small number of seconds`);
    await sleep(retryAfter * 1000 + 200);
    ok(await call(server, 'POST', `/api/conversations/${conv.id}/messages`, {
      token: sender.token, json: { type: 'text', content: { text: 'setelah menunggu' }, clientMessageId: uid('ra') },
    }), 201);
  });
});
