// Ticks on the user's own messages: sending (clock), sent (one tick), delivered (two), read
// (two, coloured), failed (!). The label says who read or received it, and when.
import type { MessageStatus } from '../protocol';
import type { Receipt } from '../state';
import { formatTime } from '../text/format';
import { useT } from './context';

export function StatusTicks({ status, readers = [], delivered = [] }: { status: MessageStatus; readers?: Receipt[]; delivered?: Receipt[] }) {
  const { t, lang } = useT();
  const who = (list: Receipt[]) => list.map((r) => (r.at ? `${r.name} (${formatTime(r.at, lang)})` : r.name)).join(', ');
  let label: string;
  switch (status) {
    case 'sending':
      label = t('statusSending');
      break;
    case 'failed':
      label = t('statusFailed');
      break;
    case 'sent':
      label = t('statusSent');
      break;
    case 'delivered':
      label = delivered.length > 0 ? `${t('statusDelivered')}. ${t('deliveredTo', { names: who(delivered) })}` : t('statusDelivered');
      break;
    case 'read':
      label = readers.length > 0 ? `${t('statusRead')}. ${t('readBy', { names: who(readers) })}` : t('statusRead');
      break;
  }
  return (
    <span class={`ticks ticks-${status}`} title={label} role="img" aria-label={label}>
      {status === 'sending' && (
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.5" />
          <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />
        </svg>
      )}
      {status === 'sent' && (
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
      )}
      {(status === 'delivered' || status === 'read') && (
        <svg viewBox="0 0 20 16" width="18" height="14" aria-hidden="true">
          <path d="M1.5 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
          <path d="M7.5 11.5l7-7" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
          <path d="M9.5 11.5l7-7" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
        </svg>
      )}
      {status === 'failed' && <span aria-hidden="true">!</span>}
    </span>
  );
}
