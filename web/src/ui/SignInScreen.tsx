// Sign-in: in --dev mode a picker of the demo users; otherwise the Writeen app hands the token
// over (URL fragment or postMessage) and this screen only waits.
import { useEffect, useState } from 'preact/hooks';
import type { DevUser } from '../protocol';
import { ChatError } from '../protocol';
import { Avatar } from './Avatar';
import { useClient, useT } from './context';
import { LanguageSwitch } from './LanguageSwitch';
import { roleKey } from './roles';

type DevState = { kind: 'loading' } | { kind: 'users'; users: DevUser[] } | { kind: 'none' } | { kind: 'unreachable' };

export function SignInScreen() {
  const client = useClient();
  const { t, error } = useT();
  const [dev, setDev] = useState<DevState>({ kind: 'loading' });
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    client.api.devUsers().then(
      (users) => live && setDev({ kind: 'users', users }),
      (e: unknown) => {
        if (!live) return;
        const code = e instanceof ChatError ? e.code : 'unknown';
        setDev(code === 'network' || code === 'unavailable' ? { kind: 'unreachable' } : { kind: 'none' });
      },
    );
    return () => {
      live = false;
    };
  }, [client]);

  const pick = async (u: DevUser) => {
    setBusy(u.id);
    setProblem(null);
    try {
      await client.signInDev(u.id);
    } catch (e) {
      setProblem(error(e instanceof ChatError ? e.code : 'unknown'));
    } finally {
      setBusy(null);
    }
  };

  return (
    <main class="sign-in" aria-labelledby="sign-in-title">
      <div class="sign-in-card">
        <div class="sign-in-top">
          <div class="brand">
            <span class="brand-mark" aria-hidden="true">W</span>
            <div>
              <h1 id="sign-in-title">{t('appName')}</h1>
              <p class="muted">{t('appTagline')}</p>
            </div>
          </div>
          <LanguageSwitch />
        </div>
        {dev.kind === 'loading' && <p class="muted">{t('loading')}</p>}
        {dev.kind === 'users' && (
          <section aria-labelledby="dev-users-title">
            <h2 id="dev-users-title" class="section-title">{t('signInTitle')}</h2>
            <p class="muted">{t('signInDevHint')}</p>
            <ul class="dev-users">
              {dev.users.map((u) => (
                <li key={u.id}>
                  <button type="button" class="dev-user" onClick={() => void pick(u)} disabled={busy !== null}>
                    <Avatar id={u.id} name={u.name} size="lg" />
                    <span class="dev-user-text">
                      <span class="dev-user-name">{u.name}</span>
                      <span class="muted">{t(roleKey[u.role])}</span>
                    </span>
                    {busy === u.id && <span class="spinner" aria-hidden="true" />}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        {dev.kind === 'none' && (
          <div role="status">
            <p>{t('signInWaiting')}</p>
            <p class="muted">{t('signInHelp')}</p>
          </div>
        )}
        {dev.kind === 'unreachable' && <p role="alert">{t('signInNoServer')}</p>}
        {problem && (
          <p role="alert" class="error-text">
            {problem}
          </p>
        )}
      </div>
    </main>
  );
}
