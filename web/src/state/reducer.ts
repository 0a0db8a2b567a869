// Pure functions from (state, something that happened) to the next state. No I/O, no clock
// reads (the time comes in the action), no mutation of the input: the unit tests drive these.
import type {
  Conversation,
  ConversationUpdated,
  ErrorCode,
  Joined,
  Message,
  MessageStatusEvent,
  ReadCursor,
  ServerEvent,
  SyncResult,
  UserPresence,
  UserTyping,
} from '../protocol';
import type { ChatState, ConnectionState, ConversationLog, Me, PendingMessage, Presence, ReadPresence } from './types';
import { emptyLog } from './types';

/** isTyping:true lapses after this long without a repeat (API.md). */
export const typingTtlMs = 6000;

export type Action =
  | { type: 'signed_in'; me: Me; outbox?: PendingMessage[] }
  | { type: 'offline_copy' }
  | { type: 'signed_out' }
  | { type: 'server'; event: ServerEvent; now: number }
  | { type: 'conversations_loaded'; conversations: Conversation[] }
  | { type: 'conversation_upserted'; conversation: Conversation }
  | { type: 'history_loaded'; conversationId: string; messages: Message[]; hasMore: boolean; older: boolean }
  | { type: 'message_upserted'; message: Message }
  | { type: 'outbox_added'; pending: PendingMessage }
  | { type: 'outbox_sent'; clientMessageIds: string[]; connectionId: number }
  | { type: 'outbox_requeued'; clientMessageId: string }
  | { type: 'outbox_failed'; clientMessageId: string; error: ErrorCode }
  | { type: 'outbox_retry'; clientMessageId: string }
  | { type: 'outbox_removed'; clientMessageId: string }
  | { type: 'connection'; connection: Partial<ConnectionState> }
  | { type: 'presence_read'; users: ReadPresence[]; asOf: Record<string, Presence> }
  | { type: 'conversation_opened'; conversationId: string | null }
  | { type: 'visibility'; visible: boolean }
  | { type: 'mute_known'; conversationId: string; muted: boolean }
  | { type: 'read_marked'; conversationId: string; upToSeq: number }
  | { type: 'tick'; now: number };

// ---------- conversation logs ----------

function sortedInsert(seqs: number[], seq: number): number[] {
  if (seqs.length === 0 || seqs[seqs.length - 1]! < seq) return [...seqs, seq];
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (seqs[mid]! < seq) lo = mid + 1;
    else hi = mid;
  }
  if (seqs[lo] === seq) return seqs;
  return [...seqs.slice(0, lo), seq, ...seqs.slice(lo)];
}

/** Moves syncedSeq over every message now present right after it. */
function advanceSynced(log: ConversationLog): ConversationLog {
  let s = log.syncedSeq;
  while (log.bySeq[s + 1]) s++;
  return s === log.syncedSeq ? log : { ...log, syncedSeq: s };
}

function isNewerOrSame(log: ConversationLog, incoming: Message, changeSeq: number | undefined): boolean {
  const existing = log.bySeq[incoming.seq];
  if (!existing) return true;
  const knownChange = log.changeSeqOf[incoming.seq];
  if (changeSeq !== undefined && knownChange !== undefined) return changeSeq >= knownChange;
  // Without change counters, the later updatedAt wins; equal times replace (same state).
  return incoming.updatedAt >= existing.updatedAt;
}

/**
 * Puts one message into a log, keyed by seq: a second copy of the same seq replaces the first
 * only when it is not older, so duplicates and stale echoes change nothing.
 */
export function putMessage(log: ConversationLog, message: Message, eventChangeSeq?: number): ConversationLog {
  // The message's own changeSeq is the most precise; an event's or a sync's is an upper bound.
  const changeSeq = message.changeSeq ?? eventChangeSeq;
  const existingSeqForId = log.idToSeq[message.id];
  if (existingSeqForId !== undefined && existingSeqForId !== message.seq) return log;
  if (!isNewerOrSame(log, message, changeSeq)) return log;
  const next: ConversationLog = {
    ...log,
    bySeq: { ...log.bySeq, [message.seq]: message },
    seqs: sortedInsert(log.seqs, message.seq),
    idToSeq: existingSeqForId === undefined ? { ...log.idToSeq, [message.id]: message.seq } : log.idToSeq,
    changeSeqOf:
      changeSeq !== undefined
        ? { ...log.changeSeqOf, [message.seq]: Math.max(changeSeq, log.changeSeqOf[message.seq] ?? 0) }
        : log.changeSeqOf,
  };
  return advanceSynced(next);
}

function putCursor(log: ConversationLog, cursor: ReadCursor): ConversationLog {
  const old = log.readCursors[cursor.userId];
  const read = Math.max(old?.readUpToSeq ?? 0, cursor.readUpToSeq);
  const delivered = Math.max(old?.deliveredUpToSeq ?? 0, cursor.deliveredUpToSeq, read);
  if (old && old.readUpToSeq === read && old.deliveredUpToSeq === delivered) return log;
  return { ...log, readCursors: { ...log.readCursors, [cursor.userId]: { userId: cursor.userId, readUpToSeq: read, deliveredUpToSeq: delivered } } };
}

// ---------- conversations ----------

function withLastMessage(conv: Conversation, m: Message): Conversation {
  if (m.seq < conv.lastSeq) return conv;
  return {
    ...conv,
    // A newer message brings a conversation out of the reader's own archive (as the server does).
    isArchivedForMe: conv.isArchivedForMe && m.seq <= conv.lastSeq,
    lastSeq: m.seq,
    lastMessage: { id: m.id, content: m.content, senderId: m.senderId, sentAt: m.createdAt, type: m.type },
    updatedAt: m.createdAt > conv.updatedAt ? m.createdAt : conv.updatedAt,
  };
}

function isViewing(state: ChatState, conversationId: string): boolean {
  return state.visible && state.activeConversationId === conversationId;
}

function setConversation(state: ChatState, conv: Conversation): ChatState {
  return { ...state, conversations: { ...state.conversations, [conv.id]: conv } };
}

function setLog(state: ChatState, conversationId: string, log: ConversationLog): ChatState {
  if (state.logs[conversationId] === log) return state;
  return { ...state, logs: { ...state.logs, [conversationId]: log } };
}

function removeAcknowledged(state: ChatState, messages: Message[]): ChatState {
  if (state.outbox.length === 0 || !state.me) return state;
  const meId = state.me.id;
  const acked = new Set(messages.filter((m) => m.senderId === meId && m.clientMessageId).map((m) => m.clientMessageId));
  if (acked.size === 0) return state;
  const outbox = state.outbox.filter((p) => !acked.has(p.clientMessageId));
  return outbox.length === state.outbox.length ? state : { ...state, outbox };
}

function dropTyping(state: ChatState, conversationId: string, userId: string): ChatState {
  const room = state.typing[conversationId];
  if (!room || !room[userId]) return state;
  const { [userId]: _gone, ...rest } = room;
  return { ...state, typing: { ...state.typing, [conversationId]: rest } };
}

/**
 * A new reply raises its root's replyCount. The server stores the root at the reply's changeSeq
 * without a message_updated for it, so the same state is made here; a copy of the root that is
 * already newer (it counts the reply) is left alone.
 */
function countReply(log: ConversationLog, rootId: string, changeSeq: number | undefined): ConversationLog {
  const rootSeq = log.idToSeq[rootId];
  const root = rootSeq !== undefined ? log.bySeq[rootSeq] : undefined;
  if (!root) return log;
  const known = log.changeSeqOf[root.seq];
  if (changeSeq !== undefined && known !== undefined && known >= changeSeq) return log;
  const bumped: Message = { ...root, replyCount: root.replyCount + 1 };
  if (changeSeq !== undefined) bumped.changeSeq = changeSeq;
  else delete bumped.changeSeq;
  return putMessage(log, bumped, changeSeq);
}

/**
 * A message that is new to this client (message_received, message_sent, REST send or upload):
 * stored when its conversation's history is loaded, previewed in the list, counted as unread
 * when it is someone else's and the user is not looking at it.
 */
export function applyNewMessage(state: ChatState, message: Message, changeSeq?: number): ChatState {
  const cid = message.conversationId;
  const log = state.logs[cid];
  const alreadyHad = log?.bySeq[message.seq] !== undefined;
  let next = state;
  if (log?.loaded) {
    let l = putMessage(log, message, changeSeq);
    if (!alreadyHad && message.replyTo) l = countReply(l, message.replyTo, message.changeSeq ?? changeSeq);
    next = setLog(next, cid, l);
  }
  const conv = next.conversations[cid];
  if (conv) {
    let updated = withLastMessage(conv, message);
    const fromOther = state.me !== null && message.senderId !== state.me.id && message.type !== 'system';
    // A loaded log knows exactly whether this seq is new; otherwise the list's lastSeq decides.
    const alreadyCounted = log?.loaded ? alreadyHad : message.seq <= conv.lastSeq;
    if (fromOther && !alreadyCounted && !isViewing(state, cid)) {
      updated = { ...updated, unreadCount: updated.unreadCount + 1 };
    }
    if (updated !== conv) next = setConversation(next, updated);
  }
  next = removeAcknowledged(next, [message]);
  return dropTyping(next, cid, message.senderId);
}

/** A changed message (edit, reaction, deletion, scan result): replaces what is stored, never adds unread. */
export function applyUpdatedMessage(state: ChatState, message: Message, changeSeq?: number): ChatState {
  const cid = message.conversationId;
  const log = state.logs[cid];
  let next = state;
  if (log?.loaded) next = setLog(next, cid, putMessage(log, message, changeSeq));
  const conv = next.conversations[cid];
  if (conv?.lastMessage?.id === message.id) {
    next = setConversation(next, {
      ...conv,
      lastMessage: { ...conv.lastMessage, content: message.content, type: message.type },
    });
  }
  return removeAcknowledged(next, [message]);
}

function applyJoined(state: ChatState, d: Joined): ChatState {
  const me = state.me;
  const log = state.logs[d.conversationId];
  let next = state;
  if (me && log) next = setLog(next, d.conversationId, putCursor(log, { userId: me.id, readUpToSeq: d.readUpToSeq, deliveredUpToSeq: d.readUpToSeq }));
  const conv = next.conversations[d.conversationId];
  if (conv && d.lastSeq > conv.lastSeq) next = setConversation(next, { ...conv, lastSeq: d.lastSeq });
  return next;
}

function otherActiveParticipants(conv: Conversation | undefined, senderId: string): string[] {
  if (!conv) return [];
  return conv.participants.filter((p) => p.leftAt === null && p.userId !== senderId).map((p) => p.userId);
}

/** message_status: the sender's messages up to `seq` have at least `status`. */
export function applyMessageStatus(state: ChatState, d: MessageStatusEvent): ChatState {
  const log = state.logs[d.conversationId];
  if (!log) return state;
  const conv = state.conversations[d.conversationId];
  const target = log.bySeq[d.seq];
  const senderId = target?.senderId ?? state.me?.id ?? '';
  let next = log;
  for (const r of d.readBy) next = putCursor(next, { userId: r.userId, readUpToSeq: d.seq, deliveredUpToSeq: d.seq });
  if (d.status === 'read' || d.status === 'delivered') {
    for (const uid of otherActiveParticipants(conv, senderId)) {
      next = putCursor(next, {
        userId: uid,
        readUpToSeq: d.status === 'read' ? d.seq : 0,
        deliveredUpToSeq: d.seq,
      });
    }
  }
  if (target) {
    const rank = { sent: 0, delivered: 1, read: 2 } as const;
    const status = rank[d.status] > rank[target.status] ? d.status : target.status;
    const readBy = [...target.readBy];
    for (const r of d.readBy) if (!readBy.some((x) => x.userId === r.userId)) readBy.push(r);
    if (status !== target.status || readBy.length !== target.readBy.length) {
      next = { ...next, bySeq: { ...next.bySeq, [d.seq]: { ...target, status, readBy } } };
    }
  }
  return setLog(state, d.conversationId, next);
}

function applyTyping(state: ChatState, d: UserTyping, now: number): ChatState {
  if (state.me && d.userId === state.me.id) return state;
  if (!d.isTyping) return dropTyping(state, d.conversationId, d.userId);
  const room = state.typing[d.conversationId] ?? {};
  return {
    ...state,
    typing: { ...state.typing, [d.conversationId]: { ...room, [d.userId]: { userName: d.userName, expiresAt: now + typingTtlMs } } },
  };
}

function applyPresence(state: ChatState, d: UserPresence): ChatState {
  return { ...state, presence: { ...state.presence, [d.userId]: { status: d.status, lastSeen: d.lastSeen } } };
}

/**
 * Who was online when the client asked (`isOnline`, `lastSeen` of `GET /api/users?conversationId=`).
 * Members who share only a large conversation get no `user_presence`, so opening one reads it.
 * `asOf` is the presence map when the request went out: an entry that changed since came from a
 * live event, which is newer than the answer, and stays; an online answer keeps a known away/busy.
 */
function applyPresenceRead(state: ChatState, users: ReadPresence[], asOf: Record<string, Presence>): ChatState {
  let presence = state.presence;
  for (const u of users) {
    if (u.userId === state.me?.id) continue;
    const current = presence[u.userId];
    if (current !== asOf[u.userId]) continue;
    if (u.isOnline && current && current.status !== 'offline') continue;
    if (presence === state.presence) presence = { ...presence };
    presence[u.userId] = { status: u.isOnline ? 'online' : 'offline', lastSeen: u.lastSeen };
  }
  return presence === state.presence ? state : { ...state, presence };
}

function applyConversationUpdated(state: ChatState, d: ConversationUpdated): ChatState {
  const old = state.conversations[d.conversation.id];
  // unreadCount and isArchivedForMe are per reader and kept here; the event's copy may be
  // another reader's view. A personal one is this reader's own: its archive state is taken (the
  // unread count stays the one kept live here, which may already count newer messages).
  const conv = old
    ? {
        ...d.conversation,
        unreadCount: old.unreadCount,
        isArchivedForMe: d.personal ? d.conversation.isArchivedForMe : old.isArchivedForMe,
        lastSeq: Math.max(old.lastSeq, d.conversation.lastSeq),
      }
    : d.conversation;
  return setConversation(state, conv);
}

/**
 * sync_result: messages after afterSeq, the changed earlier ones and the cursors. Applying it
 * leaves the loaded part of the conversation exactly as the server has it.
 */
export function applySyncResult(state: ChatState, r: SyncResult): ChatState {
  let log = state.logs[r.conversationId] ?? emptyLog();
  if (!log.loaded) log = { ...log, loaded: true };
  for (const m of r.messages) log = putMessage(log, m, r.lastChangeSeq);
  for (const c of r.changes) log = putMessage(log, c.message, r.lastChangeSeq);
  for (const c of r.readCursors) log = putCursor(log, c);
  if (!r.hasMore) {
    // Everything up to lastSeq is now known (a gap-free seq makes "no more" mean "no gap").
    log = { ...log, syncedSeq: Math.max(log.syncedSeq, r.lastSeq), syncedChangeSeq: Math.max(log.syncedChangeSeq ?? 0, r.lastChangeSeq) };
  } else {
    log = { ...log, syncedChangeSeq: Math.max(log.syncedChangeSeq ?? 0, r.lastChangeSeq) };
  }
  log = advanceSynced(log);
  let next = setLog(state, r.conversationId, log);

  const conv = next.conversations[r.conversationId];
  if (conv) {
    let updated = conv;
    const newest = r.messages[r.messages.length - 1];
    if (newest) updated = withLastMessage(updated, newest);
    if (r.lastSeq > updated.lastSeq) updated = { ...updated, lastSeq: r.lastSeq };
    const me = next.me;
    if (me) {
      const myRead = log.readCursors[me.id]?.readUpToSeq ?? 0;
      const unread = isViewing(next, r.conversationId) ? 0 : countUnread(log, me.id, myRead);
      if (!r.hasMore && (log.seqs[0] ?? Infinity) <= myRead + 1) updated = { ...updated, unreadCount: unread };
    }
    if (updated !== conv) next = setConversation(next, updated);
  }
  return removeAcknowledged(next, [...r.messages, ...r.changes.map((c) => c.message)]);
}

function countUnread(log: ConversationLog, meId: string, readUpToSeq: number): number {
  let n = 0;
  for (const seq of log.seqs) {
    const m = log.bySeq[seq];
    if (seq > readUpToSeq && m && m.senderId !== meId && m.type !== 'system' && !m.deletedAt) n++;
  }
  return n;
}

function applyErrorForRequest(state: ChatState, requestId: string, code: string): ChatState {
  const p = state.outbox.find((x) => x.clientMessageId === requestId);
  if (!p) return state;
  if (code === 'rate_limited' || code === 'unavailable' || code === 'internal') {
    return reduce(state, { type: 'outbox_requeued', clientMessageId: requestId });
  }
  const known: ErrorCode[] = ['bad_request', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'payload_too_large', 'unsupported_media_type', 'unprocessable', 'file_not_ready'];
  const error = (known as string[]).includes(code) ? (code as ErrorCode) : 'unknown';
  if (error === 'unauthorized') return reduce(state, { type: 'outbox_requeued', clientMessageId: requestId });
  return reduce(state, { type: 'outbox_failed', clientMessageId: requestId, error });
}

/** One server event. */
export function applyServerEvent(state: ChatState, ev: ServerEvent, now: number): ChatState {
  switch (ev.event) {
    case 'joined':
      return applyJoined(state, ev.data);
    case 'message_sent':
      return applyNewMessage(state, ev.data.message, ev.data.changeSeq);
    case 'message_received':
      return applyNewMessage(state, ev.data.message, ev.data.changeSeq);
    case 'message_updated':
      return applyUpdatedMessage(state, ev.data.message, ev.data.changeSeq);
    case 'message_status':
      return applyMessageStatus(state, ev.data);
    case 'user_typing':
      return applyTyping(state, ev.data, now);
    case 'user_presence':
      return applyPresence(state, ev.data);
    case 'presence_digest':
      return ev.data.users.reduce(applyPresence, state);
    case 'conversation_updated':
      return applyConversationUpdated(state, ev.data);
    case 'sync_result':
      return applySyncResult(state, ev.data);
    case 'error':
      return ev.requestId ? applyErrorForRequest(state, ev.requestId, ev.data.code) : state;
    case 'left':
    case 'pong':
      return state;
  }
}

function applyHistory(state: ChatState, a: Extract<Action, { type: 'history_loaded' }>): ChatState {
  let log = state.logs[a.conversationId] ?? emptyLog();
  const firstLoad = !log.loaded;
  for (const m of a.messages) log = putMessage(log, m);
  if (a.older) {
    log = { ...log, hasMoreBefore: a.hasMore };
  } else {
    const newest = a.messages.reduce((mx, m) => Math.max(mx, m.seq), 0);
    log = {
      ...log,
      loaded: true,
      hasMoreBefore: firstLoad ? a.hasMore : log.hasMoreBefore,
      syncedSeq: firstLoad ? newest : log.syncedSeq,
    };
    log = advanceSynced(log);
  }
  let next = setLog(state, a.conversationId, log);
  next = removeAcknowledged(next, a.messages);
  return next;
}

function updatePending(state: ChatState, id: string, f: (p: PendingMessage) => PendingMessage): ChatState {
  let changed = false;
  const outbox = state.outbox.map((p) => {
    if (p.clientMessageId !== id) return p;
    changed = true;
    return f(p);
  });
  return changed ? { ...state, outbox } : state;
}

function pruneTyping(state: ChatState, now: number): ChatState {
  let changed = false;
  const typing: ChatState['typing'] = {};
  for (const [cid, room] of Object.entries(state.typing)) {
    const kept: Record<string, (typeof room)[string]> = {};
    for (const [uid, t] of Object.entries(room)) {
      if (t.expiresAt > now) kept[uid] = t;
      else changed = true;
    }
    typing[cid] = kept;
  }
  return changed ? { ...state, typing } : state;
}

/** The one entry point: every change to the state goes through here. */
export function reduce(state: ChatState, a: Action): ChatState {
  switch (a.type) {
    case 'signed_in':
      return { ...state, me: a.me, outbox: a.outbox ?? [] };
    case 'offline_copy':
      return { ...state, offlineCopy: true };
    case 'signed_out':
      return { ...state, me: null, conversations: {}, logs: {}, outbox: [], presence: {}, typing: {}, activeConversationId: null, muted: {}, offlineCopy: false };
    case 'server':
      return applyServerEvent(state, a.event, a.now);
    case 'conversations_loaded': {
      const conversations = { ...state.conversations };
      for (const loaded of a.conversations) {
        const old = conversations[loaded.id];
        let c = old && old.lastSeq > loaded.lastSeq ? { ...loaded, lastSeq: old.lastSeq, lastMessage: old.lastMessage, updatedAt: old.updatedAt } : loaded;
        // The list may have been counted before this client's `mark_read` reached the server
        // (a reload of the list right after a reconnect): what is on screen, or read up to the
        // newest message by this client, is read.
        const myRead = state.me ? (state.logs[c.id]?.readCursors[state.me.id]?.readUpToSeq ?? 0) : 0;
        if (c.unreadCount > 0 && (isViewing(state, c.id) || (myRead > 0 && myRead >= c.lastSeq))) c = { ...c, unreadCount: 0 };
        conversations[c.id] = c;
      }
      return { ...state, conversations };
    }
    case 'conversation_upserted':
      return setConversation(state, a.conversation);
    case 'history_loaded':
      return applyHistory(state, a);
    case 'message_upserted': {
      const known = state.logs[a.message.conversationId]?.bySeq[a.message.seq];
      return known ? applyUpdatedMessage(state, a.message) : applyNewMessage(state, a.message);
    }
    case 'outbox_added':
      if (state.outbox.some((p) => p.clientMessageId === a.pending.clientMessageId)) return state;
      return { ...state, outbox: [...state.outbox, a.pending] };
    case 'outbox_sent': {
      const ids = new Set(a.clientMessageIds);
      let changed = false;
      const outbox = state.outbox.map((p) => {
        if (!ids.has(p.clientMessageId)) return p;
        changed = true;
        return { ...p, state: 'sending' as const, sentOnConnection: a.connectionId, attempts: p.attempts + 1, error: null };
      });
      return changed ? { ...state, outbox } : state;
    }
    case 'outbox_requeued':
      return updatePending(state, a.clientMessageId, (p) => ({ ...p, state: 'queued', sentOnConnection: null }));
    case 'outbox_failed':
      return updatePending(state, a.clientMessageId, (p) => ({ ...p, state: 'failed', error: a.error }));
    case 'outbox_retry':
      return updatePending(state, a.clientMessageId, (p) => ({ ...p, state: 'queued', sentOnConnection: null, error: null }));
    case 'outbox_removed':
      return { ...state, outbox: state.outbox.filter((p) => p.clientMessageId !== a.clientMessageId) };
    case 'connection': {
      const connection = { ...state.connection, ...a.connection };
      // Presence learnt on an earlier connection may be stale: forget it on each new one
      // (the conversation list, reloaded then, says who is online).
      const fresh = connection.connectionId !== state.connection.connectionId;
      return { ...state, connection, ...(fresh ? { presence: {}, typing: {} } : {}) };
    }
    case 'presence_read':
      return applyPresenceRead(state, a.users, a.asOf);
    case 'conversation_opened':
      return state.activeConversationId === a.conversationId ? state : { ...state, activeConversationId: a.conversationId };
    case 'visibility':
      return state.visible === a.visible ? state : { ...state, visible: a.visible };
    case 'mute_known':
      return state.muted[a.conversationId] === a.muted ? state : { ...state, muted: { ...state.muted, [a.conversationId]: a.muted } };
    case 'read_marked': {
      const me = state.me;
      let next = state;
      const log = state.logs[a.conversationId];
      if (me && log) next = setLog(next, a.conversationId, putCursor(log, { userId: me.id, readUpToSeq: a.upToSeq, deliveredUpToSeq: a.upToSeq }));
      const conv = next.conversations[a.conversationId];
      if (conv && me) {
        const l = next.logs[a.conversationId];
        const unread = a.upToSeq >= conv.lastSeq || !l ? 0 : countUnread(l, me.id, a.upToSeq);
        if (unread !== conv.unreadCount) next = setConversation(next, { ...conv, unreadCount: unread });
      }
      return next;
    }
    case 'tick':
      return pruneTyping(state, a.now);
  }
}
