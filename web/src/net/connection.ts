// The WebSocket to /ws: connects, reconnects with backoff and jitter, keeps the state store fed,
// re-sends unacknowledged messages once per new connection with the same clientMessageId, and
// asks `sync` for every loaded conversation after each reconnect so nothing is missed.
import type { ClientFrame, ServerEvent, SyncResult } from '../protocol';
import { closeTokenExpired, parseServerFrame, ProtocolError } from '../protocol';
import type { Store } from '../state';
import { hasGap, myReadUpToSeq, newestSeq, toSend } from '../state';
import type { BackoffOptions } from './backoff';
import { backoffDelay, defaultBackoff } from './backoff';

/** The part of the browser WebSocket the manager uses (a fake one in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

export interface Clock {
  now(): number;
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(f: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const browserClock: Clock = {
  now: () => Date.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (f, ms) => setInterval(f, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

export interface ConnectionOptions {
  store: Store;
  /** The /ws URL for a token, e.g. wss://host/ws?token=... */
  url: (token: string) => string;
  /** The current token, or null when there is none. */
  getToken: () => string | null;
  /** A fresh token after the server refused the current one; null when none can be had. */
  refreshToken: () => Promise<string | null>;
  /** Seconds since the epoch when the current token expires (0: unknown). */
  tokenExpiry?: () => number;
  socketFactory?: SocketFactory;
  clock?: Clock;
  random?: () => number;
  backoff?: BackoffOptions;
  /** Every server event after the store has applied it (notifications hook here). */
  onEvent?: (event: ServerEvent) => void;
  /** navigator.onLine, injectable. */
  isOnline?: () => boolean;
  pingIntervalMs?: number;
  /** Close a socket that has said nothing for this long (the server pings every 30 s). */
  silenceTimeoutMs?: number;
  syncLimit?: number;
}

const OPEN = 1;

export class ConnectionManager {
  private socket: SocketLike | null = null;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly factory: SocketFactory;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private gapTimer: unknown = null;
  private lastHeard = 0;
  private stopped = true;
  private failuresWithoutOpen = 0;
  private joined: string | null = null;
  /** Conversations with a sync in flight on the current socket. */
  private readonly syncing = new Set<string>();
  private readonly deliveredSent = new Map<string, number>();
  private readonly pendingDelivered = new Map<string, number>();
  private deliveredFlush = false;
  private requestCounter = 0;

  constructor(private readonly options: ConnectionOptions) {
    this.store = options.store;
    this.clock = options.clock ?? browserClock;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? defaultBackoff;
    this.factory = options.socketFactory ?? ((url) => new WebSocket(url) as SocketLike);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.onmessage = null;
      s.close(1000, 'bye');
    }
    this.store.dispatch({ type: 'connection', connection: { status: 'idle', retryAt: null } });
  }

  /** Reconnect now (the "retry now" button, or the browser's `online` event). */
  retryNow(): void {
    if (this.stopped) return;
    if (this.socket && this.socket.readyState === OPEN) return;
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!this.socket) this.connect();
  }

  /** The browser went offline: drop the socket and wait for `online`. */
  wentOffline(): void {
    if (this.stopped) return;
    this.dropSocket();
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.store.dispatch({ type: 'connection', connection: { status: 'offline', retryAt: null } });
  }

  get isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN && this.store.get().connection.status === 'online';
  }

  /** Sends one frame when connected; false when it could not be sent now. */
  send(frame: ClientFrame): boolean {
    if (!this.isOpen || !this.socket) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Sends whatever in the outbox has not been sent on this connection yet. */
  flushOutbox(): void {
    if (!this.isOpen) return;
    const state = this.store.get();
    const id = state.connection.connectionId;
    const batch = toSend(state, id);
    if (batch.length === 0) return;
    for (const p of batch) {
      const data = {
        conversationId: p.conversationId,
        type: p.type,
        content: p.content,
        clientMessageId: p.clientMessageId,
        ...(p.replyTo ? { replyTo: p.replyTo } : {}),
      };
      this.send({ event: 'send_message', data, requestId: p.clientMessageId });
    }
    this.store.dispatch({ type: 'outbox_sent', clientMessageIds: batch.map((p) => p.clientMessageId), connectionId: id });
  }

  /** The user opened a conversation (or closed it with null): join for typing and presence. */
  setActiveConversation(conversationId: string | null): void {
    this.store.dispatch({ type: 'conversation_opened', conversationId });
    if (this.joined && this.joined !== conversationId) this.send({ event: 'leave_conversation', data: { conversationId: this.joined } });
    this.joined = conversationId;
    if (conversationId) this.send({ event: 'join_conversation', data: { conversationId } });
  }

  /** Asks for everything after what the client holds of a conversation. */
  sync(conversationId: string): void {
    if (!this.isOpen || this.syncing.has(conversationId)) return;
    const log = this.store.get().logs[conversationId];
    if (!log?.loaded) return;
    this.syncing.add(conversationId);
    const data = {
      conversationId,
      afterSeq: log.syncedSeq,
      ...(log.syncedChangeSeq !== null ? { afterChangeSeq: log.syncedChangeSeq } : {}),
      ...(this.options.syncLimit ? { limit: this.options.syncLimit } : {}),
    };
    this.send({ event: 'sync', data, requestId: this.nextRequestId('sync') });
  }

  /** Marks everything up to the newest loaded message as read, if it moves the cursor. */
  markRead(conversationId: string): void {
    const state = this.store.get();
    const upTo = Math.max(newestSeq(state.logs[conversationId]), 0);
    if (upTo <= 0 || upTo <= myReadUpToSeq(state, conversationId)) {
      const conv = state.conversations[conversationId];
      if (conv && conv.unreadCount > 0 && upTo > 0) this.store.dispatch({ type: 'read_marked', conversationId, upToSeq: upTo });
      return;
    }
    this.store.dispatch({ type: 'read_marked', conversationId, upToSeq: upTo });
    this.send({ event: 'mark_read', data: { conversationId, upToSeq: upTo } });
  }

  /**
   * The tab was shown or hidden (the store's `visible` already says which). A socket counts as
   * *active* for notifications while the client sends anything on it (API.md), so a hidden tab
   * sends nothing of its own: no pings, and delivered receipts wait until it is shown. Shown
   * again, it pings at once (the server learns the user is back) and flushes the receipts.
   */
  visibilityChanged(): void {
    if (!this.store.get().visible || !this.isOpen) return;
    // Nothing was sent to provoke an answer while hidden: the silence clock starts now.
    this.lastHeard = this.clock.now();
    this.send({ event: 'ping', data: {} });
    this.flushDelivered();
  }

  typing(conversationId: string, isTyping: boolean): void {
    this.send({ event: 'typing', data: { conversationId, isTyping } });
  }

  // ---- internals ----

  private nextRequestId(kind: string): string {
    this.requestCounter += 1;
    return `${kind}-${this.requestCounter}`;
  }

  private connect(): void {
    if (this.stopped) return;
    if (this.options.isOnline && !this.options.isOnline()) {
      this.store.dispatch({ type: 'connection', connection: { status: 'offline', retryAt: null } });
      return;
    }
    const token = this.options.getToken();
    if (!token) {
      void this.renewTokenThenConnect();
      return;
    }
    const expiry = this.options.tokenExpiry?.() ?? 0;
    if (expiry > 0 && expiry * 1000 <= this.clock.now()) {
      void this.renewTokenThenConnect();
      return;
    }
    this.store.dispatch({ type: 'connection', connection: { status: this.store.get().connection.attempt > 0 ? 'reconnecting' : 'connecting', retryAt: null } });
    let socket: SocketLike;
    try {
      socket = this.factory(this.options.url(token));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => this.onOpen(socket);
    socket.onmessage = (ev) => this.onMessage(socket, ev);
    socket.onclose = (ev) => this.onClose(socket, ev);
    socket.onerror = () => {
      /* a close event always follows */
    };
  }

  private async renewTokenThenConnect(): Promise<void> {
    const fresh = await this.options.refreshToken();
    if (this.stopped) return;
    if (!fresh) {
      this.store.dispatch({ type: 'connection', connection: { status: 'unauthorized', retryAt: null } });
      return;
    }
    this.connect();
  }

  private onOpen(socket: SocketLike): void {
    if (socket !== this.socket) return;
    this.failuresWithoutOpen = 0;
    this.lastHeard = this.clock.now();
    this.syncing.clear();
    this.deliveredSent.clear();
    const prev = this.store.get().connection;
    this.store.dispatch({ type: 'connection', connection: { status: 'online', connectionId: prev.connectionId + 1, attempt: 0, retryAt: null } });
    this.startHeartbeat();
    const state = this.store.get();
    if (this.joined) this.send({ event: 'join_conversation', data: { conversationId: this.joined } });
    for (const [cid, log] of Object.entries(state.logs)) if (log.loaded) this.sync(cid);
    this.flushOutbox();
  }

  private onMessage(socket: SocketLike, ev: MessageEvent): void {
    if (socket !== this.socket) return;
    this.lastHeard = this.clock.now();
    if (typeof ev.data !== 'string') return;
    let event: ServerEvent;
    try {
      event = parseServerFrame(ev.data);
    } catch (e) {
      if (e instanceof ProtocolError) return;
      throw e;
    }
    this.store.dispatch({ type: 'server', event, now: this.clock.now() });
    this.afterEvent(event);
    this.options.onEvent?.(event);
  }

  private afterEvent(event: ServerEvent): void {
    const me = this.store.get().me;
    switch (event.event) {
      case 'message_received': {
        const m = event.data.message;
        if (me && m.senderId !== me.id) this.queueDelivered(m.conversationId, m.seq);
        this.afterMessage(m.conversationId);
        break;
      }
      case 'message_sent':
        this.afterMessage(event.data.message.conversationId);
        break;
      case 'sync_result':
        this.afterSync(event.data);
        break;
      case 'joined': {
        const log = this.store.get().logs[event.data.conversationId];
        if (log?.loaded && event.data.lastSeq > log.syncedSeq) this.sync(event.data.conversationId);
        break;
      }
      case 'error':
        // `unauthorized` is followed by close 4001, where the token is renewed.
        if (event.data.code === 'rate_limited') this.clock.setTimeout(() => this.flushOutbox(), 1000 + this.random() * 1000);
        else if (event.requestId?.startsWith('sync-')) this.syncing.clear();
        break;
      default:
        break;
    }
  }

  private afterMessage(conversationId: string): void {
    const state = this.store.get();
    if (state.visible && state.activeConversationId === conversationId) this.markRead(conversationId);
    if (hasGap(state.logs[conversationId])) this.scheduleGapSync(conversationId);
  }

  private afterSync(r: SyncResult): void {
    this.syncing.delete(r.conversationId);
    const state = this.store.get();
    const log = state.logs[r.conversationId];
    if (r.hasMore || hasGap(log)) {
      this.sync(r.conversationId);
      return;
    }
    if (state.me && log) {
      const newest = newestSeq(log);
      const delivered = log.readCursors[state.me.id]?.deliveredUpToSeq ?? 0;
      if (newest > delivered) this.queueDelivered(r.conversationId, newest);
    }
    if (state.visible && state.activeConversationId === r.conversationId) this.markRead(r.conversationId);
  }

  private scheduleGapSync(conversationId: string): void {
    if (this.gapTimer !== null) return;
    // A short wait lets an out-of-order message arrive on its own before asking for it.
    this.gapTimer = this.clock.setTimeout(() => {
      this.gapTimer = null;
      if (hasGap(this.store.get().logs[conversationId])) this.sync(conversationId);
    }, 300);
  }

  private queueDelivered(conversationId: string, seq: number): void {
    if ((this.deliveredSent.get(conversationId) ?? 0) >= seq) return;
    this.pendingDelivered.set(conversationId, Math.max(seq, this.pendingDelivered.get(conversationId) ?? 0));
    if (this.deliveredFlush) return;
    this.deliveredFlush = true;
    queueMicrotask(() => {
      this.deliveredFlush = false;
      this.flushDelivered();
    });
  }

  private flushDelivered(): void {
    if (!this.store.get().visible) return;
    for (const [cid, upToSeq] of this.pendingDelivered) {
      if (this.send({ event: 'mark_delivered', data: { conversationId: cid, upToSeq } })) this.deliveredSent.set(cid, upToSeq);
    }
    this.pendingDelivered.clear();
  }

  private onClose(socket: SocketLike, ev: CloseEvent): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.stopHeartbeat();
    this.syncing.clear();
    if (this.stopped) return;
    if (ev.code === closeTokenExpired) {
      this.store.dispatch({ type: 'connection', connection: { status: 'reconnecting', retryAt: null } });
      void this.renewTokenThenConnect();
      return;
    }
    if (this.options.isOnline && !this.options.isOnline()) {
      this.store.dispatch({ type: 'connection', connection: { status: 'offline', retryAt: null } });
      return;
    }
    if (this.store.get().connection.status !== 'online') this.failuresWithoutOpen += 1;
    // An upgrade refused with 401 looks like any failed connection to a browser: after a few
    // failures in a row, get a fresh token before trying again.
    if (this.failuresWithoutOpen >= 3) {
      this.failuresWithoutOpen = 0;
      void this.options.refreshToken().then((t) => {
        if (!t && !this.stopped) this.store.dispatch({ type: 'connection', connection: { status: 'unauthorized', retryAt: null } });
        else this.scheduleReconnect();
      });
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const attempt = this.store.get().connection.attempt;
    const delay = backoffDelay(attempt, this.backoff, this.random);
    const retryAt = this.clock.now() + delay;
    this.store.dispatch({ type: 'connection', connection: { status: 'reconnecting', attempt: attempt + 1, retryAt } });
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = null;
    this.stopHeartbeat();
    if (s) {
      s.onclose = null;
      s.onmessage = null;
      s.close(1000, 'offline');
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const interval = this.options.pingIntervalMs ?? 25_000;
    const silence = this.options.silenceTimeoutMs ?? 65_000;
    this.pingTimer = this.clock.setInterval(() => {
      // Hidden: no ping (see visibilityChanged), so silence proves nothing; the server's own
      // WebSocket pings keep the socket alive and close it if the browser stops answering.
      if (!this.store.get().visible) return;
      if (this.clock.now() - this.lastHeard > silence) {
        const s = this.socket;
        if (s) s.close(4000, 'silent');
        return;
      }
      this.send({ event: 'ping', data: {} });
    }, interval);
  }

  private stopHeartbeat(): void {
    if (this.pingTimer !== null) this.clock.clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private clearTimers(): void {
    this.stopHeartbeat();
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    if (this.gapTimer !== null) this.clock.clearTimeout(this.gapTimer);
    this.retryTimer = null;
    this.gapTimer = null;
  }
}
