'use strict';
// The Redis bus with three nodes: deliveries across nodes exactly once, presence and typing
// across nodes, a node killed with -9, and Redis going away and coming back.
//
// On PostgreSQL (make test's second run) the nodes share one database, the supported shape; on
// SQLite they share one file, a development shape only (see lib/cluster.js).

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { call, uid, registerUser, createConversation, sendRest, allMessages } = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');
const { startCluster } = require('./lib/cluster');
const { STORE } = require('./lib/server');

const QUIET_MS = 800;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitReady(node, want = 200, timeoutMs = 15000) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    last = await call(node, 'GET', '/readyz');
    if (last.status === want) return last;
    await sleep(100);
  }
  throw new Error(`readyz of port ${node.port} stayed ${last && last.status}: ${last && last.text}`);
}

describe(`redis bus (3 nodes, shared ${STORE === 'postgres' ? 'PostgreSQL' : 'SQLite (development shape)'})`, () => {
  let cluster; let a; let b; let c;
  let tutor; let s1; let s2;
  let sockets = [];

  before(async () => {
    cluster = await startCluster(3, { presenceTtlS: 3 });
    [a, b, c] = cluster.nodes;
    for (const n of cluster.nodes) await waitReady(n);
    tutor = await registerUser(a, { role: 'tutor', name: 'Dr. Sari' });
    s1 = await registerUser(b, { role: 'student', name: 'Budi' });
    s2 = await registerUser(c, { role: 'student', name: 'Citra' });
  });
  afterEach(async () => { await closeAll(sockets); sockets = []; });
  after(async () => { await closeAll(sockets); if (cluster) await cluster.stop(); });

  const connect = async (node, user, label) => {
    const s = await WsClient.connect(node, { token: user.token, label: label || user.name });
    sockets.push(s);
    return s;
  };
  const group = (node = a) => createConversation(node, tutor, { type: 'group', participantIds: [s1.id, s2.id], title: uid('g') });

  it('delivers a message sent on node A to sockets on B and C exactly once', async () => {
    const conv = await group();
    const sender = await connect(a, tutor, 'tutor@a');
    const onB = await connect(b, s1, 's1@b');
    const onC = await connect(c, s2, 's2@c');
    const alsoC = await connect(c, s1, 's1@c');
    await sleep(300); // the nodes' routing entries are written asynchronously
    const reply = await sender.request('send_message', { conversationId: conv.id, type: 'text', content: { text: 'halo' }, clientMessageId: uid('cm') });
    assert.equal(reply.event, 'message_sent', reply.raw);
    const id = reply.data.message.id;
    for (const s of [onB, onC, alsoC]) await s.waitForEvent('message_received', (d) => d.message.id === id, 5000);
    await sleep(QUIET_MS);
    for (const s of [onB, onC, alsoC]) {
      assert.equal(s.since(0, (e) => e.event === 'message_received' && e.data.message.id === id).length, 1, `${s.label} got it once`);
    }
    assert.equal(sender.since(0, (e) => e.event === 'message_received').length, 0, 'the sender gets message_sent only');
  });

  it('publishes once per node with recipients, not once per recipient', async () => {
    const before = await metric(a, 'writeen_bus_published_total');
    const conv = await group();
    await connect(b, s1, 's1@b');
    await connect(b, s2, 's2@b');
    await sleep(300);
    await sendRest(a, tutor, conv.id, 'one publish for node B');
    await sleep(300);
    const after = await metric(a, 'writeen_bus_published_total');
    // conversation_created (to B) and the message (to B): one envelope each, though B has two recipients.
    assert.ok(after - before <= 2, `published ${after - before}`);
  });

  it('announces presence across nodes once: online at the first socket anywhere, offline at the last', async () => {
    const conv = await group();
    assert.ok(conv.id);
    const watcher = await connect(a, tutor, 'tutor@a');
    const m = watcher.mark();
    const s1b = await connect(b, s1, 's1@b');
    await watcher.waitForEvent('user_presence', (d) => d.userId === s1.id && d.status === 'online', 5000, m);
    const s1c = await connect(c, s1, 's1@c');
    await sleep(QUIET_MS);
    await s1b.close();
    await sleep(QUIET_MS);
    const mid = watcher.since(m, (e) => e.event === 'user_presence' && e.data.userId === s1.id);
    assert.deepEqual(mid.map((e) => e.data.status), ['online'], 'a second socket on another node and closing the first change nothing');
    await s1c.close();
    await watcher.waitForEvent('user_presence', (d) => d.userId === s1.id && d.status === 'offline', 5000, m);
    await sleep(QUIET_MS);
    const all = watcher.since(m, (e) => e.event === 'user_presence' && e.data.userId === s1.id).map((e) => e.data.status);
    assert.deepEqual(all, ['online', 'offline']);
  });

  it('carries typing across nodes to sockets that joined', async () => {
    const conv = await group();
    const typist = await connect(b, s1, 's1@b');
    const reader = await connect(c, s2, 's2@c');
    const notJoined = await connect(a, tutor, 'tutor@a');
    assert.equal((await reader.request('join_conversation', { conversationId: conv.id })).event, 'joined');
    assert.equal((await typist.request('join_conversation', { conversationId: conv.id })).event, 'joined');
    await sleep(300);
    typist.send('typing', { conversationId: conv.id, isTyping: true });
    await reader.waitForEvent('user_typing', (d) => d.userId === s1.id && d.isTyping === true, 5000);
    await sleep(QUIET_MS);
    assert.equal(notJoined.since(0, (e) => e.event === 'user_typing').length, 0);
    assert.equal(reader.since(0, (e) => e.event === 'user_typing').length, 1, 'once');
  });

  it('drops another node\'s cached conversation when it changes (a removed participant stops receiving)', async () => {
    const conv = await group(a);
    const onC = await connect(c, s2, 's2@c');
    // Node C loads the conversation into its cache: a message checks membership through it.
    await sendRest(c, s2, conv.id, 'before removal');
    const del = await call(a, 'DELETE', `/api/conversations/${conv.id}/participants/${s2.id}`, { token: tutor.token });
    assert.ok(del.status === 200 || del.status === 204, `remove: ${del.status} ${del.text}`);
    await sleep(300);
    // Sending on C as the removed user must be refused by C (its cache was invalidated).
    const res = await call(c, 'POST', `/api/conversations/${conv.id}/messages`, {
      token: s2.token, json: { type: 'text', content: { text: 'still here?' }, clientMessageId: uid('cm') },
    });
    assert.equal(res.status, 403, `C still admitted a removed participant: ${res.status} ${res.text}`);
    assert.ok(onC);
  });

  it('a node killed with -9: its users go offline on the others within the presence TTL', async () => {
    const conv = await group();
    assert.ok(conv.id);
    const watcher = await connect(a, tutor, 'tutor@a');
    const m = watcher.mark();
    const victim = await WsClient.connect(c, { token: s2.token, label: 's2@c' });
    await watcher.waitForEvent('user_presence', (d) => d.userId === s2.id && d.status === 'online', 5000, m);
    const killedAt = Date.now();
    await c.kill9();
    await victim.waitClosed(5000).catch(() => {});
    // TTL 3 s, heartbeat every 1 s: offline well within 3 + 1 + slack.
    const off = await watcher.waitForEvent('user_presence', (d) => d.userId === s2.id && d.status === 'offline', 8000, m);
    assert.ok(off.at - killedAt < 8000);
    await sleep(QUIET_MS * 2);
    assert.equal(watcher.since(m, (e) => e.event === 'user_presence' && e.data.userId === s2.id && e.data.status === 'offline').length, 1,
      'one offline, from one sweeping node');
    await c.start();
    await waitReady(c);
  });

  it('Redis down: /readyz degraded, local deliveries go on; back: sockets told to reconnect (1012), sync has everything', async () => {
    const conv = await group();
    const local = await connect(a, s1, 's1@a');
    const remote = await connect(b, s2, 's2@b');
    await sleep(300);
    cluster.redis.stop();
    const down = await waitReady(a, 503);
    const body = JSON.parse(down.text);
    assert.equal(body.error.code, 'unavailable');
    assert.equal(body.data.bus, 'down');
    assert.match(body.data.degraded, /local ones continue/);
    const sent = [];
    for (let i = 0; i < 5; i += 1) sent.push((await sendRest(a, tutor, conv.id, `during outage ${i}`)).id);
    for (const id of sent) await local.waitForEvent('message_received', (d) => d.message.id === id, 5000);
    cluster.redis.start();
    await waitReady(a);
    await waitReady(b);
    const closed = await remote.waitClosed(10000);
    assert.equal(closed.code, 1012);
    const seen = (await allMessages(b, s2, conv.id)).map((m) => m.id);
    for (const id of sent) assert.ok(seen.includes(id), `acknowledged ${id} is there after sync`);
    // And deliveries across nodes resumed.
    const again = await connect(b, s2, 's2@b again');
    await sleep(500);
    const msg = await sendRest(a, tutor, conv.id, 'after the outage');
    await again.waitForEvent('message_received', (d) => d.message.id === msg.id, 5000);
  });
});

async function metric(node, name) {
  const res = await call(node, 'GET', '/metrics');
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(res.text);
  return m ? Number(m[1]) : NaN;
}

describe('rate limits across nodes (2 nodes, shared SQLite development shape)', () => {
  let cluster;
  before(async () => { cluster = await startCluster(2, { rateLimit: 1 }); for (const n of cluster.nodes) await waitReady(n); });
  after(async () => { if (cluster) await cluster.stop(); });

  it('counts a user\'s messages on every node together (each node alone would take 2 + 2)', async () => {
    const [a, b] = cluster.nodes;
    const tutor = await registerUser(a, { role: 'tutor' });
    const student = await registerUser(a, { role: 'student' });
    const conv = await createConversation(a, tutor, { type: 'group', participantIds: [student.id], title: uid('rl') });
    // --rate-limit 1: a burst of 2 per node locally, 2 per one-second window across nodes.
    // Start just after a second boundary so that all sends fall into one window.
    while (Date.now() % 1000 > 30) await sleep(5);
    const send = (node) => call(node, 'POST', `/api/conversations/${conv.id}/messages`, {
      token: student.token, json: { type: 'text', content: { text: 'x' }, clientMessageId: uid('cm') } });
    const statuses = [];
    statuses.push((await send(a)).status, (await send(a)).status);
    await sleep(150); // the cluster count answers asynchronously
    statuses.push((await send(b)).status);
    await sleep(150);
    statuses.push((await send(b)).status);
    assert.deepEqual(statuses, [201, 201, 201, 429], `statuses ${statuses}`);
  });
});
