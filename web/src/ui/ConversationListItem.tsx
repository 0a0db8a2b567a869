import type { Conversation } from '../protocol';
import { previewText } from '../app/notify';
import { conversationName, isConversationOnline, othersIn } from '../state';
import { formatListTime } from '../text/format';
import { Avatar } from './Avatar';
import { Icon } from './Icon';
import { useChat, useT } from './context';
import { systemText } from './SystemMessage';

export function ConversationListItem({ conv, active, onOpen }: { conv: Conversation; active: boolean; onOpen: (id: string) => void }) {
  const tr = useT();
  const { t } = tr;
  const me = useChat((s) => s.me);
  const online = useChat((s) => isConversationOnline(s, conv));
  const muted = useChat((s) => s.muted[conv.id] === true);
  const name = conversationName(conv, me);
  const other = conv.type === 'direct' ? othersIn(conv, me?.id ?? '')[0] : undefined;
  const last = conv.lastMessage;
  let preview = '';
  if (last) {
    preview = last.type === 'system' && last.content.systemMessage ? systemText(last.content.systemMessage, conv, tr) : previewText({ ...last, deletedAt: null }, tr.lang);
    if (last.senderId === me?.id && last.type !== 'system') preview = t('youPrefix') + preview;
  }
  const typeLabel = conv.type === 'consultation' ? t('typeConsultation') : conv.type === 'group' ? t('typeGroup') : null;
  return (
    <li>
      <button
        type="button"
        class={`conversation-item ${active ? 'is-active' : ''} ${conv.unreadCount > 0 ? 'has-unread' : ''}`}
        aria-current={active ? 'true' : undefined}
        onClick={() => onOpen(conv.id)}
        data-conversation-id={conv.id}
      >
        <Avatar id={other?.userId ?? conv.id} name={name} online={online} />
        <span class="conversation-item-main">
          <span class="conversation-item-top">
            <span class="conversation-item-name">{name}</span>
            {online && <span class="visually-hidden">, {t('online')}</span>}
            <time class="conversation-item-time" dateTime={last?.sentAt ?? conv.updatedAt}>
              {formatListTime(last?.sentAt ?? conv.updatedAt, tr.lang, new Date())}
            </time>
          </span>
          <span class="conversation-item-bottom">
            {typeLabel && <span class={`tag tag-${conv.type}`}>{typeLabel}</span>}
            <span class="conversation-item-preview">{preview}</span>
            {muted && (
              <span class="muted-mark" title={t('muted')}>
                <Icon name="bellOff" size={14} />
                <span class="visually-hidden">, {t('muted')}</span>
              </span>
            )}
            {conv.unreadCount > 0 && (
              <>
                <span class="unread-badge" aria-hidden="true">
                  {conv.unreadCount > 99 ? '99+' : conv.unreadCount}
                </span>
                <span class="visually-hidden">, {t('unreadCount', { count: conv.unreadCount })}</span>
              </>
            )}
          </span>
        </span>
      </button>
    </li>
  );
}
