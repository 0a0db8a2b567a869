// One message: sender and avatar (others'), reply quote, text or file, reactions, the "edited"
// mark with its history, time and status ticks (own), and the actions a user may take on it.
import { Icon } from './Icon';
import { useRef, useState } from 'preact/hooks';
import type { Conversation, Message } from '../protocol';
import { ChatError } from '../protocol';
import { canWrite, deliveredOf, isModerator, readersOf, statusOf } from '../state';
import { formatDateTime, formatTime } from '../text/format';
import { Avatar } from './Avatar';
import { sameJson, useChat, useClient, useT } from './context';
import { EditHistoryDialog } from './EditHistoryDialog';
import { FileAttachment } from './FileAttachment';
import { MessageText } from './MessageText';
import { ReactionPicker, Reactions } from './Reactions';
import { StickerImage } from './StickerImage';
import { ReplyQuote } from './ReplyQuote';
import { StatusTicks } from './StatusTicks';
import { useTouchActions } from './touchActions';

export interface MessageHandlers {
  onReply: (m: Message) => void;
  onEdit: (m: Message) => void;
  onThread: (rootId: string) => void;
}

export function MessageBubble({ message, conv, showSender, handlers, inThread }: { message: Message; conv: Conversation | undefined; showSender: boolean; handlers: MessageHandlers; inThread?: boolean }) {
  const client = useClient();
  const tr = useT();
  const { t, error } = tr;
  const me = useChat((s) => s.me);
  const status = useChat((s) => statusOf(s, message));
  const readers = useChat((s) => (message.senderId === s.me?.id ? readersOf(s, message) : null), sameJson);
  const delivered = useChat((s) => (message.senderId === s.me?.id ? deliveredOf(s, message) : null), sameJson);
  const [picking, setPicking] = useState(false);
  const [history, setHistory] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const mine = message.senderId === me?.id;
  const deleted = message.deletedAt !== null;
  const writable = canWrite(conv, me);
  const canEdit = mine && writable && !deleted && message.type === 'text';
  const canDelete = !deleted && writable && (mine || isModerator(conv, me));
  const fail = (e: unknown) => setProblem(error(e instanceof ChatError ? e.code : 'unknown'));
  const bubble = useRef<HTMLDivElement>(null);
  const touch = useTouchActions(bubble);
  // On a touch screen the bar was opened for this one action: it closes once it is taken.
  const act = (f: () => void) => () => {
    touch.close();
    f();
  };

  const remove = () => {
    if (!window.confirm(t('deleteConfirm'))) return;
    client.deleteMessage(message.id).catch(fail);
  };

  const senderName = mine ? t('you') : message.sender.name || message.senderId;
  const time = formatTime(message.createdAt, tr.lang);

  return (
    <li class={`message ${mine ? 'is-mine' : 'is-theirs'} ${showSender ? 'starts-group' : ''} ${deleted ? 'is-deleted' : ''}`} id={`msg-${message.id}`} data-seq={message.seq}>
      {!mine && <div class="message-avatar">{showSender && <Avatar id={message.senderId} name={message.sender.name || message.senderId} size="sm" />}</div>}
      <div class="message-column">
        {showSender && !mine && <div class="message-sender">{senderName}</div>}
        <div ref={bubble} class={`bubble ${touch.open ? 'is-acting' : ''}`} tabIndex={0} aria-label={`${senderName}, ${formatDateTime(message.createdAt, tr.lang)}`} {...(deleted ? {} : touch.handlers)}>
          {message.replyTo && !inThread && !deleted && <ReplyQuote conversationId={message.conversationId} targetId={message.replyTo} onOpenThread={handlers.onThread} />}
          {deleted ? (
            <p class="message-deleted">{t('deletedMessage')}</p>
          ) : (
            <>
              {message.content.text !== undefined && message.type !== 'file' && message.type !== 'image' && (
                <p class="message-body">
                  <MessageText text={message.content.text} />
                </p>
              )}
              {message.content.sticker && <StickerImage id={message.content.sticker} />}
              {message.content.fileInfo && <FileAttachment info={message.content.fileInfo} />}
              {message.content.fileInfo && (message.content.description || message.content.text) && (
                <p class="message-body">
                  <MessageText text={message.content.description ?? message.content.text ?? ''} />
                </p>
              )}
            </>
          )}
          <div class="message-meta">
            {message.edited && !deleted && (
              message.editHistory && message.editHistory.length > 0 ? (
                <button type="button" class="edited-mark link-button" onClick={() => setHistory(true)} aria-label={t('editHistory')}>
                  {t('edited')}
                </button>
              ) : (
                <span class="edited-mark">{t('edited')}</span>
              )
            )}
            <time dateTime={message.createdAt} title={formatDateTime(message.createdAt, tr.lang)}>
              {time}
            </time>
            {status && <StatusTicks status={status} readers={readers ?? []} delivered={delivered ?? []} />}
          </div>
          {!deleted && (
            <div class="message-actions" role="toolbar" aria-label={t('messageActions')}>
              {writable && (
                <button type="button" class="icon-button" onClick={act(() => handlers.onReply(message))} aria-label={t('reply')} title={t('reply')}>
                  <Icon name="reply" />
                </button>
              )}
              {writable && (
                <button type="button" class="icon-button" onClick={act(() => setPicking((p) => !p))} aria-label={t('addReaction')} aria-expanded={picking} title={t('addReaction')}>
                  <Icon name="smile" />
                </button>
              )}
              {!inThread && (
                <button type="button" class="icon-button" onClick={act(() => handlers.onThread(message.id))} aria-label={t('viewThread')} title={t('viewThread')}>
                  <Icon name="thread" />
                </button>
              )}
              {canEdit && (
                <button type="button" class="icon-button" onClick={act(() => handlers.onEdit(message))} aria-label={t('edit')} title={t('edit')}>
                  <Icon name="edit" />
                </button>
              )}
              {canDelete && (
                <button type="button" class="icon-button danger" onClick={act(remove)} aria-label={t('delete')} title={t('delete')}>
                  <Icon name="trash" />
                </button>
              )}
            </div>
          )}
        </div>
        {picking && <ReactionPicker message={message} onDone={() => setPicking(false)} onError={setProblem} />}
        <Reactions message={message} onError={setProblem} />
        {message.replyCount > 0 && !inThread && (
          <button type="button" class="thread-link link-button" onClick={() => handlers.onThread(message.id)}>
            {message.replyCount === 1 ? t('oneReply') : t('replies', { count: message.replyCount })}
          </button>
        )}
        {problem && (
          <p class="error-text small" role="alert">
            {problem}
          </p>
        )}
      </div>
      {history && <EditHistoryDialog message={message} onClose={() => setHistory(false)} />}
    </li>
  );
}
