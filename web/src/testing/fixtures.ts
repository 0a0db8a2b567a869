// Builders of protocol objects for the unit tests.
import type { Conversation, Message, Participant, Role } from '../protocol';
import { defaultSettings } from '../protocol';
import type { ChatState, Me, PendingMessage } from '../state';
import { initialState, reduce } from '../state';

export const student: Me = { id: 'u-ayu', name: 'Ayu Lestari', role: 'student', avatar: null };
export const tutor: Me = { id: 'u-budi', name: 'Dr. Budi Santoso', role: 'tutor', avatar: null };

export function participant(id: string, name: string, role: Role = 'student', leftAt: string | null = null): Participant {
  return { userId: id, role, joinedAt: '2024-01-01T00:00:00.000Z', leftAt, permissions: ['read', 'write', 'upload', 'download'], user: { name, avatar: null } };
}

export function conversation(over: Partial<Conversation> = {}): Conversation {
  return {
    id: 'c1',
    type: 'direct',
    title: null,
    consultationId: null,
    participants: [participant(student.id, student.name, 'student'), participant(tutor.id, tutor.name, 'tutor')],
    lastMessage: null,
    unreadCount: 0,
    isOnline: false,
    isArchived: false,
    isArchivedForMe: false,
    settings: { ...defaultSettings },
    lastSeq: 0,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    ...over,
  };
}

export function message(seq: number, over: Partial<Message> = {}): Message {
  const t = new Date(Date.UTC(2024, 0, 15, 14, 0, seq)).toISOString();
  return {
    id: `m${seq}`,
    conversationId: 'c1',
    seq,
    senderId: tutor.id,
    sender: { name: tutor.name, avatar: null },
    type: 'text',
    content: { text: `message ${seq}` },
    status: 'sent',
    readBy: [],
    deliveredTo: [],
    replyTo: null,
    replyCount: 0,
    reactions: [],
    edited: false,
    clientMessageId: null,
    consultationId: null,
    sessionId: null,
    createdAt: t,
    updatedAt: t,
    deletedAt: null,
    ...over,
  };
}

export function pending(clientMessageId: string, text: string, conversationId = 'c1'): PendingMessage {
  return {
    clientMessageId,
    conversationId,
    type: 'text',
    content: { text },
    replyTo: null,
    createdAt: '2024-01-15T15:00:00.000Z',
    state: 'queued',
    sentOnConnection: null,
    attempts: 0,
    error: null,
  };
}

/** A signed-in student with conversation c1 listed and its history (these messages) loaded. */
export function loadedState(messages: Message[] = [], me: Me = student, conv: Conversation = conversation()): ChatState {
  let s = reduce(initialState(), { type: 'signed_in', me });
  s = reduce(s, { type: 'conversations_loaded', conversations: [{ ...conv, lastSeq: Math.max(conv.lastSeq, ...messages.map((m) => m.seq), 0) }] });
  s = reduce(s, { type: 'history_loaded', conversationId: conv.id, messages: [...messages].reverse(), hasMore: false, older: false });
  return s;
}
