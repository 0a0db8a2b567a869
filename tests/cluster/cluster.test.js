'use strict';
// Three nodes behind nginx (deploy/nginx.conf as shipped) on one PostgreSQL database and one
// Redis: API.md "Several nodes" holds across nodes exactly as on one, and through the failures
// of docs/OPERATIONS.md "Failure modes". Clients connect through nginx (round robin, no sticky
// sessions) except where a test pins sockets to nodes on purpose; the nodes are reached
// directly only to read /readyz and /metrics.

const { describe, it, before, beforeEach, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { call, ok, fails, uid, registerUser, createConversation, sendRest, allMessages } = require('../integration/lib/http');
const { WsClient, closeAll } = require('../integration/lib/ws');
const { startStack, waitReady, metrics, sleep } = require('./lib/stack');
const { ResilientClient, RestSender } = require('./lib/load');

const QUIET_MS = 800;          // anything extra (a duplicate) would have arrived by then
const LOAD_BEFORE_MS = 1500;   // load runs this long before a failure ...
const LOAD_AFTER_MS = 2000;    // ... and this long after it

describe('cluster: 3 nodes behind nginx on PostgreSQL and Redis', () => {
  let stack; let nodes; let entry;
  let tutor; let students;
  let sockets = [];

  before(async () => {
    stack = await startStack(3, { presenceTtlS: 3 });
    ({ nodes, entry } = stack);
    tutor = await registerUser(entry, { role: 'tutor', name: 'Dr. Sari' });
    students = [];
    for (let i = 0; i < 6; i += 1) students.push(await registerUser(entry, { role: 'student', name: `Siswa ${i}` }));
  });
  // A failed test may leave a node, Redis or PostgreSQL down: the next one starts from a whole cluster.
  beforeEach(async () => {
    if (!stack) return;
    if (!stack.pgUp) { stack.pg.start(); stack.pgUp = true; }
    if (!stack.redisUp) { stack.redis.start(); stack.redisUp = true; }
    for (const n of nodes) if (!n.proc) await n.start();
    for (const n of nodes) await waitReady(n, 200, 30000);
  });
  afterEach(async () => { await closeAll(sockets); sockets = []; });
  after(async () => { await closeAll(sockets); if (stack) await stack.stop(); });

  const group = (members = students) => createConversation(entry, tutor, {
    type: 'group', participantIds: members.map((s) => s.id), title: uid('g'),
  });
  const pinned = async (node, user, label) => {
    const s = await WsClient.connect(node, { token: user.token, label });
    sockets.push(s);
    return s;
  };
  /** A socket through nginx, and the index of the node that took it (its accepted-sockets counter moved). */
  const viaNginx = async (user, label) => {
    const before = await Promise.all(nodes.map((n) => metrics(n)));
    const s = await WsClient.connect(entry, { token: user.token, label });
    sockets.push(s);
    const afterwards = await Promise.all(nodes.map((n) => metrics(n)));
    const node = afterwards.findIndex((m, i) => m.writeen_ws_connections_total > before[i].writeen_ws_connections_total);
    assert.ok(node >= 0, 'some node accepted the socket');
    return { s, node };
  };
  /** A socket through nginx on a node other than those in `avoid` (round robin moves on each try). */
  const viaNginxAvoiding = async (user, label, avoid) => {
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const got = await viaNginx(user, label);
      if (!avoid.includes(got.node)) return got;
      await got.s.close();
    }
    throw new Error(`nginx never sent ${label} to a node other than ${avoid}`);
  };
  const messagesIn = async () => (await Promise.all(nodes.map((n) => metrics(n)))).map((m) => m.writeen_messages_in_total);

  /** Every row of a conversation in the database: [{clientMessageId, seq, id}] by seq. */
  const storedRows = (conversationId) => stack.pg.query(
    `SELECT client_message_id, seq, id FROM messages WHERE conversation_id = '${conversationId}' AND type = 'text' ORDER BY seq`,
  ).map(([clientMessageId, seq, id]) => ({ clientMessageId, seq: Number(seq), id }));

  /**
   * The invariant after a failure: every acknowledged (clientMessageId, seq, id) is in the
   * database exactly once with that seq and id, a resend was answered with the same message,
   * the conversation's seq is gap-free, and nothing is stored that was never acknowledged
   * (every sender retried until it was).
   */
  const assertAcksStoredOnce = (conversationId, acks) => {
    const byCmid = new Map();
    for (const a of acks) {
      const first = byCmid.get(a.clientMessageId);
      if (first) assert.deepEqual(a, first, `a resend of ${a.clientMessageId} was answered with the same message`);
      else byCmid.set(a.clientMessageId, a);
    }
    const rows = storedRows(conversationId);
    const rowsByCmid = new Map();
    for (const r of rows) {
      assert.ok(!rowsByCmid.has(r.clientMessageId), `${r.clientMessageId} is stored twice (seq ${rowsByCmid.get(r.clientMessageId)?.seq} and ${r.seq})`);
      rowsByCmid.set(r.clientMessageId, r);
    }
    const lost = [...byCmid.values()].filter((a) => !rowsByCmid.has(a.clientMessageId));
    assert.deepEqual(lost, [], 'no acknowledged message is lost');
    for (const a of byCmid.values()) assert.deepEqual(rowsByCmid.get(a.clientMessageId), a, 'stored with the seq and id it was acknowledged with');
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: rows.length }, (_, i) => i + 1), 'seq gap-free from 1');
    assert.equal(rows.length, byCmid.size, 'every stored message was acknowledged');
    return rows;
  };

  /** Waits until each reader holds every stored message (delivered live or by sync). */
  const assertReadersHaveAll = async (readers, rows, timeoutMs = 10000) => {
    const until = Date.now() + timeoutMs;
    for (const r of readers) {
      for (;;) {
        const missing = rows.filter((row) => r.seen.get(row.id) !== row.seq);
        if (missing.length === 0) break;
        if (Date.now() > until) {
          assert.fail(`${r.label} (reconnected ${r.reconnects}×, ${r.syncs} syncs) misses ${missing.length} of ${rows.length}: seq ${missing.slice(0, 10).map((m) => m.seq)}`);
        }
        await sleep(100);
      }
    }
  };

  /** Load through nginx: 6 WebSocket senders (4 in flight each), 4 REST loops, 3 readers. */
  const startLoad = async (conv, prefix) => {
    const senders = [];
    for (let i = 0; i < 6; i += 1) senders.push(await new ResilientClient(entry, students[i], conv.id, { label: `${prefix}-s${i}`, window: 4, prefix }).start());
    const readers = [];
    for (let i = 0; i < 3; i += 1) readers.push(await new ResilientClient(entry, i === 0 ? tutor : students[i], conv.id, { label: `${prefix}-r${i}` }).start());
    const rest = new RestSender(entry, tutor, conv.id, { concurrency: 4, label: `${prefix}-rest` });
    await sleep(300); // the routing entries of the new sockets reach Redis
    for (const s of senders) s.startSending();
    rest.startSending();
    return {
      senders, readers, rest,
      async finish() {
        for (const s of senders) s.stopSending();
        rest.stopSending();
        await Promise.all([...senders.map((s) => s.drained(30000)), rest.drained()]);
        for (const c of [...senders, ...readers]) if (c.failure) throw c.failure;
        return [...senders.flatMap((s) => s.acks), ...rest.acks];
      },
      close: () => Promise.all([...senders, ...readers].map((c) => c.close())),
    };
  };

  it('1. a message from a socket on node A reaches sockets on B and C exactly once', async () => {
    const [a, b, c] = nodes;
    const conv = await group(students.slice(0, 2));
    const sender = await pinned(a, tutor, 'tutor@A');
    const onB = await pinned(b, students[0], 's0@B');
    const onC = await pinned(c, students[1], 's1@C');
    const alsoC = await pinned(c, students[0], 's0@C');
    const throughNginx = await pinned(entry, students[1], 's1@nginx');
    await sleep(300); // routing entries are written to Redis asynchronously
    const reply = await sender.request('send_message', { conversationId: conv.id, type: 'text', content: { text: 'halo dari A' }, clientMessageId: uid('cm') });
    assert.equal(reply.event, 'message_sent', reply.raw);
    const { id } = reply.data.message;
    const receivers = [onB, onC, alsoC, throughNginx];
    for (const s of receivers) await s.waitForEvent('message_received', (d) => d.message.id === id, 5000);
    await sleep(QUIET_MS);
    for (const s of receivers) {
      assert.equal(s.since(0, (e) => e.event === 'message_received' && e.data.message.id === id).length, 1, `${s.label} got it once`);
    }
    assert.equal(sender.since(0, (e) => e.event === 'message_received').length, 0, 'the sender gets message_sent only');
  });

  it('2. 1,000 concurrent sends through nginx (WebSocket and REST) into one conversation get seq 1..1000, each acknowledged once', { timeout: 120000 }, async () => {
    const TOTAL = 1000; const WS_SOCKETS = 6; const PER_SOCKET = 100; const REST_SENDS = TOTAL - WS_SOCKETS * PER_SOCKET;
    const conv = await group();
    const clients = [];
    for (let i = 0; i < WS_SOCKETS; i += 1) clients.push(await pinned(entry, students[i], `s${i}@nginx`));
    const before = await messagesIn();
    const mine = clients.map(() => []);
    for (let i = 0; i < PER_SOCKET; i += 1) {
      clients.forEach((c, k) => {
        const clientMessageId = `ws-${k}-${i}-${uid('x')}`;
        mine[k].push(clientMessageId);
        c.send('send_message', { conversationId: conv.id, type: 'text', content: { text: `socket ${k} pesan ${i}` }, clientMessageId });
      });
    }
    // REST through nginx at the same time, 25 in flight.
    const restAcks = [];
    let next = 0;
    await Promise.all(Array.from({ length: 25 }, async () => {
      while (next < REST_SENDS) {
        next += 1;
        const clientMessageId = `rest-${next}-${uid('x')}`;
        const res = await call(entry, 'POST', `/api/conversations/${conv.id}/messages`, {
          token: tutor.token, json: { type: 'text', content: { text: `rest ${next}` }, clientMessageId },
        });
        const m = ok(res, 201).message;
        restAcks.push({ clientMessageId, seq: m.seq, id: m.id });
      }
    }));
    const isAck = (e) => e.event === 'message_sent';
    await Promise.all(clients.map((c) => c.waitForCount(isAck, PER_SOCKET, 60000, 'acks')));
    await sleep(QUIET_MS);
    const errors = clients.flatMap((c) => c.events.filter((e) => e.event === 'error').map((e) => e.raw));
    assert.deepEqual(errors, [], 'no send was refused');
    const wsAcks = [];
    clients.forEach((c, k) => {
      const acks = c.events.filter(isAck);
      assert.equal(acks.length, PER_SOCKET, `${c.label}: one message_sent per send`);
      assert.deepEqual(acks.map((e) => e.data.clientMessageId).sort(), [...mine[k]].sort(), `${c.label}: acks for its own sends, each once`);
      wsAcks.push(...acks.map((e) => ({ clientMessageId: e.data.clientMessageId, seq: e.data.message.seq, id: e.data.message.id })));
    });
    const acks = [...wsAcks, ...restAcks];
    assert.deepEqual(acks.map((a) => a.seq).sort((x, y) => x - y), Array.from({ length: TOTAL }, (_, i) => i + 1), 'seq exactly 1..1000');
    assert.equal(new Set(acks.map((a) => a.id)).size, TOTAL, 'a thousand distinct messages');
    assertAcksStoredOnce(conv.id, acks);
    const history = await allMessages(entry, tutor, conv.id);
    assert.deepEqual(history.map((m) => m.seq), Array.from({ length: TOTAL }, (_, i) => i + 1), 'history through nginx: 1..1000 in order');
    const delta = (await messagesIn()).map((v, i) => v - before[i]);
    assert.equal(delta.reduce((x, y) => x + y, 0), TOTAL, `messages stored per node ${delta}`);
    assert.ok(delta.every((d) => d > 0), `every node took some of the sends: ${delta}`);
  });

  it('3. presence and typing across nodes; sync on another node returns what was missed', { timeout: 60000 }, async () => {
    const [s0, s1] = students;
    const conv = await group([s0, s1]);
    const watcher = await viaNginx(tutor, 'tutor');
    const m = watcher.s.mark();
    const typist = await viaNginxAvoiding(s0, 's0', [watcher.node]);
    await watcher.s.waitForEvent('user_presence', (d) => d.userId === s0.id && d.status === 'online', 5000, m);
    // Typing reaches the joined socket on the other node, once, and not the socket that did not join.
    const bystander = await viaNginxAvoiding(s1, 's1', [watcher.node, typist.node]);
    assert.equal((await watcher.s.request('join_conversation', { conversationId: conv.id })).event, 'joined');
    assert.equal((await typist.s.request('join_conversation', { conversationId: conv.id })).event, 'joined');
    await sleep(300);
    typist.s.send('typing', { conversationId: conv.id, isTyping: true });
    await watcher.s.waitForEvent('user_typing', (d) => d.userId === s0.id && d.isTyping === true, 5000);
    await sleep(QUIET_MS);
    assert.equal(watcher.s.since(0, (e) => e.event === 'user_typing').length, 1, 'typing arrives once');
    assert.equal(bystander.s.since(0, (e) => e.event === 'user_typing').length, 0, 'a socket that did not join gets no typing');
    // The last socket of s0 closes: offline on the watcher's node.
    await typist.s.close();
    await watcher.s.waitForEvent('user_presence', (d) => d.userId === s0.id && d.status === 'offline', 5000, m);
    await sleep(QUIET_MS);
    assert.deepEqual(watcher.s.since(m, (e) => e.event === 'user_presence' && e.data.userId === s0.id).map((e) => e.data.status),
      ['online', 'offline'], 'online once, offline once');

    // sync: s1 leaves node X, misses three messages (sent through nginx, so by every node) and an
    // edit, and comes back on another node.
    const kept = await sendRest(entry, tutor, conv.id, 'sebelum');
    const heldSeq = kept.seq;
    const awayFrom = bystander.node;
    await bystander.s.close();
    const missed = [];
    for (let i = 0; i < 3; i += 1) missed.push(await sendRest(entry, tutor, conv.id, `selama pergi ${i}`));
    const edit = await call(entry, 'PATCH', `/api/messages/${kept.id}`, { token: tutor.token, json: { content: { text: 'sebelum (diubah)' } } });
    ok(edit, 200);
    const back = await viaNginxAvoiding(s1, 's1 again', [awayFrom]);
    const reply = await back.s.request('sync', { conversationId: conv.id, afterSeq: heldSeq });
    assert.equal(reply.event, 'sync_result', reply.raw);
    assert.deepEqual(reply.data.messages.map((x) => x.id), missed.map((x) => x.id), 'the missed messages, in order');
    assert.equal(reply.data.lastSeq, missed[2].seq);
    assert.equal(reply.data.hasMore, false);
    const changed = reply.data.changes.filter((c) => c.type === 'message_updated' && c.message.id === kept.id);
    assert.equal(changed.length, 1, `the edit is among the changes: ${JSON.stringify(reply.data.changes)}`);
    assert.equal(changed[0].message.content.text, 'sebelum (diubah)');
  });

  it('4. kill -9 of a node under load: its clients reconnect through nginx and sync; nothing acknowledged is lost or duplicated', { timeout: 120000 }, async () => {
    const victim = nodes[1];
    const conv = await group();
    const load = await startLoad(conv, 'kill');
    try {
      await sleep(LOAD_BEFORE_MS);
      const onVictim = (await metrics(victim)).writeen_ws_connections;
      assert.ok(onVictim > 0, 'round robin gave the victim some sockets');
      await victim.kill9();
      await sleep(LOAD_AFTER_MS);
      const acks = await load.finish();
      const clients = [...load.senders, ...load.readers];
      const reconnects = clients.reduce((n, c) => n + c.reconnects, 0);
      assert.ok(reconnects >= onVictim, `the victim's ${onVictim} sockets reconnected (${reconnects} reconnects)`);
      assert.ok(acks.length > 100, `load was acknowledged (${acks.length})`);
      const rows = assertAcksStoredOnce(conv.id, acks);
      await assertReadersHaveAll(load.readers, rows);
      // The same through nginx's view of history.
      const history = await allMessages(entry, tutor, conv.id);
      assert.deepEqual(history.map((x) => x.id), rows.map((r) => r.id));
      console.log(`# kill -9: ${acks.length} acks, ${rows.length} stored, ${reconnects} reconnects, REST retries ${JSON.stringify(load.rest.failures)}, ${load.rest.replayed} answered 200 (stored before the kill)`);
    } finally {
      await load.close();
    }
    await victim.start();
    await waitReady(victim);
  });

  it('5. Redis restarted under load: nothing acknowledged lost, clients told 1012 reconnect and sync, deliveries across nodes resume', { timeout: 120000 }, async () => {
    const conv = await group();
    const reconnectsBefore = (await Promise.all(nodes.map((n) => metrics(n)))).map((x) => x.writeen_bus_reconnects_total);
    const load = await startLoad(conv, 'redis');
    try {
      await sleep(LOAD_BEFORE_MS);
      stack.redis.stop();
      stack.redisUp = false;
      for (const n of nodes) {
        const down = await waitReady(n, 503, 10000);
        assert.equal(JSON.parse(down.text).data.bus, 'down');
      }
      await sleep(1000);
      stack.redis.start();
      stack.redisUp = true;
      const back = Date.now();
      for (const n of nodes) await waitReady(n, 200, 20000);
      console.log(`# redis restart: every node ready ${Date.now() - back} ms after Redis was back`);
      await sleep(LOAD_AFTER_MS);
      const acks = await load.finish();
      const clients = [...load.senders, ...load.readers];
      const told = clients.filter((c) => c.closeCodes.includes(1012)).length;
      assert.equal(told, clients.length, `every socket was closed with 1012 (${clients.map((c) => c.closeCodes)})`);
      const rows = assertAcksStoredOnce(conv.id, acks);
      await assertReadersHaveAll(load.readers, rows);
      console.log(`# redis restart: ${acks.length} acks, ${rows.length} stored`);
    } finally {
      await load.close();
    }
    const reconnectsAfter = (await Promise.all(nodes.map((n) => metrics(n)))).map((x) => x.writeen_bus_reconnects_total);
    assert.ok(reconnectsAfter.every((v, i) => v > reconnectsBefore[i]), `writeen_bus_reconnects_total grew on every node: ${reconnectsBefore} -> ${reconnectsAfter}`);
    // Live deliveries between nodes again (not only sync): A to B and C.
    const [a, b, c] = nodes;
    const [s0, s1] = students;
    const onB = await pinned(b, s0, 's0@B');
    const onC = await pinned(c, s1, 's1@C');
    await sleep(300);
    const msg = await sendRest(a, tutor, conv.id, 'setelah redis kembali');
    await onB.waitForEvent('message_received', (d) => d.message.id === msg.id, 5000);
    await onC.waitForEvent('message_received', (d) => d.message.id === msg.id, 5000);
  });

  it('6. PostgreSQL stopped: sends answer 503 unavailable and acknowledge nothing, /readyz is not ready; back: sends succeed without restarting nodes', { timeout: 120000 }, async () => {
    const conv = await group();
    const socket = await pinned(entry, students[0], 's0@nginx');
    stack.pg.stop();
    stack.pgUp = false;
    for (const n of nodes) {
      const res = await waitReady(n, 503, 15000);
      const body = JSON.parse(res.text);
      assert.equal(body.error.code, 'unavailable');
      assert.equal(body.data.storage, 'down');
      assert.equal(body.data.bus, 'ok', 'the bus is not to blame');
      assert.equal((await metrics(n)).writeen_storage_up, 0);
    }
    const refused = [];
    for (let i = 0; i < 3; i += 1) {
      const clientMessageId = uid('down');
      refused.push(clientMessageId);
      const res = await call(entry, 'POST', `/api/conversations/${conv.id}/messages`, {
        token: students[0].token, json: { type: 'text', content: { text: 'saat basis data mati' }, clientMessageId }, timeoutMs: 30000,
      });
      fails(res, 503, 'unavailable');
    }
    const wsCmid = uid('down-ws');
    refused.push(wsCmid);
    const reply = await socket.request('send_message', { conversationId: conv.id, type: 'text', content: { text: 'lewat soket' }, clientMessageId: wsCmid }, 30000);
    assert.equal(reply.event, 'error', reply.raw);
    assert.equal(reply.data.code, 'unavailable', reply.raw);
    await sleep(QUIET_MS);
    assert.equal(socket.since(0, (e) => e.event === 'message_sent').length, 0, 'no acknowledgement');

    stack.pg.start();
    stack.pgUp = true;
    const back = Date.now();
    for (const n of nodes) await waitReady(n, 200, 30000);
    console.log(`# postgres restart: every node ready ${Date.now() - back} ms after PostgreSQL was back`);
    const before = await messagesIn();
    for (let i = 0; i < 6; i += 1) await sendRest(entry, students[0], conv.id, `setelah kembali ${i}`);
    const delta = (await messagesIn()).map((v, i) => v - before[i]);
    assert.ok(delta.every((d) => d > 0), `every node stores again without a restart: ${delta}`);
    const again = await socket.request('send_message', { conversationId: conv.id, type: 'text', content: { text: 'soket lagi' }, clientMessageId: uid('cm') });
    assert.equal(again.event, 'message_sent', again.raw);
    const stored = new Set(storedRows(conv.id).map((r) => r.clientMessageId));
    assert.deepEqual(refused.filter((c) => stored.has(c)), [], 'what was refused was not stored');
  });
});
