// The sessions of a consultation room beside the conversation (over it on a phone), newest first.
import type { Conversation } from '../protocol';
import { useT } from './context';
import { Icon } from './Icon';
import { SessionCard } from './SessionCard';
import type { ConsultationView } from './useConsultation';

export function SessionsPanel({ conv, view, onClose }: { conv: Conversation; view: ConsultationView; onClose: () => void }) {
  const { t } = useT();
  return (
    <aside class="thread-panel sessions-panel" aria-label={t('sessions')}>
      <header class="thread-header">
        <h2>{t('sessions')}</h2>
        <button type="button" class="icon-button" onClick={onClose} aria-label={t('close')}>
          <Icon name="close" size={18} />
        </button>
      </header>
      <div class="thread-scroller sessions-list">
        {view.problem && (
          <p class="small error-text" role="alert">
            {t('consultLoadFailed', { reason: view.problem })}
          </p>
        )}
        {view.sessions.length === 0 && !view.problem && <p class="muted sessions-empty">{t('consultNoSessions')}</p>}
        {view.sessions.map((s) => (
          <SessionCard key={s.id} session={s} conv={conv} />
        ))}
      </div>
    </aside>
  );
}
