// Runtime checks of what the server sends. Everything from the wire is `unknown` until it has
// passed through here; missing optional fields get the defaults API.md implies, and a frame
// without the fields the client relies on is rejected rather than half-applied.
import { isServerErrorCode } from './errors';
import type { ServerEvent, SyncChange, UserPresence } from './events';
import { serverEventNames } from './events';
import type {
  ChatSession,
  Conversation,
  ConversationSettings,
  ConversationType,
  DeliveryReceipt,
  DirectoryUser,
  EditRecord,
  FileInfo,
  Highlight,
  LastMessage,
  Message,
  MessageContent,
  MessageType,
  Participant,
  PresenceStatus,
  Reaction,
  ReadCursor,
  ReadReceipt,
  Role,
  ScanStatus,
  ServerMessageStatus,
  TokenClaims,
  TranscriptKey,
  InAppNotification,
  ConversationNotificationSetting,
  PushSubscriptionRecord,
} from './types';
import { defaultSettings } from './types';

type Rec = Record<string, unknown>;

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new ProtocolError(`${field}: expected a string`);
  return v;
}
function optStr(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
function int(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ProtocolError(`${field}: expected a number`);
  return v;
}
function optNum(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
function bool(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}
function rec(v: unknown, field: string): Rec {
  if (!isRecord(v)) throw new ProtocolError(`${field}: expected an object`);
  return v;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function oneOf<T extends string>(v: unknown, allowed: readonly T[], fallback: T): T {
  return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

const roles: readonly Role[] = ['student', 'tutor', 'admin', 'service'];
const conversationTypes: readonly ConversationType[] = ['direct', 'consultation', 'group'];
const messageTypes: readonly MessageType[] = ['text', 'file', 'image', 'system', 'sticker'];
const statuses: readonly ServerMessageStatus[] = ['sent', 'delivered', 'read'];
const presences: readonly PresenceStatus[] = ['online', 'away', 'busy', 'offline'];

function parsePresence(d: Rec): UserPresence {
  return { userId: str(d.userId, 'userId'), status: oneOf(d.status, presences, 'offline'), lastSeen: optStr(d.lastSeen) };
}
const scanStatuses: readonly ScanStatus[] = ['pending', 'scanning', 'clean', 'infected', 'error', 'unscanned'];

export function parseFileInfo(v: unknown): FileInfo | undefined {
  if (!isRecord(v)) return undefined;
  return {
    fileId: optStr(v.fileId) ?? '',
    fileName: optStr(v.fileName) ?? '',
    fileSize: optNum(v.fileSize, 0),
    fileType: optStr(v.fileType) ?? 'application/octet-stream',
    fileHash: optStr(v.fileHash) ?? undefined,
    downloadUrl: optStr(v.downloadUrl) ?? '',
    thumbnailUrl: optStr(v.thumbnailUrl),
    width: typeof v.width === 'number' ? v.width : null,
    height: typeof v.height === 'number' ? v.height : null,
    scanStatus: oneOf(v.scanStatus, scanStatuses, 'pending'),
  };
}

export function parseContent(v: unknown): MessageContent {
  if (!isRecord(v)) return {};
  const c: MessageContent = {};
  if (typeof v.text === 'string') c.text = v.text;
  if (typeof v.description === 'string') c.description = v.description;
  const fi = parseFileInfo(v.fileInfo);
  if (fi) c.fileInfo = fi;
  if (isRecord(v.systemMessage) && typeof v.systemMessage.action === 'string') {
    c.systemMessage = {
      action: v.systemMessage.action,
      ...(isRecord(v.systemMessage.data) ? { data: v.systemMessage.data } : {}),
    };
  }
  // The server stores and sends the sticker's id as a string; an object with an id is read too.
  if (typeof v.sticker === 'string' && v.sticker !== '') c.sticker = v.sticker;
  else if (isRecord(v.sticker) && typeof v.sticker.id === 'string') c.sticker = v.sticker.id;
  return c;
}

function parseReadReceipts(v: unknown): ReadReceipt[] {
  return arr(v).flatMap((r) => (isRecord(r) && typeof r.userId === 'string' ? [{ userId: r.userId, readAt: optStr(r.readAt) ?? '' }] : []));
}
function parseDeliveryReceipts(v: unknown): DeliveryReceipt[] {
  return arr(v).flatMap((r) =>
    isRecord(r) && typeof r.userId === 'string' ? [{ userId: r.userId, deliveredAt: optStr(r.deliveredAt) ?? '' }] : [],
  );
}
function parseReactions(v: unknown): Reaction[] {
  return arr(v).flatMap((r) =>
    isRecord(r) && typeof r.userId === 'string' && typeof r.emoji === 'string'
      ? [{ userId: r.userId, emoji: r.emoji, addedAt: optStr(r.addedAt) ?? '' }]
      : [],
  );
}
function parseEditHistory(v: unknown): EditRecord[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.flatMap((r) =>
    isRecord(r)
      ? [{ editedAt: optStr(r.editedAt) ?? '', previousContent: optStr(r.previousContent) ?? '', editedBy: optStr(r.editedBy) ?? '' }]
      : [],
  );
}
function parseHighlight(v: unknown): Highlight | undefined {
  if (!isRecord(v) || typeof v.fragment !== 'string') return undefined;
  const matches: Array<[number, number]> = arr(v.matches).flatMap((m) =>
    Array.isArray(m) && typeof m[0] === 'number' && typeof m[1] === 'number' ? [[m[0], m[1]] as [number, number]] : [],
  );
  return { fragment: v.fragment, matches };
}

/** A message object; throws ProtocolError when id, conversationId, seq or senderId is missing. */
export function parseMessage(v: unknown): Message {
  const m = rec(v, 'message');
  const sender = isRecord(m.sender) ? m.sender : {};
  const createdAt = optStr(m.createdAt) ?? new Date(0).toISOString();
  const msg: Message = {
    id: str(m.id, 'message.id'),
    conversationId: str(m.conversationId, 'message.conversationId'),
    seq: int(m.seq, 'message.seq'),
    senderId: str(m.senderId, 'message.senderId'),
    sender: { name: optStr(sender.name) ?? '', avatar: optStr(sender.avatar) },
    type: oneOf(m.type, messageTypes, 'text'),
    content: parseContent(m.content),
    status: oneOf(m.status, statuses, 'sent'),
    readBy: parseReadReceipts(m.readBy),
    deliveredTo: parseDeliveryReceipts(m.deliveredTo),
    replyTo: optStr(m.replyTo) || null,
    replyCount: optNum(m.replyCount, 0),
    reactions: parseReactions(m.reactions),
    edited: bool(m.edited, false),
    clientMessageId: optStr(m.clientMessageId) || null,
    consultationId: optStr(m.consultationId) || null,
    sessionId: optStr(m.sessionId) || null,
    createdAt,
    updatedAt: optStr(m.updatedAt) ?? createdAt,
    deletedAt: optStr(m.deletedAt) || null,
  };
  if (typeof m.changeSeq === 'number' && Number.isFinite(m.changeSeq)) msg.changeSeq = m.changeSeq;
  const history = parseEditHistory(m.editHistory);
  if (history) msg.editHistory = history;
  const hl = parseHighlight(m.highlight);
  if (hl) msg.highlight = hl;
  return msg;
}

export function parseSettings(v: unknown): ConversationSettings {
  if (!isRecord(v)) return { ...defaultSettings };
  const types = arr(v.allowedFileTypes).filter((t): t is string => typeof t === 'string');
  return {
    allowFileUpload: bool(v.allowFileUpload, defaultSettings.allowFileUpload),
    maxFileSize: optNum(v.maxFileSize, defaultSettings.maxFileSize),
    allowedFileTypes: Array.isArray(v.allowedFileTypes) ? types : [...defaultSettings.allowedFileTypes],
    autoArchive: bool(v.autoArchive, defaultSettings.autoArchive),
    retention: optNum(v.retention, defaultSettings.retention),
  };
}

function parseParticipant(v: unknown): Participant | null {
  if (!isRecord(v) || typeof v.userId !== 'string') return null;
  const user = isRecord(v.user) ? v.user : {};
  return {
    userId: v.userId,
    role: oneOf(v.role, roles, 'student'),
    joinedAt: optStr(v.joinedAt) ?? '',
    leftAt: optStr(v.leftAt) || null,
    permissions: arr(v.permissions).filter((p): p is string => typeof p === 'string'),
    user: { name: optStr(user.name) ?? v.userId, avatar: optStr(user.avatar) },
  };
}

function parseLastMessage(v: unknown): LastMessage | null {
  if (!isRecord(v) || typeof v.id !== 'string') return null;
  return {
    id: v.id,
    content: parseContent(v.content),
    senderId: optStr(v.senderId) ?? '',
    sentAt: optStr(v.sentAt) ?? '',
    type: oneOf(v.type, messageTypes, 'text'),
  };
}

export function parseConversation(v: unknown): Conversation {
  const c = rec(v, 'conversation');
  const createdAt = optStr(c.createdAt) ?? new Date(0).toISOString();
  return {
    id: str(c.id, 'conversation.id'),
    type: oneOf(c.type, conversationTypes, 'direct'),
    title: optStr(c.title) || null,
    consultationId: optStr(c.consultationId) || null,
    participants: arr(c.participants).flatMap((p) => {
      const parsed = parseParticipant(p);
      return parsed ? [parsed] : [];
    }),
    lastMessage: parseLastMessage(c.lastMessage),
    unreadCount: optNum(c.unreadCount, 0),
    isOnline: bool(c.isOnline, false),
    isArchived: bool(c.isArchived, false),
    isArchivedForMe: bool(c.isArchivedForMe, false),
    settings: parseSettings(c.settings),
    lastSeq: optNum(c.lastSeq, 0),
    createdAt,
    updatedAt: optStr(c.updatedAt) ?? createdAt,
  };
}

function parseReadCursor(v: unknown): ReadCursor | null {
  if (!isRecord(v) || typeof v.userId !== 'string') return null;
  const read = optNum(v.readUpToSeq, 0);
  return { userId: v.userId, readUpToSeq: read, deliveredUpToSeq: Math.max(read, optNum(v.deliveredUpToSeq, 0)) };
}

function optChangeSeq(d: Rec): { changeSeq?: number } {
  return typeof d.changeSeq === 'number' ? { changeSeq: d.changeSeq } : {};
}

function parseData(event: ServerEvent['event'], d: Rec): ServerEvent['data'] {
  switch (event) {
    case 'joined':
      return {
        conversationId: str(d.conversationId, 'conversationId'),
        lastSeq: optNum(d.lastSeq, 0),
        lastChangeSeq: optNum(d.lastChangeSeq, 0),
        readUpToSeq: optNum(d.readUpToSeq, 0),
      };
    case 'left':
      return { conversationId: str(d.conversationId, 'conversationId') };
    case 'message_sent':
      return { clientMessageId: str(d.clientMessageId, 'clientMessageId'), message: parseMessage(d.message), ...optChangeSeq(d) };
    case 'message_received':
    case 'message_updated':
      return { message: parseMessage(d.message), ...optChangeSeq(d) };
    case 'message_status':
      return {
        conversationId: str(d.conversationId, 'conversationId'),
        messageId: optStr(d.messageId) ?? '',
        seq: int(d.seq, 'seq'),
        status: oneOf(d.status, statuses, 'sent'),
        readBy: parseReadReceipts(d.readBy),
        ...optChangeSeq(d),
      };
    case 'user_typing':
      return {
        conversationId: str(d.conversationId, 'conversationId'),
        userId: str(d.userId, 'userId'),
        userName: optStr(d.userName) ?? '',
        isTyping: bool(d.isTyping, false),
      };
    case 'user_presence':
      return parsePresence(d);
    case 'presence_digest':
      return { conversationId: str(d.conversationId, 'conversationId'), users: arr(d.users).filter(isRecord).map(parsePresence) };
    case 'conversation_updated':
      return { conversation: parseConversation(d.conversation), ...optChangeSeq(d), ...(d.personal === true ? { personal: true } : {}) };
    case 'sync_result': {
      const changes: SyncChange[] = arr(d.changes).flatMap((c) =>
        isRecord(c) && (c.type === undefined || c.type === 'message_updated') && isRecord(c.message)
          ? [{ type: 'message_updated' as const, message: parseMessage(c.message) }]
          : [],
      );
      return {
        conversationId: str(d.conversationId, 'conversationId'),
        messages: arr(d.messages).map(parseMessage),
        changes,
        readCursors: arr(d.readCursors).flatMap((c) => {
          const rc = parseReadCursor(c);
          return rc ? [rc] : [];
        }),
        lastSeq: optNum(d.lastSeq, 0),
        lastChangeSeq: optNum(d.lastChangeSeq, 0),
        hasMore: bool(d.hasMore, false),
      };
    }
    case 'pong':
      return { serverTime: optStr(d.serverTime) ?? '' };
    case 'error': {
      const out: { code: string; message: string; requestId?: string } = {
        code: isServerErrorCode(d.code) ? d.code : optStr(d.code) ?? 'internal',
        message: optStr(d.message) ?? '',
      };
      if (typeof d.requestId === 'string') out.requestId = d.requestId;
      return out;
    }
  }
}

/**
 * One text frame from /ws. Returns the typed event, or throws ProtocolError for a frame that is
 * not JSON, names no known event, or lacks a field the client needs.
 */
export function parseServerFrame(text: string): ServerEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ProtocolError('frame is not JSON');
  }
  const frame = rec(raw, 'frame');
  const event = frame.event;
  if (typeof event !== 'string' || !(serverEventNames as readonly string[]).includes(event)) {
    throw new ProtocolError(`unknown event ${typeof event === 'string' ? event.slice(0, 40) : ''}`);
  }
  const name = event as ServerEvent['event'];
  const data = parseData(name, isRecord(frame.data) ? frame.data : {});
  const out = { event: name, data } as ServerEvent;
  if (typeof frame.requestId === 'string') out.requestId = frame.requestId;
  else if (name === 'error' && typeof (data as { requestId?: string }).requestId === 'string') {
    out.requestId = (data as { requestId?: string }).requestId;
  }
  return out;
}

export function parseSession(v: unknown): ChatSession | null {
  if (!isRecord(v) || typeof v.id !== 'string') return null;
  const summary = isRecord(v.summary) ? v.summary : {};
  const analytics = isRecord(v.analytics) ? v.analytics : {};
  const strings = (x: unknown) => arr(x).filter((t): t is string => typeof t === 'string');
  const numOrNull = (x: unknown) => (typeof x === 'number' ? x : null);
  return {
    id: v.id,
    consultationId: optStr(v.consultationId),
    startTime: optStr(v.startTime) ?? '',
    endTime: optStr(v.endTime),
    duration: numOrNull(v.duration),
    participants: arr(v.participants).flatMap((p) =>
      isRecord(p) && typeof p.userId === 'string'
        ? [{
            userId: p.userId,
            joinedAt: optStr(p.joinedAt),
            leftAt: optStr(p.leftAt),
            messageCount: optNum(p.messageCount, 0),
            filesShared: optNum(p.filesShared, 0),
          }]
        : [],
    ),
    summary: {
      totalMessages: optNum(summary.totalMessages, 0),
      filesShared: optNum(summary.filesShared, 0),
      keyTopics: strings(summary.keyTopics),
      actionItems: strings(summary.actionItems),
      sessionNotes: optStr(summary.sessionNotes) ?? '',
    },
    analytics: {
      responseTime: numOrNull(analytics.responseTime),
      engagement: numOrNull(analytics.engagement),
      satisfaction: numOrNull(analytics.satisfaction),
    },
  };
}

export function parseInAppNotification(v: unknown): InAppNotification | null {
  if (!isRecord(v) || typeof v.id !== 'string') return null;
  return {
    id: v.id,
    type: optStr(v.type) ?? 'message',
    conversationId: optStr(v.conversationId),
    messageId: optStr(v.messageId),
    title: optStr(v.title) ?? '',
    preview: optStr(v.preview) ?? '',
    count: Math.max(1, Math.floor(optNum(v.count, 1))),
    createdAt: optStr(v.createdAt) ?? '',
    readAt: optStr(v.readAt),
  };
}

/** A directory user, or null when the item lacks an id (it is then left out). */
export function parseDirectoryUser(v: unknown): DirectoryUser | null {
  if (!isRecord(v) || typeof v.id !== 'string' || v.id === '') return null;
  return {
    id: v.id,
    name: typeof v.name === 'string' && v.name !== '' ? v.name : v.id,
    avatar: optStr(v.avatar),
    role: v.role === 'tutor' || v.role === 'admin' || v.role === 'service' ? v.role : 'student',
    isOnline: v.isOnline === true,
    lastSeen: optStr(v.lastSeen),
  };
}

export function parseConversationNotificationSetting(v: unknown): ConversationNotificationSetting {
  const r = isRecord(v) ? v : {};
  return { muted: bool(r.muted, false), mutedUntil: optStr(r.mutedUntil) };
}

export function parsePushSubscriptionRecord(v: unknown): PushSubscriptionRecord | null {
  if (!isRecord(v) || typeof v.id !== 'string') return null;
  return { id: v.id, endpoint: optStr(v.endpoint) ?? '' };
}

export function parseTranscriptKey(v: unknown): TranscriptKey | null {
  if (!isRecord(v) || typeof v.keyId !== 'string' || typeof v.publicKey !== 'string') return null;
  return { keyId: v.keyId, publicKey: v.publicKey, createdAt: optStr(v.createdAt) ?? '' };
}

function base64UrlDecode(part: string): string {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Reads a JWT's claims without verifying it (the server verifies); null when malformed. */
export function decodeTokenClaims(token: string): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(base64UrlDecode(parts[1]));
  } catch {
    return null;
  }
  if (!isRecord(payload) || typeof payload.sub !== 'string' || payload.sub === '') return null;
  return {
    sub: payload.sub,
    name: optStr(payload.name) ?? payload.sub,
    role: oneOf(payload.role, roles, 'student'),
    avatar: optStr(payload.avatar),
    exp: optNum(payload.exp, 0),
  };
}
