// The right pane: header, consultation banner, history, typing indicator and composer; files
// can be dropped anywhere on it; a thread or a consultation's sessions open beside it (over it
// on a phone).
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Message } from '../protocol';
import { ChatError } from '../protocol';
import { canWrite, lastEditableOwn, messageById } from '../state';
import { ConsultationBanner } from './ConsultationBanner';
import { Composer } from './Composer';
import { useChat, useClient, useT } from './context';
import { ConversationHeader } from './ConversationHeader';
import type { MessageHandlers } from './MessageBubble';
import { MessageList } from './MessageList';
import { scrollToMessage } from './ReplyQuote';
import { SessionsPanel } from './SessionsPanel';
import { ThreadPanel } from './ThreadPanel';
import { TypingIndicator } from './TypingIndicator';
import type { Rejection } from './UploadList';
import { UploadList } from './UploadList';
import { useConsultation } from './useConsultation';

let rejectionCounter = 0;

export function ConversationView({ conversationId, focusMessageId, threadRootId, onThread, onBack, onOpenConversation }: {
  conversationId: string;
  focusMessageId: string | null;
  /** The open thread's root (from the address). */
  threadRootId: string | null;
  onThread: (rootId: string | null) => void;
  onBack: () => void;
  onOpenConversation: (id: string) => void;
}) {
  const client = useClient();
  const { t, error } = useT();
  const conv = useChat((s) => s.conversations[conversationId]);
  const loaded = useChat((s) => s.logs[conversationId]?.loaded ?? false);
  const me = useChat((s) => s.me);
  const writable = canWrite(conv, me);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editing, setEditing] = useState<Message | null>(null);
  const threadRoot = threadRootId;
  const [sessionsOpen, setSessionsOpen] = useState(false);
  const consultation = useConsultation(conv);
  const [rejections, setRejections] = useState<Rejection[]>([]);
  const [dragging, setDragging] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    setReplyTo(null);
    setEditing(null);
    setSessionsOpen(false);
    setRejections([]);
    setProblem(null);
    client.openConversation(conversationId).catch((e: unknown) => setProblem(error(e instanceof ChatError ? e.code : 'unknown')));
  }, [client, conversationId]);

  // A search result: bring its message into view, loading older pages if needed.
  useEffect(() => {
    if (!focusMessageId || !loaded) return;
    let live = true;
    void (async () => {
      for (let i = 0; i < 10 && live; i++) {
        if (messageById(client.store.get().logs[conversationId], focusMessageId)) {
          requestAnimationFrame(() => scrollToMessage(focusMessageId));
          return;
        }
        const more = await client.loadOlder(conversationId).catch(() => false);
        if (!more && !messageById(client.store.get().logs[conversationId], focusMessageId)) return;
      }
    })();
    return () => {
      live = false;
    };
  }, [client, conversationId, focusMessageId, loaded]);

  const addFiles = useCallback(
    (files: File[], replyToId: string | null = null) => {
      const refused: Rejection[] = [];
      for (const f of files) {
        const reason = client.upload(conversationId, f, replyToId);
        if (reason) refused.push({ id: ++rejectionCounter, name: f.name, reason: error(reason) });
      }
      if (refused.length > 0) setRejections((r) => [...r, ...refused]);
    },
    [client, conversationId, error],
  );

  const handlers: MessageHandlers = {
    onReply: (m) => {
      setEditing(null);
      setReplyTo(m);
    },
    onEdit: (m) => {
      setReplyTo(null);
      setEditing(m);
    },
    onThread: (id) => {
      setSessionsOpen(false);
      onThread(id);
    },
  };

  if (!conv) {
    return (
      <section class="conversation-view is-empty">
        {problem ? (
          <p role="alert" class="error-text">
            {problem}
          </p>
        ) : (
          <p class="muted">{t('loading')}</p>
        )}
      </section>
    );
  }

  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

  return (
    <section
      class={`conversation-view ${threadRoot || sessionsOpen ? 'has-thread' : ''}`}
      aria-label={conv.title ?? undefined}
      onDragEnter={(e) => {
        if (hasFiles(e)) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragOver={(e) => {
        if (hasFiles(e)) e.preventDefault();
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target || !(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setDragging(false);
        addFiles(Array.from(e.dataTransfer?.files ?? []), threadRoot);
      }}
    >
      <div class="conversation-main">
        <ConversationHeader conv={conv} onBack={onBack} />
        {conv.type === 'consultation' && (
          <ConsultationBanner
            conv={conv}
            view={consultation}
            onOpenSessions={() => {
              onThread(null);
              setSessionsOpen((o) => !o);
            }}
            onOpenConversation={onOpenConversation}
          />
        )}
        {problem && (
          <p role="alert" class="error-text banner-problem">
            {problem}
          </p>
        )}
        <MessageList conversationId={conversationId} handlers={handlers} />
        <TypingIndicator conversationId={conversationId} />
        <UploadList conversationId={conversationId} rejections={rejections} onDismiss={(id) => setRejections((r) => r.filter((x) => x.id !== id))} />
        <Composer
          conversationId={conversationId}
          replyTo={replyTo}
          editing={threadRoot ? null : editing}
          onCancelReply={() => setReplyTo(null)}
          onCancelEdit={() => setEditing(null)}
          onFiles={(files) => addFiles(files, replyTo?.id ?? null)}
          onEditLast={
            writable
              ? () => {
                  const last = lastEditableOwn(client.store.get().logs[conversationId], me?.id ?? '');
                  if (last) handlers.onEdit(last);
                }
              : undefined
          }
        />
      </div>
      {threadRoot && (
        <ThreadPanel
          conversationId={conversationId}
          rootId={threadRoot}
          onClose={() => onThread(null)}
          onEdit={(m) => setEditing(m)}
          editing={editing}
          onCancelEdit={() => setEditing(null)}
          onFiles={(files, root) => addFiles(files, root)}
        />
      )}
      {sessionsOpen && !threadRoot && conv.type === 'consultation' && (
        <SessionsPanel conv={conv} view={consultation} onClose={() => setSessionsOpen(false)} />
      )}
      {dragging && (
        <div class="drop-overlay" aria-hidden="true">
          <p>{t('dropFiles')}</p>
        </div>
      )}
    </section>
  );
}
