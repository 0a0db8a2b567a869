// Who the conversation is with, their presence or last seen, and the conversation's actions.
import { Icon } from './Icon';
import { useEffect, useState } from 'preact/hooks';
import type { Conversation } from '../protocol';
import { ChatError } from '../protocol';
import { canLeave as mayLeave, conversationName, isConversationOnline, isModerator, onlineOthers, othersIn } from '../state';
import { formatDateTime } from '../text/format';
import { Avatar } from './Avatar';
import { useChat, useClient, useT } from './context';
import { MembersDialog } from './MembersDialog';

export function ConversationHeader({ conv, onBack }: { conv: Conversation; onBack: () => void }) {
  const client = useClient();
  const tr = useT();
  const { t, error } = tr;
  const me = useChat((s) => s.me);
  const online = useChat((s) => isConversationOnline(s, conv));
  const onlineCount = useChat((s) => onlineOthers(s, conv).length);
  const presence = useChat((s) => s.presence);
  const connected = useChat((s) => s.connection.status === 'online');
  // The device's offline copy: every action here needs the server, so each is shown disabled.
  const offline = useChat((s) => s.offlineCopy === true);
  const [problem, setProblem] = useState<string | null>(null);
  const [showMembers, setShowMembers] = useState(false);
  const muted = useChat((s) => s.muted[conv.id]);
  // null: not known yet, or the server has no notification settings (then no button).
  const [muteAvailable, setMuteAvailable] = useState(false);
  useEffect(() => {
    let live = true;
    setMuteAvailable(false);
    client.loadMuted(conv.id).then(
      (m) => {
        if (live) setMuteAvailable(m !== null);
      },
      () => {
        /* the header works without the setting */
      },
    );
    return () => {
      live = false;
    };
  }, [client, conv.id]);
  const name = conversationName(conv, me);
  const others = othersIn(conv, me?.id ?? '');
  const other = conv.type === 'direct' ? others[0] : undefined;

  let status: string;
  if (other && !connected) {
    status = '';
  } else if (other) {
    const p = presence[other.userId];
    if (p && p.status !== 'offline') status = t(p.status);
    else if (!p && online) status = t('online');
    else if (p?.lastSeen) status = t('lastSeen', { time: formatDateTime(p.lastSeen, tr.lang) });
    else status = t('offline');
  } else {
    status = t('participantsCount', { count: conv.participants.filter((p) => p.leftAt === null).length });
    // The dot and the words say the same: a count when presence names who, else only "online"
    // (the list's isOnline says someone is, not who); nothing while disconnected.
    if (onlineCount > 0) status += ` · ${onlineCount} ${t('online').toLowerCase()}`;
    else if (online) status += ` · ${t('online').toLowerCase()}`;
  }

  const mod = isModerator(conv, me);
  const canLeave = mayLeave(conv, me);
  const run = (f: () => Promise<void>) => f().catch((e: unknown) => setProblem(error(e instanceof ChatError ? e.code : 'unknown')));

  return (
    <header class="conversation-header">
      <button type="button" class="icon-button back-button" onClick={onBack} aria-label={t('back')}>
        <Icon name="back" size={20} />
      </button>
      <Avatar id={other?.userId ?? conv.id} name={name} online={online} />
      <div class="conversation-header-text">
        <h2 class="conversation-title">{name}</h2>
        <p class={`conversation-status ${online ? 'is-online' : ''}`} aria-live="polite">
          {status}
        </p>
      </div>
      <div class="conversation-header-actions">
        {muteAvailable && (
          <button
            type="button"
            class={`icon-button mute-button ${muted ? 'is-muted' : ''}`}
            aria-pressed={muted === true}
            aria-label={muted ? t('unmuteConversation') : t('muteConversation')}
            title={offline ? t('offlineUnavailable') : muted ? t('unmuteConversation') : t('muteConversation')}
            disabled={offline}
            onClick={() => run(() => client.setMuted(conv.id, !muted))}
          >
            <Icon name={muted ? 'bellOff' : 'bell'} size={18} />
          </button>
        )}
        {conv.type !== 'direct' && (
          <button
            type="button"
            class="icon-button members-button"
            aria-haspopup="dialog"
            aria-label={t('members')}
            title={t('members')}
            onClick={() => setShowMembers(true)}
          >
            <Icon name="people" size={18} />
          </button>
        )}
        {!conv.isArchived && (
          <button
            type="button"
            class="button button-small archive-for-me-button"
            title={offline ? t('offlineUnavailable') : t('archiveForMeHint')}
            disabled={offline}
            onClick={() => run(() => client.setArchivedForMe(conv.id, !conv.isArchivedForMe))}
          >
            {/* On a phone only the icon shows (layout.css); the words stay the button's name. */}
            <Icon name="archive" size={18} />
            <span class="button-label">{conv.isArchivedForMe ? t('unarchiveForMe') : t('archiveForMe')}</span>
          </button>
        )}
        {mod && (
          <button type="button" class="button button-small" title={offline ? t('offlineUnavailable') : t('archiveHint')} disabled={offline} onClick={() => run(() => client.setArchived(conv.id, !conv.isArchived))}>
            {conv.isArchived ? t('unarchive') : t('archive')}
          </button>
        )}
        {canLeave && (
          <button
            type="button"
            class="button button-small"
            title={offline ? t('offlineUnavailable') : undefined}
            disabled={offline}
            onClick={() => {
              if (window.confirm(`${t('leaveConversation')}?`)) void run(() => client.leave(conv.id));
            }}
          >
            {t('leaveConversation')}
          </button>
        )}
      </div>
      {showMembers && <MembersDialog conv={conv} onClose={() => setShowMembers(false)} />}
      {problem && (
        <p class="error-text small header-problem" role="alert">
          {problem}
        </p>
      )}
    </header>
  );
}
