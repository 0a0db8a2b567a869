// Uploads under way in a conversation: progress, cancel, retry; and files refused before upload.
import { Icon } from './Icon';
import { useEffect, useState } from 'preact/hooks';
import type { UploadTask } from '../net/uploads';
import { formatFileSize } from '../text/format';
import { useClient, useT } from './context';

export interface Rejection {
  id: number;
  name: string;
  reason: string;
}

function useUploads(conversationId: string): UploadTask[] {
  const client = useClient();
  const [tasks, setTasks] = useState(() => client.uploads.tasks(conversationId));
  useEffect(() => {
    setTasks(client.uploads.tasks(conversationId));
    return client.uploads.subscribe(() => setTasks(client.uploads.tasks(conversationId)));
  }, [client, conversationId]);
  return tasks;
}

export function UploadList({ conversationId, rejections, onDismiss }: { conversationId: string; rejections: Rejection[]; onDismiss: (id: number) => void }) {
  const client = useClient();
  const { t, error, lang } = useT();
  const tasks = useUploads(conversationId);
  if (tasks.length === 0 && rejections.length === 0) return null;
  return (
    <ul class="upload-list">
      {tasks.map((task) => {
        const name = task.file.name;
        const pct = Math.round(task.progress * 100);
        return (
          <li key={task.id} class={`upload ${task.state === 'failed' ? 'is-failed' : ''}`}>
            <div class="upload-top">
              <span class="upload-name" title={name}>
                {name}
              </span>
              <span class="muted small">{task.state === 'failed' ? '' : `${pct}% · ${formatFileSize(task.file.size, lang)}`}</span>
            </div>
            {task.state === 'uploading' ? (
              <progress class="progress" max={100} value={pct} aria-label={t('uploading', { name })} />
            ) : (
              <p class="error-text small" role="alert">
                {t('uploadFailed', { name, reason: error(task.error ?? 'unknown') })}
              </p>
            )}
            <div class="upload-actions">
              {task.state === 'failed' && (
                <button type="button" class="link-button" onClick={() => client.uploads.retry(task.id)} aria-label={t('retryUpload', { name })}>
                  {t('retry')}
                </button>
              )}
              <button type="button" class="link-button" onClick={() => client.uploads.cancel(task.id)} aria-label={t('cancelUpload', { name })}>
                {t('cancel')}
              </button>
            </div>
          </li>
        );
      })}
      {rejections.map((r) => (
        <li key={`r-${r.id}`} class="upload is-rejected" role="alert">
          <span class="error-text small">{t('fileRejected', { name: r.name, reason: r.reason })}</span>
          <button type="button" class="icon-button" onClick={() => onDismiss(r.id)} aria-label={t('close')}>
            <Icon name="close" />
          </button>
        </li>
      ))}
    </ul>
  );
}
