'use strict';
// Notifications (API.md "Notifications"): a loopback webhook receiver that checks the HMAC
// signature and a loopback push service that verifies the VAPID JWT and decrypts the payload
// with http_ece, against the real server with short delays. Offline recipients are notified,
// online and reading ones not; coalescing, mute with replies and mentions, consultation
// invites, retries with the same id, a kill -9 and restart, 410 removing a subscription, a
// hanging receiver not stalling the others; the in-app list and the validation of the routes.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const ece = require('http_ece');
const { startServer, newSecret, runBinary, makeTempDir, removeDir } = require('./lib/server');
const { call, ok, fails, uid, registerUser, createConversation, sendRest, sleep, eventually } = require('./lib/http');
const { userToken } = require('./lib/tokens');
const { WsClient, closeAll } = require('./lib/ws');

const WEBHOOK_SECRET = newSecret();

function listen(handler) {
  const server = http.createServer(handler);
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    server,
    port: server.address().port,
    close: () => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(r)); },
  })));
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** The webhook receiver: records every signed request; `answer(body)` says 200, 500 or 'hang'. */
async function webhookReceiver() {
  const r = { requests: [], badSignatures: 0, answer: () => 200 };
  const l = await listen(async (req, res) => {
    const raw = await readBody(req);
    const expected = `sha256=${crypto.createHmac('sha256', WEBHOOK_SECRET).update(raw).digest('hex')}`;
    if (req.headers['x-writeen-signature'] !== expected) r.badSignatures += 1;
    const body = JSON.parse(raw.toString('utf8'));
    r.requests.push({ headers: req.headers, body, at: Date.now() });
    const answer = r.answer(body);
    if (answer === 'hang') return; // never answers: the server's timeout ends it
    res.writeHead(answer, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  Object.assign(r, l);
  r.of = (userId, type) => r.requests.filter((q) => q.body.userId === userId && (!type || q.body.type === type));
  return r;
}

/** A browser's side of a subscription: a P-256 key pair and an auth secret. */
function browserKeys() {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth: crypto.randomBytes(16).toString('base64url') };
}

/**
 * The push service: POST /push/<name> verifies the VAPID JWT against `vapidKey` and the
 * audience, decrypts the body with the subscription's keys, and answers `answer(name)`.
 */
async function pushService() {
  const p = { received: [], failures: [], keys: new Map(), vapidKey: null, answer: () => 201 };
  const l = await listen(async (req, res) => {
    const raw = await readBody(req);
    const name = req.url.replace(/^\/push\//, '');
    try {
      const m = /^vapid t=([^,]+), k=(.+)$/.exec(req.headers.authorization || '');
      assert.ok(m, `Authorization: ${req.headers.authorization}`);
      assert.equal(m[2], p.vapidKey);
      const [h, c, sig] = m[1].split('.');
      const point = Buffer.from(p.vapidKey, 'base64url');
      const key = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33, 65).toString('base64url') }, format: 'jwk' });
      assert.ok(crypto.verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url')),
        'VAPID signature');
      assert.equal(JSON.parse(Buffer.from(h, 'base64url')).alg, 'ES256');
      const claims = JSON.parse(Buffer.from(c, 'base64url'));
      assert.equal(claims.aud, `http://127.0.0.1:${l.port}`);
      assert.ok(claims.exp > Date.now() / 1000 && claims.exp <= Date.now() / 1000 + 24 * 3600);
      assert.equal(req.headers['content-encoding'], 'aes128gcm');
      const k = p.keys.get(name);
      const plain = ece.decrypt(raw, { version: 'aes128gcm', privateKey: k.ecdh, authSecret: k.auth });
      p.received.push({ name, payload: JSON.parse(plain.toString('utf8')) });
    } catch (e) {
      p.failures.push(`${name}: ${e.message}`);
    }
    res.writeHead(p.answer(name));
    res.end();
  });
  Object.assign(p, l);
  p.endpoint = (name) => `http://127.0.0.1:${l.port}/push/${name}`;
  return p;
}

describe('notifications', () => {
  let s;
  let hook;
  let push;
  let alice;
  const sockets = [];

  before(async () => {
    hook = await webhookReceiver();
    push = await pushService();
    s = await startServer({ extraArgs: ['--notify-delay-s', '0.3', '--notify-idle-s', '5', '--notify-coalesce-s', '1.5',
      '--notify-webhook-url', `http://127.0.0.1:${hook.port}/hook`, '--notify-webhook-secret', WEBHOOK_SECRET,
      '--notify-allow-loopback', 'true'] });
    push.vapidKey = ok(await call(s, 'GET', '/api/notifications/vapid-key', { token: (await registerUser(s)).token })).publicKey;
    alice = await registerUser(s, { name: 'Alice' });
  });
  after(async () => {
    await closeAll(sockets);
    await s.stop();
    await hook.close();
    await push.close();
  });

  async function directWith(user, from = alice) {
    return createConversation(s, from, { type: 'direct', participantIds: [user.id] }).catch(async () =>
      ok(await call(s, 'POST', '/api/conversations', { token: from.token, json: { type: 'direct', participantIds: [user.id] } }), 200).conversation);
  }

  it('notifies an offline recipient over the webhook, signed, and lists it in the app', async () => {
    const bob = await registerUser(s, { name: 'Bob' });
    const conv = await directWith(bob);
    const m = await sendRest(s, alice, conv.id, 'Halo Bob, sudah baca revisinya?');
    const [got] = await eventually(() => hook.of(bob.id).length && hook.of(bob.id), 'the webhook for bob');
    assert.equal(hook.badSignatures, 0);
    assert.deepEqual(Object.keys(got.body).sort(),
      ['conversationId', 'count', 'createdAt', 'id', 'messageId', 'preview', 'title', 'type', 'userId'].sort());
    assert.equal(got.body.type, 'message');
    assert.equal(got.body.conversationId, conv.id);
    assert.equal(got.body.messageId, m.id);
    assert.equal(got.body.preview, 'Halo Bob, sudah baca revisinya?');
    assert.equal(got.body.title, 'Alice');
    assert.equal(got.body.count, 1);
    assert.equal(got.headers['x-writeen-notification-id'], got.body.id);
    assert.match(got.headers['content-type'], /^application\/json/);

    const list = ok(await call(s, 'GET', '/api/notifications', { token: bob.token }));
    assert.equal(list.notifications.length, 1);
    assert.equal(list.unreadCount, 1);
    const n = list.notifications[0];
    assert.equal(n.id, got.body.id);
    assert.equal(n.readAt, null);
    assert.equal(n.messageId, m.id);
    const read = ok(await call(s, 'POST', '/api/notifications/read', { token: bob.token, json: { upTo: n.id } }));
    assert.equal(read.marked, 1);
    const after = ok(await call(s, 'GET', '/api/notifications', { token: bob.token }));
    assert.equal(after.unreadCount, 0);
    assert.match(after.notifications[0].readAt, /^\d{4}-\d{2}-\d{2}T/);
    // Only one's own list.
    assert.equal(ok(await call(s, 'GET', '/api/notifications', { token: alice.token })).notifications.length, 0);
  });

  it('does not notify a recipient with an active socket, nor one who read the message in time', async () => {
    const carol = await registerUser(s);
    const dave = await registerUser(s);
    const c1 = await directWith(carol);
    const c2 = await directWith(dave);
    sockets.push(await WsClient.connect(s, { token: carol.token, label: 'carol' }));
    await sendRest(s, alice, c1.id, 'carol is looking');
    const m = await sendRest(s, alice, c2.id, 'dave reads at once');
    ok(await call(s, 'POST', `/api/conversations/${c2.id}/read`, { token: dave.token, json: { upToSeq: m.seq } }));
    // Something later is notified: the two above had their chance before it.
    const erin = await registerUser(s);
    await sendRest(s, alice, (await directWith(erin)).id, 'erin is away');
    await eventually(() => hook.of(erin.id).length, 'the webhook for erin');
    await sleep(300);
    assert.equal(hook.of(carol.id).length, 0);
    assert.equal(hook.of(dave.id).length, 0);
  });

  it('counts a socket that only answers pings as away: control frames are not the user looking', async () => {
    // A hidden browser tab sends nothing itself, but its browser still answers the server's
    // pings; unsolicited pongs (RFC 6455 §5.5.3) stand in for them here, faster than the 30 s ping.
    const gus = await registerUser(s);
    const conv = await directWith(gus);
    const socket = await WsClient.connect(s, { token: gus.token, label: 'gus' });
    sockets.push(socket);
    const pongs = setInterval(() => socket.ws.pong(), 500);
    try {
      await sleep(5600);  // past --notify-idle-s 5 since the socket opened
      await sendRest(s, alice, conv.id, 'gus has the tab hidden');
      await eventually(() => hook.of(gus.id).length, 'the webhook for gus');
    } finally {
      clearInterval(pongs);
    }
  });

  it('coalesces messages into one notification per conversation with their count and latest preview', async () => {
    const fay = await registerUser(s);
    const conv = await directWith(fay);
    await sendRest(s, alice, conv.id, 'first');
    await eventually(() => hook.of(fay.id).length === 1, 'the first notification');
    for (let i = 1; i <= 5; i += 1) await sendRest(s, alice, conv.id, `burst ${i}`);
    const second = await eventually(() => hook.of(fay.id).length >= 2 && hook.of(fay.id)[1], 'the coalesced one');
    assert.equal(second.body.count, 5);
    assert.equal(second.body.preview, 'burst 5');
    assert.ok(second.at - hook.of(fay.id)[0].at >= 1200, 'not sooner than the coalescing interval after the first');
    await sleep(1800);
    assert.equal(hook.of(fay.id).length, 2);
  });

  it('sends only replies and mentions in a muted conversation, one each', async () => {
    const gus = await registerUser(s);
    const conv = await createConversation(s, alice, { type: 'group', title: 'Skripsi', participantIds: [gus.id] });
    const mine = await sendRest(s, gus, conv.id, 'my question');
    const setting = ok(await call(s, 'PUT', `/api/conversations/${conv.id}/notifications`, { token: gus.token, json: { muted: true } }));
    assert.deepEqual(setting.notifications, { muted: true, mutedUntil: null });
    assert.deepEqual(ok(await call(s, 'GET', `/api/conversations/${conv.id}/notifications`, { token: gus.token })).notifications,
      { muted: true, mutedUntil: null });
    await sendRest(s, alice, conv.id, 'plain chatter');
    await sendRest(s, alice, conv.id, 'the answer', { replyTo: mine.id });
    await sendRest(s, alice, conv.id, `see this @${gus.id}, please`);
    await eventually(() => hook.of(gus.id).length >= 2, 'the reply and the mention');
    await sleep(2000);
    const types = hook.of(gus.id).map((q) => q.body.type).sort();
    assert.deepEqual(types, ['mention', 'reply']);
    assert.equal(hook.of(gus.id, 'reply')[0].body.title, 'Alice in Skripsi');
  });

  it('notifies every participant of a consultation invite', async () => {
    const service = { id: uid('svc') };
    const token = userToken(s.secret, { id: service.id, name: 'Writeen Consultation', role: 'service' });
    const tutor = await registerUser(s, { role: 'tutor' });
    const student = await registerUser(s);
    const consultationId = uid('konsul');
    ok(await call(s, 'PUT', `/api/consultations/${consultationId}/chat`, { token, json: { title: 'Bimbingan Bab 3',
      tutorId: tutor.id, studentIds: [student.id], scheduledStart: '2030-01-15T14:30:00.000Z', scheduledEnd: '2030-01-15T15:30:00.000Z' } }), 201);
    for (const u of [tutor, student]) {
      const [q] = await eventually(() => hook.of(u.id, 'consultation_invite').length && hook.of(u.id, 'consultation_invite'), 'an invite');
      assert.equal(q.body.consultationId, consultationId);
      assert.equal(q.body.title, 'Bimbingan Bab 3');
    }
  });

  it('retries a failing receiver with the same id until it accepts', async () => {
    const hal = await registerUser(s);
    let failures = 0;
    hook.answer = (b) => (b.userId === hal.id && failures++ < 2 ? 500 : 200);
    try {
      await sendRest(s, alice, (await directWith(hal)).id, 'try again');
      await eventually(() => hook.of(hal.id).length >= 3, 'three attempts', 10000);
      const ids = new Set(hook.of(hal.id).map((q) => q.body.id));
      assert.equal(ids.size, 1);
      await sleep(1500);
      assert.equal(hook.of(hal.id).length, 3, 'nothing after the accepted attempt');
      const metrics = await call(s, 'GET', '/metrics');
      assert.match(metrics.text, /writeen_notifications_retried_total\{channel="webhook"\} [1-9]/);
      assert.match(metrics.text, /writeen_notifications_sent_total\{channel="webhook"\} [1-9]/);
    } finally {
      hook.answer = () => 200;
    }
  });

  it('does not stall other notifications behind a receiver that hangs', async () => {
    const ida = await registerUser(s);
    const jon = await registerUser(s);
    hook.answer = (b) => (b.userId === ida.id ? 'hang' : 200);
    try {
      await sendRest(s, alice, (await directWith(ida)).id, 'into the void');
      await eventually(() => hook.of(ida.id).length, 'the hanging request');
      await sendRest(s, alice, (await directWith(jon)).id, 'meanwhile');
      await eventually(() => hook.of(jon.id).length, 'the webhook for jon while ida hangs', 3000);
    } finally {
      hook.answer = () => 200;
    }
  });

  it('delivers over Web Push (VAPID, aes128gcm) and forgets a subscription the push service says is gone', async () => {
    const kim = await registerUser(s);
    const good = browserKeys();
    const gone = browserKeys();
    push.keys.set(`good-${kim.id}`, good);
    push.keys.set(`gone-${kim.id}`, gone);
    push.answer = (name) => (name.startsWith('gone-') ? 410 : 201);
    const sub = (name, k) => call(s, 'POST', '/api/notifications/subscriptions', { token: kim.token,
      json: { endpoint: push.endpoint(name), keys: { p256dh: k.p256dh, auth: k.auth }, userAgent: 'test browser' } });
    const created = ok(await sub(`good-${kim.id}`, good), 201).subscription;
    assert.match(created.id, /^[0-9a-f]{24}$/);
    assert.equal(created.endpoint, push.endpoint(`good-${kim.id}`));
    ok(await sub(`gone-${kim.id}`, gone), 201);
    assert.equal(ok(await call(s, 'GET', '/api/notifications/subscriptions', { token: kim.token })).subscriptions.length, 2);

    const m = await sendRest(s, alice, (await directWith(kim)).id, 'lihat ini');
    const got = await eventually(() => push.received.find((r) => r.name === `good-${kim.id}`), 'the push message');
    assert.deepEqual(push.failures, []);
    assert.equal(got.payload.type, 'message');
    assert.equal(got.payload.body, 'lihat ini');
    assert.equal(got.payload.messageId, m.id);
    assert.equal(got.payload.id, hook.of(kim.id)[0]?.body.id ?? got.payload.id);
    await eventually(async () => {
      const list = ok(await call(s, 'GET', '/api/notifications/subscriptions', { token: kim.token })).subscriptions;
      return list.length === 1 && list[0].id === created.id;
    }, 'the gone subscription to be removed');
  });

  it('loses nothing across a kill -9: a message not yet planned and a send not yet accepted', async () => {
    const lia = await registerUser(s);
    const max = await registerUser(s);
    hook.answer = (b) => (b.userId === lia.id ? 500 : 200);
    try {
      await sendRest(s, alice, (await directWith(lia)).id, 'down receiver');
      await eventually(() => hook.of(lia.id).length, 'a failed attempt');
      const conv = await directWith(max);
      await sendRest(s, alice, conv.id, 'just before the crash');
      await s.kill9();
      hook.answer = () => 200;
      await s.start();
      const lias = await eventually(() => hook.requests.filter((q) => q.body.userId === lia.id).length >= 2
        && hook.of(lia.id), 'the retry after the restart', 10000);
      assert.equal(new Set(lias.map((q) => q.body.id)).size, 1);
      await eventually(() => hook.of(max.id).length, 'the message stored just before the crash', 10000);
    } finally {
      hook.answer = () => 200;
    }
  });

  it('validates the routes', async () => {
    const nia = await registerUser(s);
    const outsider = await registerUser(s);
    const conv = await directWith(nia);
    const put = (json, token = nia.token, id = conv.id) => call(s, 'PUT', `/api/conversations/${id}/notifications`, { token, json });
    fails(await put({ muted: 'yes' }), 400, 'bad_request');
    fails(await put({}), 400, 'bad_request');
    fails(await put({ muted: true, mutedUntil: 'tomorrow' }), 400, 'bad_request');
    const until = ok(await put({ muted: true, mutedUntil: '2030-01-01T00:00:00.000Z' })).notifications;
    assert.deepEqual(until, { muted: true, mutedUntil: '2030-01-01T00:00:00.000Z' });
    const other = await call(s, 'GET', `/api/conversations/${conv.id}`, { token: outsider.token });
    fails(await put({ muted: true }, outsider.token), other.status, other.body.error.code);
    fails(await call(s, 'GET', `/api/conversations/${conv.id}/notifications`, { token: outsider.token }), other.status, other.body.error.code);
    fails(await put({ muted: true }, nia.token, '0123456789abcdef01234567'), 404, 'not_found');
    fails(await call(s, 'GET', '/api/notifications'), 401, 'unauthorized');

    const k = browserKeys();
    const sub = (json) => call(s, 'POST', '/api/notifications/subscriptions', { token: nia.token, json });
    const endpoint = 'https://push.example.test/abc';
    fails(await sub({ keys: { p256dh: k.p256dh, auth: k.auth } }), 400, 'bad_request');
    fails(await sub({ endpoint: 5, keys: { p256dh: k.p256dh, auth: k.auth } }), 400, 'bad_request');
    fails(await sub({ endpoint }), 400, 'bad_request');
    fails(await sub({ endpoint: 'http://push.example.test/abc', keys: { p256dh: k.p256dh, auth: k.auth } }), 422, 'unprocessable');
    fails(await sub({ endpoint: 'ftp://push.example.test/abc', keys: { p256dh: k.p256dh, auth: k.auth } }), 422, 'unprocessable');
    fails(await sub({ endpoint, keys: { p256dh: k.p256dh.slice(0, 40), auth: k.auth } }), 422, 'unprocessable');
    fails(await sub({ endpoint, keys: { p256dh: k.p256dh, auth: crypto.randomBytes(8).toString('base64url') } }), 422, 'unprocessable');
    fails(await sub({ endpoint, keys: { p256dh: k.p256dh, auth: 7 } }), 400, 'bad_request');
    fails(await sub({ endpoint, keys: { p256dh: k.p256dh, auth: k.auth }, userAgent: 'x'.repeat(600) }), 422, 'unprocessable');
    const mine = ok(await sub({ endpoint, keys: { p256dh: k.p256dh, auth: k.auth } }), 201).subscription;
    fails(await call(s, 'DELETE', `/api/notifications/subscriptions/${mine.id}`, { token: outsider.token }), 404, 'not_found');
    ok(await call(s, 'DELETE', `/api/notifications/subscriptions/${mine.id}`, { token: nia.token }));
    fails(await call(s, 'DELETE', `/api/notifications/subscriptions/${mine.id}`, { token: nia.token }), 404, 'not_found');

    fails(await call(s, 'GET', '/api/notifications?limit=0', { token: nia.token }), 400, 'bad_request');
    fails(await call(s, 'GET', '/api/notifications?limit=abc', { token: nia.token }), 400, 'bad_request');
    fails(await call(s, 'GET', '/api/notifications?before=nope', { token: nia.token }), 400, 'bad_request');
    fails(await call(s, 'POST', '/api/notifications/read', { token: nia.token, json: { upTo: 5 } }), 400, 'bad_request');
    fails(await call(s, 'POST', '/api/notifications/read', { token: nia.token, json: { upTo: 'x' } }), 400, 'bad_request');
    fails(await call(s, 'POST', '/api/notifications/read', { token: nia.token, body: '{' }), 400, 'bad_request');
  });

  it('pages the in-app list with limit and before', async () => {
    const oli = await registerUser(s);
    for (let i = 0; i < 3; i += 1) {
      const c = await createConversation(s, alice, { type: 'group', title: `g${i}`, participantIds: [oli.id] });
      await sendRest(s, alice, c.id, `hello ${i}`);
    }
    await eventually(() => hook.of(oli.id).length === 3, 'three notifications');
    const first = ok(await call(s, 'GET', '/api/notifications?limit=2', { token: oli.token }));
    assert.equal(first.notifications.length, 2);
    assert.equal(first.pagination.hasMore, true);
    const rest = ok(await call(s, 'GET', `/api/notifications?limit=2&before=${first.pagination.nextBefore}`, { token: oli.token }));
    assert.equal(rest.notifications.length, 1);
    assert.equal(rest.pagination.hasMore, false);
    assert.ok(rest.notifications[0].id < first.notifications[1].id);
  });

  it('refuses to start with notification flags it cannot honour (exit 2, saying which)', async () => {
    const dir = makeTempDir();
    try {
      const base = ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir, '--jwt-secret', newSecret()];
      const cases = [
        [['--notify-webhook-url', 'http://127.0.0.1:9/hook'], /secret/],
        [['--notify-webhook-url', 'ftp://127.0.0.1/hook', '--notify-webhook-secret', WEBHOOK_SECRET], /notify-webhook-url/],
        [['--notify-delay-s', '-1'], /notify-delay-s/],
        [['--notify-coalesce-s', 'soon'], /notify-coalesce-s/],
        [['--vapid-subject', 'ops@writeen.invalid'], /vapid-subject/],
      ];
      for (const [args, says] of cases) {
        const r = await runBinary([...base, ...args], { timeoutMs: 10000 });
        assert.equal(r.timedOut, false, `started with ${args.join(' ')}`);
        assert.notEqual(r.code, 0, args.join(' '));
        assert.match(r.stderr, says, `${args.join(' ')}: ${r.stderr}`);
      }
    } finally {
      removeDir(dir);
    }
  });
});
