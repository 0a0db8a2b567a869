// System messages: joins and leaves, consultation confirmed/rescheduled/started/ended (with its
// summary)/cancelled.
import type { Translator } from '../i18n';
import type { Conversation, Message, SystemMessageContent } from '../protocol';
import { isRecord } from '../protocol';
import { formatTime } from '../text/format';
import { useT } from './context';

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function personName(data: Record<string, unknown>, conv: Conversation | undefined): string {
  const direct = str(data.userName) ?? str(data.name) ?? (isRecord(data.user) ? str(data.user.name) : null);
  if (direct) return direct;
  const id = str(data.userId);
  if (id) return conv?.participants.find((p) => p.userId === id)?.user.name ?? id;
  return '?';
}

/** The sentence a system message stands for, in the interface language. */
export function systemText(sys: SystemMessageContent, conv: Conversation | undefined, tr: Translator): string {
  const data = sys.data ?? {};
  switch (sys.action) {
    case 'user_joined':
      return tr.t('sysUserJoined', { name: personName(data, conv) });
    case 'user_left':
      return tr.t('sysUserLeft', { name: personName(data, conv) });
    case 'consultation_confirmed':
      return tr.t('sysConsultationConfirmed', { title: str(data.title) ?? conv?.title ?? '' });
    case 'consultation_rescheduled':
      return tr.t('sysConsultationRescheduled', { title: str(data.title) ?? conv?.title ?? '' });
    case 'consultation_started':
      return tr.t('sysConsultationStarted');
    case 'consultation_ended':
      return tr.t('sysConsultationEnded');
    case 'consultation_cancelled':
      return tr.t('sysConsultationCancelled');
    case 'file_shared':
      return tr.t('sysFileShared', { name: personName(data, conv) });
    default:
      return tr.t('sysGeneric');
  }
}

function summaryOf(sys: SystemMessageContent): { messages: number; files: number; topics: string[]; actions: string[]; notes: string } | null {
  const data = sys.data ?? {};
  const s = isRecord(data.summary) ? data.summary : null;
  if (!s) return null;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    messages: typeof s.totalMessages === 'number' ? s.totalMessages : 0,
    files: typeof s.filesShared === 'number' ? s.filesShared : 0,
    topics: list(s.keyTopics),
    actions: list(s.actionItems),
    notes: typeof s.sessionNotes === 'string' ? s.sessionNotes : '',
  };
}

export function SystemMessage({ message, conv }: { message: Message; conv: Conversation | undefined }) {
  const tr = useT();
  const sys = message.content.systemMessage ?? { action: 'unknown' };
  const summary = sys.action === 'consultation_ended' ? summaryOf(sys) : null;
  return (
    <li class={`system-message system-${sys.action}`} id={`msg-${message.id}`} data-seq={message.seq}>
      <div class="system-message-body">
        <span>{systemText(sys, conv, tr)}</span>
        <time class="muted" dateTime={message.createdAt}>
          {' · '}
          {formatTime(message.createdAt, tr.lang)}
        </time>
        {summary && (
          <div class="session-summary">
            <p>{tr.t('sysSummary', { messages: summary.messages, files: summary.files })}</p>
            {summary.topics.length > 0 && <p class="muted">{summary.topics.join(' · ')}</p>}
            {summary.actions.length > 0 && (
              <ul>
                {summary.actions.map((a, i) => (
                  <li key={i}>{a}</li>
                ))}
              </ul>
            )}
            {summary.notes && <p class="session-notes">{summary.notes}</p>}
          </div>
        )}
      </div>
    </li>
  );
}
