'use strict';
// Presence in large conversations (docs/API-NOTES.md, "Presence in large conversations"):
// members who share only a conversation of more than --presence-large-group members learn of
// each other's changes as a presence_digest, and only while they view (joined) it; small
// conversations keep their immediate user_presence.

const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { registerUser, createConversation, RFC3339_MS_UTC } = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');

const QUIET_MS = 800; // longer than three digest periods (250 ms)
const LARGE_GROUP = 3;

describe('presence digests', () => {
  let server;
  let tutor; let viewer; let bystander; let newcomer; let friend;
  let group; let sockets = [];

  before(async () => {
    server = await startServer({ rateLimit: 100000, extraArgs: ['--presence-large-group', String(LARGE_GROUP)] });
    tutor = await registerUser(server, { role: 'tutor', name: 'Dr. Sari' });
    viewer = await registerUser(server, { role: 'student', name: 'Viewer' });
    bystander = await registerUser(server, { role: 'student', name: 'Bystander' });
    newcomer = await registerUser(server, { role: 'student', name: 'Newcomer' });
    friend = await registerUser(server, { role: 'student', name: 'Friend' });
    // Four members: larger than the limit of three.
    group = await createConversation(server, tutor, { type: 'group', title: 'Kuliah umum', participantIds: [viewer.id, bystander.id, newcomer.id] });
    // The newcomer also shares a small conversation with a friend.
    await createConversation(server, newcomer, { type: 'direct', participantIds: [friend.id] });
  });
  afterEach(async () => { await closeAll(sockets); sockets = []; });
  after(async () => {
    await closeAll(sockets);
    if (server) await server.stop();
  });

  const connect = async (user) => {
    const c = await WsClient.connect(server, { token: user.token, label: user.name });
    sockets.push(c);
    return c;
  };
  const presenceOf = (userId) => (e) => e.event === 'user_presence' && e.data.userId === userId;
  const digestWith = (userId, status) => (d) => d.conversationId === group.id && d.users.some((u) => u.userId === userId && u.status === status);

  it('tells viewers of a large conversation in digests, non-viewers nothing, small conversations at once', async () => {
    const v = await connect(viewer);
    await v.request('join_conversation', { conversationId: group.id });
    const b = await connect(bystander);
    const f = await connect(friend);
    const vm = v.mark(); const bm = b.mark(); const fm = f.mark();

    const n = await connect(newcomer);
    const direct = await f.waitForEvent('user_presence', (d) => d.userId === newcomer.id && d.status === 'online', 5000, fm);
    assert.match(direct.data.lastSeen, RFC3339_MS_UTC);
    const online = await v.waitForEvent('presence_digest', digestWith(newcomer.id, 'online'), 5000, vm);
    const entry = online.data.users.find((u) => u.userId === newcomer.id);
    assert.match(entry.lastSeen, RFC3339_MS_UTC);

    await n.close();
    const offline = await v.waitForEvent('presence_digest', digestWith(newcomer.id, 'offline'), 5000, vm);
    assert.match(offline.data.users.find((u) => u.userId === newcomer.id).lastSeen, RFC3339_MS_UTC);
    await f.waitForEvent('user_presence', (d) => d.userId === newcomer.id && d.status === 'offline', 5000, fm);

    await new Promise((r) => setTimeout(r, QUIET_MS));
    assert.equal(v.since(vm, presenceOf(newcomer.id)).length, 0, 'the viewer shares only the large group: no user_presence');
    assert.equal(b.since(bm, presenceOf(newcomer.id)).length, 0, 'a member not viewing the large group gets no user_presence');
    assert.equal(b.since(bm, (e) => e.event === 'presence_digest').length, 0, 'nor a digest');
  });

  it('coalesces many changes into one digest per period, each user once with their latest state', async () => {
    const v = await connect(viewer);
    await v.request('join_conversation', { conversationId: group.id });
    await new Promise((r) => setTimeout(r, QUIET_MS)); // the viewer's own arrival flushed
    const vm = v.mark();
    // Bystander and newcomer come and go in a burst; the tutor sets busy.
    const t = await connect(tutor);
    const b = await connect(bystander);
    const n = await connect(newcomer);
    await n.close();
    t.send('set_presence', { status: 'busy' });
    const last = await v.waitForEvent('presence_digest', digestWith(tutor.id, 'busy'), 5000, vm);
    await new Promise((r) => setTimeout(r, QUIET_MS));
    const digests = v.since(vm, (e) => e.event === 'presence_digest');
    // Five changes (three arrivals, a departure, busy) within a few periods: fewer digests.
    assert.ok(digests.length < 5, `the burst's five changes came in ${digests.length} digests`);
    for (const d of digests) {
      const ids = d.data.users.map((u) => u.userId);
      assert.equal(new Set(ids).size, ids.length, 'a user appears once per digest');
    }
    // The newest state of each user across the digests is what happened last.
    const latest = new Map();
    for (const d of digests) for (const u of d.data.users) latest.set(u.userId, u.status);
    assert.equal(latest.get(tutor.id), 'busy');
    assert.equal(latest.get(bystander.id), 'online');
    assert.equal(latest.get(newcomer.id), 'offline');
    assert.ok(last.data.users.length >= 1);
    await b.close();
  });

  it('sends no digest to a socket that left the conversation', async () => {
    const v = await connect(viewer);
    await v.request('join_conversation', { conversationId: group.id });
    await v.request('leave_conversation', { conversationId: group.id });
    const vm = v.mark();
    const n = await connect(newcomer);
    await new Promise((r) => setTimeout(r, QUIET_MS));
    assert.equal(v.since(vm, (e) => e.event === 'presence_digest').length, 0);
    await n.close();
  });
});
