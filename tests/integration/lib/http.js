'use strict';
// REST helpers: enveloped JSON calls with built-in fetch, envelope assertions, and users.

const assert = require('node:assert/strict');
const net = require('node:net');
const crypto = require('node:crypto');
const { userToken } = require('./tokens');
const openapi = require('./openapi');

const REQUEST_TIMEOUT_MS = 15000;

/**
 * One HTTP call. `json` is sent as a JSON body; `body` is sent as is (string/Buffer).
 * Resolves to {status, headers, text, body} where body is the parsed JSON or undefined.
 */
async function call(server, method, path, { token, json, body, headers = {}, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload = body;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    h['content-type'] = h['content-type'] || 'application/json';
  } else if (body !== undefined && !h['content-type']) {
    h['content-type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(server.baseUrl + path, {
      method,
      headers: h,
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    // Give the server a moment to be reaped, then say plainly if it crashed.
    await new Promise((r) => setTimeout(r, 100));
    const crash = server.crashReport && server.crashReport();
    throw new Error(`${method} ${path} failed: ${e.cause?.message || e.message}${crash ? `\n${crash}` : ''}`);
  }
  const text = await res.text();
  let parsed;
  try { parsed = text.length ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
  return conforming(method, path, { status: res.status, headers: res.headers, text, body: parsed });
}

/** res, once checked against docs/openapi.json; a mismatch fails the test that made the call. */
function conforming(method, path, res) {
  const problem = openapi.check(method, path, res);
  if (problem) throw new Error(`OpenAPI: ${problem}\n${describeRes(res)}`);
  return res;
}

function describeRes(res) {
  return `HTTP ${res.status}: ${res.text.length > 2000 ? res.text.slice(0, 2000) + '…' : res.text}`;
}

/** Asserts a success envelope with the given status and returns `data`. */
function ok(res, status = 200) {
  assert.equal(res.status, status, `expected HTTP ${status}, got ${describeRes(res)}`);
  assert.ok(res.body && typeof res.body === 'object', `expected a JSON envelope, got ${describeRes(res)}`);
  assert.equal(res.body.success, true, `expected success:true, got ${describeRes(res)}`);
  assert.ok(res.body.data && typeof res.body.data === 'object', `expected data object, got ${describeRes(res)}`);
  return res.body.data;
}

/** Asserts a failure envelope {success:false, error:{code, message}} with the given status(es). */
function fails(res, status, code) {
  const statuses = Array.isArray(status) ? status : [status];
  assert.ok(statuses.includes(res.status), `expected HTTP ${statuses.join(' or ')} (${code}), got ${describeRes(res)}`);
  assert.ok(res.body && typeof res.body === 'object', `expected a JSON error envelope, got ${describeRes(res)}`);
  assert.equal(res.body.success, false, `expected success:false, got ${describeRes(res)}`);
  assert.ok(res.body.error && typeof res.body.error === 'object', `expected error object, got ${describeRes(res)}`);
  if (code) {
    const codes = Array.isArray(code) ? code : [code];
    assert.ok(codes.includes(res.body.error.code), `expected error.code ${codes.join(' or ')}, got ${describeRes(res)}`);
  }
  assert.equal(typeof res.body.error.message, 'string', `expected error.message string, got ${describeRes(res)}`);
  return res.body.error;
}

/**
 * Raw HTTP/1.1 request over a plain socket, for bodies the server may refuse before reading
 * them whole (413): the body is written in chunks and writing stops as soon as the answer
 * starts arriving; a write error after that is not a failure. Resolves like call().
 */
function rawRequest(server, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    const head = [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, 'Connection: close'];
    const h = { ...headers, 'content-length': payload.length };
    for (const [k, v] of Object.entries(h)) head.push(`${k}: ${v}`);
    const socket = net.connect(server.port, '127.0.0.1');
    const received = [];
    let answered = false;
    let writeError = null;
    const timer = setTimeout(() => socket.destroy(new Error('request timed out')), REQUEST_TIMEOUT_MS);
    socket.on('data', (c) => { answered = true; received.push(c); });
    socket.on('error', (e) => { writeError = e; });
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(received).toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(raw);
      if (!m) {
        reject(new Error(`no HTTP answer before the connection closed${writeError ? ` (${writeError.code || writeError.message})` : ''}: ${JSON.stringify(raw.slice(0, 200))}`));
        return;
      }
      const resHeaders = {};
      for (const line of m[2].split('\r\n')) {
        const i = line.indexOf(':');
        if (i > 0) resHeaders[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let text = m[3];
      if (/chunked/i.test(resHeaders['transfer-encoding'] || '')) {
        let out = '';
        let rest = text;
        for (;;) {
          const nl = rest.indexOf('\r\n');
          if (nl < 0) break;
          const size = parseInt(rest.slice(0, nl), 16);
          if (!size) break;
          out += rest.slice(nl + 2, nl + 2 + size);
          rest = rest.slice(nl + 2 + size + 2);
        }
        text = out;
      }
      let parsed;
      try { parsed = JSON.parse(text); } catch { parsed = undefined; }
      try {
        resolve(conforming(method, path, { status: Number(m[1]), headers: resHeaders, text, body: parsed }));
      } catch (e) {
        reject(e);
      }
    });
    socket.on('connect', async () => {
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      for (let off = 0; off < payload.length && !answered && !writeError && !socket.destroyed; off += 65536) {
        const more = socket.write(payload.subarray(off, off + 65536));
        if (!more) await new Promise((r) => { socket.once('drain', r); socket.once('close', r); });
      }
    });
  });
}

let userCounter = 0;
/** A unique id for users, client message ids etc. */
function uid(prefix = 'u') {
  userCounter += 1;
  return `${prefix}-${process.pid}-${userCounter}-${crypto.randomBytes(3).toString('hex')}`;
}

/**
 * Makes a user known to the server: mints a token and makes one authenticated call
 * (users are created implicitly from tokens). Returns {id, name, role, avatar, token}.
 */
async function registerUser(server, { role = 'student', name, id, avatar } = {}) {
  const user = { id: id || uid(role), role };
  user.name = name || `${role} ${user.id.slice(-6)}`;
  user.avatar = avatar === undefined ? `https://cdn.example.test/avatars/${user.id}.png` : avatar;
  user.token = userToken(server.secret, user);
  const res = await call(server, 'GET', '/api/conversations', { token: user.token });
  ok(res, 200);
  return user;
}

const OBJECT_ID = /^[0-9a-f]{24}$/;
const RFC3339_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Creates a conversation and returns it (status 200 or 201 accepted via `status`). */
async function createConversation(server, user, body, status = 201) {
  const res = await call(server, 'POST', '/api/conversations', { token: user.token, json: body });
  return ok(res, status).conversation;
}

async function sendRest(server, user, conversationId, text, extra = {}) {
  const res = await call(server, 'POST', `/api/conversations/${conversationId}/messages`, {
    token: user.token,
    json: { type: 'text', content: { text }, clientMessageId: uid('cm'), ...extra },
  });
  return ok(res, 201).message;
}

/** Every message of a conversation, oldest first, by paging with afterSeq. */
async function allMessages(server, user, conversationId) {
  const out = [];
  let after = 0;
  for (;;) {
    const res = await call(server, 'GET', `/api/conversations/${conversationId}/messages?afterSeq=${after}&limit=200`, { token: user.token });
    const data = ok(res, 200);
    out.push(...data.messages);
    if (data.messages.length === 0) break;
    after = data.messages[data.messages.length - 1].seq;
    if (!data.pagination.hasMore) break;
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves once predicate() is truthy (polled every 50 ms), else fails after timeoutMs saying what. */
async function eventually(predicate, what, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

module.exports = {
  call, ok, fails, rawRequest, uid, registerUser, createConversation, sendRest, allMessages,
  describeRes, sleep, eventually, OBJECT_ID, RFC3339_MS_UTC,
};
