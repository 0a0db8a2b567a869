'use strict';
// WebSocket events: who receives what (message_sent/received, message_updated,
// conversation_updated, message_status, user_typing, user_presence), join/leave, ping,
// malformed frames and the frame size limit.

const { describe, it, before, beforeEach, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { call, ok, uid, registerUser, createConversation, sendRest, allMessages, RFC3339_MS_UTC } = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');

const QUIET_MS = 600; // how long we listen to assert that something did NOT arrive

describe('websocket', () => {
  let server;
  let tutor; let s1; let s2; let stranger;
  let sockets = [];

  before(async () => {
    server = await startServer({ rateLimit: 100000 });
    tutor = await registerUser(server, { role: 'tutor', name: 'Dr. Sari' });
    s1 = await registerUser(server, { role: 'student', name: 'Budi' });
    s2 = await registerUser(server, { role: 'student', name: 'Citra' });
    stranger = await registerUser(server, { role: 'student', name: 'Eko' });
  });
  beforeEach(() => server && server.ensureRunning());
  afterEach(async () => { await closeAll(sockets); sockets = []; });
  after(async () => {
    await closeAll(sockets);
    if (server) await server.stop();
  });

  const connect = async (user, label) => {
    const c = await WsClient.connect(server, { token: user.token, label: label || user.name });
    sockets.push(c);
    return c;
  };
  const group = (title = 'ws') => createConversation(server, tutor, { type: 'group', participantIds: [s1.id, s2.id], title });
  const textMsg = (conversationId, text, clientMessageId = uid('cm')) => ({ conversationId, type: 'text', content: { text }, clientMessageId });

  it('answers ping with pong carrying serverTime and the requestId', async () => {
    const c = await connect(s1);
    const reply = await c.request('ping', {});
    assert.equal(reply.event, 'pong');
    assert.match(reply.data.serverTime, RFC3339_MS_UTC);
    assert.ok(Math.abs(Date.parse(reply.data.serverTime) - Date.now()) < 60000);
  });

  it('answers WebSocket protocol ping frames with pong frames', async () => {
    const c = await connect(s1);
    const pong = new Promise((resolve) => c.ws.once('pong', (d) => resolve(d.toString())));
    c.ws.ping('hello');
    const timeout = new Promise((_, rej) => setTimeout(() => rej(new Error('no pong frame')), 3000));
    assert.equal(await Promise.race([pong, timeout]), 'hello');
  });

  it('acknowledges send_message with message_sent to the sending socket and message_received to every other socket of every participant, without a join', async () => {
    const conv = await group();
    const a1 = await connect(s1, 's1-phone');
    const a2 = await connect(s1, 's1-laptop');
    const t = await connect(tutor, 'tutor');
    const b = await connect(s2, 's2');
    const x = await connect(stranger, 'stranger');
    const marks = [a1, a2, t, b, x].map((c) => c.mark());
    const cmid = uid('cm');
    const reply = await a1.request('send_message', textMsg(conv.id, 'halo semua', cmid));
    assert.equal(reply.event, 'message_sent', `reply: ${reply.raw}`);
    assert.equal(reply.data.clientMessageId, cmid);
    const m = reply.data.message;
    assert.equal(m.conversationId, conv.id);
    assert.equal(m.seq, 1);
    assert.equal(m.senderId, s1.id);
    assert.equal(m.content.text, 'halo semua');
    assert.equal(m.clientMessageId, cmid);
    for (const c of [a2, t, b]) {
      const ev = await c.waitForEvent('message_received', (d) => d.message?.id === m.id, 5000);
      assert.equal(ev.data.message.seq, 1);
      assert.equal(ev.data.message.content.text, 'halo semua');
      assert.ok(Number.isInteger(ev.data.changeSeq ?? ev.data.message.changeSeq), `message_received carries the conversation's changeSeq: ${ev.raw}`);
    }
    await new Promise((r) => setTimeout(r, QUIET_MS));
    assert.equal(a1.since(marks[0], (e) => e.event === 'message_received').length, 0, 'the sending socket gets message_sent, not message_received');
    assert.equal(a1.since(marks[0], (e) => e.event === 'message_sent').length, 1);
    assert.equal(x.since(marks[4], (e) => e.event === 'message_received').length, 0, 'a non-participant receives nothing');
  });

  it('answers a repeated send_message with the same clientMessageId with the stored message and broadcasts it once', async () => {
    const conv = await group();
    const a = await connect(s1);
    const b = await connect(s2);
    const body = textMsg(conv.id, 'jangan dobel');
    const first = await a.request('send_message', body);
    const second = await a.request('send_message', body);
    assert.equal(first.event, 'message_sent');
    assert.equal(second.event, 'message_sent', `retry reply: ${second.raw}`);
    assert.equal(second.data.message.id, first.data.message.id);
    await b.waitForEvent('message_received', (d) => d.message?.id === first.data.message.id);
    await new Promise((r) => setTimeout(r, QUIET_MS));
    assert.equal(b.events.filter((e) => e.event === 'message_received' && e.data.message.clientMessageId === body.clientMessageId).length, 1);
    assert.equal((await allMessages(server, tutor, conv.id)).length, 1);
  });

  it('answers send_message errors with an error event carrying the requestId and the socket stays open', async () => {
    const conv = await group();
    const a = await connect(s1);
    const x = await connect(stranger);
    const empty = await a.request('send_message', textMsg(conv.id, '   '));
    assert.equal(empty.event, 'error');
    assert.equal(empty.data.code, 'unprocessable');
    const tooLong = await a.request('send_message', textMsg(conv.id, 'a'.repeat(10001)));
    assert.equal(tooLong.event, 'error');
    assert.equal(tooLong.data.code, 'payload_too_large');
    const notString = await a.request('send_message', { conversationId: conv.id, type: 'text', content: { text: 5 }, clientMessageId: uid('cm') });
    assert.equal(notString.event, 'error');
    assert.equal(notString.data.code, 'bad_request');
    const outsider = await x.request('send_message', textMsg(conv.id, 'boleh ikut?'));
    assert.equal(outsider.event, 'error');
    assert.ok(['forbidden', 'not_found'].includes(outsider.data.code), `code ${outsider.data.code}`);
    assert.equal((await a.request('ping', {})).event, 'pong');
    assert.equal((await allMessages(server, tutor, conv.id)).length, 0);
  });

  it('answers join_conversation with joined {conversationId, lastSeq, lastChangeSeq, readUpToSeq}', async () => {
    const conv = await group();
    await sendRest(server, s1, conv.id, 'satu');
    await sendRest(server, tutor, conv.id, 'dua');
    const b = await connect(s2);
    const reply = await b.request('join_conversation', { conversationId: conv.id });
    assert.equal(reply.event, 'joined', reply.raw);
    assert.equal(reply.data.conversationId, conv.id);
    assert.equal(reply.data.lastSeq, 2);
    assert.equal(reply.data.readUpToSeq, 0);
    assert.ok(Number.isInteger(reply.data.lastChangeSeq) && reply.data.lastChangeSeq >= 2, `lastChangeSeq ${reply.data.lastChangeSeq}`);
    ok(await call(server, 'POST', `/api/conversations/${conv.id}/read`, { token: s2.token, json: { upToSeq: 1 } }), 200);
    const again = await b.request('join_conversation', { conversationId: conv.id });
    assert.equal(again.data.readUpToSeq, 1);
    assert.ok(again.data.lastChangeSeq > reply.data.lastChangeSeq, 'a read cursor move is a durable change');
    const left = await b.request('leave_conversation', { conversationId: conv.id });
    assert.equal(left.event, 'left');
    assert.equal(left.data.conversationId, conv.id);
  });

  it('refuses join_conversation by a non-participant with an error event', async () => {
    const conv = await group();
    const x = await connect(stranger);
    const reply = await x.request('join_conversation', { conversationId: conv.id });
    assert.equal(reply.event, 'error');
    assert.ok(['forbidden', 'not_found'].includes(reply.data.code), `code ${reply.data.code}`);
  });

  it('delivers user_typing only to other sockets that joined the conversation', async () => {
    const conv = await group();
    const a = await connect(s1, 's1');
    const t = await connect(tutor, 'tutor-joined');
    const b = await connect(s2, 's2-not-joined');
    assert.equal((await t.request('join_conversation', { conversationId: conv.id })).event, 'joined');
    assert.equal((await a.request('join_conversation', { conversationId: conv.id })).event, 'joined');
    const marks = [a.mark(), b.mark()];
    a.send('typing', { conversationId: conv.id, isTyping: true });
    const ev = await t.waitForEvent('user_typing', (d) => d.userId === s1.id && d.isTyping === true, 3000);
    assert.equal(ev.data.conversationId, conv.id);
    assert.equal(ev.data.userName, 'Budi');
    a.send('typing', { conversationId: conv.id, isTyping: false });
    await t.waitForEvent('user_typing', (d) => d.userId === s1.id && d.isTyping === false, 3000);
    await new Promise((r) => setTimeout(r, QUIET_MS));
    assert.equal(b.since(marks[1], (e) => e.event === 'user_typing').length, 0, 'a socket that did not join gets no typing');
    assert.equal(a.since(marks[0], (e) => e.event === 'user_typing').length, 0, 'the typist does not get its own typing');
  });

  it('expires isTyping:true about 6 s after the last repeat with user_typing isTyping:false', { timeout: 20000 }, async () => {
    const conv = await group();
    const a = await connect(s1, 'typist');
    const t = await connect(tutor, 'watcher');
    await t.request('join_conversation', { conversationId: conv.id });
    const from = t.mark();
    a.send('typing', { conversationId: conv.id, isTyping: true });
    await t.waitForEvent('user_typing', (d) => d.userId === s1.id && d.isTyping === true, 3000, from);
    await new Promise((r) => setTimeout(r, 3000));
    const repeatAt = Date.now();
    a.send('typing', { conversationId: conv.id, isTyping: true }); // the repeat restarts the 6 s
    const stop = await t.waitForEvent('user_typing', (d) => d.userId === s1.id && d.isTyping === false, 12000, from);
    const after = stop.at - repeatAt;
    assert.ok(after >= 5000 && after <= 9000, `isTyping:false came ${after} ms after the last repeat (expected about 6 s)`);
  });

  it('stops delivering user_typing to a socket after leave_conversation', async () => {
    const conv = await group();
    const a = await connect(s1);
    const t = await connect(tutor);
    await t.request('join_conversation', { conversationId: conv.id });
    await t.request('leave_conversation', { conversationId: conv.id });
    const m = t.mark();
    a.send('typing', { conversationId: conv.id, isTyping: true });
    await new Promise((r) => setTimeout(r, QUIET_MS));
    assert.equal(t.since(m, (e) => e.event === 'user_typing').length, 0);
  });

  it('sends message_status delivered then read to the sender for their newest changed message in a direct conversation', async () => {
    const me = await registerUser(server, { role: 'student', name: 'Fajar' });
    const conv = await createConversation(server, me, { type: 'direct', participantIds: [tutor.id] });
    const a = await connect(me, 'sender');
    const t = await connect(tutor, 'reader');
    const m1 = (await a.request('send_message', textMsg(conv.id, 'pertama'))).data.message;
    const m2 = (await a.request('send_message', textMsg(conv.id, 'kedua'))).data.message;
    await t.waitForEvent('message_received', (d) => d.message.id === m2.id);
    t.send('mark_delivered', { conversationId: conv.id, upToSeq: m2.seq });
    const delivered = await a.waitForEvent('message_status', (d) => d.status === 'delivered' && d.seq === m2.seq, 5000);
    assert.equal(delivered.data.conversationId, conv.id);
    assert.equal(delivered.data.messageId, m2.id);
    assert.ok(Number.isInteger(delivered.data.changeSeq));
    t.send('mark_read', { conversationId: conv.id, messageId: m2.id });
    const read = await a.waitForEvent('message_status', (d) => d.status === 'read', 5000);
    assert.equal(read.data.messageId, m2.id);
    assert.equal(read.data.seq, m2.seq);
    assert.deepEqual(read.data.readBy.map((r) => r.userId), [tutor.id]);
    assert.ok(read.data.changeSeq > delivered.data.changeSeq);
    const stored = await allMessages(server, me, conv.id);
    assert.deepEqual(stored.map((m) => [m.id, m.status]), [[m1.id, 'read'], [m2.id, 'read']], 'earlier messages have at least that status');
  });

  it('reports read only when every other participant of a group has read, with readBy growing', async () => {
    const conv = await group();
    const a = await connect(s1, 'sender');
    const t = await connect(tutor);
    const b = await connect(s2);
    const m = (await a.request('send_message', textMsg(conv.id, 'sudah dibaca semua?'))).data.message;
    let mark = a.mark();
    t.send('mark_read', { conversationId: conv.id, upToSeq: m.seq });
    await new Promise((r) => setTimeout(r, QUIET_MS));
    // One of two readers: the status is not read (an event, if any, must not say read).
    assert.equal(a.since(mark, (e) => e.event === 'message_status' && e.data.status === 'read').length, 0, 'not read before everyone has read');
    const half = (await allMessages(server, s1, conv.id)).find((x) => x.id === m.id);
    assert.notEqual(half.status, 'read');
    assert.deepEqual(half.readBy.map((r) => r.userId), [tutor.id], 'readBy lists the one reader');
    mark = a.mark();
    b.send('mark_read', { conversationId: conv.id, upToSeq: m.seq });
    const full = await a.waitForEvent('message_status', (d) => d.status === 'read', 5000, mark);
    assert.equal(full.data.messageId, m.id);
    assert.deepEqual(full.data.readBy.map((r) => r.userId).sort(), [tutor.id, s2.id].sort());
  });

  it('announces user_presence online and offline only to users who share a conversation', async () => {
    const p = await registerUser(server, { role: 'student', name: 'Gita' });
    await createConversation(server, p, { type: 'direct', participantIds: [tutor.id] });
    const t = await connect(tutor, 'tutor');
    const x = await connect(stranger, 'stranger');
    const xm = x.mark();
    const tm = t.mark();
    const p1 = await connect(p, 'gita-1');
    const online = await t.waitForEvent('user_presence', (d) => d.userId === p.id && d.status === 'online', 5000, tm);
    assert.equal(online.data.userId, p.id);
    const p2 = await connect(p, 'gita-2');
    const m2 = t.mark();
    await p1.close();
    await new Promise((r) => setTimeout(r, QUIET_MS));
    assert.equal(t.since(m2, (e) => e.event === 'user_presence' && e.data.userId === p.id && e.data.status === 'offline').length, 0,
      'not offline while another socket of the user is open');
    await p2.close();
    const offline = await t.waitForEvent('user_presence', (d) => d.userId === p.id && d.status === 'offline', 5000, m2);
    assert.match(offline.data.lastSeen, RFC3339_MS_UTC);
    assert.equal(x.since(xm, (e) => e.event === 'user_presence' && e.data.userId === p.id).length, 0, 'a stranger learns nothing');
  });

  it('counts a socket from its upgrade: swapping sockets in a tight loop never announces offline', async () => {
    // Each new socket is opened, then the previous one closed at once: the server must count the
    // new one before the client can see its 101, or the close announces the user offline.
    const p = await registerUser(server, { role: 'student', name: 'Indah' });
    await createConversation(server, p, { type: 'direct', participantIds: [tutor.id] });
    const t = await connect(tutor, 'tutor');
    let previous = await connect(p, 'indah-0');
    await t.waitForEvent('user_presence', (d) => d.userId === p.id && d.status === 'online', 5000);
    const m = t.mark();
    for (let i = 1; i <= 40; i += 1) {
      const next = await connect(p, `indah-${i}`);
      await previous.close();
      previous = next;
    }
    await new Promise((r) => setTimeout(r, QUIET_MS));
    assert.equal(t.since(m, (e) => e.event === 'user_presence' && e.data.userId === p.id && e.data.status === 'offline').length, 0,
      'a user with an open socket was announced offline');
  });

  it('broadcasts set_presence as user_presence with the new status', async () => {
    const p = await registerUser(server, { role: 'student', name: 'Hana' });
    await createConversation(server, p, { type: 'direct', participantIds: [tutor.id] });
    const t = await connect(tutor);
    const x = await connect(stranger);
    const a = await connect(p);
    const tm = t.mark();
    const xm = x.mark();
    a.send('set_presence', { status: 'away' });
    await t.waitForEvent('user_presence', (d) => d.userId === p.id && d.status === 'away', 5000, tm);
    a.send('set_presence', { status: 'busy' });
    await t.waitForEvent('user_presence', (d) => d.userId === p.id && d.status === 'busy', 5000, tm);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(x.since(xm, (e) => e.event === 'user_presence' && e.data.userId === p.id).length, 0);
  });

  it('answers a frame that is not JSON with error bad_request and keeps the socket open', async () => {
    const a = await connect(s1);
    const m = a.mark();
    a.sendRaw('this is not json {');
    const err = await a.waitForEvent('error', () => true, 3000, m);
    assert.equal(err.data.code, 'bad_request');
    assert.equal((await a.request('ping', {})).event, 'pong');
  });

  it('answers an unknown event with error bad_request echoing the requestId, and the socket stays open', async () => {
    const a = await connect(s1);
    const reply = await a.request('fly_to_the_moon', { now: true });
    assert.equal(reply.event, 'error');
    assert.equal(reply.data.code, 'bad_request');
    const m = a.mark();
    a.sendRaw(JSON.stringify({ requestId: 'no-event-1', data: {} }));
    const noEvent = await a.waitFor((e) => e.event === 'error', 3000, { from: m });
    assert.equal(noEvent.data.code, 'bad_request');
    assert.equal(noEvent.requestId, 'no-event-1');
    const bad = await a.request('join_conversation', { conversationId: 12345 });
    assert.equal(bad.event, 'error');
    assert.ok(['bad_request', 'not_found'].includes(bad.data.code), `code ${bad.data.code}`);
    assert.equal((await a.request('ping', {})).event, 'pong');
    assert.ok(a.isOpen);
  });

  it('closes a socket that sends a frame over 64 KiB with code 1009', async () => {
    const conv = await group();
    const a = await connect(s1);
    a.send('send_message', textMsg(conv.id, 'x'.repeat(70 * 1024)));
    const info = await a.waitClosed(5000);
    assert.equal(info.code, 1009, `close ${info.code} ${info.reason}`);
    assert.equal((await allMessages(server, tutor, conv.id)).length, 0);
  });

  it('accepts a frame just under 64 KiB (the limit is the frame, not a smaller one)', async () => {
    const a = await connect(s1);
    const reply = await a.request('ping', { pad: 'p'.repeat(60 * 1024) });
    assert.ok(reply.event === 'pong' || reply.event === 'error', reply.raw);
    assert.ok(a.isOpen);
  });

  it('sends message_updated with changeSeq to every participant socket on edit, reaction and delete, hiding editHistory from other students', async () => {
    const conv = await group();
    const a = await connect(s1, 's1');
    const a2 = await connect(s1, 's1-2');
    const t = await connect(tutor, 'tutor');
    const b = await connect(s2, 's2');
    const x = await connect(stranger, 'x');
    const xm = x.mark();
    const m = await sendRest(server, s1, conv.id, 'teks asli rahasia');
    ok(await call(server, 'PATCH', `/api/messages/${m.id}`, { token: s1.token, json: { content: { text: 'teks baru' } } }), 200);
    const edits = [];
    for (const c of [a, a2, t, b]) {
      const ev = await c.waitForEvent('message_updated', (d) => d.message?.id === m.id && d.message.edited === true, 5000);
      assert.equal(ev.data.message.content.text, 'teks baru');
      assert.ok(Number.isInteger(ev.data.changeSeq ?? ev.data.message.changeSeq), `message_updated carries changeSeq: ${ev.raw}`);
      edits.push(ev);
    }
    const studentCopy = edits[3];
    assert.ok(!studentCopy.raw.includes('teks asli rahasia'), `another student's message_updated must not carry the previous text: ${studentCopy.raw}`);
    assert.ok(edits[2].raw.includes('teks asli rahasia'), 'the tutor\'s copy carries editHistory');

    ok(await call(server, 'POST', `/api/messages/${m.id}/reactions`, { token: s2.token, json: { emoji: '🔥' } }), 200);
    for (const c of [a, t, b]) {
      await c.waitForEvent('message_updated', (d) => d.message?.id === m.id && d.message.reactions?.some((r) => r.emoji === '🔥'), 5000);
    }
    ok(await call(server, 'DELETE', `/api/messages/${m.id}`, { token: s1.token }), 200);
    for (const c of [a, t, b]) {
      const ev = await c.waitForEvent('message_updated', (d) => d.message?.id === m.id && d.message.deletedAt, 5000);
      assert.deepEqual(ev.data.message.content, {});
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(x.since(xm, (e) => e.event === 'message_updated').length, 0, 'a stranger gets no message_updated');
  });

  it('sends conversation_updated to participants when a conversation is created, archived, or its participants change', async () => {
    const newcomer = await registerUser(server, { role: 'student', name: 'Indra' });
    const t = await connect(tutor, 'tutor');
    const a = await connect(s1, 's1');
    const n = await connect(newcomer, 'newcomer');
    const x = await connect(stranger, 'x');
    const xm = x.mark();
    const conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id], title: 'baru' });
    await a.waitForEvent('conversation_updated', (d) => d.conversation?.id === conv.id, 5000);

    let am = a.mark();
    ok(await call(server, 'PATCH', `/api/conversations/${conv.id}`, { token: tutor.token, json: { archived: true } }), 200);
    await a.waitForEvent('conversation_updated', (d) => d.conversation?.id === conv.id && d.conversation.isArchived === true, 5000, am);
    ok(await call(server, 'PATCH', `/api/conversations/${conv.id}`, { token: tutor.token, json: { archived: false } }), 200);

    am = a.mark();
    const res = await call(server, 'POST', `/api/conversations/${conv.id}/participants`, { token: tutor.token, json: { userId: newcomer.id } });
    assert.ok([200, 201].includes(res.status), res.text);
    const isWithNewcomer = (d) => d.conversation?.id === conv.id && d.conversation.participants?.some((p) => p.userId === newcomer.id && !p.leftAt);
    await a.waitForEvent('conversation_updated', isWithNewcomer, 5000, am);
    await n.waitForEvent('conversation_updated', isWithNewcomer, 5000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(x.since(xm, (e) => e.event === 'conversation_updated').length, 0, 'a stranger gets no conversation_updated');
    assert.ok(t.events.some((e) => e.event === 'conversation_updated' && e.data.conversation?.id === conv.id));
  });

  it('refuses send_message to an archived conversation with error forbidden', async () => {
    const conv = await group();
    ok(await call(server, 'PATCH', `/api/conversations/${conv.id}`, { token: tutor.token, json: { archived: true } }), 200);
    const a = await connect(s1);
    const reply = await a.request('send_message', textMsg(conv.id, 'arsip?'));
    assert.equal(reply.event, 'error');
    assert.equal(reply.data.code, 'forbidden');
  });

  it('sends a user added to a group the messages from then on without reconnecting', async () => {
    const late = await registerUser(server, { role: 'student', name: 'Joko' });
    const conv = await group();
    const l = await connect(late, 'late');
    const res = await call(server, 'POST', `/api/conversations/${conv.id}/participants`, { token: tutor.token, json: { userId: late.id } });
    assert.ok([200, 201].includes(res.status), res.text);
    const m = await sendRest(server, s1, conv.id, 'selamat datang');
    await l.waitForEvent('message_received', (d) => d.message?.id === m.id, 5000);
  });

  it('stops sending a removed user the conversation\'s messages', async () => {
    const conv = await group();
    const b = await connect(s2, 's2');
    ok(await call(server, 'DELETE', `/api/conversations/${conv.id}/participants/${s2.id}`, { token: tutor.token }), 200);
    const m = b.mark();
    const msg = await sendRest(server, s1, conv.id, 'tanpa s2');
    await new Promise((r) => setTimeout(r, QUIET_MS));
    assert.equal(b.since(m, (e) => e.event === 'message_received' && e.data.message?.id === msg.id).length, 0);
  });
});
