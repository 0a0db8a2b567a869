// The "Browser notifications" switch of the user menu: on asks the browser's permission (only
// now, from this click) and subscribes to Web Push; off unsubscribes. Problems in plain words.
import { useEffect, useState } from 'preact/hooks';
import { ChatError } from '../protocol';
import type { PushSwitchState } from '../push/subscription';
import { PushSetupError } from '../push/subscription';
import { useClient, useT } from './context';

export function PushSwitch() {
  const client = useClient();
  const { t, error } = useT();
  const [state, setState] = useState<PushSwitchState | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void client.pushSubscriptions()?.state().then((s) => {
      if (live) setState(s);
    });
    return () => {
      live = false;
    };
  }, [client]);

  const push = client.pushSubscriptions();
  if (!push || state === null) return null;
  const on = state === 'on';

  const toggle = async () => {
    setBusy(true);
    setProblem(null);
    try {
      if (on) await push.disable();
      else await push.enable();
    } catch (e) {
      if (e instanceof PushSetupError) setProblem(t(e.problem));
      else setProblem(error(e instanceof ChatError ? e.code : 'unknown'));
    } finally {
      setState(await push.state());
      setBusy(false);
    }
  };

  return (
    <div class="push-switch">
      <label class="user-menu-row">
        <span>
          {t('browserNotifications')}
          <span class="muted small push-switch-hint">{t('browserNotificationsHint')}</span>
        </span>
        <input type="checkbox" role="switch" checked={on} disabled={busy || state === 'unsupported'} aria-checked={on} onChange={() => void toggle()} />
      </label>
      {state === 'unsupported' && !problem && <p class="muted small">{t('pushUnsupported')}</p>}
      {state === 'denied' && !problem && <p class="muted small">{t('pushDenied')}</p>}
      {problem && (
        <p class="error-text small" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
