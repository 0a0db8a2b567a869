// The downloads button beside the bell (shown once this tab has downloaded something): how many
// run, and opened, each download with its progress, "resuming" after a dropped connection,
// cancel while it runs, save again once done (download again for one kept from an earlier visit,
// whose bytes are gone, or one that failed), and "Clear finished".
import { useRef, useState } from 'preact/hooks';
import type { DownloadEntry } from '../net/downloads';
import { fraction, isActive } from '../net/downloads';
import { formatFileSize } from '../text/format';
import { useClient, useT } from './context';
import { useDownloadList } from './FileAttachment';
import { Icon } from './Icon';
import { useDismiss } from './useDismiss';

function StateLine({ entry }: { entry: DownloadEntry }) {
  const tr = useT();
  const { t, error } = tr;
  const size = (n: number) => formatFileSize(n, tr.lang);
  switch (entry.state) {
    case 'done':
      return <span>{t('downloadDone', { size: size(entry.received) })}</span>;
    case 'failed':
      return <span class="error-text">{t('downloadFailed', { reason: error(entry.error ?? 'unknown') })}</span>;
    case 'cancelled':
      return <span>{t('downloadCancelled')}</span>;
    case 'retrying':
      return <span>{t('downloadResuming', { received: size(entry.received) })}</span>;
    default:
      return <span>{entry.total !== null ? t('downloadProgress', { received: size(entry.received), total: size(entry.total) }) : size(entry.received)}</span>;
  }
}

export function DownloadsPanel() {
  const client = useClient();
  const { t } = useT();
  const list = useDownloadList();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(open, () => setOpen(false), ref);
  if (list.length === 0) return null;
  const running = list.filter(isActive).length;
  const label = running > 0 ? `${t('downloadsTitle')}: ${t('downloadsRunning', { count: running })}` : t('downloadsTitle');
  return (
    <div class="downloads" ref={ref}>
      <button type="button" class="icon-button downloads-button" aria-expanded={open} aria-haspopup="true" aria-label={label} title={label} onClick={() => setOpen((o) => !o)}>
        <Icon name="download" size={20} />
        {running > 0 && (
          <span class="unread-badge bell-badge" aria-hidden="true">
            {running}
          </span>
        )}
      </button>
      {open && (
        <div class="notification-panel downloads-panel" role="dialog" aria-label={t('downloadsTitle')}>
          <header class="notification-panel-header">
            <h2>{t('downloadsTitle')}</h2>
            <button type="button" class="link-button" onClick={() => client.downloads.clearFinished()} disabled={running === list.length}>
              {t('downloadsClear')}
            </button>
          </header>
          <ul class="download-items">
            {list.map((e) => (
              <li key={e.id} class={`download-item download-${e.state}`}>
                <span class="download-name" title={e.fileName}>
                  {e.fileName}
                </span>
                <span class="muted small download-state" aria-live="polite">
                  <StateLine entry={e} />
                </span>
                {isActive(e) && <progress class="progress" max={1} value={fraction(e) ?? undefined} aria-label={`${t('downloading')} ${e.fileName}`} />}
                {isActive(e) && (
                  <button type="button" class="button button-small" onClick={() => client.downloads.cancel(e.id)} aria-label={`${t('downloadCancel')}: ${e.fileName}`}>
                    {t('cancel')}
                  </button>
                )}
                {e.state === 'done' && client.downloads.canSaveAgain(e.id) && (
                  <button type="button" class="button button-small" onClick={() => client.downloads.saveAgain(e.id)} aria-label={`${t('downloadSaveAgain')}: ${e.fileName}`}>
                    {t('downloadSaveAgain')}
                  </button>
                )}
                {/* Kept from an earlier visit without its bytes, or failed: fetched anew. */}
                {(e.state === 'failed' || (e.state === 'done' && !client.downloads.canSaveAgain(e.id))) && (
                  <button
                    type="button"
                    class="button button-small"
                    onClick={() => void client.downloads.download({ fileId: e.fileId, fileName: e.fileName, downloadPath: e.downloadPath })}
                    aria-label={`${t('downloadAgain')}: ${e.fileName}`}
                  >
                    {t('downloadAgain')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
