// A message the server has not acknowledged yet: "sending", or "not sent" with retry/discard.
import type { PendingMessage } from '../state';
import { formatTime } from '../text/format';
import { useClient, useT } from './context';
import { MessageText } from './MessageText';
import { StickerImage } from './StickerImage';
import { ReplyQuote } from './ReplyQuote';
import { StatusTicks } from './StatusTicks';

export function PendingBubble({ pending, inThread }: { pending: PendingMessage; inThread?: boolean }) {
  const client = useClient();
  const { t, error, lang } = useT();
  const failed = pending.state === 'failed';
  return (
    <li class={`message is-mine is-pending ${failed ? 'is-failed' : ''}`} data-client-id={pending.clientMessageId}>
      <div class="message-column">
        <div class="bubble">
          {pending.replyTo && !inThread && <ReplyQuote conversationId={pending.conversationId} targetId={pending.replyTo} />}
          {pending.content.sticker ? (
            <StickerImage id={pending.content.sticker} />
          ) : (
            <p class="message-body">
              <MessageText text={pending.content.text ?? ''} />
            </p>
          )}
          <div class="message-meta">
            <time dateTime={pending.createdAt}>{formatTime(pending.createdAt, lang)}</time>
            <StatusTicks status={failed ? 'failed' : 'sending'} />
          </div>
        </div>
        {failed && (
          <div class="pending-failed" role="alert">
            <span class="error-text small">{t('sendFailed', { reason: error(pending.error ?? 'unknown') })}</span>
            <button type="button" class="link-button" onClick={() => client.retryPending(pending.clientMessageId)}>
              {t('retry')}
            </button>
            <button type="button" class="link-button" onClick={() => client.discardPending(pending.clientMessageId)}>
              {t('discard')}
            </button>
          </div>
        )}
      </div>
    </li>
  );
}
