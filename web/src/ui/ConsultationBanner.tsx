// The banner of a consultation room: what it is, and whether a session is running.
import { useEffect, useState } from 'preact/hooks';
import type { ChatSession, Conversation } from '../protocol';
import { formatDateTime } from '../text/format';
import { useClient, useT } from './context';

export function ConsultationBanner({ conv }: { conv: Conversation }) {
  const client = useClient();
  const { t, lang } = useT();
  const [sessions, setSessions] = useState<ChatSession[]>([]);
  useEffect(() => {
    let live = true;
    client.api.sessions(conv.id).then(
      (s) => live && setSessions(s),
      () => live && setSessions([]),
    );
    return () => {
      live = false;
    };
  }, [client, conv.id, conv.lastSeq]);
  const open = sessions.find((s) => !s.endTime);
  const ended = sessions.filter((s) => s.endTime).sort((a, b) => ((a.endTime ?? '') < (b.endTime ?? '') ? 1 : -1))[0];
  return (
    <section class={`consultation-banner ${conv.isArchived ? 'is-archived' : ''}`} aria-label={t('consultationBanner')}>
      <span class="consultation-icon" aria-hidden="true">
        🎓
      </span>
      <div>
        <p class="consultation-title">
          <strong>{t('consultationBanner')}</strong>
          {conv.title && <span> · {conv.title}</span>}
        </p>
        <p class="small">{conv.isArchived ? t('consultationArchived') : t('consultationBannerText')}</p>
        {open && <p class="small session-live">{t('sessionInProgress', { time: formatDateTime(open.startTime, lang) })}</p>}
        {!open && ended?.endTime && <p class="small muted">{t('sessionLastEnded', { time: formatDateTime(ended.endTime, lang) })}</p>}
      </div>
    </section>
  );
}
