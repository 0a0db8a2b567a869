import type { Message } from '../protocol';
import { formatDateTime } from '../text/format';
import { useT } from './context';
import { Dialog } from './Dialog';
import { MessageText } from './MessageText';

/** Earlier versions of an edited message (the server shows them to the sender and tutors). */
export function EditHistoryDialog({ message, onClose }: { message: Message; onClose: () => void }) {
  const { t, lang } = useT();
  const history = [...(message.editHistory ?? [])].sort((a, b) => (a.editedAt < b.editedAt ? 1 : -1));
  return (
    <Dialog title={t('editHistoryTitle')} onClose={onClose}>
      <ol class="edit-history">
        <li class="edit-history-current">
          <MessageText text={message.content.text ?? ''} />
          <span class="muted small">{t('editedAt', { time: formatDateTime(message.updatedAt, lang) })}</span>
        </li>
        {history.map((h, i) => (
          <li key={i}>
            <MessageText text={h.previousContent} />
            <span class="muted small">{formatDateTime(h.editedAt, lang)}</span>
          </li>
        ))}
      </ol>
    </Dialog>
  );
}
