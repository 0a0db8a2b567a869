'use strict';
// Clients that behave as the API asks a real client to, under failures: they connect through
// nginx, reconnect by themselves when their socket drops (kill -9 of its node, 1012 after a
// Redis outage), resend what was not acknowledged with the same clientMessageId, and `sync`
// from the last seq they hold in order. Every acknowledgement is recorded, so that a test can
// compare them with what the database holds.

const { WsClient } = require('../../integration/lib/ws');
const { call, uid } = require('../../integration/lib/http');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const RECONNECT_GIVE_UP_MS = 30000;

/**
 * One user's socket in one conversation, through `entry` (nginx). As a sender it keeps up to
 * `window` sends in flight; as a reader (window 0) it only receives. Either way it keeps every
 * message it saw (delivered or synced) in `seen` (id -> seq).
 */
class ResilientClient {
  constructor(entry, user, conversationId, { label, window = 0, prefix = 'load' } = {}) {
    Object.assign(this, { entry, user, conversationId, label: label || user.name, window, prefix });
    this.seen = new Map();         // message id -> seq
    this.seqs = new Set();
    this.contiguous = 0;           // every seq 1..contiguous was seen
    this.pending = new Map();      // clientMessageId -> text, sent and not yet acknowledged
    this.acks = [];                // {clientMessageId, seq, id} for every message_sent (a resend is acked again)
    this.refused = [];             // error frames answering a send (retried later)
    this.reconnects = 0;
    this.closeCodes = [];
    this.syncs = 0;
    this.sending = false;
    this.counter = 0;
    this.stopped = false;
    this.socket = null;
    this.syncing = null;
  }

  /** Opens the first socket. */
  async start() { await this.connect(); return this; }

  /** Starts sending: new messages until stopSending(), each with a fresh clientMessageId. */
  startSending() { this.sending = true; this.fill(); }
  stopSending() { this.sending = false; }

  /** Resolves when nothing sent is unacknowledged (resends included), or rejects after timeoutMs. */
  async drained(timeoutMs = 30000) {
    const until = Date.now() + timeoutMs;
    while (this.pending.size > 0) {
      if (Date.now() > until) throw new Error(`${this.label}: ${this.pending.size} sends never acknowledged`);
      await sleep(50);
    }
  }

  async close() {
    this.stopped = true;
    if (this.socket) await this.socket.close().catch(() => {});
  }

  async connect() {
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        const socket = await WsClient.connect(this.entry, { token: this.user.token, label: this.label, timeoutMs: 5000 });
        this.attach(socket);
        return;
      } catch (e) {
        // nginx answers 503 (its own, deploy/nginx.conf) while it has not yet marked a killed node failed, for instance.
        if (this.stopped) return;
        if (Date.now() - started > RECONNECT_GIVE_UP_MS) throw new Error(`${this.label}: could not reconnect: ${e.message}`);
        await sleep(Math.min(100 * (attempt + 1), 500));
      }
    }
  }

  attach(socket) {
    this.socket = socket;
    // WsClient records each frame in its own listener, registered first: the newest event is this frame.
    socket.ws.on('message', () => this.onFrame(socket.events[socket.events.length - 1]));
    socket.closed.then((info) => this.onClosed(socket, info));
    // Whatever was missed while away (nothing on the first connection of a fresh conversation).
    void this.sync();
    // Resend everything unacknowledged: the same clientMessageId, so a send that was in fact
    // stored is answered with the stored message, not stored twice.
    for (const [clientMessageId, text] of this.pending) this.sendFrame(clientMessageId, text);
    this.fill();
  }

  onClosed(socket, info) {
    if (socket !== this.socket) return;
    this.closeCodes.push(info.code);
    this.socket = null;
    if (this.stopped) return;
    this.reconnects += 1;
    this.connect().catch((e) => { this.failure = e; });
  }

  onFrame(ev) {
    if (!ev) return;
    if (ev.event === 'message_received' && ev.data.message.conversationId === this.conversationId) {
      this.saw(ev.data.message);
    } else if (ev.event === 'message_sent' && ev.data.message.conversationId === this.conversationId) {
      const m = ev.data.message;
      this.acks.push({ clientMessageId: ev.data.clientMessageId, seq: m.seq, id: m.id });
      this.pending.delete(ev.data.clientMessageId);
      this.saw(m);
      this.fill();
    } else if (ev.event === 'error' && ev.requestId && this.pending.has(ev.requestId)) {
      // Refused (unavailable, rate limited): not acknowledged; try again shortly.
      this.refused.push(ev.data);
      const clientMessageId = ev.requestId;
      setTimeout(() => { if (this.pending.has(clientMessageId)) this.sendFrame(clientMessageId, this.pending.get(clientMessageId)); }, 200);
    }
  }

  saw(m) {
    this.seen.set(m.id, m.seq);
    this.seqs.add(m.seq);
    const before = this.contiguous;
    while (this.seqs.has(this.contiguous + 1)) this.contiguous += 1;
    // A seq beyond the next one means something was missed: a client syncs then.
    if (m.seq > this.contiguous + 1 && before === this.contiguous) void this.sync();
  }

  /** sync from the last seq held in order, page by page, as a client does after a reconnect. */
  sync() {
    if (this.syncing) { this.syncAgain = true; return this.syncing; }
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        for (;;) {
          const socket = this.socket;
          if (!socket || !socket.isOpen) return;
          let reply;
          try {
            reply = await socket.request('sync', { conversationId: this.conversationId, afterSeq: this.contiguous, limit: 200 }, 10000);
          } catch { return; } // the socket went away: the next connection syncs again
          if (reply.event !== 'sync_result') { this.syncErrors = (this.syncErrors || 0) + 1; return; }
          this.syncs += 1;
          for (const m of reply.data.messages) this.saw(m);
          if (!reply.data.hasMore || reply.data.messages.length === 0) break;
        }
      } while (this.syncAgain);
    })().finally(() => { this.syncing = null; });
    return this.syncing;
  }

  fill() {
    if (!this.sending || !this.socket || !this.socket.isOpen) return;
    while (this.pending.size < this.window) {
      this.counter += 1;
      const clientMessageId = `${this.prefix}-${this.label}-${this.counter}-${uid('c')}`;
      const text = `${this.label} pesan ${this.counter}`;
      this.pending.set(clientMessageId, text);
      this.sendFrame(clientMessageId, text);
    }
  }

  sendFrame(clientMessageId, text) {
    const socket = this.socket;
    if (!socket || !socket.isOpen) return; // resent by attach() on the next connection
    try {
      socket.send('send_message', { conversationId: this.conversationId, type: 'text', content: { text }, clientMessageId }, clientMessageId);
    } catch { /* closing: resent on reconnect */ }
  }
}

/**
 * REST senders through nginx: `concurrency` loops, each POSTing one message at a time and
 * retrying the same clientMessageId until it gets 201 (a 502 from nginx while a node dies, a
 * 503 while the database is away). Records every 201 in `acks`.
 */
class RestSender {
  constructor(entry, user, conversationId, { concurrency = 4, label = 'rest' } = {}) {
    Object.assign(this, { entry, user, conversationId, concurrency, label });
    this.acks = [];
    this.failures = {}; // status -> count, of the answers that were retried
    this.replayed = 0;  // retries answered 200 with the message an earlier try had stored
    this.sending = false;
    this.loops = [];
    this.counter = 0;
  }

  startSending() {
    this.sending = true;
    for (let i = 0; i < this.concurrency; i += 1) this.loops.push(this.loop());
  }
  stopSending() { this.sending = false; }
  /** Resolves when every loop finished its last message (acknowledged). */
  drained() { return Promise.all(this.loops); }

  async loop() {
    while (this.sending) {
      this.counter += 1;
      const clientMessageId = `${this.label}-${this.counter}-${uid('r')}`;
      const text = `${this.label} pesan ${this.counter}`;
      const until = Date.now() + 30000;
      for (let attempts = 0; ; attempts += 1) {
        let res;
        try {
          res = await call(this.entry, 'POST', `/api/conversations/${this.conversationId}/messages`, {
            token: this.user.token, json: { type: 'text', content: { text }, clientMessageId }, timeoutMs: 10000,
          });
        } catch (e) {
          // An answer off the OpenAPI document (call() refuses it) would be counted by its status;
          // nginx's own 503 for a request in flight on a node that died is in the JSON envelope.
          const status = /HTTP (\d{3})/.exec(e.message);
          res = { status: status ? `${status[1]} (not JSON)` : `failed: ${e.message.slice(0, 60)}` };
        }
        // 201: stored now. 200: stored by an earlier try whose answer was lost (API.md: a retry
        // returns the stored message), e.g. committed on a node killed before it answered.
        if (res.status === 201 || (res.status === 200 && attempts > 0)) {
          const m = res.body.data.message;
          this.acks.push({ clientMessageId, seq: m.seq, id: m.id });
          if (res.status === 200) this.replayed += 1;
          break;
        }
        this.failures[res.status] = (this.failures[res.status] || 0) + 1;
        if (Date.now() > until) throw new Error(`${this.label}: ${clientMessageId} never acknowledged; last ${res.status}`);
        await sleep(100);
      }
    }
  }
}

module.exports = { ResilientClient, RestSender };
