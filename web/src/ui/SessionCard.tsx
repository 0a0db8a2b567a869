// One session of a consultation: when and how long, its numbers, key topics, action items as a
// checklist (ticks kept on this device), notes, and its transcript.
import { useMemo, useState } from 'preact/hooks';
import type { ChatSession, Conversation } from '../protocol';
import { formatDateTime } from '../text/format';
import { useClient, useT } from './context';
import { TranscriptButton } from './TranscriptButton';

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div class="session-stat">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

export function SessionCard({ session, conv }: { session: ChatSession; conv: Conversation }) {
  const client = useClient();
  const { t, lang } = useT();
  const marks = useMemo(() => client.sessionMarks(), [client]);
  const [checked, setChecked] = useState<number[]>(() => marks?.checked(session.id) ?? []);
  const { summary, analytics } = session;
  const none = t('sessionNone');
  const nameOf = (userId: string) => conv.participants.find((p) => p.userId === userId)?.user.name ?? userId;
  const num = (v: number | null, key: 'sessionSeconds' | 'sessionOutOfFive' | null) =>
    v === null ? none : key ? t(key, key === 'sessionSeconds' ? { count: v } : { value: v }) : String(v);

  return (
    <article class="session-card" aria-label={t('sessionTitle', { time: formatDateTime(session.startTime, lang) })}>
      <h3>{t('sessionTitle', { time: formatDateTime(session.startTime, lang) })}</h3>
      <dl class="session-stats">
        <Stat label={t('sessionDuration')} value={session.endTime ? t('sessionMinutes', { count: session.duration ?? 0 }) : t('sessionOpen')} />
        <Stat label={t('sessionMessages')} value={String(summary.totalMessages)} />
        <Stat label={t('sessionFiles')} value={String(summary.filesShared)} />
        <Stat label={t('sessionResponseTime')} value={num(analytics.responseTime, 'sessionSeconds')} />
        <Stat label={t('sessionEngagement')} value={num(analytics.engagement, null)} />
        <Stat label={t('sessionSatisfaction')} value={analytics.satisfaction === null ? t('sessionNotRated') : num(analytics.satisfaction, 'sessionOutOfFive')} />
      </dl>
      {session.participants.length > 0 && (
        <section>
          <h4>{t('sessionByPerson')}</h4>
          <ul class="session-people">
            {session.participants.map((p) => (
              <li key={p.userId}>{t('sessionPersonCount', { name: nameOf(p.userId), count: p.messageCount })}</li>
            ))}
          </ul>
        </section>
      )}
      {summary.keyTopics.length > 0 && (
        <section>
          <h4>{t('sessionKeyTopics')}</h4>
          <ul class="session-topics">
            {summary.keyTopics.map((k) => (
              <li key={k} class="topic-chip">
                {k}
              </li>
            ))}
          </ul>
        </section>
      )}
      {summary.actionItems.length > 0 && (
        <section>
          <h4>{t('sessionActionItems')}</h4>
          <ul class="session-actions">
            {summary.actionItems.map((item, i) => (
              <li key={i}>
                <label>
                  <input
                    type="checkbox"
                    checked={checked.includes(i)}
                    onChange={(e) => setChecked(marks?.setChecked(session.id, i, (e.currentTarget as HTMLInputElement).checked) ?? [])}
                  />
                  <span>{item}</span>
                </label>
              </li>
            ))}
          </ul>
          <p class="small muted">{t('sessionChecklistLocal')}</p>
        </section>
      )}
      {summary.sessionNotes && (
        <section>
          <h4>{t('sessionNotes')}</h4>
          <p class="session-notes">{summary.sessionNotes}</p>
        </section>
      )}
      {session.endTime && <TranscriptButton sessionId={session.id} />}
    </article>
  );
}
