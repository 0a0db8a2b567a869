// The quoted target of a reply; clicking it scrolls to the original when it is loaded.
import type { Message } from '../protocol';
import { messageById } from '../state';
import { previewText } from '../app/notify';
import { useChat, useT } from './context';

export function scrollToMessage(id: string): boolean {
  const el = document.getElementById(`msg-${id}`);
  if (!el) return false;
  el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  el.classList.add('is-flashing');
  setTimeout(() => el.classList.remove('is-flashing'), 1600);
  return true;
}

export function ReplyQuote({ conversationId, targetId, onOpenThread }: { conversationId: string; targetId: string; onOpenThread?: (rootId: string) => void }) {
  const tr = useT();
  const target: Message | undefined = useChat((s) => messageById(s.logs[conversationId], targetId));
  const me = useChat((s) => s.me);
  if (!target) {
    return (
      <button type="button" class="reply-quote is-missing" onClick={() => onOpenThread?.(targetId)}>
        <span class="muted small">{tr.t('originalMessageUnavailable')}</span>
      </button>
    );
  }
  const who = target.senderId === me?.id ? tr.t('you') : target.sender.name;
  return (
    <button
      type="button"
      class="reply-quote"
      onClick={() => {
        if (!scrollToMessage(target.id)) onOpenThread?.(target.id);
      }}
    >
      {/* Named by what it shows, after a hidden "Replying to": no aria-label that hides the text. */}
      <span class="visually-hidden">{tr.t('replyingTo', { name: '' }).trim()} </span>
      <span class="reply-quote-name">{who}</span>
      <span class="visually-hidden">: </span>
      <span class="reply-quote-text">{previewText(target, tr.lang).slice(0, 160)}</span>
    </button>
  );
}
