// REST request and response shapes (API.md), all wrapped in the envelope.
import type {
  ChatSession,
  Conversation,
  ConversationSettings,
  ConversationType,
  DevUser,
  Message,
  MessageContent,
  MorePagination,
  PagePagination,
  Role,
} from './types';

export interface SuccessEnvelope<T> { success: true; message?: string; data: T }
export interface ErrorBody { code: string; message: string; details?: Record<string, unknown> }
export interface FailureEnvelope { success: false; error: ErrorBody }
export type Envelope<T> = SuccessEnvelope<T> | FailureEnvelope;

export interface ListConversationsQuery {
  page?: number;
  limit?: number;
  type?: ConversationType;
  archived?: boolean;
}
export interface ConversationList { conversations: Conversation[]; pagination: PagePagination }
export interface ConversationOne { conversation: Conversation }

export interface CreateConversationBody {
  type: ConversationType;
  participantIds: string[];
  title?: string;
  consultationId?: string;
}

export interface PatchConversationBody {
  title?: string;
  settings?: Partial<ConversationSettings>;
  archived?: boolean;
}

export interface AddParticipantBody { userId: string; role?: Role; permissions?: string[] }

export interface ListMessagesQuery {
  page?: number;
  limit?: number;
  /** A seq (integer) or an RFC 3339 time. */
  before?: number | string;
  afterSeq?: number;
  search?: string;
}
export interface MessageList { messages: Message[]; pagination: MorePagination }
export interface MessageOne { message: Message }

export interface SendMessageBody {
  type: 'text' | 'sticker';
  content: MessageContent;
  replyTo?: string;
  clientMessageId?: string;
}

export interface EditMessageBody { content: { text: string } }
export interface ReactionBody { emoji: string }
export interface ReadBody { upToSeq: number }

export interface ThreadResult { root: Message; replies: Message[]; pagination?: MorePagination }

export interface SearchQuery { q: string; conversationId?: string; limit?: number }
export interface SearchResult { messages: Message[] }

export interface UploadResult {
  message: Message;
  upload: { id: string; status: 'completed'; progress: number };
}

export interface SessionList { sessions: ChatSession[] }
export interface RatingBody { rating: number; comment?: string }

/** PUT /api/consultations/:consultationId/chat (the consultation service). */
export interface ConfirmConsultationBody {
  title: string;
  tutorId: string;
  studentIds: string[];
  scheduledStart: string;
  scheduledEnd: string;
  participants?: Array<{ userId: string; name?: string; role?: 'student' | 'tutor'; avatar?: string }>;
}

/** POST /api/consultations/:consultationId/end. */
export interface EndConsultationBody { sessionNotes?: string; actionItems?: string[] }

export interface DevUserList { users: DevUser[] }
export interface DevTokenBody { userId: string }
export interface DevToken { token: string }
