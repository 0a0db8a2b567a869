// The signed-in user's menu: who they are, language, notifications, sign out.
import { useRef, useState } from 'preact/hooks';
import { Avatar } from './Avatar';
import { useChat, useClient, useT } from './context';
import { LanguageSwitch } from './LanguageSwitch';
import { PushSwitch } from './PushSwitch';
import { roleKey } from './roles';
import { useDismiss } from './useDismiss';

export function UserMenu() {
  const client = useClient();
  const { t } = useT();
  const me = useChat((s) => s.me);
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);

  useDismiss(open, () => setOpen(false), ref);

  if (!me) return null;
  return (
    <div class="user-menu" ref={ref}>
      <button type="button" class="icon-button user-menu-button" aria-expanded={open} aria-haspopup="true" title={`${t('menu')}: ${me.name}`} onClick={() => setOpen((o) => !o)}>
        <Avatar id={me.id} name={me.name} size="sm" />
        <span class="visually-hidden">
          {t('menu')}: {me.name}
        </span>
      </button>
      {open && (
        <div class="user-menu-panel">
          <p class="user-menu-who">
            <strong>{me.name}</strong>
            <span class="muted small">{t(roleKey[me.role])}</span>
          </p>
          <div class="user-menu-row">
            <span>{t('language')}</span>
            <LanguageSwitch />
          </div>
          <PushSwitch />
          <button type="button" class="button" onClick={() => client.signOut()}>
            {t('signOut')}
          </button>
        </div>
      )}
    </div>
  );
}
