'use strict';
// Full-text search in one conversation (?search=) and across the caller's conversations
// (/api/search): case- and accent-insensitive, with highlight offsets in UTF-16 code units.

const { describe, it, before, beforeEach, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { call, ok, fails, registerUser, createConversation, sendRest } = require('./lib/http');

/** Lower case without diacritics, to compare a highlighted slice with the query word. */
const fold = (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Every [start, length] of highlight.matches, sliced from fragment as UTF-16 code units. */
function highlightedWords(message) {
  const h = message.highlight;
  assert.ok(h && typeof h.fragment === 'string', `result carries highlight.fragment: ${JSON.stringify(message)}`);
  assert.ok(Array.isArray(h.matches) && h.matches.length > 0, `highlight.matches is a non-empty array: ${JSON.stringify(h)}`);
  return h.matches.map(([start, length]) => {
    assert.ok(Number.isInteger(start) && Number.isInteger(length) && start >= 0 && length > 0 && start + length <= h.fragment.length,
      `match [${start}, ${length}] lies inside fragment of ${h.fragment.length} UTF-16 units: ${JSON.stringify(h)}`);
    return h.fragment.slice(start, start + length);
  });
}

const results = (data) => data.messages ?? data.results;

describe('search', () => {
  let server;
  let tutor; let s1; let s2; let outsider;
  let conv; let other; let hidden;
  let plain; let withEmoji; let accented;

  before(async () => {
    server = await startServer({ rateLimit: 100000 });
    tutor = await registerUser(server, { role: 'tutor' });
    s1 = await registerUser(server, { role: 'student' });
    s2 = await registerUser(server, { role: 'student' });
    outsider = await registerUser(server, { role: 'student' });
    conv = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id], title: 'skripsi' });
    other = await createConversation(server, s1, { type: 'direct', participantIds: [s2.id] });
    hidden = await createConversation(server, outsider, { type: 'direct', participantIds: [tutor.id] });
    plain = await sendRest(server, s1, conv.id, 'Revisi BAB dua sudah saya kirim');
    await sendRest(server, tutor, conv.id, 'Baik, nanti saya periksa metodologinya');
    withEmoji = await sendRest(server, tutor, conv.id, '📚🎓 Révision of chapter two, please');
    accented = await sendRest(server, s2, other.id, 'Sudah révisi bagian pendahuluan?');
    await sendRest(server, outsider, hidden.id, 'revisi rahasia orang lain');
  });
  beforeEach(() => server && server.ensureRunning());
  after(async () => { if (server) await server.stop(); });

  const inConv = (user, c, q, extra = '') => call(server, 'GET', `/api/conversations/${c.id}/messages?search=${encodeURIComponent(q)}${extra}`, { token: user.token });
  const global = (user, query) => call(server, 'GET', `/api/search?${query}`, { token: user.token });

  it('finds "Revisi BAB dua" by the accented, lower-case query "révisi"', async () => {
    const found = ok(await inConv(s1, conv, 'révisi'), 200).messages;
    assert.ok(found.some((m) => m.id === plain.id), `results: ${JSON.stringify(found.map((m) => m.content))}`);
    assert.ok(found.every((m) => m.conversationId === conv.id));
  });

  it('finds case-insensitively ("bab" matches "BAB")', async () => {
    const found = ok(await inConv(s1, conv, 'bab'), 200).messages;
    assert.deepEqual(found.map((m) => m.id), [plain.id]);
  });

  it('highlights the matched word: matches slice the fragment to the word', async () => {
    const found = ok(await inConv(s1, conv, 'révisi'), 200).messages;
    const m = found.find((x) => x.id === plain.id);
    const words = highlightedWords(m);
    assert.ok(words.some((w) => fold(w) === 'revisi'), `highlighted: ${JSON.stringify(words)} in ${JSON.stringify(m.highlight)}`);
  });

  it('counts highlight offsets in UTF-16 code units when emoji precede the word', async () => {
    const found = ok(await inConv(s1, conv, 'revision'), 200).messages;
    const m = found.find((x) => x.id === withEmoji.id);
    assert.ok(m, `"revision" finds the message that starts with emoji: ${JSON.stringify(found.map((x) => x.content))}`);
    const words = highlightedWords(m);
    assert.ok(words.some((w) => fold(w) === 'revision'), `highlighted slices ${JSON.stringify(words)} of ${JSON.stringify(m.highlight)}`);
  });

  it('does not return messages that do not match', async () => {
    const found = ok(await inConv(s1, conv, 'pendahuluan'), 200).messages;
    assert.deepEqual(found, [], 'the match is in another conversation');
  });

  it('searches every conversation of the caller through /api/search, best match first, never others\' conversations', async () => {
    const data = ok(await global(s1, `q=${encodeURIComponent('revisi')}&limit=20`), 200);
    const found = results(data);
    assert.ok(Array.isArray(found), `data.messages is an array: ${JSON.stringify(data)}`);
    const ids = found.map((m) => m.id);
    assert.ok(ids.includes(plain.id), 'finds the message in the group');
    assert.ok(ids.includes(accented.id), 'finds "révisi" in the direct conversation');
    assert.ok(!found.some((m) => m.conversationId === hidden.id), 'never returns a conversation the caller is not in');
    for (const m of found) {
      const words = highlightedWords(m);
      assert.ok(words.some((w) => fold(w).startsWith('revisi')), `highlight of ${m.id}: ${JSON.stringify(m.highlight)}`);
    }
  });

  it('restricts /api/search to one conversation with conversationId', async () => {
    const found = results(ok(await global(s1, `q=revisi&conversationId=${other.id}`), 200));
    assert.deepEqual(found.map((m) => m.id), [accented.id]);
  });

  it('answers /api/search without q, or with a limit outside its range, with 400 bad_request', async () => {
    fails(await global(s1, ''), 400, 'bad_request');
    fails(await global(s1, 'q=revisi&limit=0'), 400, 'bad_request');
    fails(await global(s1, 'q=revisi&limit=100000'), 400, 'bad_request');
  });

  it('does not let a non-participant search a conversation', async () => {
    fails(await inConv(outsider, conv, 'revisi'), [403, 404], ['forbidden', 'not_found']);
  });

  it('ranks the newest 200 matches, then goes on with the older ones newest first (docs/API-NOTES.md "Search")', async () => {
    // Five old messages that match best (the word alone), then 200 newer ones that match weakly
    // (once in a long text): the old five are past the ranked window, on SQLite and PostgreSQL alike.
    const deep = await createConversation(server, tutor, { type: 'group', participantIds: [s1.id], title: 'arsip' });
    const strong = [];
    for (let i = 0; i < 5; i += 1) strong.push(await sendRest(server, tutor, deep.id, 'kuesioner kuesioner kuesioner'));
    const filler = 'jawaban responden dihitung ulang dengan bobot yang baru sebelum dibahas pada pertemuan minggu depan';
    const weak = [];
    for (let i = 0; i < 200; i += 1) weak.push(await sendRest(server, s1, deep.id, `${filler} ${i} kuesioner ${filler}`));

    const first = results(ok(await global(s1, `q=kuesioner&conversationId=${deep.id}&limit=100&page=1`), 200));
    assert.equal(first.length, 100);
    const strongIds = new Set(strong.map((m) => m.id));
    assert.ok(first.every((m) => !strongIds.has(m.id)), 'the old best matches are not ranked ahead of the newest 200');
    const third = results(ok(await global(s1, `q=kuesioner&conversationId=${deep.id}&limit=100&page=3`), 200));
    assert.deepEqual(third.map((m) => m.id), strong.map((m) => m.id).reverse(), 'past the 200th: the older matches, newest first');
    const all = [...first, ...results(ok(await global(s1, `q=kuesioner&conversationId=${deep.id}&limit=100&page=2`), 200)), ...third];
    assert.equal(new Set(all.map((m) => m.id)).size, 205, 'every match is on exactly one page');
    // The same across the caller's conversations (no conversationId).
    const everywhere = results(ok(await global(s1, 'q=kuesioner&limit=100&page=3'), 200));
    assert.deepEqual(everywhere.map((m) => m.id), strong.map((m) => m.id).reverse());
  });
});
