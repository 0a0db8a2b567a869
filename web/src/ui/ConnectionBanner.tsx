// The connection state, always visible when it is not "connected".
import { useChat, useClient, useNow, useT } from './context';

export function ConnectionBanner() {
  const client = useClient();
  const { t } = useT();
  const conn = useChat((s) => s.connection);
  const pendingCount = useChat((s) => s.outbox.filter((p) => p.state !== 'failed').length);
  const now = useNow(1000);
  if (conn.status === 'online' || conn.status === 'idle') {
    return <div class="connection-state is-online" role="status" aria-live="polite"><span class="visually-hidden">{t('connOnline')}</span></div>;
  }
  let text: string;
  switch (conn.status) {
    case 'connecting':
      text = t('connConnecting');
      break;
    case 'reconnecting':
      text = conn.retryAt && conn.retryAt > now ? t('connReconnectingIn', { seconds: Math.ceil((conn.retryAt - now) / 1000) }) : t('connReconnecting');
      break;
    case 'offline':
      text = t('connOffline');
      break;
    case 'unauthorized':
      text = t('connUnauthorized');
      break;
  }
  const canRetry = conn.status === 'reconnecting' || conn.status === 'offline';
  return (
    <div class={`connection-state is-${conn.status}`} role="status" aria-live="polite">
      <span class="connection-dot" aria-hidden="true" />
      <span>{text}</span>
      {pendingCount > 0 && conn.status !== 'unauthorized' && <span class="connection-pending">({t('statusSending')}: {pendingCount})</span>}
      {canRetry && (
        <button type="button" class="link-button" onClick={() => client.connection.retryNow()}>
          {t('retryNow')}
        </button>
      )}
      {conn.status === 'unauthorized' && (
        <button type="button" class="link-button" onClick={() => client.signOut()}>
          {t('signInTitle')}
        </button>
      )}
    </div>
  );
}

/** Opened without a network: the conversations are the device's copy, and nothing is sent. */
export function OfflineNotice() {
  const { t } = useT();
  const offline = useChat((s) => s.offlineCopy === true);
  if (!offline) return null;
  return (
    <div class="connection-state is-offline offline-notice" role="status">
      <span class="connection-dot" aria-hidden="true" />
      <span>{t('offlineCopy')}</span>
    </div>
  );
}
