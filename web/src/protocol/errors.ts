// The server's error codes (API.md "Conventions"), the client's own, and words for users.

export const serverErrorCodes = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'unprocessable',
  'rate_limited',
  'file_not_ready',
  'internal',
  'unavailable',
] as const;

export type ServerErrorCode = (typeof serverErrorCodes)[number];

/** Errors the client finds itself, before or without the server. */
export const clientErrorCodes = [
  'network',
  'timeout',
  'cancelled',
  'file_too_large',
  'file_type_not_allowed',
  'uploads_disabled',
  'unknown',
] as const;

export type ClientErrorCode = (typeof clientErrorCodes)[number];
export type ErrorCode = ServerErrorCode | ClientErrorCode;

/** HTTP status the server uses for each code. */
export const httpStatusOf: Record<ServerErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  file_not_ready: 423,
  internal: 500,
  unavailable: 503,
};

export function isServerErrorCode(value: unknown): value is ServerErrorCode {
  return typeof value === 'string' && (serverErrorCodes as readonly string[]).includes(value);
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return isServerErrorCode(value) || (typeof value === 'string' && (clientErrorCodes as readonly string[]).includes(value));
}

/** Maps an HTTP status to a code when a body carries none (a proxy's page, say). */
export function codeForHttpStatus(status: number): ErrorCode {
  for (const code of serverErrorCodes) if (httpStatusOf[code] === status) return code;
  if (status >= 500) return 'internal';
  if (status >= 400) return 'bad_request';
  return 'unknown';
}

/** Errors worth trying again unchanged (after a pause). */
export function isRetryable(code: ErrorCode): boolean {
  return code === 'rate_limited' || code === 'unavailable' || code === 'network' || code === 'timeout' || code === 'internal';
}

export type Lang = 'en' | 'id';

const words: Record<Lang, Record<ErrorCode, string>> = {
  en: {
    bad_request: 'The request was not understood. Please reload the page.',
    unauthorized: 'Your session has expired. Please sign in again.',
    forbidden: 'You are not allowed to do that here.',
    not_found: 'That no longer exists or is not available to you.',
    conflict: 'That changed in the meantime. Please try again.',
    payload_too_large: 'That is too large.',
    unsupported_media_type: 'This file type is not allowed, or the file does not match its extension.',
    unprocessable: 'That cannot be sent as it is.',
    rate_limited: 'You are sending too fast. Please wait a moment.',
    file_not_ready: 'This file is still being checked for viruses. Try again shortly.',
    internal: 'Something went wrong on the server. Please try again.',
    unavailable: 'The chat service is temporarily unavailable. Please try again later.',
    network: 'No connection to the chat service.',
    timeout: 'The chat service did not answer in time.',
    cancelled: 'Cancelled.',
    file_too_large: 'The file is larger than this conversation allows.',
    file_type_not_allowed: 'This file type is not allowed in this conversation.',
    uploads_disabled: 'File uploads are turned off in this conversation.',
    unknown: 'Something went wrong.',
  },
  id: {
    bad_request: 'Permintaan tidak dapat dipahami. Silakan muat ulang halaman.',
    unauthorized: 'Sesi Anda telah berakhir. Silakan masuk kembali.',
    forbidden: 'Anda tidak diizinkan melakukan itu di sini.',
    not_found: 'Data tersebut sudah tidak ada atau tidak tersedia untuk Anda.',
    conflict: 'Data tersebut telah berubah. Silakan coba lagi.',
    payload_too_large: 'Ukurannya terlalu besar.',
    unsupported_media_type: 'Jenis berkas ini tidak diizinkan, atau isi berkas tidak sesuai dengan ekstensinya.',
    unprocessable: 'Pesan tersebut tidak dapat dikirim seperti itu.',
    rate_limited: 'Anda mengirim terlalu cepat. Mohon tunggu sebentar.',
    file_not_ready: 'Berkas ini masih diperiksa dari virus. Coba lagi sebentar lagi.',
    internal: 'Terjadi kesalahan pada server. Silakan coba lagi.',
    unavailable: 'Layanan chat sedang tidak tersedia. Silakan coba lagi nanti.',
    network: 'Tidak ada koneksi ke layanan chat.',
    timeout: 'Layanan chat tidak menjawab tepat waktu.',
    cancelled: 'Dibatalkan.',
    file_too_large: 'Ukuran berkas melebihi batas percakapan ini.',
    file_type_not_allowed: 'Jenis berkas ini tidak diizinkan di percakapan ini.',
    uploads_disabled: 'Unggah berkas dinonaktifkan di percakapan ini.',
    unknown: 'Terjadi kesalahan.',
  },
};

/** The words to show a user for an error code; unknown codes fall back to a generic sentence. */
export function errorText(code: string, lang: Lang): string {
  const table = words[lang] ?? words.en;
  if (isErrorCode(code)) return table[code];
  return table.unknown;
}

/** An error from the server (REST envelope or WebSocket `error` event) or from the client. */
export class ChatError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, status = 0, details?: Record<string, unknown>, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ChatError';
    this.code = code;
    this.status = status;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
