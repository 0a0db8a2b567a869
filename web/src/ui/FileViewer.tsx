// A larger view of an image or of a PDF's first page, with download and (PDF) open-in-tab.
import type { FileInfo } from '../protocol';
import { useT } from './context';
import { Dialog } from './Dialog';
import { isDownloadable, useDownload } from './FileAttachment';
import { useAuthedBlobUrl } from './useAuthedBlob';

export function FileViewer({ info, onClose }: { info: FileInfo; onClose: () => void }) {
  const { t } = useT();
  const sep = info.thumbnailUrl?.includes('?') ? '&' : '?';
  const { url, failed } = useAuthedBlobUrl(info.thumbnailUrl ? `${info.thumbnailUrl}${sep}size=large` : null);
  const dl = useDownload(info);
  const isPdf = info.fileType === 'application/pdf';
  const openPdf = async () => {
    // Opened from a blob: URL typed as PDF, so the browser's own viewer shows it.
    // The tab is opened during the click (popup blockers allow that) and filled when ready.
    const w = window.open('', '_blank');
    if (w) w.opener = null;
    const blob = await dl.start();
    if (!blob) {
      w?.close();
      return;
    }
    const typed = new Blob([blob], { type: 'application/pdf' });
    const objectUrl = URL.createObjectURL(typed);
    if (w) w.location.href = objectUrl;
    else window.open(objectUrl, '_blank', 'noopener,noreferrer');
    setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
  };
  return (
    <Dialog title={info.fileName || (isPdf ? t('fileViewer') : t('imageViewer'))} onClose={onClose} wide>
      <div class="viewer">
        {url && <img src={url} alt={t('thumbnailOf', { name: info.fileName })} class="viewer-image" />}
        {!url && !failed && <p class="muted">{t('loading')}</p>}
      </div>
      {dl.progress !== undefined && <progress class="progress" max={1} value={dl.progress ?? undefined} aria-label={t('downloading')} />}
      {dl.problem && (
        <p class="error-text" role="alert">
          {dl.problem}
        </p>
      )}
      <div class="dialog-actions">
        {isPdf && isDownloadable(info) && (
          <button type="button" class="button" onClick={() => void openPdf()}>
            {t('openFile')}
          </button>
        )}
        {isDownloadable(info) && (
          <button type="button" class="button button-primary" onClick={() => void dl.save()} disabled={dl.progress !== undefined}>
            {t('download')}
          </button>
        )}
      </div>
    </Dialog>
  );
}
