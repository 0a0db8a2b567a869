// WebSocket frames of /ws (API.md "WebSocket /ws"): {event, data, requestId?}.
import type { ServerErrorCode } from './errors';
import type {
  Conversation,
  Message,
  MessageContent,
  PresenceStatus,
  ReadCursor,
  ReadReceipt,
  ServerMessageStatus,
  Timestamp,
} from './types';

// ---- client → server ----

export interface JoinConversation { conversationId: string }
export interface LeaveConversation { conversationId: string }
export interface SendMessage {
  conversationId: string;
  type: 'text' | 'sticker';
  content: MessageContent;
  replyTo?: string;
  clientMessageId: string;
}
export interface Typing { conversationId: string; isTyping: boolean }
export type MarkRead = { conversationId: string; messageId: string } | { conversationId: string; upToSeq: number };
export interface MarkDelivered { conversationId: string; upToSeq: number }
export interface Sync { conversationId: string; afterSeq: number; afterChangeSeq?: number; limit?: number }
export interface SetPresence { status: 'online' | 'away' | 'busy' }

export interface ClientEventMap {
  join_conversation: JoinConversation;
  leave_conversation: LeaveConversation;
  send_message: SendMessage;
  typing: Typing;
  mark_read: MarkRead;
  mark_delivered: MarkDelivered;
  sync: Sync;
  set_presence: SetPresence;
  ping: Record<string, never>;
}

export type ClientEventName = keyof ClientEventMap;

export type ClientFrame = {
  [K in ClientEventName]: { event: K; data: ClientEventMap[K]; requestId?: string };
}[ClientEventName];

// ---- server → client ----

export interface Joined { conversationId: string; lastSeq: number; lastChangeSeq: number; readUpToSeq: number }
export interface Left { conversationId: string }
export interface MessageSent { clientMessageId: string; message: Message; changeSeq?: number }
export interface MessageReceived { message: Message; changeSeq?: number }
export interface MessageUpdated { message: Message; changeSeq?: number }
export interface MessageStatusEvent {
  conversationId: string;
  messageId: string;
  seq: number;
  status: ServerMessageStatus;
  readBy: ReadReceipt[];
  changeSeq?: number;
}
export interface UserTyping { conversationId: string; userId: string; userName: string; isTyping: boolean }
export interface UserPresence { userId: string; status: PresenceStatus; lastSeen: Timestamp | null }
/** Presence changes of a large conversation's members, to the sockets viewing it (docs/API-NOTES.md). */
export interface PresenceDigest { conversationId: string; users: UserPresence[] }
/** `personal`: the conversation is this user's own view (their unreadCount and isArchivedForMe),
 *  sent to their sockets only, e.g. after their personal archive changed on another device. */
export interface ConversationUpdated { conversation: Conversation; changeSeq?: number; personal?: true }
export interface SyncChange { type: 'message_updated'; message: Message }
export interface SyncResult {
  conversationId: string;
  messages: Message[];
  changes: SyncChange[];
  readCursors: ReadCursor[];
  lastSeq: number;
  lastChangeSeq: number;
  hasMore: boolean;
}
export interface Pong { serverTime: Timestamp }
export interface ErrorEvent { code: ServerErrorCode | (string & {}); message: string; requestId?: string }

export interface ServerEventMap {
  joined: Joined;
  left: Left;
  message_sent: MessageSent;
  message_received: MessageReceived;
  message_updated: MessageUpdated;
  message_status: MessageStatusEvent;
  user_typing: UserTyping;
  user_presence: UserPresence;
  presence_digest: PresenceDigest;
  conversation_updated: ConversationUpdated;
  sync_result: SyncResult;
  pong: Pong;
  error: ErrorEvent;
}

export type ServerEventName = keyof ServerEventMap;

export type ServerEvent = {
  [K in ServerEventName]: { event: K; data: ServerEventMap[K]; requestId?: string };
}[ServerEventName];

export const serverEventNames: readonly ServerEventName[] = [
  'joined',
  'left',
  'message_sent',
  'message_received',
  'message_updated',
  'message_status',
  'user_typing',
  'user_presence',
  'presence_digest',
  'conversation_updated',
  'sync_result',
  'pong',
  'error',
];

/** Close code the server uses after an `unauthorized` error when a token expires. */
export const closeTokenExpired = 4001;
