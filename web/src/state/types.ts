// The client's state: what the server told us, plus what only this tab knows (outbox,
// connection). Changed only by the pure functions of reducer.ts.
import type {
  Conversation,
  ErrorCode,
  Message,
  MessageContent,
  PresenceStatus,
  ReadCursor,
  Role,
  Timestamp,
} from '../protocol';

export interface Me {
  id: string;
  name: string;
  role: Role;
  avatar: string | null;
}

/** A message the user sent that the server has not acknowledged yet. */
export interface PendingMessage {
  clientMessageId: string;
  conversationId: string;
  type: 'text' | 'sticker';
  content: MessageContent;
  replyTo: string | null;
  createdAt: Timestamp;
  /** queued: waits for a connection; sending: sent on `sentOnConnection`; failed: needs the user. */
  state: 'queued' | 'sending' | 'failed';
  /** The connection it was last sent on: it is sent at most once per connection. */
  sentOnConnection: number | null;
  attempts: number;
  error: ErrorCode | null;
}

/** One conversation's loaded history. */
export interface ConversationLog {
  /** Messages by seq. */
  bySeq: Record<number, Message>;
  /** The loaded seqs, ascending. */
  seqs: number[];
  idToSeq: Record<string, number>;
  /** changeSeq at which each message's stored state was current, when known. */
  changeSeqOf: Record<number, number>;
  /** The first history page has been loaded: live messages are kept from now on. */
  loaded: boolean;
  /** Older messages exist on the server (load them with before=<oldest seq>). */
  hasMoreBefore: boolean;
  /** Every message from the oldest loaded one up to this seq is here; sync resumes after it. */
  syncedSeq: number;
  /** changeSeq the loaded messages are known to be current at (null: unknown). */
  syncedChangeSeq: number | null;
  /** Read and delivered cursors of the participants, by userId. */
  readCursors: Record<string, ReadCursor>;
}

export interface TypingEntry {
  userName: string;
  /** Epoch ms when the indication lapses without a repeat. */
  expiresAt: number;
}

export interface Presence {
  status: PresenceStatus;
  lastSeen: Timestamp | null;
}

/** A member's presence as a REST answer gave it (no away/busy there). */
export interface ReadPresence {
  userId: string;
  isOnline: boolean;
  lastSeen: Timestamp | null;
}

export type ConnectionStatus =
  | 'idle' // not started (signed out)
  | 'connecting'
  | 'online'
  | 'reconnecting' // waiting `retryAt` before the next attempt
  | 'offline' // the browser says there is no network
  | 'unauthorized'; // the token was refused and no fresh one came

export interface ConnectionState {
  status: ConnectionStatus;
  /** Increments with every socket that opens; outbox entries remember it. */
  connectionId: number;
  attempt: number;
  retryAt: number | null;
}

export interface ChatState {
  me: Me | null;
  conversations: Record<string, Conversation>;
  logs: Record<string, ConversationLog>;
  outbox: PendingMessage[];
  presence: Record<string, Presence>;
  /** Who is typing, by conversationId then userId. */
  typing: Record<string, Record<string, TypingEntry>>;
  /** The conversation on screen, if any. */
  activeConversationId: string | null;
  /** The tab is visible (document.visibilityState). */
  visible: boolean;
  connection: ConnectionState;
  /** This user's mute setting of the conversations whose setting was read or changed here. */
  muted: Record<string, boolean>;
  /** Shown from the device's offline snapshot (no network at start): read-only until a reload. */
  offlineCopy?: boolean;
}

export function initialState(): ChatState {
  return {
    me: null,
    conversations: {},
    logs: {},
    outbox: [],
    presence: {},
    typing: {},
    activeConversationId: null,
    visible: true,
    connection: { status: 'idle', connectionId: 0, attempt: 0, retryAt: null },
    muted: {},
  };
}

export function emptyLog(): ConversationLog {
  return {
    bySeq: {},
    seqs: [],
    idToSeq: {},
    changeSeqOf: {},
    loaded: false,
    hasMoreBefore: true,
    syncedSeq: 0,
    syncedChangeSeq: null,
    readCursors: {},
  };
}
