'use strict';
// A WebSocket test client: connects with a token, records every frame it receives, and lets
// tests wait for events (always with a timeout) or make requests with a requestId.

const WebSocket = require('ws');

const DEFAULT_TIMEOUT_MS = 5000;
let requestCounter = 0;

/** The upgrade was refused: carries the HTTP status, headers and body the server sent. */
class UpgradeRefused extends Error {
  constructor(status, headers, text) {
    super(`WebSocket upgrade refused with HTTP ${status}: ${text}`);
    this.status = status;
    this.headers = headers;
    this.text = text;
    try { this.body = JSON.parse(text); } catch { this.body = undefined; }
  }
}

class WsClient {
  constructor(ws, label) {
    this.ws = ws;
    this.label = label;
    /** Every frame received, in order: {event, data, requestId, raw, at}. */
    this.events = [];
    this.waiters = new Set();
    this.closeInfo = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8'), at: Date.now() };
        for (const w of this.waiters) w.onClose();
        resolve(this.closeInfo);
      });
    });
    ws.on('message', (raw, isBinary) => {
      const text = isBinary ? null : raw.toString('utf8');
      let frame;
      try {
        frame = JSON.parse(text);
      } catch {
        frame = { event: '<not-json>', data: null };
      }
      const ev = { event: frame.event, data: frame.data, requestId: frame.requestId, raw: text, at: Date.now() };
      ev.index = this.events.length;
      this.events.push(ev);
      for (const w of [...this.waiters]) w.check(ev);
    });
    ws.on('error', () => { /* surfaced through close */ });
  }

  /**
   * Opens a socket. opts: token (query ?token=), headerToken (Authorization header), origin,
   * headers, label. Rejects with UpgradeRefused when the server answers the upgrade with HTTP.
   */
  static connect(server, { token, headerToken, origin, headers = {}, label = 'ws', timeoutMs = DEFAULT_TIMEOUT_MS, maxPayload } = {}) {
    const url = token ? `${server.wsUrl}?token=${encodeURIComponent(token)}` : server.wsUrl;
    const h = { ...headers };
    if (headerToken) h.authorization = `Bearer ${headerToken}`;
    const options = { headers: h, handshakeTimeout: timeoutMs };
    if (origin) options.origin = origin;
    if (maxPayload) options.maxPayload = maxPayload;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const client = new WsClient(ws, label); // attach handlers before any frame can arrive
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (req, res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          reject(new UpgradeRefused(res.statusCode, res.headers, Buffer.concat(chunks).toString('utf8')));
          req.destroy();
        });
      });
      ws.once('error', (e) => reject(e));
    });
  }

  get isOpen() { return this.ws.readyState === WebSocket.OPEN; }

  /** Index to pass as `from` so later waits only look at newer events. */
  mark() { return this.events.length; }

  send(event, data, requestId) {
    const frame = { event, data };
    if (requestId !== undefined) frame.requestId = requestId;
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(text) { this.ws.send(text); }

  /**
   * Resolves with the first event (at index >= from) for which predicate(ev) is true.
   * Rejects after timeoutMs, or when the socket closes first.
   */
  waitFor(predicate, timeoutMs = DEFAULT_TIMEOUT_MS, { from = 0, what = 'matching event' } = {}) {
    for (let i = from; i < this.events.length; i += 1) {
      if (predicate(this.events[i])) return Promise.resolve(this.events[i]);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        check: (ev) => {
          if (ev.index >= from && predicate(ev)) { cleanup(); resolve(ev); }
        },
        onClose: () => {
          // Let frames that arrived with the close be checked first.
          setImmediate(() => { cleanup(); reject(new Error(`${this.label}: socket closed (${this.closeInfo.code}) while waiting for ${what}; ${this.summary()}`)); });
        },
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.label}: timed out after ${timeoutMs} ms waiting for ${what}; ${this.summary()}`));
      }, timeoutMs);
      const cleanup = () => { clearTimeout(timer); this.waiters.delete(waiter); };
      if (this.closeInfo) { waiter.onClose(); return; }
      this.waiters.add(waiter);
    });
  }

  /** Waits for an event by name (and optional predicate on its data). */
  waitForEvent(name, predicate = () => true, timeoutMs = DEFAULT_TIMEOUT_MS, from = 0) {
    return this.waitFor((ev) => ev.event === name && predicate(ev.data || {}, ev), timeoutMs, { from, what: `"${name}"` });
  }

  /** Waits until `count` events match; resolves with them. */
  async waitForCount(predicate, count, timeoutMs = DEFAULT_TIMEOUT_MS, what = 'events') {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.events.filter(predicate);
      if (matching.length >= count) return matching;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.label}: got ${matching.length}/${count} ${what} within ${timeoutMs} ms; ${this.summary()}`);
      await this.waitFor(() => true, Math.min(left, 250), { from: this.events.length }).catch((e) => {
        if (this.closeInfo) throw e;
      });
    }
  }

  /** Sends a frame with a fresh requestId and resolves with the frame answering it. */
  request(event, data, timeoutMs = DEFAULT_TIMEOUT_MS) {
    requestCounter += 1;
    const requestId = `req-${process.pid}-${requestCounter}`;
    const from = this.mark();
    this.send(event, data, requestId);
    return this.waitFor((ev) => ev.requestId === requestId, timeoutMs, { from, what: `reply to ${event} (${requestId})` });
  }

  /** Events that match, received since `from`. */
  since(from, predicate = () => true) { return this.events.slice(from).filter(predicate); }

  /** Waits `ms` and returns the events matching predicate that arrived since `from`. */
  async collectFor(ms, predicate = () => true, from = this.mark()) {
    await new Promise((r) => setTimeout(r, ms));
    return this.since(from, predicate);
  }

  waitClosed(timeoutMs = DEFAULT_TIMEOUT_MS) {
    let timer;
    return Promise.race([
      this.closed,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${this.label}: not closed within ${timeoutMs} ms; ${this.summary()}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Closes politely; resolves when closed (terminates after a short wait). */
  async close() {
    if (this.closeInfo) return this.closeInfo;
    try { this.ws.close(1000); } catch { /* not open yet */ }
    const t = setTimeout(() => this.ws.terminate(), 2000);
    const info = await this.closed;
    clearTimeout(t);
    return info;
  }

  summary() {
    const last = this.events.slice(-8).map((e) => `${e.event}${e.data && e.data.code ? `(${e.data.code})` : ''}`);
    return `${this.events.length} events received, last: [${last.join(', ')}]`;
  }
}

/** Closes every client given, ignoring ones already closed. */
async function closeAll(clients) {
  await Promise.all(clients.filter(Boolean).map((c) => c.close().catch(() => {})));
}

module.exports = { WsClient, UpgradeRefused, closeAll };
