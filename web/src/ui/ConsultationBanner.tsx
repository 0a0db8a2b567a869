// The banner of a consultation room: where the consultation stands (scheduled with its time,
// live with a running timer, ended, cancelled), the way to its sessions, the rating prompt after
// a session, and in dev mode the demo service's buttons for the tutor. On a phone it folds to one
// line (the phase and its timer) with a toggle, so the messages keep the screen.
import { useState } from 'preact/hooks';
import { bannerAttention, isBannerFolded, type FoldChoice } from '../consultation/bannerFold';
import type { Conversation } from '../protocol';
import { formatDateTime } from '../text/format';
import { useChat, useClient, useT } from './context';
import { DemoServicePanel } from './DemoServicePanel';
import { Icon } from './Icon';
import { LiveTimer } from './LiveTimer';
import { RatingPrompt } from './RatingPrompt';
import type { ConsultationView } from './useConsultation';

function PhaseLine({ conv, view }: { conv: Conversation; view: ConsultationView }) {
  const { t, lang } = useT();
  const s = view.state;
  switch (s.phase) {
    case 'scheduled':
      return (
        <p class="small consultation-phase phase-scheduled">
          {s.scheduledStart ? t('consultScheduled', { time: formatDateTime(s.scheduledStart, lang) }) : t('consultUnscheduled')}
        </p>
      );
    case 'live':
      return (
        <p class="small consultation-phase phase-live session-live">
          <span class="live-dot" aria-hidden="true" />
          {t('consultLive')} · {s.startTime && <LiveTimer since={s.startTime} label={t('consultTimer')} />}
          {s.startTime && <span class="muted"> · {t('consultLiveSince', { time: formatDateTime(s.startTime, lang) })}</span>}
        </p>
      );
    case 'ended':
      return <p class="small consultation-phase phase-ended">{t('consultEnded', { time: s.endTime ? formatDateTime(s.endTime, lang) : '' })}</p>;
    case 'cancelled':
      return <p class="small consultation-phase phase-cancelled">{t('consultCancelled')}</p>;
    default:
      return <p class="small consultation-phase phase-unscheduled">{conv.isArchived ? t('consultationArchived') : t('consultationBannerText')}</p>;
  }
}

export function ConsultationBanner({ conv, view, onOpenSessions, onOpenConversation }: {
  conv: Conversation;
  view: ConsultationView;
  onOpenSessions: () => void;
  onOpenConversation: (id: string) => void;
}) {
  const client = useClient();
  const { t } = useT();
  const me = useChat((s) => s.me);
  const mine = conv.participants.find((p) => p.userId === me?.id && p.leftAt === null);
  const { state } = view;
  const askRating = state.phase === 'ended' && state.sessionId !== null && mine !== undefined;
  const demo = me?.role === 'tutor' && mine?.role === 'tutor' ? client.demoService : null;
  const attention = bannerAttention({ rateSessionId: askRating ? state.sessionId : null, problem: view.problem });
  const [choice, setChoice] = useState<(FoldChoice & { convId: string }) | null>(null);
  const folded = isBannerFolded(choice?.convId === conv.id ? choice : null, attention);
  const detailsId = `consultation-details-${conv.id}`;
  return (
    <section
      class={`consultation-banner phase-${state.phase} ${conv.isArchived ? 'is-archived' : ''} ${folded ? 'is-folded' : 'is-unfolded'}`}
      aria-label={t('consultationBanner')}
    >
      <span class="consultation-icon" aria-hidden="true">
        🎓
      </span>
      <div class="consultation-body">
        <div class="consultation-line consultation-details" id={`${detailsId}-title`}>
          <p class="consultation-title">
            <strong>{t('consultationBanner')}</strong>
            {conv.title && <span> · {conv.title}</span>}
          </p>
          <button type="button" class="button button-small" onClick={onOpenSessions}>
            {t('consultSessionsButton', { count: view.sessions.length })}
          </button>
        </div>
        <div aria-live="polite" class="consultation-phase-line">
          <PhaseLine conv={conv} view={view} />
        </div>
        <div class="consultation-details" id={detailsId}>
          {view.problem && (
            <p class="small error-text" role="alert">
              {t('consultLoadFailed', { reason: view.problem })}
            </p>
          )}
          {askRating && <RatingPrompt key={state.sessionId} sessionId={state.sessionId!} onRated={view.reload} />}
          {demo && <DemoServicePanel conv={conv} view={view} service={demo} onOpenConversation={onOpenConversation} />}
        </div>
      </div>
      <button
        type="button"
        class="icon-button consultation-fold"
        aria-expanded={!folded}
        aria-controls={`${detailsId}-title ${detailsId}`}
        aria-label={folded ? t('consultShowDetails') : t('consultHideDetails')}
        title={folded ? t('consultShowDetails') : t('consultHideDetails')}
        onClick={() => setChoice({ convId: conv.id, folded: !folded, attention })}
      >
        <Icon name="chevronDown" />
      </button>
    </section>
  );
}
