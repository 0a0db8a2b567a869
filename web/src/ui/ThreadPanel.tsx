// A thread: the root message and its replies, kept live from the conversation, with its own
// composer whose messages answer the root.
import { Icon } from './Icon';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Message } from '../protocol';
import { ChatError } from '../protocol';
import { messageById, messagesOf } from '../state';
import { useChat, useClient, useT } from './context';
import { Composer } from './Composer';
import type { MessageHandlers } from './MessageBubble';
import { MessageBubble } from './MessageBubble';
import { PendingBubble } from './PendingBubble';

export function ThreadPanel({ conversationId, rootId, onClose, onEdit, editing, onCancelEdit, onFiles }: {
  conversationId: string;
  rootId: string;
  onClose: () => void;
  onEdit: (m: Message) => void;
  editing: Message | null;
  onCancelEdit: () => void;
  onFiles: (files: File[], replyTo: string) => void;
}) {
  const client = useClient();
  const { t, error } = useT();
  const log = useChat((s) => s.logs[conversationId]);
  const conv = useChat((s) => s.conversations[conversationId]);
  const outbox = useChat((s) => s.outbox);
  const [fetched, setFetched] = useState<{ root: Message | null; replies: Message[] }>({ root: null, replies: [] });
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setFetched({ root: null, replies: [] });
    setProblem(null);
    client.api.thread(rootId).then(
      (r) => live && setFetched({ root: r.root, replies: r.replies }),
      (e: unknown) => live && setProblem(error(e instanceof ChatError ? e.code : 'unknown')),
    );
    return () => {
      live = false;
    };
  }, [client, rootId]);

  // The store's copy is newer than the fetched one (edits, reactions, new replies).
  const root = messageById(log, rootId) ?? fetched.root;
  const replies = useMemo(() => {
    const bySeq = new Map<number, Message>();
    for (const m of fetched.replies) bySeq.set(m.seq, m);
    for (const m of messagesOf(log)) if (m.replyTo === rootId) bySeq.set(m.seq, m);
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }, [fetched.replies, log, rootId]);
  const pending = outbox.filter((p) => p.conversationId === conversationId && p.replyTo === rootId);

  const handlers: MessageHandlers = { onReply: () => {}, onEdit, onThread: () => {} };

  return (
    <aside class="thread-panel" aria-label={t('thread')}>
      <header class="thread-header">
        <h2>{t('thread')}</h2>
        <button type="button" class="icon-button" onClick={onClose} aria-label={t('close')}>
          <Icon name="close" />
        </button>
      </header>
      <div class="thread-scroller">
        {problem && (
          <p class="error-text" role="alert">
            {problem}
          </p>
        )}
        <ol class="messages">
          {root && <MessageBubble message={root} conv={conv} showSender handlers={handlers} inThread />}
          {replies.length > 0 && (
            <li class="day-separator">
              <span>{replies.length === 1 ? t('oneReply') : t('replies', { count: replies.length })}</span>
            </li>
          )}
          {replies.map((m, i) => (
            <MessageBubble key={m.id} message={m} conv={conv} showSender={i === 0 || replies[i - 1]!.senderId !== m.senderId} handlers={handlers} inThread />
          ))}
          {pending.map((p) => (
            <PendingBubble key={p.clientMessageId} pending={p} inThread />
          ))}
        </ol>
      </div>
      <Composer
        conversationId={conversationId}
        replyTo={null}
        editing={editing}
        onCancelReply={() => {}}
        onCancelEdit={onCancelEdit}
        onFiles={(files) => onFiles(files, rootId)}
        fixedReplyTo={rootId}
        idSuffix="-thread"
      />
    </aside>
  );
}
