// The reconnect storm (issue "Performance", make bench SCENARIO=reconnect): N clients are
// connected when the server restarts; all lose the connection at once and come back like the web
// client does (web/src/net/backoff.ts: 500 ms base, doubling, equal jitter), then `sync` each of
// their conversations from the last seq they hold. Meanwhile a poster keeps storing messages over
// REST up to the restart and while the server is away (retrying), so every client has missed
// something and gets it from its sync or live.
//
// Measured: the time from the restarted server listening until every client holds every seq of
// its conversations (caught up), how many clients never caught up (lost), messages stored twice
// (duplicates: checked against the stored history, not the clients' views), the server's RSS
// before, at its peak during the storm, and after.
//
// Usage: node storm.mjs --binary PATH --data-dir DIR [--clients 10000] [--group-size 10]
//        [--mode kill|term] [--post-rate 500] [--catch-up-limit-s 10] [--taskset CPU] [--json FILE]
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import WebSocket from 'ws';

const args = parseArgs(process.argv.slice(2), {
  binary: '', 'data-dir': '', clients: '10000', 'group-size': '10', mode: 'kill', 'post-rate': '500',
  'catch-up-limit-s': '10', 'give-up-s': '60', taskset: '', json: '', 'connect-concurrency': '256',
});
const CLIENTS = Number(args.clients);
const GROUP = Number(args['group-size']);
const GROUPS = Math.floor(CLIENTS / GROUP);
const SECRET = crypto.randomBytes(32).toString('hex');
const RUN = crypto.randomBytes(3).toString('hex');

function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in defaults) || argv[i + 1] === undefined) throw new Error(`unknown or incomplete option ${argv[i]}`);
    out[key] = argv[i + 1];
  }
  if (!out.binary || !out['data-dir']) throw new Error('--binary and --data-dir are required');
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64url = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');

function token(userId) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: userId, name: userId, role: 'student', iat: now, exp: now + 7200 })}`;
  return `${input}.${crypto.createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// ---- the server under test: the same flags as scripts/bench.sh, on a fixed port so that the
// clients find it again after the restart.
const PORT = await freePort();
const BASE = `http://127.0.0.1:${PORT}`;
let server = null;

function startServer() {
  const flags = ['serve', '--listen', `127.0.0.1:${PORT}`, '--data-dir', args['data-dir'], '--jwt-secret', SECRET,
    '--rate-limit', '1000000', '--max-connections-per-address', '0', '--max-pending-headers-per-address', '0',
    '--threads', '1', '--log-level', 'warn'];
  const [cmd, argv] = args.taskset ? ['taskset', ['-c', args.taskset, args.binary, ...flags]] : [args.binary, flags];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('close', r));
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('server did not start within 60 s')), 60000);
    child.stdout.on('data', (c) => {
      seen += c;
      if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(seen)) {
        clearTimeout(timer);
        child.stdout.resume();
        resolve({ child, exited, pid: child.pid });
      }
    });
    child.once('close', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before listening`)); });
  });
}

/** The server's own pid (under taskset it is the child itself: taskset execs). */
function rssKiB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch { return 0; }
}

// ---- REST, for the setup and the poster.
async function rest(method, path, userToken, body) {
  const res = await fetch(`${BASE}${path}`, {
    method, headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json();
  if (!data.success) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(data.error)}`);
  return data.data;
}

async function inParallel(items, concurrency, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

// ---- clients: one socket per user; each user is in one group conversation.
const users = Array.from({ length: GROUPS * GROUP }, (_, i) => ({ id: `storm${RUN}u${i}`, index: i }));
for (const u of users) u.token = token(u.id);
const conversations = [];  // {id, members, lastSeq (acknowledged by the poster)}

class Client {
  constructor(user, conversation) {
    this.user = user;
    this.conversation = conversation;
    this.seqs = new Set();      // every seq of the conversation this client holds
    this.held = 0;              // 1..held are all held
    this.ws = null;
    this.attempt = 0;
    this.connectedOnce = null;  // resolves on the first open
    this.caughtUpAt = 0;
    this.reconnects = 0;
    this.backAfterRestart = false;
    this.reopenedAt = 0;  // when the first socket to the new process opened
  }

  connect() {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${PORT}/ws?token=${this.user.token}`, { perMessageDeflate: false });
      this.ws = ws;
      let opened = false;
      ws.on('open', () => {
        opened = true;
        if (restarted && !this.backAfterRestart) {
          this.backAfterRestart = true;
          this.reopenedAt = performance.now();
        }
        this.attempt = 0;
        // What a client does on every (re)connect: ask for what it has not got.
        this.send({ event: 'sync', data: { conversationId: this.conversation.id, afterSeq: this.held, limit: 200 } });
        resolve(true);
      });
      ws.on('message', (raw) => this.onFrame(raw));
      ws.on('error', () => {});
      ws.on('close', () => {
        if (!opened) resolve(false);
        if (stopping) return;
        this.reconnectLater();
      });
    });
  }

  reconnectLater() {
    // web/src/net/backoff.ts: equal jitter over an exponential 500 ms base, capped at 30 s.
    const cap = Math.min(30000, 500 * 2 ** this.attempt);
    const delay = cap / 2 + Math.random() * (cap / 2);
    this.attempt += 1;
    setTimeout(() => { if (!stopping) { this.reconnects += 1; this.connect(); } }, delay);
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  onFrame(raw) {
    let frame;
    try { frame = JSON.parse(raw); } catch { return; }
    if (frame.event === 'message_received') this.hold(frame.data.message.seq);
    else if (frame.event === 'sync_result') {
      for (const m of frame.data.messages) this.hold(m.seq);
      if (frame.data.hasMore) {
        this.send({ event: 'sync', data: { conversationId: this.conversation.id, afterSeq: this.held, limit: 200 } });
      }
    }
  }

  hold(seq) {
    if (seq <= this.held) { duplicateViews += 1; return; }
    if (this.seqs.has(seq)) { duplicateViews += 1; return; }
    this.seqs.add(seq);
    while (this.seqs.has(this.held + 1)) this.seqs.delete(++this.held);
  }

  /** Reconnected to the new process and holding every acknowledged seq of its conversation. */
  caughtUp() { return this.backAfterRestart && this.held >= this.conversation.lastSeq; }
}

let stopping = false;
let restarted = false;   // the old process is gone: an open from now on is to the new one
let duplicateViews = 0;  // a seq a client got twice (live and in its sync): allowed, counted

// ---- the poster: the first member of each group stores messages over REST at a steady rate.
let posting = false;
let postErrors = 0;
let posted = 0;
const acked = new Map();  // clientMessageId -> message id (a retried id must come back the same)

async function poster(rate) {
  posting = true;
  const interval = 1000 / rate;
  let due = performance.now();
  let next = 0;
  const inFlight = new Set();
  while (posting) {
    const now = performance.now();
    if (now < due) { await sleep(Math.min(50, due - now)); continue; }
    due += interval;
    if (inFlight.size >= 64) { await Promise.race(inFlight); continue; }
    const conv = conversations[next++ % conversations.length];
    const clientMessageId = `${RUN}-${posted++}`;
    const p = postOne(conv, clientMessageId).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}

async function postOne(conv, clientMessageId) {
  // Retried until stored: a client that lost its answer in the restart sends the same id again.
  for (let attempt = 0; attempt < 200; attempt += 1) {
    try {
      const data = await rest('POST', `/api/conversations/${conv.id}/messages`, conv.members[0].token,
        { type: 'text', content: { text: `storm ${clientMessageId}` }, clientMessageId });
      const seen = acked.get(clientMessageId);
      if (seen && seen !== data.message.id) throw new Error(`clientMessageId ${clientMessageId} stored twice`);
      acked.set(clientMessageId, data.message.id);
      conv.lastSeq = Math.max(conv.lastSeq, data.message.seq);
      return;
    } catch (e) {
      if (/stored twice/.test(e.message)) throw e;
      postErrors += 1;
      await sleep(100);
    }
  }
  throw new Error(`could not store ${clientMessageId}`);
}

// ---- the run.
server = await startServer();
const t0 = performance.now();
await inParallel(Array.from({ length: GROUPS }, (_, g) => g), 32, async (g) => {
  const members = users.slice(g * GROUP, (g + 1) * GROUP);
  const data = await rest('POST', '/api/conversations', members[0].token,
    { type: 'group', name: `storm ${g}`, participantIds: members.slice(1).map((m) => m.id) });
  conversations[g] = { id: data.conversation.id, members, lastSeq: 0 };
});
const clients = users.map((u) => new Client(u, conversations[Math.floor(u.index / GROUP)]));
const setupS = (performance.now() - t0) / 1000;

const t1 = performance.now();
await inParallel(clients, Number(args['connect-concurrency']), async (c) => {
  if (!(await c.connect())) throw new Error(`client ${c.user.id} could not connect`);
});
const connectS = (performance.now() - t1) / 1000;
console.log(`storm: ${clients.length} clients in ${GROUPS} groups connected in ${connectS.toFixed(1)} s (setup ${setupS.toFixed(1)} s)`);

// Steady state first: traffic flowing, everyone current.
const posterDone = poster(Number(args['post-rate']));
await sleep(3000);
const rssBefore = rssKiB(server.pid);

// The restart: every socket drops at once; the poster keeps going (its requests fail and are
// retried while the server is away, and are stored as soon as it is back).
const restartAt = performance.now();
server.child.kill(args.mode === 'term' ? 'SIGTERM' : 'SIGKILL');
await server.exited;
restarted = true;
server = await startServer();
const upAt = performance.now();
const downS = (upAt - restartAt) / 1000;

let rssPeak = 0;
const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssKiB(server.pid)); }, 100);
// No new messages from now on: "caught up" has a fixed target, what was stored before the
// restart and what the poster stored while the server was away (its retries finish now).
posting = false;
await posterDone;

const giveUpAt = upAt + Number(args['give-up-s']) * 1000;
for (;;) {
  const now = performance.now();
  let behind = 0;
  for (const c of clients) {
    if (c.caughtUpAt) continue;
    if (c.caughtUp()) c.caughtUpAt = now; else behind += 1;
  }
  if (behind === 0 || now > giveUpAt) break;
  await sleep(20);
}
clearInterval(sampler);
const caughtUpS = (Math.max(...clients.map((c) => c.caughtUpAt || giveUpAt)) - upAt) / 1000;
// The two parts of it: how long the clients took to come back (their backoff, the server's
// accept rate), and how long the server took to bring a client that was back up to date.
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
};
const backIn = clients.filter((c) => c.reopenedAt).map((c) => (c.reopenedAt - upAt) / 1000);
const syncedIn = clients.filter((c) => c.caughtUpAt && c.reopenedAt).map((c) => Math.max(0, c.caughtUpAt - c.reopenedAt) / 1000);
const seconds = (values) => ({ p50: Number(quantile(values, 0.5).toFixed(3)), p99: Number(quantile(values, 0.99).toFixed(3)),
  max: Number(quantile(values, 1).toFixed(3)) });
const behind = clients.filter((c) => !c.caughtUpAt).length;
await sleep(1000);
const rssAfter = rssKiB(server.pid);

// Duplicates and losses in the store itself: each conversation's history holds each
// acknowledged message once, with seq 1..lastSeq gap-free.
let storedDuplicates = 0;
let storedGaps = 0;
let storedMissing = 0;
const storedIds = new Set();
await inParallel(conversations, 16, async (conv) => {
  let after = 0;
  for (;;) {
    const data = await rest('GET', `/api/conversations/${conv.id}/messages?afterSeq=${after}&limit=200`, conv.members[0].token);
    for (const m of data.messages) {
      if (m.seq !== after + 1) storedGaps += 1;
      if (storedIds.has(m.id)) storedDuplicates += 1;
      storedIds.add(m.id);
      after = m.seq;
    }
    if (!data.pagination.hasMore || data.messages.length === 0) break;
  }
});
for (const id of acked.values()) if (!storedIds.has(id)) storedMissing += 1;

stopping = true;
for (const c of clients) c.ws?.terminate();
server.child.kill('SIGTERM');
await server.exited;

const result = {
  scenario: 'reconnect', clients: clients.length, groups: GROUPS, mode: args.mode,
  postRate: Number(args['post-rate']), acknowledged: acked.size, postRetries: postErrors,
  serverDownS: Number(downS.toFixed(2)), caughtUpS: Number(caughtUpS.toFixed(2)),
  reconnectedAfterUpS: seconds(backIn), caughtUpAfterReconnectS: seconds(syncedIn),
  clientsBehind: behind, reconnects: clients.reduce((n, c) => n + c.reconnects, 0),
  duplicateViews, storedDuplicates, storedGaps, storedMissing,
  rssKiB: { before: rssBefore, peak: rssPeak, after: rssAfter },
  limitS: Number(args['catch-up-limit-s']),
};
result.met = behind === 0 && storedDuplicates === 0 && storedGaps === 0 && storedMissing === 0
  && caughtUpS <= result.limitS;
console.log(`storm: ${args.mode} restart, server back in ${downS.toFixed(2)} s; all ${clients.length} caught up `
  + `${behind ? `NOT (${behind} behind after ${args['give-up-s']} s)` : `in ${caughtUpS.toFixed(2)} s`} after it listened; `
  + `back p50/p99/max ${Object.values(result.reconnectedAfterUpS).join('/')} s, synced after back `
  + `${Object.values(result.caughtUpAfterReconnectS).join('/')} s; ${acked.size} acknowledged, stored twice ${storedDuplicates}, gaps ${storedGaps}, missing ${storedMissing}; `
  + `RSS ${rssBefore} KiB before, ${rssPeak} peak, ${rssAfter} after; goal <= ${result.limitS} s: ${result.met ? 'met' : 'NOT met'}`);
if (args.json) fs.writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
process.exit(result.met ? 0 : 1);
