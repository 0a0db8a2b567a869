// File uploads (XMLHttpRequest, for upload progress and cancel), handing a Blob to the browser
// as a download (the fetching is net/resumableDownload.ts), and the client-side checks against
// a conversation's settings (API.md "Files").
import type { ConversationSettings, ErrorCode, Message } from '../protocol';
import { ChatError, codeForHttpStatus, isErrorCode, isRecord, parseMessage } from '../protocol';

export interface FileLike {
  name: string;
  size: number;
  type: string;
}

/** The file's extension, lower case with its dot ("" when none). */
export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

/** Why a file may not be uploaded to a conversation with these settings, or null when it may. */
export function checkFile(file: FileLike, settings: ConversationSettings): ErrorCode | null {
  if (!settings.allowFileUpload) return 'uploads_disabled';
  const ext = extensionOf(file.name);
  const allowed = settings.allowedFileTypes.map((t) => (t.startsWith('.') ? t : `.${t}`).toLowerCase());
  if (!ext || !allowed.includes(ext)) return 'file_type_not_allowed';
  if (file.size > settings.maxFileSize) return 'file_too_large';
  if (file.size === 0) return 'unprocessable';
  return null;
}

/** The `accept` attribute for a file input that matches the settings. */
export function acceptAttribute(settings: ConversationSettings): string {
  return settings.allowedFileTypes.join(',');
}

export interface UploadRequest {
  url: string;
  authorization: string | null;
  file: Blob & { name?: string };
  fileName: string;
  clientMessageId: string;
  description?: string;
  replyTo?: string;
  /** Fraction 0..1 of bytes sent. */
  onProgress: (fraction: number) => void;
}

export interface UploadHandle {
  done: Promise<Message>;
  cancel: () => void;
}

function errorFromXhr(xhr: XMLHttpRequest): ChatError {
  let body: unknown = null;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    body = null;
  }
  if (isRecord(body) && isRecord(body.error)) {
    const code = isErrorCode(body.error.code) ? body.error.code : codeForHttpStatus(xhr.status);
    return new ChatError(code, typeof body.error.message === 'string' ? body.error.message : '', xhr.status);
  }
  return new ChatError(codeForHttpStatus(xhr.status), xhr.statusText, xhr.status);
}

/** Starts a multipart upload to POST /api/conversations/:id/upload. */
export function uploadFile(req: UploadRequest, makeXhr: () => XMLHttpRequest = () => new XMLHttpRequest()): UploadHandle {
  const xhr = makeXhr();
  let cancelled = false;
  const done = new Promise<Message>((resolve, reject) => {
    const form = new FormData();
    form.append('file', req.file, req.fileName);
    form.append('clientMessageId', req.clientMessageId);
    if (req.description) form.append('description', req.description);
    if (req.replyTo) form.append('replyTo', req.replyTo);
    xhr.open('POST', req.url);
    if (req.authorization) xhr.setRequestHeader('Authorization', req.authorization);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) req.onProgress(Math.min(1, e.loaded / e.total));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          const body: unknown = JSON.parse(xhr.responseText);
          if (isRecord(body) && isRecord(body.data)) {
            req.onProgress(1);
            resolve(parseMessage(body.data.message));
            return;
          }
        } catch {
          /* fall through */
        }
        reject(new ChatError('internal', 'bad upload answer', xhr.status));
        return;
      }
      reject(errorFromXhr(xhr));
    };
    xhr.onerror = () => reject(new ChatError('network', 'network error'));
    xhr.ontimeout = () => reject(new ChatError('timeout', 'timeout'));
    xhr.onabort = () => reject(new ChatError(cancelled ? 'cancelled' : 'network', 'aborted'));
    xhr.send(form);
  });
  return {
    done,
    cancel: () => {
      cancelled = true;
      xhr.abort();
    },
  };
}

/** Hands a Blob to the browser as a download with the given name. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
