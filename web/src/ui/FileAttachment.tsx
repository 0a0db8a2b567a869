// A shared file: icon, name, size and virus-scan status; a thumbnail for images and PDFs that
// opens a viewer; download with progress.
import { useEffect, useState } from 'preact/hooks';
import type { StringKey } from '../i18n';
import type { FileInfo, ScanStatus } from '../protocol';
import { ChatError } from '../protocol';
import type { DownloadEntry } from '../net/downloads';
import { fraction, isActive } from '../net/downloads';
import { resumableDownload } from '../net/resumableDownload';
import { formatFileSize } from '../text/format';
import { useChat, useClient, useT } from './context';
import { FileViewer } from './FileViewer';
import { useAuthedBlobUrl } from './useAuthedBlob';

const scanKey: Record<ScanStatus, StringKey> = {
  pending: 'scanPending',
  scanning: 'scanScanning',
  clean: 'scanClean',
  infected: 'scanInfected',
  error: 'scanError',
  unscanned: 'scanUnscanned',
};

export function fileIcon(info: Pick<FileInfo, 'fileType' | 'fileName'>): string {
  const name = info.fileName.toLowerCase();
  if (info.fileType.startsWith('image/')) return '🖼️';
  if (info.fileType === 'application/pdf' || name.endsWith('.pdf')) return '📕';
  if (name.endsWith('.docx') || name.endsWith('.doc')) return '📘';
  if (name.endsWith('.pptx') || name.endsWith('.ppt')) return '📙';
  if (name.endsWith('.txt')) return '📄';
  return '📎';
}

/** A thumbnail is shown for whatever the server made one of: images, PDFs and Office files. */
export function isPreviewable(info: FileInfo): boolean {
  return !!info.thumbnailUrl && info.scanStatus !== 'infected';
}

/** The width a thumbnail is shown at (CSS px, `.file-thumb`). */
export const thumbnailCssWidth = 260;

/**
 * The smallest of the server's thumbnail sizes (API.md: 150, 480, 1024 px on the long side)
 * that covers `cssWidth` at the display's pixel ratio, so a first page stays sharp on a
 * high-density screen without fetching more than it shows.
 */
export function thumbnailSize(cssWidth: number, devicePixelRatio: number): 'small' | 'medium' | 'large' {
  const px = cssWidth * (devicePixelRatio > 0 ? devicePixelRatio : 1);
  return px <= 150 ? 'small' : px <= 480 ? 'medium' : 'large';
}

/** Whether the server lets the file be downloaded now (API.md: clean, or unscanned when scanning is off). */
export function isDownloadable(info: FileInfo): boolean {
  return info.scanStatus === 'clean' || info.scanStatus === 'unscanned';
}

/** The downloads panel's list, kept current. */
export function useDownloadList(): readonly DownloadEntry[] {
  const client = useClient();
  const [list, setList] = useState(() => client.downloads.list());
  useEffect(() => {
    setList(client.downloads.list());
    return client.downloads.subscribe(setList);
  }, [client]);
  return list;
}

/**
 * Downloading `info`: `save` goes through the downloads panel (listed, cancellable, resumed after
 * a drop) and hands the file to the browser; `start` fetches it for the page itself (the PDF
 * viewer), resumed the same way but not listed. `progress` is undefined when idle, null while
 * the size is unknown.
 */
export function useDownload(info: FileInfo) {
  const client = useClient();
  const { error } = useT();
  const list = useDownloadList();
  const [ownProgress, setOwnProgress] = useState<number | null | undefined>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  const running = list.find((e) => e.fileId === info.fileId && isActive(e));
  const progress = running ? fraction(running) : ownProgress;
  const start = async (): Promise<Blob | null> => {
    setProblem(null);
    setOwnProgress(0);
    const d = resumableDownload({
      url: client.api.url(info.downloadUrl),
      authorization: () => client.api.authHeader(),
      onProgress: (received, total) => setOwnProgress(total ? received / total : null),
    });
    try {
      return await d.done;
    } catch (e) {
      setProblem(error(e instanceof ChatError ? e.code : 'unknown'));
      return null;
    } finally {
      setOwnProgress(undefined);
    }
  };
  const save = async () => {
    setProblem(null);
    const entry = await client.downloads.download({ fileId: info.fileId, fileName: info.fileName, downloadPath: info.downloadUrl });
    if (entry.state === 'failed') setProblem(error(entry.error ?? 'unknown'));
  };
  return { progress, problem, start, save };
}

function Thumbnail({ info, onOpen }: { info: FileInfo; onOpen: () => void }) {
  const { t } = useT();
  const sep = info.thumbnailUrl?.includes('?') ? '&' : '?';
  const size = thumbnailSize(thumbnailCssWidth, globalThis.devicePixelRatio ?? 1);
  const { url, failed } = useAuthedBlobUrl(info.thumbnailUrl ? `${info.thumbnailUrl}${sep}size=${size}` : null);
  if (failed) return null;
  const ratio = info.width && info.height ? `${info.width} / ${info.height}` : undefined;
  return (
    <button type="button" class="file-thumb" onClick={onOpen} aria-label={t('thumbnailOf', { name: info.fileName })} style={ratio ? { aspectRatio: ratio } : undefined}>
      {url ? <img src={url} alt="" /> : <span class="file-thumb-placeholder" aria-hidden="true" />}
    </button>
  );
}

export function FileAttachment({ info }: { info: FileInfo }) {
  const tr = useT();
  const { t } = tr;
  const [viewing, setViewing] = useState(false);
  const dl = useDownload(info);
  const downloadable = isDownloadable(info);
  // The offline copy keeps no file bytes: the button stays, disabled, saying why.
  const offline = useChat((s) => s.offlineCopy === true);
  return (
    <div class={`file-attachment scan-${info.scanStatus}`}>
      {isPreviewable(info) && <Thumbnail info={info} onOpen={() => setViewing(true)} />}
      <div class="file-row">
        <span class="file-icon" aria-hidden="true">
          {fileIcon(info)}
        </span>
        <span class="file-meta">
          <span class="file-name" title={info.fileName}>
            {info.fileName}
          </span>
          <span class="file-sub muted small">
            {formatFileSize(info.fileSize, tr.lang)} · <span
              class={`scan-status scan-status-${info.scanStatus}`}
              title={info.scanStatus === 'unscanned' ? t('scanUnscannedHint') : undefined}
            >
              {t(scanKey[info.scanStatus])}
              {info.scanStatus === 'unscanned' && <span class="visually-hidden"> ({t('scanUnscannedHint')})</span>}
            </span>
          </span>
        </span>
        {downloadable && (
          <button type="button" class="button button-small" onClick={() => void dl.save()}
            disabled={offline || dl.progress !== undefined}
            title={offline ? t('offlineUnavailable') : undefined}
            aria-label={`${t('download')}: ${info.fileName}`}
          >
            {dl.progress !== undefined ? t('downloading') : t('download')}
          </button>
        )}
      </div>
      {dl.progress !== undefined && (
        <progress class="progress" max={1} value={dl.progress ?? undefined} aria-label={t('downloading')} />
      )}
      {dl.problem && (
        <p class="error-text small" role="alert">
          {dl.problem}
        </p>
      )}
      {viewing && <FileViewer info={info} onClose={() => setViewing(false)} />}
    </div>
  );
}
