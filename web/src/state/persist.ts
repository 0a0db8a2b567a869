// The outbox survives a reload: messages written offline are still sent (once) afterwards.
// Only the user's own unsent drafts are kept, per user; never the token.
import { isErrorCode, isRecord, parseContent } from '../protocol';
import type { PendingMessage } from './types';

const keyFor = (userId: string) => `writeen-chat-outbox:${userId}`;

export function saveOutbox(storage: Pick<Storage, 'setItem' | 'removeItem'> | null, userId: string, outbox: PendingMessage[]): void {
  if (!storage) return;
  try {
    if (outbox.length === 0) storage.removeItem(keyFor(userId));
    else storage.setItem(keyFor(userId), JSON.stringify(outbox));
  } catch {
    /* quota or blocked storage: the outbox stays in memory */
  }
}

export function loadOutbox(storage: Pick<Storage, 'getItem'> | null, userId: string): PendingMessage[] {
  if (!storage) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(storage.getItem(keyFor(userId)) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((p): PendingMessage[] => {
    if (!isRecord(p) || typeof p.clientMessageId !== 'string' || typeof p.conversationId !== 'string') return [];
    const type = p.type === 'sticker' ? 'sticker' : 'text';
    return [{
      clientMessageId: p.clientMessageId,
      conversationId: p.conversationId,
      type,
      content: parseContent(p.content),
      replyTo: typeof p.replyTo === 'string' ? p.replyTo : null,
      createdAt: typeof p.createdAt === 'string' ? p.createdAt : new Date().toISOString(),
      // A reload is a new connection: whatever was in flight is sent again, with the same id.
      state: p.state === 'failed' ? 'failed' : 'queued',
      sentOnConnection: null,
      attempts: typeof p.attempts === 'number' ? p.attempts : 0,
      error: p.state === 'failed' ? (isErrorCode(p.error) ? p.error : 'unknown') : null,
    }];
  });
}
