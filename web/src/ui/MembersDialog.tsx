// Who is in a conversation (role, online, last seen); tutors and admins add people through the
// people picker and remove them. Presence is live; the directory fills in who was online and
// when others were last seen at the moment the list opened (the server sends presence only on
// changes).
import { useEffect, useState } from 'preact/hooks';
import type { Conversation, DirectoryUser } from '../protocol';
import { ChatError } from '../protocol';
import { canManageMembers, memberRows } from '../state';
import { formatDateTime } from '../text/format';
import { Avatar } from './Avatar';
import { useChat, useClient, useT } from './context';
import { Dialog } from './Dialog';
import { PeoplePicker } from './PeoplePicker';
import { roleKey } from './roles';

export function MembersDialog({ conv, onClose }: { conv: Conversation; onClose: () => void }) {
  const client = useClient();
  const tr = useT();
  const { t, error } = tr;
  const me = useChat((s) => s.me);
  const presence = useChat((s) => s.presence);
  const connected = useChat((s) => s.connection.status === 'online');
  const [directory, setDirectory] = useState<Record<string, DirectoryUser>>({});
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const memberIds = conv.participants.filter((p) => p.leftAt === null).map((p) => p.userId).join(',');

  useEffect(() => {
    let live = true;
    client.api.findUsers({ conversationId: conv.id, limit: 100 }).then(
      (r) => {
        if (live) setDirectory(Object.fromEntries(r.users.map((u) => [u.id, u])));
      },
      () => {
        /* the list works from the conversation and live presence alone */
      },
    );
    return () => {
      live = false;
    };
  }, [client, conv.id, memberIds]);

  const rows = memberRows(conv, me, presence, connected, directory);
  // Adding and removing need the server: none of it in the device's offline copy.
  const offline = useChat((s) => s.offlineCopy === true);
  const manage = canManageMembers(conv, me) && !offline;
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await f();
    } catch (e) {
      setProblem(error(e instanceof ChatError ? e.code : 'unknown'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('membersCount', { count: rows.length })} onClose={onClose}>
      <ul class="member-list" aria-label={t('members')}>
        {rows.map((r) => (
          <li key={r.userId} class="member-row" data-user-id={r.userId}>
            <Avatar id={r.userId} name={r.name} size="sm" online={r.online} />
            <span class="member-text">
              <span class="member-name">
                {r.name}
                {r.isMe && <span class="muted"> ({t('you')})</span>}
              </span>
              <span class="muted member-status">
                {t(roleKey[r.role])}
                {' · '}
                {r.online ? t('online') : r.lastSeen ? t('lastSeen', { time: formatDateTime(r.lastSeen, tr.lang) }) : t('offline')}
              </span>
            </span>
            {manage && !r.isMe && (
              <button
                type="button"
                class="button button-small"
                disabled={busy}
                aria-label={t('removeMember', { name: r.name })}
                onClick={() => {
                  if (window.confirm(t('removeMemberConfirm', { name: r.name }))) void run(() => client.removeMember(conv.id, r.userId));
                }}
              >
                {t('remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {manage &&
        (adding ? (
          <PeoplePicker
            id={`add-member-${conv.id}`}
            selected={[]}
            disabledIds={rows.map((r) => r.userId)}
            onPick={(u) => void run(() => client.addMember(conv.id, u.id))}
          />
        ) : (
          <button type="button" class="button" onClick={() => setAdding(true)}>
            {t('addMember')}
          </button>
        ))}
      {problem && (
        <p role="alert" class="error-text">
          {problem}
        </p>
      )}
    </Dialog>
  );
}
