// Domain shapes exactly as API.md defines them (camelCase JSON, RFC 3339 UTC times).
// Shared by the REST client, the WebSocket connection, the state store, the UI and the tests.

export type Role = 'student' | 'tutor' | 'admin' | 'service';
export type ConversationType = 'direct' | 'consultation' | 'group';
export type MessageType = 'text' | 'file' | 'image' | 'system' | 'sticker';
/** Status as the server reports it to a message's sender. */
export type ServerMessageStatus = 'sent' | 'delivered' | 'read';
/** Status shown next to one of the user's own messages: the server's, or a client-only one. */
export type MessageStatus = ServerMessageStatus | 'sending' | 'failed';
export type PresenceStatus = 'online' | 'away' | 'busy' | 'offline';
export type ScanStatus = 'pending' | 'scanning' | 'clean' | 'infected' | 'error' | 'unscanned';
export type Permission = 'read' | 'write' | 'upload' | 'download';

/** RFC 3339 timestamp string, e.g. "2024-01-15T14:30:00.000Z". */
export type Timestamp = string;

export interface UserRef {
  name: string;
  avatar?: string | null;
}

export interface Participant {
  userId: string;
  role: Role;
  joinedAt: Timestamp;
  leftAt: Timestamp | null;
  permissions: string[];
  user: UserRef;
}

export interface ConversationSettings {
  allowFileUpload: boolean;
  maxFileSize: number;
  allowedFileTypes: string[];
  autoArchive: boolean;
  retention: number;
}

export const defaultSettings: ConversationSettings = {
  allowFileUpload: true,
  maxFileSize: 10_485_760,
  allowedFileTypes: ['.pdf', '.docx', '.pptx', '.txt', '.jpg', '.jpeg', '.png', '.gif'],
  autoArchive: false,
  retention: 365,
};

export interface LastMessage {
  id: string;
  content: MessageContent;
  senderId: string;
  sentAt: Timestamp;
  type: MessageType;
}

export interface Conversation {
  id: string;
  type: ConversationType;
  title: string | null;
  consultationId: string | null;
  participants: Participant[];
  lastMessage: LastMessage | null;
  unreadCount: number;
  /** Any other participant is online. */
  isOnline: boolean;
  isArchived: boolean;
  /** In the reader's own archive (hidden from their list until a newer message); per reader. */
  isArchivedForMe: boolean;
  settings: ConversationSettings;
  lastSeq: number;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface FileInfo {
  fileId: string;
  fileName: string;
  fileSize: number;
  fileType: string;
  fileHash?: string;
  downloadUrl: string;
  thumbnailUrl?: string | null;
  width?: number | null;
  height?: number | null;
  scanStatus: ScanStatus;
}

/** Known system message actions; the server may add others, shown generically. */
export type SystemAction =
  | 'user_joined'
  | 'user_left'
  | 'consultation_confirmed'
  | 'consultation_started'
  | 'consultation_ended'
  | 'consultation_rescheduled'
  | 'consultation_cancelled'
  | 'file_shared';

export interface SystemMessageContent {
  action: SystemAction | (string & {});
  data?: Record<string, unknown>;
}

export interface MessageContent {
  text?: string;
  fileInfo?: FileInfo;
  systemMessage?: SystemMessageContent;
  /** A sticker's id (API-NOTES: a string of 1..128 bytes), e.g. "writeen/thanks-owl". */
  sticker?: string;
  description?: string;
}

export interface ReadReceipt {
  userId: string;
  readAt: Timestamp;
}

export interface DeliveryReceipt {
  userId: string;
  deliveredAt: Timestamp;
}

export interface Reaction {
  userId: string;
  emoji: string;
  addedAt: Timestamp;
}

export interface EditRecord {
  editedAt: Timestamp;
  previousContent: string;
  editedBy: string;
}

export interface Highlight {
  fragment: string;
  /** [start, length] in UTF-16 code units of `fragment`. */
  matches: Array<[number, number]>;
}

export interface Message {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  sender: UserRef;
  type: MessageType;
  content: MessageContent;
  status: ServerMessageStatus;
  readBy: ReadReceipt[];
  deliveredTo: DeliveryReceipt[];
  replyTo: string | null;
  replyCount: number;
  reactions: Reaction[];
  edited: boolean;
  editHistory?: EditRecord[];
  clientMessageId: string | null;
  consultationId: string | null;
  sessionId: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  deletedAt: Timestamp | null;
  /** The conversation's changeSeq at which this state of the message was stored (when sent). */
  changeSeq?: number;
  /** Present on search results. */
  highlight?: Highlight;
}

/** A user's read and delivered cursors in one conversation. */
export interface ReadCursor {
  userId: string;
  readUpToSeq: number;
  deliveredUpToSeq: number;
}

export interface PagePagination {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

export interface MorePagination {
  page: number;
  limit: number;
  hasMore: boolean;
}

export interface SessionParticipant {
  userId: string;
  joinedAt: Timestamp | null;
  leftAt: Timestamp | null;
  messageCount: number;
  filesShared: number;
}

export interface SessionSummary {
  totalMessages: number;
  filesShared: number;
  keyTopics: string[];
  actionItems: string[];
  sessionNotes: string;
}

export interface SessionAnalytics {
  /** Mean seconds until the other side answered; null when nobody answered. */
  responseTime: number | null;
  /** Messages per minute. */
  engagement: number | null;
  /** Mean rating 1..5; null until someone rates. */
  satisfaction: number | null;
}

export interface ChatSession {
  id: string;
  consultationId: string | null;
  startTime: Timestamp;
  /** null while the session is open. */
  endTime: Timestamp | null;
  /** Whole minutes; null while open. */
  duration: number | null;
  participants: SessionParticipant[];
  summary: SessionSummary;
  analytics: SessionAnalytics;
}

/** A public key that signed transcripts (GET /api/transcripts/keys). */
export interface TranscriptKey {
  keyId: string;
  /** SubjectPublicKeyInfo PEM. */
  publicKey: string;
  createdAt: Timestamp;
}

/** What the client reads from a token's payload (no verification: the server verifies). */
export interface TokenClaims {
  sub: string;
  name: string;
  role: Role;
  avatar: string | null;
  exp: number;
}

/** A demo user from GET /api/dev/users (server in --dev mode only). */
/** A user of the directory (GET /api/users): the people picker and the member list. */
export interface DirectoryUser {
  id: string;
  name: string;
  avatar: string | null;
  role: Role;
  isOnline: boolean;
  /** When the server last saw them (a token or a disconnect); null when never. */
  lastSeen: string | null;
}

export interface DevUser {
  id: string;
  name: string;
  role: Role;
}

/** One entry of the in-app notification list (GET /api/notifications). */
export interface InAppNotification {
  id: string;
  type: 'message' | 'consultation_invite' | 'consultation_rescheduled' | 'consultation_cancelled' | 'reply' | 'mention' | string;
  conversationId: string | null;
  messageId: string | null;
  title: string;
  preview: string;
  /** How many messages this (coalesced) notification stands for. */
  count: number;
  createdAt: Timestamp;
  readAt: Timestamp | null;
}

/** The caller's notification setting of one conversation. */
export interface ConversationNotificationSetting {
  muted: boolean;
  mutedUntil: Timestamp | null;
}

/** A Web Push subscription as the server keeps it. */
export interface PushSubscriptionRecord {
  id: string;
  endpoint: string;
}
