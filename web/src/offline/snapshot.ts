// The last conversations and their newest messages, kept on this device so the app opens offline
// and shows them read-only (issue 15). One snapshot, of the last user signed in here, bounded
// (the newest `maxConversations`, `maxMessages` each) so it stays far below localStorage's few
// megabytes; localStorage rather than IndexedDB because it is read synchronously at start, so the
// offline view paints at once, and this small a snapshot needs nothing more. Never the token.
// Removed on sign-out.
import type { Conversation, Message, Role } from '../protocol';
import { isRecord, parseConversation, parseMessage } from '../protocol';
import type { ChatState, Me } from '../state';
import { messagesOf } from '../state';

export interface Snapshot {
  version: 1;
  savedAt: string;
  me: Me;
  conversations: Conversation[];
  messages: Record<string, Message[]>;
}

export const snapshotKey = 'writeen-chat-offline';
export const limits = { maxConversations: 30, maxMessages: 40 };

/** What to keep of `state`; null when nobody is signed in or nothing is loaded yet. */
export function takeSnapshot(state: ChatState, now: Date = new Date(), lim = limits): Snapshot | null {
  if (!state.me) return null;
  const conversations = Object.values(state.conversations)
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))
    .slice(0, lim.maxConversations);
  if (conversations.length === 0) return null;
  const messages: Record<string, Message[]> = {};
  for (const c of conversations) {
    const log = state.logs[c.id];
    if (!log?.loaded) continue;
    const list = messagesOf(log);
    if (list.length > 0) messages[c.id] = list.slice(-lim.maxMessages);
  }
  return { version: 1, savedAt: now.toISOString(), me: state.me, conversations, messages };
}

export function saveSnapshot(storage: Pick<Storage, 'setItem'> | null, snap: Snapshot): void {
  try {
    storage?.setItem(snapshotKey, JSON.stringify(snap));
  } catch {
    /* quota or blocked storage: no offline copy */
  }
}

export function clearSnapshot(storage: Pick<Storage, 'removeItem'> | null): void {
  try {
    storage?.removeItem(snapshotKey);
  } catch {
    /* blocked */
  }
}

const roles: readonly Role[] = ['student', 'tutor', 'admin', 'service'];

/** The stored snapshot, checked entry by entry (a damaged one is dropped, not shown half). */
export function loadSnapshot(storage: Pick<Storage, 'getItem'> | null): Snapshot | null {
  let raw: unknown;
  try {
    raw = JSON.parse(storage?.getItem(snapshotKey) ?? 'null');
  } catch {
    return null;
  }
  if (!isRecord(raw) || raw.version !== 1 || !isRecord(raw.me) || !Array.isArray(raw.conversations) || !isRecord(raw.messages)) return null;
  const me = raw.me;
  if (typeof me.id !== 'string' || typeof me.name !== 'string' || !roles.includes(me.role as Role)) return null;
  try {
    const conversations = raw.conversations.map(parseConversation);
    const messages: Record<string, Message[]> = {};
    for (const [cid, list] of Object.entries(raw.messages)) {
      if (Array.isArray(list)) messages[cid] = list.map(parseMessage).filter((m) => m.conversationId === cid);
    }
    return {
      version: 1,
      savedAt: typeof raw.savedAt === 'string' ? raw.savedAt : new Date(0).toISOString(),
      me: { id: me.id, name: me.name, role: me.role as Role, avatar: typeof me.avatar === 'string' ? me.avatar : null },
      conversations,
      messages,
    };
  } catch {
    return null;
  }
}
