'use strict';
// Ordering under concurrency (1,000 messages from 4 sockets of 2 users) and reconnect + sync
// (a client that applies sync_result ends with exactly the server's state).

const { describe, it, before, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { call, ok, uid, registerUser, createConversation, allMessages } = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');

const TOTAL = 1000;
const SOCKETS = 4;

/** The fields that make up a message's visible state (status/cursors are compared separately). */
const visible = (m) => ({
  id: m.id,
  seq: m.seq,
  senderId: m.senderId,
  type: m.type,
  content: m.content,
  edited: m.edited,
  deletedAt: m.deletedAt,
  replyTo: m.replyTo,
  replyCount: m.replyCount,
  clientMessageId: m.clientMessageId,
  reactions: (m.reactions || []).map((r) => [r.userId, r.emoji]).sort(),
});

describe('ordering and sync', () => {
  let server;
  let sockets = [];

  before(async () => { server = await startServer({ rateLimit: 100000 }); });
  beforeEach(() => server && server.ensureRunning());
  after(async () => {
    await closeAll(sockets);
    if (server) await server.stop();
  });

  it('stores 1,000 concurrent sends from 4 sockets with seq exactly 1..1000, each acknowledged once and delivered to every socket once in seq order', { timeout: 90000 }, async () => {
    const a = await registerUser(server, { role: 'student', name: 'A' });
    const b = await registerUser(server, { role: 'tutor', name: 'B' });
    const conv = await createConversation(server, a, { type: 'direct', participantIds: [b.id] });
    const clients = [
      await WsClient.connect(server, { token: a.token, label: 'a1' }),
      await WsClient.connect(server, { token: a.token, label: 'a2' }),
      await WsClient.connect(server, { token: b.token, label: 'b1' }),
      await WsClient.connect(server, { token: b.token, label: 'b2' }),
    ];
    sockets.push(...clients);
    const perSocket = TOTAL / SOCKETS;
    const mine = clients.map(() => new Set());
    // Interleave the sockets' writes so the server really sees them concurrently.
    for (let i = 0; i < perSocket; i += 1) {
      clients.forEach((c, k) => {
        const clientMessageId = `ord-${k}-${i}-${uid('x')}`;
        mine[k].add(clientMessageId);
        c.send('send_message', { conversationId: conv.id, type: 'text', content: { text: `socket ${k} pesan ${i}` }, clientMessageId });
      });
    }
    const isMsg = (e) => e.event === 'message_sent' || e.event === 'message_received';
    await Promise.all(clients.map((c) => c.waitForCount(isMsg, TOTAL, 60000, 'messages')));
    await new Promise((r) => setTimeout(r, 500)); // anything extra (duplicates) would arrive now

    const errors = clients.flatMap((c) => c.events.filter((e) => e.event === 'error'));
    assert.deepEqual(errors.map((e) => e.raw), [], 'no send was refused');

    const allAcks = [];
    clients.forEach((c, k) => {
      const acks = c.events.filter((e) => e.event === 'message_sent');
      assert.equal(acks.length, perSocket, `${c.label} got one message_sent per send`);
      assert.deepEqual(new Set(acks.map((e) => e.data.clientMessageId)), mine[k], `${c.label} acks are for its own sends`);
      allAcks.push(...acks.map((e) => e.data.message));
    });
    const ackSeqs = allAcks.map((m) => m.seq).sort((x, y) => x - y);
    assert.deepEqual(ackSeqs, Array.from({ length: TOTAL }, (_, i) => i + 1), 'seqs are exactly 1..1000, gap-free and unique');

    for (const c of clients) {
      const stream = c.events.filter(isMsg).map((e) => e.data.message);
      assert.equal(stream.length, TOTAL, `${c.label} got every message exactly once`);
      assert.equal(new Set(stream.map((m) => m.id)).size, TOTAL, `${c.label} got no duplicate`);
      const outOfOrder = stream.findIndex((m, i) => i > 0 && m.seq <= stream[i - 1].seq);
      assert.equal(outOfOrder, -1, `${c.label} received seq ${stream[outOfOrder]?.seq} after ${stream[outOfOrder - 1]?.seq}: messages arrive in seq order`);
    }

    const stored = await allMessages(server, a, conv.id);
    assert.deepEqual(stored.map((m) => m.seq), Array.from({ length: TOTAL }, (_, i) => i + 1));
    const byId = new Map(allAcks.map((m) => [m.id, m.seq]));
    for (const m of stored) assert.equal(byId.get(m.id), m.seq, 'the acknowledged seq is the stored one');
    await closeAll(clients);
    sockets = [];
  });

  describe('reconnect and sync', () => {
    let a; let b; let conv;
    let before10;        // A's copies of messages 1..10 as received live
    let joinedBefore;    // A's joined answer before disconnecting
    let edited; let deleted; let reacted;
    let newOnes;

    before(async () => {
      a = await registerUser(server, { role: 'student', name: 'A' });
      b = await registerUser(server, { role: 'tutor', name: 'B' });
      conv = await createConversation(server, a, { type: 'direct', participantIds: [b.id] });
      const aws = await WsClient.connect(server, { token: a.token, label: 'a' });
      const bws = await WsClient.connect(server, { token: b.token, label: 'b' });
      sockets.push(aws, bws);
      for (let i = 1; i <= 10; i += 1) {
        const r = await bws.request('send_message', { conversationId: conv.id, type: 'text', content: { text: `lama ${i}` }, clientMessageId: uid('old') });
        assert.equal(r.event, 'message_sent', r.raw);
      }
      const received = await aws.waitForCount((e) => e.event === 'message_received', 10, 10000, 'old messages');
      before10 = received.map((e) => e.data.message);
      aws.send('mark_delivered', { conversationId: conv.id, upToSeq: 10 });
      aws.send('mark_read', { conversationId: conv.id, upToSeq: 5 });
      await bws.waitForEvent('message_status', (d) => d.status === 'read' && d.seq === 5, 5000);
      await new Promise((r) => setTimeout(r, 200));
      joinedBefore = (await aws.request('join_conversation', { conversationId: conv.id })).data;
      assert.equal(joinedBefore.lastSeq, 10);
      assert.equal(joinedBefore.readUpToSeq, 5);
      await aws.close();

      // While A is away: 20 new messages, and changes to older ones.
      newOnes = [];
      for (let i = 1; i <= 20; i += 1) {
        const r = await bws.request('send_message', { conversationId: conv.id, type: 'text', content: { text: `baru ${i}` }, clientMessageId: uid('new') });
        newOnes.push(r.data.message);
      }
      edited = before10[1]; // seq 2
      deleted = before10[2]; // seq 3
      reacted = before10[3]; // seq 4
      ok(await call(server, 'PATCH', `/api/messages/${edited.id}`, { token: b.token, json: { content: { text: 'lama 2 (diperbaiki)' } } }), 200);
      ok(await call(server, 'DELETE', `/api/messages/${deleted.id}`, { token: b.token }), 200);
      ok(await call(server, 'POST', `/api/messages/${reacted.id}/reactions`, { token: b.token, json: { emoji: '👍' } }), 200);
      await bws.close();
    });

    it('returns exactly the missed messages ascending, the changes to older ones, read cursors, and lastSeq', { timeout: 20000 }, async () => {
      const aws = await WsClient.connect(server, { token: a.token, label: 'a-again' });
      sockets.push(aws);
      const r = await aws.request('sync', { conversationId: conv.id, afterSeq: 10, afterChangeSeq: joinedBefore.lastChangeSeq });
      assert.equal(r.event, 'sync_result', r.raw);
      const d = r.data;
      assert.equal(d.conversationId, conv.id);
      assert.deepEqual(d.messages.map((m) => m.seq), Array.from({ length: 20 }, (_, i) => 11 + i));
      assert.deepEqual(d.messages.map((m) => m.id), newOnes.map((m) => m.id));
      assert.equal(d.hasMore, false);
      assert.equal(d.lastSeq, 30);
      assert.ok(d.lastChangeSeq > joinedBefore.lastChangeSeq);
      for (const c of d.changes) assert.equal(c.type, 'message_updated');
      const changedSeqs = d.changes.map((c) => c.message.seq).sort((x, y) => x - y);
      assert.deepEqual(changedSeqs, [2, 3, 4], 'changes are exactly the older messages changed since afterChangeSeq');
      const change = (seq) => d.changes.find((c) => c.message.seq === seq).message;
      assert.equal(change(2).content.text, 'lama 2 (diperbaiki)');
      assert.equal(change(2).edited, true);
      assert.ok(change(3).deletedAt);
      assert.deepEqual(change(3).content, {});
      assert.deepEqual(change(4).reactions.map((x) => [x.userId, x.emoji]), [[b.id, '👍']]);
      const cursorA = d.readCursors.find((c) => c.userId === a.id);
      assert.ok(cursorA, `readCursors has A: ${JSON.stringify(d.readCursors)}`);
      assert.equal(cursorA.readUpToSeq, 5);
      assert.equal(cursorA.deliveredUpToSeq, 10);
    });

    it('leads a client that applies sync_result to exactly the server\'s state', { timeout: 20000 }, async () => {
      const aws = await WsClient.connect(server, { token: a.token, label: 'a-apply' });
      sockets.push(aws);
      const d = (await aws.request('sync', { conversationId: conv.id, afterSeq: 10, afterChangeSeq: joinedBefore.lastChangeSeq })).data;
      const state = new Map(before10.map((m) => [m.id, m]));
      for (const c of d.changes) state.set(c.message.id, c.message);
      for (const m of d.messages) state.set(m.id, m);
      const local = [...state.values()].sort((x, y) => x.seq - y.seq).map(visible);
      const server_ = (await allMessages(server, a, conv.id)).map(visible);
      assert.deepEqual(local, server_);
    });

    it('includes the changes after message afterSeq was stored when afterChangeSeq is omitted', { timeout: 20000 }, async () => {
      const aws = await WsClient.connect(server, { token: a.token, label: 'a-default' });
      sockets.push(aws);
      const d = (await aws.request('sync', { conversationId: conv.id, afterSeq: 10 })).data;
      const changed = new Set(d.changes.map((c) => c.message.seq));
      for (const seq of [2, 3, 4]) assert.ok(changed.has(seq), `change to seq ${seq} included: ${[...changed]}`);
      for (const seq of changed) assert.ok(seq <= 10, 'changes only concern messages up to afterSeq');
      assert.equal(d.messages.length, 20);
    });

    it('pages sync results with limit and hasMore', { timeout: 20000 }, async () => {
      const aws = await WsClient.connect(server, { token: a.token, label: 'a-paging' });
      sockets.push(aws);
      const got = [];
      let after = 10;
      const pages = [];
      for (let i = 0; i < 5; i += 1) {
        const r = await aws.request('sync', { conversationId: conv.id, afterSeq: after, afterChangeSeq: joinedBefore.lastChangeSeq, limit: 8 });
        assert.equal(r.event, 'sync_result', r.raw);
        pages.push([r.data.messages.length, r.data.hasMore]);
        got.push(...r.data.messages.map((m) => m.seq));
        if (!r.data.hasMore) break;
        after = r.data.messages[r.data.messages.length - 1].seq;
      }
      assert.deepEqual(pages, [[8, true], [8, true], [4, false]]);
      assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => 11 + i));
    });

    it('answers sync with a limit out of range with error bad_request', async () => {
      const aws = await WsClient.connect(server, { token: a.token, label: 'a-bad' });
      sockets.push(aws);
      const r = await aws.request('sync', { conversationId: conv.id, afterSeq: 0, limit: 0 });
      assert.equal(r.event, 'error');
      assert.equal(r.data.code, 'bad_request');
      const r2 = await aws.request('sync', { conversationId: conv.id, afterSeq: 0, limit: 100000 });
      assert.equal(r2.event, 'error');
      assert.equal(r2.data.code, 'bad_request');
    });

    it('returns nothing new to a client that is up to date', async () => {
      const aws = await WsClient.connect(server, { token: a.token, label: 'a-uptodate' });
      sockets.push(aws);
      const j = (await aws.request('join_conversation', { conversationId: conv.id })).data;
      const d = (await aws.request('sync', { conversationId: conv.id, afterSeq: j.lastSeq, afterChangeSeq: j.lastChangeSeq })).data;
      assert.deepEqual(d.messages, []);
      assert.deepEqual(d.changes, []);
      assert.equal(d.hasMore, false);
      assert.equal(d.lastSeq, 30);
    });
  });
});
