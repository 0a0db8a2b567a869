'use strict';
// The operator's commands: `backup` of a serving database (and a restore from it), `export` of
// one conversation, `migrate --check` (docs/OPERATIONS.md). With WRITEEN_TEST_STORE=postgres the
// commands are pointed at the server's database (storeArgs); `backup` copies a SQLite file, so
// on PostgreSQL it must refuse and name pg_dump instead.

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { STORE, startServer, runBinary, makeTempDir, removeDir, storeArgs, skipOnPostgres } = require('./lib/server');
const { call, ok, uid, registerUser, createConversation, sendRest, allMessages } = require('./lib/http');
const { upload } = require('./lib/uploads');

const dirs = [];
const tempDir = () => { const d = makeTempDir(); dirs.push(d); return d; };

describe('admin commands', () => {
  const servers = [];
  after(async () => {
    for (const s of servers) await s.stop();
    for (const d of dirs) removeDir(d);
  });

  it('backup while messages are being sent copies every message acknowledged before it, and a server starts on the copy',
    skipOnPostgres('backup copies the SQLite file; PostgreSQL is backed up with pg_dump (tested below)'), async () => {
    // The sender writes as fast as it can: above the default 20 messages per second.
    const server = await startServer({ rateLimit: 100000 });
    servers.push(server);
    const a = await registerUser(server, { role: 'student' });
    const b = await registerUser(server, { role: 'tutor' });
    const conv = await createConversation(server, a, { type: 'direct', participantIds: [b.id] });

    // Senders keep writing during the backup: the copy must be one consistent snapshot.
    const acked = [];
    let sending = true;
    let sendFailure = null;
    const sender = (async () => {
      while (sending) acked.push({ message: await sendRest(server, a, conv.id, `m ${acked.length}`), at: Date.now() });
    })().catch((e) => { sendFailure = e; });
    while (acked.length < 30 && !sendFailure) await new Promise((r) => setTimeout(r, 10));
    const startedAt = Date.now();
    const dest = path.join(tempDir(), 'copy', 'writeen.db');
    fs.mkdirSync(path.dirname(dest));
    const r = await runBinary(['backup', dest, '--data-dir', server.dataDir]);
    sending = false;
    await sender;
    if (sendFailure) throw sendFailure;
    assert.equal(r.code, 0, `backup failed: ${r.stderr}`);
    assert.match(r.stdout, /backed up/);
    assert.deepEqual(fs.readdirSync(path.dirname(dest)), ['writeen.db'], 'only the finished copy is left');

    const again = await runBinary(['backup', dest, '--data-dir', server.dataDir]);
    assert.notEqual(again.code, 0, 'an existing destination is not overwritten');
    assert.match(again.stderr, /exists/);

    const restored = await startServer({ secret: server.secret, dataDir: path.dirname(dest) });
    servers.push(restored);
    const messages = await allMessages(restored, a, conv.id);
    const seqs = messages.map((m) => m.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'seq is gap-free in the copy');
    const present = new Set(messages.map((m) => m.id));
    const before = acked.filter((x) => x.at < startedAt);
    assert.ok(before.length >= 30);
    for (const { message } of before) assert.ok(present.has(message.id), `acknowledged message ${message.seq} is in the backup`);
  });

  it('backup of a data dir without a database fails and says so', skipOnPostgres('the SQLite file is what is missing'), async () => {
    const r = await runBinary(['backup', path.join(tempDir(), 'x.db'), '--data-dir', tempDir()]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no database/);
  });

  it('backup of a PostgreSQL store refuses and points to pg_dump', { skip: STORE !== 'postgres' && 'PostgreSQL only' }, async () => {
    const server = await startServer();
    servers.push(server);
    const dest = path.join(tempDir(), 'x.db');
    const r = await runBinary(['backup', dest, '--data-dir', server.dataDir, ...storeArgs(server)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pg_dump/);
    assert.ok(!fs.existsSync(dest), 'nothing is written');
  });

  it('export prints the conversation, its participants, messages with edits and reactions, and file metadata', async () => {
    const server = await startServer();
    servers.push(server);
    const a = await registerUser(server, { role: 'student', name: 'Ayu' });
    const b = await registerUser(server, { role: 'tutor', name: 'Budi' });
    const conv = await createConversation(server, a, { type: 'direct', participantIds: [b.id] });
    const first = await sendRest(server, a, conv.id, 'draft one');
    ok(await call(server, 'PATCH', `/api/messages/${first.id}`, { token: a.token, json: { content: { text: 'final one' } } }));
    ok(await call(server, 'POST', `/api/messages/${first.id}/reactions`, { token: b.token, json: { emoji: '👍' } }));
    const gone = await sendRest(server, b, conv.id, 'to be deleted');
    ok(await call(server, 'DELETE', `/api/messages/${gone.id}`, { token: b.token }));
    const uploaded = ok(await upload(server, a, conv.id, { name: 'chapter.txt', data: 'Chapter one.\n' }), 201);

    const r = await runBinary(['export', '--conversation', conv.id, '--data-dir', server.dataDir, ...storeArgs(server)]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.conversation.id, conv.id);
    assert.deepEqual(doc.conversation.participants.map((p) => p.userId).sort(), [a.id, b.id].sort());
    assert.deepEqual(doc.messages.map((m) => m.seq), [1, 2, 3]);
    assert.equal(doc.messages[0].content.text, 'final one');
    assert.equal(doc.messages[0].editHistory[0].previousContent, 'draft one');
    assert.deepEqual(doc.messages[0].reactions.map((x) => [x.userId, x.emoji]), [[b.id, '👍']]);
    assert.ok(doc.messages[1].deletedAt, 'a deleted message is a tombstone');
    assert.deepEqual(doc.messages[1].content, {});
    assert.equal(doc.files.length, 1);
    assert.equal(doc.files[0].fileName, 'chapter.txt');
    assert.equal(doc.files[0].fileId, uploaded.message.content.fileInfo.fileId);
    assert.equal(doc.messages[2].content.fileInfo.fileId, uploaded.message.content.fileInfo.fileId);

    const missing = await runBinary(['export', '--conversation', 'f'.repeat(24), '--data-dir', server.dataDir, ...storeArgs(server)]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no conversation/);
  });

  it('migrate --check is 0 on a current schema and 2 without a database', async () => {
    const server = await startServer();
    servers.push(server);
    await server.terminate();
    const current = await runBinary(['migrate', '--check', '--data-dir', server.dataDir, ...storeArgs(server)]);
    assert.equal(current.code, 0, current.stderr);
    assert.match(current.stdout, /current/);

    // Pending migrations on an older schema are listed by tests/unit/store/migrations_test.cpp,
    // which can write an old database directly.
    // On PostgreSQL: a database that does not exist (the server is reached, the database is not).
    const elsewhere = STORE === 'postgres'
      ? ['--store', 'postgres', '--postgres-url', server.postgresUrl.replace(/\/[^/?]*(\?|$)/, '/writeen_it_missing$1')]
      : [];
    const none = await runBinary(['migrate', '--check', '--data-dir', tempDir(), ...elsewhere]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no database|does not exist/);
  });
});
