import { typingNames } from '../state';
import { useChat, useNow, useT } from './context';

/** "Dr. Budi Santoso is typing…", announced politely to screen readers. */
export function TypingIndicator({ conversationId }: { conversationId: string }) {
  const { t } = useT();
  const now = useNow(1000);
  const typing = useChat((s) => s.typing[conversationId]);
  const names = typing ? typingNames({ typing: { [conversationId]: typing } }, conversationId, now) : [];
  let text = '';
  if (names.length === 1) text = t('typingOne', { name: names[0]! });
  else if (names.length === 2) text = t('typingTwo', { a: names[0]!, b: names[1]! });
  else if (names.length > 2) text = t('typingMany');
  return (
    <div class="typing-indicator" aria-live="polite">
      {text && (
        <>
          <span class="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          <span>{text}</span>
        </>
      )}
    </div>
  );
}
