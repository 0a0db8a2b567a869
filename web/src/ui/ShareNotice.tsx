// Above the list while text shared into the app waits: what it is, that the next conversation
// opened gets it in its composer, and a way to drop it.
import { useEffect, useState } from 'preact/hooks';
import { clearShare, onShareChange, pendingShare } from '../offline/share';
import { useT } from './context';

export function ShareNotice() {
  const { t } = useT();
  const [text, setText] = useState(() => pendingShare());
  useEffect(() => {
    setText(pendingShare());
    return onShareChange(setText);
  }, []);
  if (!text) return null;
  return (
    <div class="share-notice" role="status">
      <p class="small">
        {t('sharePick')} <q class="share-preview">{text.length > 80 ? `${text.slice(0, 80)}…` : text}</q>
      </p>
      <button type="button" class="link-button" onClick={clearShare}>
        {t('cancel')}
      </button>
    </div>
  );
}
