// The bell beside the user menu: how many notifications are unread and, opened, the in-app list
// (GET /api/notifications): title, preview, count, time, unread marked; a click opens the
// conversation; "Mark all read" marks up to the newest. Refreshed when opened and after every
// (re)connect. Hidden when the server has no notifications API (404).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { InAppNotification } from '../protocol';
import { ChatError } from '../protocol';
import { formatListTime } from '../text/format';
import { useChat, useClient, useT } from './context';
import { Icon } from './Icon';
import { useDismiss } from './useDismiss';

export function NotificationBell({ onOpen }: { onOpen: (conversationId: string) => void }) {
  const client = useClient();
  const tr = useT();
  const { t, error } = tr;
  const connectionId = useChat((s) => s.connection.connectionId);
  // The offline copy has no notifications to list: the bell is there, disabled.
  const offline = useChat((s) => s.offlineCopy === true);
  const [items, setItems] = useState<InAppNotification[]>([]);
  const [serverUnread, setServerUnread] = useState<number | null>(null);
  const [absent, setAbsent] = useState(false);
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);

  const refresh = async () => {
    try {
      const r = await client.api.listNotifications({ limit: 50 });
      setItems(r.notifications);
      setServerUnread(r.unreadCount);
      setProblem(null);
    } catch (e) {
      if (e instanceof ChatError && e.code === 'not_found') setAbsent(true);
      else setProblem(error(e instanceof ChatError ? e.code : 'unknown'));
    }
  };

  useEffect(() => {
    if (connectionId > 0) void refresh();
  }, [client, connectionId]);

  useEffect(() => {
    if (open) void refresh();
  }, [open]);
  useDismiss(open, () => setOpen(false), ref);

  if (absent) return null;
  const unread = serverUnread ?? items.filter((n) => n.readAt === null).length;

  const markAllRead = async () => {
    const newest = items[0];
    if (!newest) return;
    try {
      await client.api.markNotificationsRead(newest.id);
      const now = new Date().toISOString();
      setItems((l) => l.map((n) => (n.readAt ? n : { ...n, readAt: now })));
      setServerUnread(0);
    } catch (e) {
      setProblem(error(e instanceof ChatError ? e.code : 'unknown'));
    }
  };

  const label = unread > 0 ? `${t('notificationsTitle')}: ${t('notificationsUnread', { count: unread })}` : t('notificationsTitle');
  const now = new Date();
  return (
    <div class="notification-bell" ref={ref}>
      <button type="button" class="icon-button bell-button" aria-expanded={open} aria-haspopup="true" aria-label={label} title={offline ? t('offlineUnavailable') : label} disabled={offline} onClick={() => setOpen((o) => !o)}>
        <Icon name="bell" size={20} />
        {unread > 0 && (
          <span class="unread-badge bell-badge" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && !offline && (
        <div class="notification-panel" role="dialog" aria-label={t('notificationsTitle')}>
          <header class="notification-panel-header">
            <h2>{t('notificationsTitle')}</h2>
            <button type="button" class="link-button" onClick={() => void markAllRead()} disabled={unread === 0}>
              {t('notificationsMarkAllRead')}
            </button>
          </header>
          {problem && (
            <p class="error-text small" role="alert">
              {problem}
            </p>
          )}
          {items.length === 0 && !problem && <p class="muted small">{t('notificationsEmpty')}</p>}
          <ul class="notification-items">
            {items.map((n) => (
              <li key={n.id} class={`notification-item ${n.readAt ? '' : 'is-unread'}`}>
                <button
                  type="button"
                  disabled={!n.conversationId}
                  onClick={() => {
                    if (!n.conversationId) return;
                    setOpen(false);
                    onOpen(n.conversationId);
                  }}
                >
                  <span class="notification-item-top">
                    <strong class="notification-item-title">{n.title}</strong>
                    {n.createdAt && (
                      <time class="muted small" dateTime={n.createdAt}>
                        {formatListTime(n.createdAt, tr.lang, now)}
                      </time>
                    )}
                  </span>
                  <span class="notification-item-preview">{n.preview}</span>
                  {n.count > 1 && <span class="muted small">{t('notificationsCount', { count: n.count })}</span>}
                  {!n.readAt && <span class="visually-hidden">{t('notificationsUnread', { count: 1 })}</span>}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
