// Read-only views of the state for the UI and the connection manager. Pure.
import type { Conversation, ConversationType, Message, MessageStatus, Participant } from '../protocol';
import type { ChatState, ConversationLog, Me, PendingMessage, Presence } from './types';

export interface ConversationFilter {
  type: ConversationType | 'all';
  archived: boolean;
}

/** Under the "Archived" filter: closed for everyone by a tutor, or in the reader's own archive. */
export function isArchivedForReader(c: Conversation): boolean {
  return c.isArchived || c.isArchivedForMe;
}

/** Newest activity first, as the server orders them. */
export function visibleConversations(state: ChatState, filter: ConversationFilter): Conversation[] {
  return Object.values(state.conversations)
    .filter((c) => isArchivedForReader(c) === filter.archived && (filter.type === 'all' || c.type === filter.type))
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id < b.id ? 1 : -1));
}

/** Loaded messages of a conversation, oldest first. */
export function messagesOf(log: ConversationLog | undefined): Message[] {
  if (!log) return [];
  const out: Message[] = [];
  for (const seq of log.seqs) {
    const m = log.bySeq[seq];
    if (m) out.push(m);
  }
  return out;
}

export function pendingOf(state: ChatState, conversationId: string): PendingMessage[] {
  return state.outbox.filter((p) => p.conversationId === conversationId);
}

/** Outbox entries to send on connection `connectionId`: each at most once per connection. */
export function toSend(state: ChatState, connectionId: number): PendingMessage[] {
  return state.outbox.filter((p) => p.state !== 'failed' && p.sentOnConnection !== connectionId);
}

/** True when the log holds messages beyond a hole: a `sync` from syncedSeq fills it. */
export function hasGap(log: ConversationLog | undefined): boolean {
  if (!log || !log.loaded || log.seqs.length === 0) return false;
  return log.seqs[log.seqs.length - 1]! > log.syncedSeq;
}

/** The other current participants of a conversation than `userId`. */
export function othersIn(conv: Conversation | undefined, userId: string): Participant[] {
  if (!conv) return [];
  return conv.participants.filter((p) => p.userId !== userId && p.leftAt === null);
}

/**
 * Status tick of one of `me`'s messages: read when every other current participant's read
 * cursor covers it, delivered when every delivered cursor does, else what the server said.
 */
export function statusOf(state: ChatState, message: Message): MessageStatus | null {
  const me = state.me;
  if (!me || message.senderId !== me.id || message.type === 'system') return null;
  const conv = state.conversations[message.conversationId];
  const log = state.logs[message.conversationId];
  const others = othersIn(conv, me.id);
  let fromCursors: MessageStatus = 'sent';
  if (others.length > 0 && log) {
    const cursors = others.map((p) => log.readCursors[p.userId]);
    if (cursors.every((c) => c !== undefined && c.readUpToSeq >= message.seq)) fromCursors = 'read';
    else if (cursors.every((c) => c !== undefined && c.deliveredUpToSeq >= message.seq)) fromCursors = 'delivered';
  }
  const rank = { sending: -1, failed: -1, sent: 0, delivered: 1, read: 2 } as const;
  return rank[fromCursors] > rank[message.status] ? fromCursors : message.status;
}

export interface Receipt {
  userId: string;
  name: string;
  /** When known (from the message's readBy/deliveredTo). */
  at: string | null;
}

/** Who has read one of the user's messages, and when, as far as this client knows. */
export function readersOf(state: ChatState, message: Message): Receipt[] {
  const conv = state.conversations[message.conversationId];
  const log = state.logs[message.conversationId];
  const out: Receipt[] = [];
  for (const p of conv?.participants ?? []) {
    if (p.userId === message.senderId) continue;
    const r = message.readBy.find((x) => x.userId === p.userId);
    const cursor = log?.readCursors[p.userId];
    if (r || (cursor && cursor.readUpToSeq >= message.seq)) out.push({ userId: p.userId, name: p.user.name, at: r?.readAt ?? null });
  }
  for (const r of message.readBy) {
    if (!out.some((x) => x.userId === r.userId) && r.userId !== message.senderId) out.push({ userId: r.userId, name: r.userId, at: r.readAt });
  }
  return out;
}

/** Who has received (but maybe not read) one of the user's messages. */
export function deliveredOf(state: ChatState, message: Message): Receipt[] {
  const conv = state.conversations[message.conversationId];
  const log = state.logs[message.conversationId];
  const out: Receipt[] = [];
  for (const p of conv?.participants ?? []) {
    if (p.userId === message.senderId) continue;
    const d = message.deliveredTo.find((x) => x.userId === p.userId);
    const cursor = log?.readCursors[p.userId];
    if (d || (cursor && cursor.deliveredUpToSeq >= message.seq)) out.push({ userId: p.userId, name: p.user.name, at: d?.deliveredAt ?? null });
  }
  return out;
}

/** Names of those typing now in a conversation. */
export function typingNames(state: Pick<ChatState, 'typing'>, conversationId: string, now: number): string[] {
  const room = state.typing[conversationId];
  if (!room) return [];
  return Object.values(room)
    .filter((t) => t.expiresAt > now)
    .map((t) => t.userName);
}

/** What the list and header call a conversation: its title, else the other people's names. */
export function conversationName(conv: Conversation, me: Me | null): string {
  if (conv.title) return conv.title;
  const others = conv.participants.filter((p) => p.userId !== me?.id);
  if (others.length === 0) return me?.name ?? '';
  return others.map((p) => p.user.name || p.userId).join(', ');
}

export function presenceOf(state: ChatState, userId: string): Presence | undefined {
  return state.presence[userId];
}

/** Someone else in the conversation is online: live presence when known, else the list's flag. */
export function isConversationOnline(state: ChatState, conv: Conversation): boolean {
  // Without a connection nothing is known about anyone's presence.
  if (state.connection.status !== 'online') return false;
  const others = othersIn(conv, state.me?.id ?? '');
  let knownAny = false;
  for (const p of others) {
    const pr = state.presence[p.userId];
    if (pr) {
      knownAny = true;
      if (pr.status !== 'offline') return true;
    }
  }
  return knownAny && others.every((p) => state.presence[p.userId]) ? false : conv.isOnline;
}

/**
 * The other participants known to be online: by their presence; a direct conversation's other
 * person by the list's `isOnline` while no presence of theirs arrived. None while this client
 * is disconnected, since then nothing is known. `isConversationOnline` is true whenever this
 * is not empty, so the header's count and its dot agree.
 */
export function onlineOthers(state: ChatState, conv: Conversation): string[] {
  if (state.connection.status !== 'online') return [];
  const others = othersIn(conv, state.me?.id ?? '').filter((p) => p.leftAt === null);
  const known = others.filter((p) => {
    const pr = state.presence[p.userId];
    return pr ? pr.status !== 'offline' : false;
  });
  if (conv.type === 'direct' && known.length === 0 && others[0] && !state.presence[others[0].userId] && conv.isOnline) return [others[0].userId];
  return known.map((p) => p.userId);
}

/** The participant record of `userId`, if any. */
export function participantOf(conv: Conversation | undefined, userId: string): Participant | undefined {
  return conv?.participants.find((p) => p.userId === userId);
}

/** The current user may post in the conversation (participant, not left, not archived, has write). */
export function canWrite(conv: Conversation | undefined, me: Me | null): boolean {
  if (!conv || !me || conv.isArchived) return false;
  const p = participantOf(conv, me.id);
  if (!p || p.leftAt !== null) return false;
  return p.permissions.length === 0 || p.permissions.includes('write');
}

export function canUpload(conv: Conversation | undefined, me: Me | null): boolean {
  if (!canWrite(conv, me) || !conv?.settings.allowFileUpload) return false;
  const p = participantOf(conv, me!.id);
  return !!p && (p.permissions.length === 0 || p.permissions.includes('upload'));
}

/** Tutors and admins may delete others' messages, archive and change settings. */
export function isModerator(conv: Conversation | undefined, me: Me | null): boolean {
  if (!me) return false;
  const p = participantOf(conv, me.id);
  const role = p?.role ?? me.role;
  return role === 'tutor' || role === 'admin';
}

/** The user's own read cursor in a conversation. */
export function myReadUpToSeq(state: ChatState, conversationId: string): number {
  const me = state.me;
  if (!me) return 0;
  return state.logs[conversationId]?.readCursors[me.id]?.readUpToSeq ?? 0;
}

/** Newest loaded seq of a conversation (0 when none). */
export function newestSeq(log: ConversationLog | undefined): number {
  if (!log || log.seqs.length === 0) return 0;
  return log.seqs[log.seqs.length - 1]!;
}

/** Finds a loaded message by id in a conversation. */
export function messageById(log: ConversationLog | undefined, id: string): Message | undefined {
  if (!log) return undefined;
  const seq = log.idToSeq[id];
  return seq === undefined ? undefined : log.bySeq[seq];
}

/** Unread messages over every conversation the user has (the tab title's count). */
export function totalUnread(state: ChatState): number {
  let n = 0;
  for (const c of Object.values(state.conversations)) n += c.unreadCount;
  return n;
}

/** The tab title: "(3) Writeen Chat" while something is unread. */
export function titleWithUnread(appName: string, unread: number): string {
  return unread > 0 ? `(${unread > 99 ? '99+' : unread}) ${appName}` : appName;
}

/** What ArrowUp in an empty composer edits: the user's newest text message that is not deleted. */
export function lastEditableOwn(log: ConversationLog | undefined, meId: string): Message | null {
  const all = messagesOf(log);
  for (let i = all.length - 1; i >= 0; i--) {
    const m = all[i]!;
    if (m.senderId === meId && m.type === 'text' && !m.deletedAt) return m;
  }
  return null;
}
