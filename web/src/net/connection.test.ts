import { describe, expect, it, vi } from 'vitest';
import type { ClientFrame, Message } from '../protocol';
import { Store, toSend } from '../state';
import { loadedState, message, pending, student } from '../testing/fixtures';
import type { Clock, SocketLike } from './connection';
import { ConnectionManager } from './connection';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: ClientFrame[] = [];
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close(code = 1000): void {
    this.serverClose(code);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  serverClose(code = 1006): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
  receive(event: string, data: unknown, requestId?: string): void {
    this.onmessage?.({ data: JSON.stringify({ event, data, ...(requestId ? { requestId } : {}) }) } as MessageEvent);
  }
  events(name: string): ClientFrame[] {
    return this.sent.filter((f) => f.event === name);
  }
}

class FakeClock implements Clock {
  t = 1_700_000_000_000;
  private timers: Array<{ id: number; at: number; f: () => void; every?: number }> = [];
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(f: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ id, at: this.t + ms, f });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  setInterval(f: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ id, at: this.t + ms, f, every: ms });
    return id;
  }
  clearInterval(h: unknown): void {
    this.clearTimeout(h);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = due.at;
      if (due.every) due.at += due.every;
      else this.timers = this.timers.filter((x) => x !== due);
      due.f();
    }
    this.t = end;
  }
}

function setup(messages: Message[] = [message(1), message(2)]) {
  const store = new Store(loadedState(messages));
  const clock = new FakeClock();
  const sockets: FakeSocket[] = [];
  const refreshToken = vi.fn(async () => 'fresh.token.x');
  let token = 'first.token.x';
  const manager = new ConnectionManager({
    store,
    url: (t) => `ws://test/ws?token=${t}`,
    getToken: () => token,
    refreshToken: async () => {
      token = (await refreshToken()) ?? token;
      return token;
    },
    socketFactory: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    clock,
    random: () => 0.5,
    backoff: { baseMs: 1000, maxMs: 8000 },
  });
  const last = () => sockets[sockets.length - 1]!;
  return { store, clock, sockets, manager, last, refreshToken };
}

const flushMicrotasks = () => new Promise<void>((r) => setTimeout(r, 0));

describe('ConnectionManager', () => {
  it('connects with the token in the URL and shows the connection state', () => {
    const h = setup();
    h.manager.start();
    expect(h.store.get().connection.status).toBe('connecting');
    expect(h.last().url).toBe('ws://test/ws?token=first.token.x');
    h.last().open();
    expect(h.store.get().connection).toMatchObject({ status: 'online', connectionId: 1, attempt: 0 });
  });

  it('reconnects with growing, jittered delays and resets them once connected', () => {
    const h = setup();
    h.manager.start();
    h.last().serverClose();
    expect(h.store.get().connection).toMatchObject({ status: 'reconnecting', attempt: 1 });
    // attempt 0: 1000 ms, jitter 0.5 → 750 ms
    expect(h.store.get().connection.retryAt! - h.clock.now()).toBe(750);
    h.clock.advance(749);
    expect(h.sockets).toHaveLength(1);
    h.clock.advance(1);
    expect(h.sockets).toHaveLength(2);
    h.last().serverClose();
    expect(h.store.get().connection.retryAt! - h.clock.now()).toBe(1500);
    h.clock.advance(1500);
    h.last().open();
    expect(h.store.get().connection).toMatchObject({ status: 'online', attempt: 0, connectionId: 1 });
  });

  it('sends `sync` for every loaded conversation after a reconnect, from what it holds', () => {
    const h = setup();
    h.manager.start();
    h.last().open();
    h.last().receive('sync_result', { conversationId: 'c1', messages: [], changes: [], readCursors: [], lastSeq: 2, lastChangeSeq: 17, hasMore: false });
    h.last().serverClose();
    h.clock.advance(10_000);
    h.last().open();
    expect(h.last().events('sync').map((f) => f.data)).toEqual([{ conversationId: 'c1', afterSeq: 2, afterChangeSeq: 17 }]);
  });

  it('asks again while the server says there is more', () => {
    const h = setup();
    h.manager.start();
    h.last().open();
    h.last().receive('sync_result', { conversationId: 'c1', messages: [message(3)], changes: [], readCursors: [], lastSeq: 9, lastChangeSeq: 20, hasMore: true });
    const syncs = h.last().events('sync');
    expect(syncs).toHaveLength(2);
    expect(syncs[1]!.data).toMatchObject({ afterSeq: 3, afterChangeSeq: 20 });
  });

  it('re-sends a pending message after reconnect with the same clientMessageId, never twice on one connection', () => {
    const h = setup();
    h.store.dispatch({ type: 'outbox_added', pending: pending('cm-1', 'Draft bab 3 sudah saya unggah') });
    h.manager.start();
    h.last().open();
    h.manager.flushOutbox();
    h.manager.flushOutbox();
    const first = h.last().events('send_message');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ requestId: 'cm-1', data: { clientMessageId: 'cm-1', conversationId: 'c1' } });

    // The connection drops before the ack.
    h.last().serverClose();
    h.clock.advance(10_000);
    h.last().open();
    h.manager.flushOutbox();
    const second = h.last().events('send_message');
    expect(second).toHaveLength(1);
    expect(second[0]!.data).toMatchObject({ clientMessageId: 'cm-1' });

    // The server stored it once and acknowledges; a late echo changes nothing.
    const stored = message(3, { senderId: student.id, clientMessageId: 'cm-1' });
    h.last().receive('message_sent', { clientMessageId: 'cm-1', message: stored });
    h.last().receive('message_received', { message: stored });
    expect(h.store.get().outbox).toEqual([]);
    expect(h.store.get().logs.c1!.seqs).toEqual([1, 2, 3]);
  });

  it('does not send while disconnected: messages wait in the outbox', () => {
    const h = setup();
    h.manager.start();
    h.store.dispatch({ type: 'outbox_added', pending: pending('cm-2', 'offline draft') });
    h.manager.flushOutbox();
    expect(toSend(h.store.get(), 1)).toHaveLength(1);
    h.last().open();
    expect(h.last().events('send_message')).toHaveLength(1);
  });

  it('renews the token after close 4001 and reconnects with it', async () => {
    const h = setup();
    h.manager.start();
    h.last().open();
    h.last().receive('error', { code: 'unauthorized', message: 'expired' });
    h.last().serverClose(4001);
    await flushMicrotasks();
    expect(h.refreshToken).toHaveBeenCalledTimes(1);
    expect(h.last().url).toBe('ws://test/ws?token=fresh.token.x');
  });

  it('reports messages from others as delivered, and as read when the conversation is on screen', async () => {
    const h = setup();
    h.manager.start();
    h.last().open();
    h.manager.setActiveConversation('c1');
    expect(h.last().events('join_conversation').map((f) => f.data)).toEqual([{ conversationId: 'c1' }]);
    h.last().receive('message_received', { message: message(3) });
    await flushMicrotasks();
    expect(h.last().events('mark_delivered').map((f) => f.data)).toEqual([{ conversationId: 'c1', upToSeq: 3 }]);
    expect(h.last().events('mark_read').map((f) => f.data)).toContainEqual({ conversationId: 'c1', upToSeq: 3 });
  });

  it('fills a hole in the seq order with a sync', () => {
    const h = setup();
    h.manager.start();
    h.last().open();
    h.last().receive('sync_result', { conversationId: 'c1', messages: [], changes: [], readCursors: [], lastSeq: 2, lastChangeSeq: 5, hasMore: false });
    h.last().receive('message_received', { message: message(5) });
    h.clock.advance(300);
    const syncs = h.last().events('sync');
    expect(syncs[syncs.length - 1]!.data).toMatchObject({ conversationId: 'c1', afterSeq: 2 });
  });

  it('closes a socket that stays silent and reconnects', () => {
    const h = setup();
    h.manager.start();
    h.last().open();
    h.clock.advance(25_000);
    expect(h.last().events('ping')).toHaveLength(1);
    h.clock.advance(50_000);
    expect(h.store.get().connection.status).toBe('reconnecting');
    h.clock.advance(1_000);
    expect(h.sockets).toHaveLength(2);
  });

  it('pings while the tab is visible and sends nothing of its own while it is hidden', async () => {
    const h = setup();
    h.manager.start();
    h.last().open();
    h.clock.advance(50_000);
    expect(h.last().events('ping')).toHaveLength(2);
    h.last().receive('pong', { serverTime: new Date(h.clock.now()).toISOString() });

    h.store.dispatch({ type: 'visibility', visible: false });
    h.manager.visibilityChanged();
    const sentBefore = h.last().sent.length;
    h.last().receive('message_received', { message: message(3) });
    await flushMicrotasks();
    // Ten minutes hidden: no ping, no receipt, and silence does not drop the socket.
    h.clock.advance(600_000);
    expect(h.last().sent.slice(sentBefore)).toEqual([]);
    expect(h.sockets).toHaveLength(1);
    expect(h.store.get().connection.status).toBe('online');

    h.store.dispatch({ type: 'visibility', visible: true });
    h.manager.visibilityChanged();
    expect(h.last().sent.slice(sentBefore).map((f) => f.event)).toEqual(['ping', 'mark_delivered']);
    expect(h.last().events('mark_delivered').map((f) => f.data)).toEqual([{ conversationId: 'c1', upToSeq: 3 }]);
    h.clock.advance(25_000);
    expect(h.last().events('ping')).toHaveLength(4);
  });

  it('waits for the network when the browser is offline', () => {
    const h = setup();
    h.manager.start();
    h.last().open();
    h.manager.wentOffline();
    expect(h.store.get().connection.status).toBe('offline');
    h.clock.advance(60_000);
    expect(h.sockets).toHaveLength(1);
    h.manager.retryNow();
    expect(h.sockets).toHaveLength(2);
  });
});
