/** Download failures that name the file, the server and what went wrong. */
import type { FileFailureInfo, FileFailureReason } from '../../core/protocol';
import { formatBytes } from './bytes';

/** A model file could not be had. Its name survives worker boundaries; `failure` is for in-worker use. */
export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    readonly file: string,
    readonly failure: FileFailureInfo,
  ) {
    super(failure.message);
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function make(
  file: string,
  reason: FileFailureReason,
  message: string,
  extra: Partial<FileFailureInfo> = {},
  fatal = true,
): DownloadError {
  return new DownloadError(file, { reason, message, fatal, ...extra });
}

export function statusError(file: string, url: string, status: number, statusText: string): DownloadError {
  const text = statusText || STATUS_TEXT[status] || '';
  const notFound = status === 404 || status === 401 || status === 403;
  const why = notFound
    ? `the server has no such file (HTTP ${status}${text ? ` ${text}` : ''}${status === 404 ? '' : ': private, gated or missing repository'})`
    : `the server answered HTTP ${status}${text ? ` ${text}` : ''}`;
  return make(file, notFound ? 'not-found' : 'http', `could not download ${file}: ${why} — ${url}`, {
    url,
    status,
  });
}

export function connectionError(file: string, url: string, cause: unknown): DownloadError {
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const why = offline
    ? 'the browser is offline and the file is not in browser storage'
    : `the connection to ${hostOf(url)} failed or was dropped before the server answered (${detail})`;
  return make(file, 'network', `could not download ${file}: ${why} — ${url}`, { url });
}

export function truncatedError(
  file: string,
  url: string,
  loaded: number,
  total: number | null,
  cause?: unknown,
): DownloadError {
  const of = total === null ? '' : ` of ${formatBytes(total)} (${total} bytes)`;
  const why = cause
    ? `the connection broke off after ${formatBytes(loaded)} (${loaded} bytes)${of}`
    : `the server closed the connection after ${formatBytes(loaded)} (${loaded} bytes)${of}`;
  return make(
    file,
    'truncated',
    `could not download ${file}: the file arrived incomplete — ${why} — ${url}`,
    { url },
  );
}

export function shortFileError(file: string, url: string, declared: number, expected: number): DownloadError {
  return make(
    file,
    'truncated',
    `could not download ${file}: the server sent ${formatBytes(declared)} (${declared} bytes) but announced ${formatBytes(expected)} (${expected} bytes) for this file; it is truncated — ${url}`,
    { url },
  );
}

export function storageError(file: string, cause: unknown): DownloadError {
  const name = cause instanceof Error ? cause.name : 'Error';
  const quota = name === 'QuotaExceededError' || /quota/i.test(String(cause));
  const why = quota
    ? 'browser storage is full (quota exceeded)'
    : `browser storage refused it (${name}: ${cause instanceof Error ? cause.message : String(cause)})`;
  return make(
    file,
    'storage',
    `${file} was downloaded but could not be kept: ${why}. The model works now but will download it again next time; free space in the model cache.`,
    {},
    false,
  );
}

export function folderMissingError(file: string, folder: string): DownloadError {
  return make(
    file,
    'not-found',
    `${file} is missing from the picked folder "${folder}" (pick the folder that holds config.json and onnx/, with the files of this precision)`,
  );
}

export function folderReadError(file: string, folder: string, cause: unknown): DownloadError {
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return make(
    file,
    'read',
    `could not read ${file} from the picked folder "${folder}" (${detail}); was it changed or moved? Pick the folder again.`,
  );
}

/** A model file that arrived whole but cannot be used as it is (e.g. a JSON file that does not parse). */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/** `where`: the URL, or the picked folder, the file came from. */
export function invalidJsonError(file: string, where: string, cause: unknown): ModelFileError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ModelFileError(
    file,
    `${file} is not valid JSON (${detail}); fix or replace the file — ${where}`,
  );
}
