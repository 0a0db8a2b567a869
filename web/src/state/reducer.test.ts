import { describe, expect, it } from 'vitest';
import type { Message, ServerEvent, SyncResult } from '../protocol';
import { conversation, loadedState, message, participant, pending, student, tutor } from '../testing/fixtures';
import type { ChatState } from './types';
import { initialState } from './types';
import { reduce } from './reducer';
import {
  deliveredOf,
  hasGap,
  isConversationOnline,
  messagesOf,
  onlineOthers,
  readersOf,
  statusOf,
  titleWithUnread,
  toSend,
  totalUnread,
  typingNames,
  visibleConversations,
} from './select';

const now = 1_700_000_000_000;
const server = (s: ChatState, event: ServerEvent) => reduce(s, { type: 'server', event, now });
const received = (m: Message, changeSeq?: number): ServerEvent => ({
  event: 'message_received',
  data: { message: m, ...(changeSeq !== undefined ? { changeSeq } : {}) },
});
const seqsOf = (s: ChatState, cid = 'c1') => messagesOf(s.logs[cid]).map((m) => m.seq);

describe('conversations_loaded', () => {
  it('does not bring back an unread count the client has already read (a list counted before its mark_read)', () => {
    let s = loadedState([message(1), message(2)]);
    s = reduce(s, { type: 'conversation_opened', conversationId: 'c1' });
    const stale = { ...s.conversations.c1!, unreadCount: 1, lastSeq: 2 };
    expect(reduce(s, { type: 'conversations_loaded', conversations: [stale] }).conversations.c1!.unreadCount).toBe(0);

    // Not on screen any more, but read up to the newest message here.
    s = reduce(s, { type: 'read_marked', conversationId: 'c1', upToSeq: 2 });
    s = reduce(s, { type: 'conversation_opened', conversationId: null });
    expect(reduce(s, { type: 'conversations_loaded', conversations: [stale] }).conversations.c1!.unreadCount).toBe(0);
    // A newer message than the client has read stays unread.
    expect(reduce(s, { type: 'conversations_loaded', conversations: [{ ...stale, lastSeq: 3 }] }).conversations.c1!.unreadCount).toBe(1);
  });
});

describe('message_received', () => {
  it('keeps messages in seq order when they arrive out of order', () => {
    let s = loadedState([message(1), message(2)]);
    s = server(s, received(message(4)));
    expect(seqsOf(s)).toEqual([1, 2, 4]);
    expect(s.logs.c1!.syncedSeq).toBe(2);
    expect(hasGap(s.logs.c1)).toBe(true);
    s = server(s, received(message(3)));
    expect(seqsOf(s)).toEqual([1, 2, 3, 4]);
    expect(s.logs.c1!.syncedSeq).toBe(4);
    expect(hasGap(s.logs.c1)).toBe(false);
  });

  it('ignores a duplicate of a message it already has', () => {
    let s = loadedState([message(1)]);
    s = server(s, received(message(2)));
    const unread = s.conversations.c1!.unreadCount;
    const again = server(s, received(message(2)));
    expect(seqsOf(again)).toEqual([1, 2]);
    expect(again.conversations.c1!.unreadCount).toBe(unread);
  });

  it('counts unread messages from others only while the conversation is not being looked at', () => {
    let s = loadedState([message(1)]);
    s = server(s, received(message(2)));
    expect(s.conversations.c1!.unreadCount).toBe(1);
    s = reduce(s, { type: 'conversation_opened', conversationId: 'c1' });
    s = server(s, received(message(3)));
    expect(s.conversations.c1!.unreadCount).toBe(1);
    s = reduce(s, { type: 'read_marked', conversationId: 'c1', upToSeq: 3 });
    expect(s.conversations.c1!.unreadCount).toBe(0);
    s = reduce(s, { type: 'visibility', visible: false });
    s = server(s, received(message(4)));
    expect(s.conversations.c1!.unreadCount).toBe(1);
    s = server(s, received(message(5, { senderId: student.id })));
    expect(s.conversations.c1!.unreadCount).toBe(1);
  });

  it('updates the list preview of a conversation whose history is not loaded, without storing it', () => {
    let s = reduce(initialState(), { type: 'signed_in', me: student });
    s = reduce(s, { type: 'conversations_loaded', conversations: [conversation({ lastSeq: 4 })] });
    s = server(s, received(message(5, { content: { text: 'Bab 2 sudah saya baca' } })));
    expect(s.conversations.c1!.lastMessage?.content.text).toBe('Bab 2 sudah saya baca');
    expect(s.conversations.c1!.lastSeq).toBe(5);
    expect(s.conversations.c1!.unreadCount).toBe(1);
    expect(s.logs.c1).toBeUndefined();
  });

  it('ignores a stale message_updated with a lower changeSeq', () => {
    let s = loadedState([message(1)]);
    s = server(s, { event: 'message_updated', data: { message: message(1, { content: { text: 'v3' }, edited: true }), changeSeq: 30 } });
    s = server(s, { event: 'message_updated', data: { message: message(1, { content: { text: 'v2' }, edited: true }), changeSeq: 20 } });
    expect(s.logs.c1!.bySeq[1]!.content.text).toBe('v3');
  });

  it('orders the list by newest activity', () => {
    let s = reduce(initialState(), { type: 'signed_in', me: student });
    s = reduce(s, {
      type: 'conversations_loaded',
      conversations: [conversation({ id: 'a', updatedAt: '2024-01-01T00:00:00.000Z' }), conversation({ id: 'b', updatedAt: '2024-01-02T00:00:00.000Z' })],
    });
    expect(visibleConversations(s, { type: 'all', archived: false }).map((c) => c.id)).toEqual(['b', 'a']);
    s = server(s, received(message(1, { conversationId: 'a', createdAt: '2024-01-03T00:00:00.000Z' })));
    expect(visibleConversations(s, { type: 'all', archived: false }).map((c) => c.id)).toEqual(['a', 'b']);
    expect(visibleConversations(s, { type: 'group', archived: false })).toEqual([]);
  });
});

describe('sync_result', () => {
  it('merges into exactly the server state: new messages, changed old ones, cursors', () => {
    // The client saw 1..3 (3 unedited), then was disconnected.
    let s = loadedState([message(1), message(2), message(3)]);
    s = reduce(s, { type: 'conversation_opened', conversationId: 'c1' });
    const serverMessages = [
      message(1),
      message(2, { deletedAt: '2024-01-15T15:00:00.000Z', content: {}, updatedAt: '2024-01-15T15:00:00.000Z' }),
      message(3, { content: { text: 'message 3 (fixed)' }, edited: true, updatedAt: '2024-01-15T15:01:00.000Z' }),
      message(4, { senderId: student.id, sender: { name: student.name }, clientMessageId: 'cm-4' }),
      message(5),
    ];
    const result: SyncResult = {
      conversationId: 'c1',
      messages: serverMessages.slice(3),
      changes: [
        { type: 'message_updated', message: serverMessages[1]! },
        { type: 'message_updated', message: serverMessages[2]! },
      ],
      readCursors: [
        { userId: tutor.id, readUpToSeq: 4, deliveredUpToSeq: 4 },
        { userId: student.id, readUpToSeq: 3, deliveredUpToSeq: 5 },
      ],
      lastSeq: 5,
      lastChangeSeq: 42,
      hasMore: false,
    };
    s = server(s, { event: 'sync_result', data: result });
    expect(messagesOf(s.logs.c1)).toEqual(serverMessages);
    expect(s.logs.c1!.readCursors[tutor.id]).toEqual(result.readCursors[0]);
    expect(s.logs.c1!.readCursors[student.id]).toEqual(result.readCursors[1]);
    expect(s.logs.c1!.syncedSeq).toBe(5);
    expect(s.logs.c1!.syncedChangeSeq).toBe(42);
    expect(s.conversations.c1!.lastSeq).toBe(5);

    // Applying the same result twice changes nothing.
    const twice = server(s, { event: 'sync_result', data: result });
    expect(messagesOf(twice.logs.c1)).toEqual(serverMessages);
  });

  it('stops syncedSeq at the last message of a partial page when there is more', () => {
    let s = loadedState([message(1)]);
    s = server(s, {
      event: 'sync_result',
      data: { conversationId: 'c1', messages: [message(2), message(3)], changes: [], readCursors: [], lastSeq: 10, lastChangeSeq: 12, hasMore: true },
    });
    expect(s.logs.c1!.syncedSeq).toBe(3);
  });

  it('counts unread from the read cursor once everything after it is loaded', () => {
    let s = loadedState([message(1), message(2)]);
    s = server(s, {
      event: 'sync_result',
      data: {
        conversationId: 'c1',
        messages: [message(3), message(4, { senderId: student.id })],
        changes: [],
        readCursors: [{ userId: student.id, readUpToSeq: 1, deliveredUpToSeq: 4 }],
        lastSeq: 4,
        lastChangeSeq: 9,
        hasMore: false,
      },
    });
    expect(s.conversations.c1!.unreadCount).toBe(2);
  });
});

describe('outbox', () => {
  it('sends a pending message once per connection and again on the next one, with the same clientMessageId', () => {
    let s = loadedState([message(1)]);
    s = reduce(s, { type: 'outbox_added', pending: pending('cm-a', 'Selamat siang, Pak') });
    expect(toSend(s, 1).map((p) => p.clientMessageId)).toEqual(['cm-a']);
    s = reduce(s, { type: 'outbox_sent', clientMessageIds: ['cm-a'], connectionId: 1 });
    expect(s.outbox[0]!.state).toBe('sending');
    expect(toSend(s, 1)).toEqual([]);
    // Connection 1 dropped before the ack: connection 2 sends it again, same id.
    expect(toSend(s, 2).map((p) => p.clientMessageId)).toEqual(['cm-a']);
  });

  it('drops the pending copy when the server acknowledges it, and keeps a single message', () => {
    let s = loadedState([message(1)]);
    s = reduce(s, { type: 'outbox_added', pending: pending('cm-a', 'hi') });
    s = reduce(s, { type: 'outbox_sent', clientMessageIds: ['cm-a'], connectionId: 1 });
    const stored = message(2, { senderId: student.id, clientMessageId: 'cm-a', content: { text: 'hi' } });
    s = server(s, { event: 'message_sent', data: { clientMessageId: 'cm-a', message: stored } });
    expect(s.outbox).toEqual([]);
    // The resend after a reconnect is answered with the same stored message: still one copy.
    s = server(s, { event: 'message_sent', data: { clientMessageId: 'cm-a', message: stored } });
    s = server(s, received(stored));
    expect(seqsOf(s)).toEqual([1, 2]);
    expect(s.outbox).toEqual([]);
  });

  it('does not resend a message that sync shows was stored while the ack was lost', () => {
    let s = loadedState([message(1)]);
    s = reduce(s, { type: 'outbox_added', pending: pending('cm-a', 'hi') });
    s = reduce(s, { type: 'outbox_sent', clientMessageIds: ['cm-a'], connectionId: 1 });
    const stored = message(2, { senderId: student.id, clientMessageId: 'cm-a' });
    s = server(s, {
      event: 'sync_result',
      data: { conversationId: 'c1', messages: [stored], changes: [], readCursors: [], lastSeq: 2, lastChangeSeq: 3, hasMore: false },
    });
    expect(toSend(s, 2)).toEqual([]);
    expect(seqsOf(s)).toEqual([1, 2]);
  });

  it('ignores a clientMessageId that matches someone else’s message', () => {
    let s = loadedState([message(1)]);
    s = reduce(s, { type: 'outbox_added', pending: pending('cm-a', 'hi') });
    s = server(s, received(message(2, { senderId: tutor.id, clientMessageId: 'cm-a' })));
    expect(s.outbox.map((p) => p.clientMessageId)).toEqual(['cm-a']);
  });

  it('adding the same clientMessageId twice keeps one entry', () => {
    let s = loadedState();
    s = reduce(s, { type: 'outbox_added', pending: pending('cm-a', 'hi') });
    s = reduce(s, { type: 'outbox_added', pending: pending('cm-a', 'hi') });
    expect(s.outbox).toHaveLength(1);
  });

  it('requeues on rate_limited and fails on forbidden, until the user retries', () => {
    let s = loadedState();
    s = reduce(s, { type: 'outbox_added', pending: pending('cm-a', 'a') });
    s = reduce(s, { type: 'outbox_added', pending: pending('cm-b', 'b') });
    s = reduce(s, { type: 'outbox_sent', clientMessageIds: ['cm-a', 'cm-b'], connectionId: 1 });
    s = server(s, { event: 'error', data: { code: 'rate_limited', message: 'slow down', requestId: 'cm-a' }, requestId: 'cm-a' });
    s = server(s, { event: 'error', data: { code: 'forbidden', message: 'archived', requestId: 'cm-b' }, requestId: 'cm-b' });
    expect(toSend(s, 1).map((p) => p.clientMessageId)).toEqual(['cm-a']);
    expect(s.outbox.find((p) => p.clientMessageId === 'cm-b')).toMatchObject({ state: 'failed', error: 'forbidden' });
    s = reduce(s, { type: 'outbox_retry', clientMessageId: 'cm-b' });
    expect(toSend(s, 1).map((p) => p.clientMessageId)).toEqual(['cm-a', 'cm-b']);
  });
});

describe('status ticks', () => {
  const mine = (seq: number) => message(seq, { senderId: student.id, sender: { name: student.name } });

  it('go from sent to delivered to read as the other participant’s cursors move', () => {
    let s = loadedState([mine(1), mine(2)]);
    expect(statusOf(s, s.logs.c1!.bySeq[2]!)).toBe('sent');
    s = server(s, {
      event: 'sync_result',
      data: { conversationId: 'c1', messages: [], changes: [], readCursors: [{ userId: tutor.id, readUpToSeq: 1, deliveredUpToSeq: 2 }], lastSeq: 2, lastChangeSeq: 5, hasMore: false },
    });
    expect(statusOf(s, s.logs.c1!.bySeq[1]!)).toBe('read');
    expect(statusOf(s, s.logs.c1!.bySeq[2]!)).toBe('delivered');
    expect(readersOf(s, s.logs.c1!.bySeq[1]!).map((r) => r.name)).toEqual([tutor.name]);
    expect(readersOf(s, s.logs.c1!.bySeq[2]!)).toEqual([]);
    expect(deliveredOf(s, s.logs.c1!.bySeq[2]!).map((r) => r.userId)).toEqual([tutor.id]);
  });

  it('take who and when from message_status, and cover earlier messages too', () => {
    let s = loadedState([mine(1), mine(2), mine(3)]);
    s = server(s, {
      event: 'message_status',
      data: { conversationId: 'c1', messageId: 'm3', seq: 3, status: 'read', readBy: [{ userId: tutor.id, readAt: '2024-01-15T14:05:00.000Z' }], changeSeq: 7 },
    });
    expect([1, 2, 3].map((q) => statusOf(s, s.logs.c1!.bySeq[q]!))).toEqual(['read', 'read', 'read']);
    expect(readersOf(s, s.logs.c1!.bySeq[3]!)).toEqual([{ userId: tutor.id, name: tutor.name, at: '2024-01-15T14:05:00.000Z' }]);
  });

  it('in a group, say read only when every other current participant has read', () => {
    const group = conversation({
      type: 'group',
      participants: [
        participant(student.id, student.name),
        participant(tutor.id, tutor.name, 'tutor'),
        participant('u-citra', 'Citra'),
        participant('u-gone', 'Gone', 'student', '2024-01-10T00:00:00.000Z'),
      ],
    });
    let s = loadedState([mine(1)], student, group);
    const cursors = (read: Record<string, number>) =>
      server(s, {
        event: 'sync_result',
        data: {
          conversationId: 'c1',
          messages: [],
          changes: [],
          readCursors: Object.entries(read).map(([userId, n]) => ({ userId, readUpToSeq: n, deliveredUpToSeq: 1 })),
          lastSeq: 1,
          lastChangeSeq: 2,
          hasMore: false,
        },
      });
    s = cursors({ [tutor.id]: 1, 'u-citra': 0 });
    expect(statusOf(s, s.logs.c1!.bySeq[1]!)).toBe('delivered');
    s = cursors({ 'u-citra': 1 });
    expect(statusOf(s, s.logs.c1!.bySeq[1]!)).toBe('read');
  });

  it('are not shown on other people’s messages', () => {
    const s = loadedState([message(1)]);
    expect(statusOf(s, s.logs.c1!.bySeq[1]!)).toBeNull();
  });
});

describe('typing and presence', () => {
  it('shows a typing user until the indication lapses, they stop, or their message arrives', () => {
    let s = loadedState([message(1)]);
    const typing = (isTyping: boolean): ServerEvent => ({ event: 'user_typing', data: { conversationId: 'c1', userId: tutor.id, userName: tutor.name, isTyping } });
    s = server(s, typing(true));
    expect(typingNames(s, 'c1', now)).toEqual([tutor.name]);
    expect(typingNames(s, 'c1', now + 6001)).toEqual([]);
    s = reduce(s, { type: 'tick', now: now + 6001 });
    expect(s.typing.c1).toEqual({});
    s = server(s, typing(true));
    s = server(s, typing(false));
    expect(typingNames(s, 'c1', now)).toEqual([]);
    s = server(s, typing(true));
    s = server(s, received(message(2)));
    expect(typingNames(s, 'c1', now)).toEqual([]);
  });

  it('ignores the user’s own typing from another device', () => {
    let s = loadedState();
    s = server(s, { event: 'user_typing', data: { conversationId: 'c1', userId: student.id, userName: student.name, isTyping: true } });
    expect(typingNames(s, 'c1', now)).toEqual([]);
  });

  it('uses live presence over the list’s isOnline flag', () => {
    let s = loadedState([], student, conversation({ isOnline: false }));
    s = reduce(s, { type: 'connection', connection: { status: 'online', connectionId: 1 } });
    const conv = () => s.conversations.c1!;
    expect(isConversationOnline(s, conv())).toBe(false);
    s = server(s, { event: 'user_presence', data: { userId: tutor.id, status: 'online', lastSeen: null } });
    expect(isConversationOnline(s, conv())).toBe(true);
    s = server(s, { event: 'user_presence', data: { userId: tutor.id, status: 'offline', lastSeen: '2024-01-15T14:00:00.000Z' } });
    expect(isConversationOnline(s, conv())).toBe(false);
    expect(s.presence[tutor.id]!.lastSeen).toBe('2024-01-15T14:00:00.000Z');
  });

  it('applies every entry of a presence digest like a user_presence', () => {
    let s = loadedState([], student, conversation({ isOnline: false }));
    s = reduce(s, { type: 'connection', connection: { status: 'online', connectionId: 1 } });
    s = server(s, {
      event: 'presence_digest',
      data: {
        conversationId: 'c1',
        users: [
          { userId: tutor.id, status: 'online', lastSeen: '2024-01-15T14:00:00.000Z' },
          { userId: 'u-citra', status: 'offline', lastSeen: '2024-01-15T13:59:00.000Z' },
        ],
      },
    });
    expect(isConversationOnline(s, s.conversations.c1!)).toBe(true);
    expect(s.presence['u-citra']).toEqual({ status: 'offline', lastSeen: '2024-01-15T13:59:00.000Z' });
  });

  it('counts the same people online as the dot shows, and nobody while disconnected', () => {
    const group = conversation({
      type: 'group',
      isOnline: true,
      participants: [participant(student.id, student.name), participant(tutor.id, tutor.name, 'tutor'), participant('u-citra', 'Citra')],
    });
    let s = loadedState([], student, group);
    s = reduce(s, { type: 'connection', connection: { status: 'online', connectionId: 1 } });
    expect(onlineOthers(s, s.conversations.c1!)).toEqual([]);
    expect(isConversationOnline(s, s.conversations.c1!)).toBe(true); // someone, not known who
    s = server(s, { event: 'user_presence', data: { userId: 'u-citra', status: 'online', lastSeen: null } });
    expect(onlineOthers(s, s.conversations.c1!)).toEqual(['u-citra']);
    expect(isConversationOnline(s, s.conversations.c1!)).toBe(true);
    s = reduce(s, { type: 'connection', connection: { status: 'reconnecting' } });
    expect(onlineOthers(s, s.conversations.c1!)).toEqual([]);
    expect(isConversationOnline(s, s.conversations.c1!)).toBe(false);
  });

  it('takes who is online from a member list read, unless a live event came meanwhile', () => {
    const group = conversation({
      type: 'group',
      isOnline: false,
      participants: [participant(student.id, student.name), participant(tutor.id, tutor.name, 'tutor'), participant('u-citra', 'Citra'), participant('u-dewi', 'Dewi')],
    });
    let s = loadedState([], student, group);
    s = reduce(s, { type: 'connection', connection: { status: 'online', connectionId: 1 } });
    s = server(s, { event: 'user_presence', data: { userId: 'u-dewi', status: 'away', lastSeen: null } });
    const asOf = s.presence;
    // Citra's digest arrives while the read is under way: it is newer than the answer.
    s = server(s, { event: 'presence_digest', data: { conversationId: 'c1', users: [{ userId: 'u-citra', status: 'online', lastSeen: null }] } });
    s = reduce(s, {
      type: 'presence_read',
      asOf,
      users: [
        { userId: student.id, isOnline: false, lastSeen: null },
        { userId: tutor.id, isOnline: true, lastSeen: '2024-01-15T14:00:00.000Z' },
        { userId: 'u-citra', isOnline: false, lastSeen: '2024-01-15T13:00:00.000Z' },
        { userId: 'u-dewi', isOnline: true, lastSeen: null },
      ],
    });
    expect(s.presence[student.id]).toBeUndefined();
    expect(s.presence[tutor.id]).toEqual({ status: 'online', lastSeen: '2024-01-15T14:00:00.000Z' });
    expect(s.presence['u-citra']).toEqual({ status: 'online', lastSeen: null });
    expect(s.presence['u-dewi']!.status).toBe('away');
    expect(onlineOthers(s, s.conversations.c1!).sort()).toEqual([tutor.id, 'u-citra', 'u-dewi'].sort());
    s = reduce(s, { type: 'presence_read', asOf: s.presence, users: [{ userId: tutor.id, isOnline: false, lastSeen: '2024-01-15T15:00:00.000Z' }] });
    expect(s.presence[tutor.id]).toEqual({ status: 'offline', lastSeen: '2024-01-15T15:00:00.000Z' });
  });

  it('knows nobody’s presence while disconnected, and forgets it on a new connection', () => {
    let s = loadedState([], student, conversation({ isOnline: true }));
    expect(isConversationOnline(s, s.conversations.c1!)).toBe(false);
    s = reduce(s, { type: 'connection', connection: { status: 'online', connectionId: 1 } });
    expect(isConversationOnline(s, s.conversations.c1!)).toBe(true);
    s = server(s, { event: 'user_presence', data: { userId: tutor.id, status: 'offline', lastSeen: null } });
    expect(isConversationOnline(s, s.conversations.c1!)).toBe(false);
    s = reduce(s, { type: 'connection', connection: { status: 'reconnecting' } });
    s = reduce(s, { type: 'connection', connection: { status: 'online', connectionId: 2 } });
    expect(s.presence).toEqual({});
    expect(isConversationOnline(s, s.conversations.c1!)).toBe(true);
  });
});

describe('history', () => {
  it('prepends older pages and remembers whether more exist', () => {
    let s = reduce(initialState(), { type: 'signed_in', me: student });
    s = reduce(s, { type: 'conversations_loaded', conversations: [conversation({ lastSeq: 6 })] });
    s = reduce(s, { type: 'history_loaded', conversationId: 'c1', messages: [message(6), message(5), message(4)], hasMore: true, older: false });
    expect(s.logs.c1!.hasMoreBefore).toBe(true);
    expect(s.logs.c1!.syncedSeq).toBe(6);
    s = reduce(s, { type: 'history_loaded', conversationId: 'c1', messages: [message(3), message(2), message(1)], hasMore: false, older: true });
    expect(seqsOf(s)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.logs.c1!.hasMoreBefore).toBe(false);
    expect(s.logs.c1!.syncedSeq).toBe(6);
  });

  it('keeps the live unread count when the server re-sends the conversation', () => {
    let s = loadedState([message(1)]);
    s = server(s, received(message(2)));
    s = server(s, { event: 'conversation_updated', data: { conversation: conversation({ isArchived: true, unreadCount: 0, lastSeq: 2 }) } });
    expect(s.conversations.c1!.isArchived).toBe(true);
    expect(s.conversations.c1!.unreadCount).toBe(1);
  });
});

describe('changeSeq carried by the message itself', () => {
  it('keeps the newer state when a stale copy arrives later, by the message changeSeq', () => {
    let s = loadedState([message(1, { changeSeq: 1 })]);
    const reacted = message(1, { changeSeq: 5, reactions: [{ userId: student.id, emoji: '👍', addedAt: '2024-01-15T14:05:00.000Z' }] });
    s = server(s, { event: 'message_updated', data: { message: reacted } });
    // The original message_received, late, with an updatedAt that is not older.
    const stale = message(1, { changeSeq: 1, updatedAt: '2024-01-15T16:00:00.000Z' });
    s = server(s, received(stale));
    expect(s.logs.c1!.bySeq[1]!.reactions).toHaveLength(1);
    expect(s.logs.c1!.changeSeqOf[1]).toBe(5);
  });

  it('reads changeSeq from the wire message', async () => {
    const { parseMessage } = await import('../protocol');
    const raw = { id: 'm1', conversationId: 'c1', seq: 1, senderId: 'u', changeSeq: 7 };
    expect(parseMessage(raw).changeSeq).toBe(7);
    expect(parseMessage({ ...raw, changeSeq: 'x' }).changeSeq).toBeUndefined();
  });
});

describe('replies', () => {
  it('counts a live reply on its root once, at the reply changeSeq', () => {
    let s = loadedState([message(1, { changeSeq: 2 })]);
    const reply = message(2, { replyTo: 'm1', changeSeq: 3 });
    s = server(s, received(reply));
    expect(s.logs.c1!.bySeq[1]!.replyCount).toBe(1);
    expect(s.logs.c1!.changeSeqOf[1]).toBe(3);
    // The same reply again (message_sent echo, sync) does not count twice.
    s = server(s, received(reply));
    expect(s.logs.c1!.bySeq[1]!.replyCount).toBe(1);
  });

  it('leaves a root alone whose known state already counts the reply', () => {
    let s = loadedState([message(1, { changeSeq: 2 })]);
    s = server(s, { event: 'message_updated', data: { message: message(1, { changeSeq: 5, replyCount: 1 }) } });
    s = server(s, received(message(2, { replyTo: 'm1', changeSeq: 3 })));
    expect(s.logs.c1!.bySeq[1]!.replyCount).toBe(1);
  });
});

describe('tab title', () => {
  it('shows the total unread count', () => {
    let s = loadedState([message(1)]);
    s = server(s, received(message(2)));
    s = server(s, received(message(3)));
    expect(titleWithUnread('Writeen Chat', totalUnread(s))).toBe('(2) Writeen Chat');
    expect(titleWithUnread('Writeen Chat', 0)).toBe('Writeen Chat');
    expect(titleWithUnread('Writeen Chat', 150)).toBe('(99+) Writeen Chat');
  });
});
