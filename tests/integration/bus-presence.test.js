'use strict';
// Presence and activity across nodes on the Redis bus (API.md "Several nodes": presence is
// cluster-wide): isOnline of conversations and of the user directory on node A for a user
// connected only to node B; the notifier on one node skipping a user active on another; and a
// socket's first request answered only once the bus registered the socket in Redis.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const http = require('node:http');
const { call, ok, uid, registerUser, createConversation, sendRest, sleep, eventually } = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');
const { startCluster } = require('./lib/cluster');
const { newSecret } = require('./lib/server');

async function waitReady(node) {
  await eventually(async () => (await call(node, 'GET', '/readyz')).status === 200, `readyz of port ${node.port}`, 15000);
}

/** Records the userId of every webhook notification (the signature is notifications.test.js's business). */
function webhookReceiver() {
  const r = { users: [] };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      r.users.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).userId);
      res.writeHead(200);
      res.end('ok');
    });
  });
  return new Promise((resolve) => r.server.listen(0, '127.0.0.1', () => { r.port = r.server.address().port; resolve(r); }));
}

const WEBHOOK_SECRET = newSecret();

describe('presence and activity across nodes (2 nodes, Redis)', () => {
  let cluster; let a; let b; let hook;
  let tutor; let student; let sockets = [];

  before(async () => {
    hook = await webhookReceiver();
    cluster = await startCluster(2, {
      presenceTtlS: 6, // heartbeat every 2 s, so that a paused Redis (below) does not count as down
      extraArgs: ['--notify-delay-s', '0.3', '--notify-idle-s', '30', '--notify-coalesce-s', '1',
        '--notify-webhook-url', `http://127.0.0.1:${hook.port}/hook`, '--notify-webhook-secret', WEBHOOK_SECRET,
        '--notify-allow-loopback', 'true'],
    });
    [a, b] = cluster.nodes;
    for (const n of cluster.nodes) await waitReady(n);
    const tag = uid('p');
    tutor = await registerUser(a, { role: 'tutor', name: `Dewi Tutor ${tag}` });
    student = await registerUser(a, { role: 'student', name: `Budi Student ${tag}` });
  });
  afterEach(async () => { await closeAll(sockets); sockets = []; });
  after(async () => {
    await closeAll(sockets);
    if (cluster) await cluster.stop();
    if (hook) hook.server.close();
  });

  const connect = async (node, user, label) => {
    const s = await WsClient.connect(node, { token: user.token, label });
    sockets.push(s);
    return s;
  };
  // isOnline of a conversation: any other participant online; here the student is the only one.
  const direct = () => createConversation(a, tutor, { type: 'group', participantIds: [student.id], title: uid('g') });
  const conversationOnline = async (node, id) => ok(await call(node, 'GET', `/api/conversations/${id}`, { token: tutor.token })).conversation.isOnline;
  const directoryOnline = async (node) => {
    const { users } = ok(await call(node, 'GET', `/api/users?q=${encodeURIComponent(student.name)}`, { token: tutor.token }));
    assert.equal(users.length, 1);
    return users[0].isOnline;
  };

  it('a participant connected only to node B is online in conversations on node A, and offline once that socket closes', async () => {
    const conv = await direct();
    assert.equal(await conversationOnline(a, conv.id), false);
    const onB = await connect(b, student, 'student@b');
    await eventually(() => conversationOnline(a, conv.id), 'isOnline true on node A', 3000);
    assert.equal(await conversationOnline(b, conv.id), true);
    await onB.close();
    await eventually(async () => !(await conversationOnline(a, conv.id)), 'isOnline false on node A after the close', 3000);
  });

  it('the user directory on node A shows a user connected only to node B online, then offline', async () => {
    assert.equal(await directoryOnline(a), false);
    const onB = await connect(b, student, 'student@b');
    await eventually(() => directoryOnline(a), 'directory isOnline true on node A', 3000);
    await onB.close();
    await eventually(async () => !(await directoryOnline(a)), 'directory isOnline false on node A after the close', 3000);
  });

  it('a user active on one node is not notified by the notifier of another', async () => {
    // The notifier runs on the node that leads it (PostgreSQL: one; SQLite: each node plans on
    // its own): the recipient's socket goes to a node that does not lead, when there is one.
    // A node that does not lead says so in its log at its first round.
    const waits = (n) => /another node runs the cluster's notifier/.test(n.stdout.text + n.stderr.text);
    await sleep(1000);
    const away = cluster.nodes.find(waits) || b;
    const conv = await direct();
    const active = await connect(away, student, 'student active elsewhere');
    await sleep(300); // the socket's activity reaches the other node with its presence envelope
    const before = hook.users.length;
    for (const n of cluster.nodes) await sendRest(n, tutor, conv.id, `while active ${uid('m')}`);
    // --notify-delay-s 0.3: a round has planned these well within two seconds.
    await sleep(2000);
    assert.deepEqual(hook.users.slice(before).filter((u) => u === student.id), [], 'no webhook for a user active on a socket');
    // The same message to a user with no socket anywhere is notified: the notifier does run.
    const other = await registerUser(a, { role: 'student', name: uid('offline') });
    const conv2 = await createConversation(a, tutor, { type: 'group', participantIds: [other.id], title: uid('g') });
    await sendRest(a, tutor, conv2.id, 'to someone offline');
    await eventually(() => hook.users.includes(other.id), 'the webhook for the offline user');
    assert.ok(active.isOpen);
  });

  it('answers a socket\'s first request only once the bus has registered the socket in Redis', async () => {
    const redis = (...args) => execFileSync('redis-cli', ['-p', String(cluster.redis.port), ...args], { encoding: 'utf8' }).trim();
    const conv = await direct();
    // Writes (the arrive script among them) wait 1.5 s; reads such as ZSCORE go on.
    redis('CLIENT', 'PAUSE', '1500', 'WRITE');
    const pausedAt = Date.now();
    const s = await connect(b, student, 'student@b opened while Redis pauses writes');
    const reply = await s.request('sync', { conversationId: conv.id, afterSeq: 0 }, 10000);
    assert.equal(reply.event, 'sync_result', reply.raw);
    const entry = redis('ZSCORE', `writeen:user:${student.id}`, 'node-1');
    assert.notEqual(entry, '', `the sync was answered ${Date.now() - pausedAt} ms after the pause began, before node B's entry was in Redis`);
    assert.ok(Date.now() - pausedAt >= 1000, 'answered after the pause');
  });
});

describe('activity across nodes with the heartbeat (2 nodes, Redis, --notify-idle-s 5)', () => {
  let cluster; let hook; let sockets = [];

  before(async () => {
    hook = await webhookReceiver();
    cluster = await startCluster(2, {
      presenceTtlS: 3, // a heartbeat, with each node's activity list, every second
      extraArgs: ['--notify-delay-s', '0.3', '--notify-idle-s', '5', '--notify-coalesce-s', '1',
        '--notify-webhook-url', `http://127.0.0.1:${hook.port}/hook`, '--notify-webhook-secret', WEBHOOK_SECRET,
        '--notify-allow-loopback', 'true'],
    });
    for (const n of cluster.nodes) await waitReady(n);
  });
  after(async () => {
    await closeAll(sockets);
    if (cluster) await cluster.stop();
    if (hook) hook.server.close();
  });

  it('a frame sent on one node long after the socket opened keeps the notifier of another node quiet', async () => {
    const [a, b] = cluster.nodes;
    const tutor = await registerUser(a, { role: 'tutor' });
    const student = await registerUser(a, { role: 'student' });
    const conv = await createConversation(a, tutor, { type: 'group', participantIds: [student.id], title: uid('g') });
    await sleep(1000);
    const waits = (n) => /another node runs the cluster's notifier/.test(n.stdout.text + n.stderr.text);
    const away = cluster.nodes.find(waits) || b;
    const s = await WsClient.connect(away, { token: student.token, label: 'student, active later' });
    sockets.push(s);
    await sleep(6000); // the opening is past --notify-idle-s now
    assert.equal((await s.request('sync', { conversationId: conv.id, afterSeq: 0 })).event, 'sync_result');
    // A heartbeat of the student's node (every second) carried the frame's activity; the
    // opening alone, announced with the socket, is too old to keep the notifier quiet.
    await sleep(2000);
    const before = hook.users.length;
    await sendRest(a, tutor, conv.id, 'while active on the other node');
    await sendRest(b, tutor, conv.id, 'and once more');
    await sleep(1500);
    assert.deepEqual(hook.users.slice(before).filter((u) => u === student.id), [], 'no webhook for a user active on a socket');
    // Idle for longer than --notify-idle-s, the same user is notified again.
    await sleep(4000);
    await sendRest(a, tutor, conv.id, 'after being idle');
    await eventually(() => hook.users.includes(student.id), 'the webhook once the student is idle');
  });
});
