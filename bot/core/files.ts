import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileRef } from '../../coordinator/index.ts';
import { ChatError } from './errors.ts';

/** Telegram's Bot API will not hand out files above 20 MB; we hold Slack to the same limit. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

const MIME_BY_EXT: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.heic': 'image/heic',
  '.gif': 'image/gif',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
};

export function guessMime(name: string, fallback = 'application/octet-stream'): string {
  return MIME_BY_EXT[extname(name).toLowerCase()] ?? fallback;
}

/** Keeps a platform-supplied file name from escaping the data dir or carrying odd characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'file';
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '').slice(-100);
  return cleaned || 'file';
}

/**
 * Streams a downloaded file into `<dataDir>/files/<surface>/<date>/` and returns the FileRef the
 * coordinator gets. The bytes are never logged; a file over the limit is deleted and refused.
 */
export async function saveDownload(opts: {
  dataDir: string;
  surface: string;
  name: string;
  mimeType?: string;
  response: Response;
  maxBytes?: number;
}): Promise<FileRef> {
  const { response } = opts;
  if (!response.ok || !response.body) {
    throw new ChatError('chat_file_download_failed', `Download failed with HTTP ${response.status}`, { retryable: response.status >= 500 });
  }
  const max = opts.maxBytes ?? MAX_FILE_BYTES;
  const day = new Date().toISOString().slice(0, 10);
  const dir = resolve(opts.dataDir, 'files', opts.surface, day);
  await mkdir(dir, { recursive: true });
  const name = safeFileName(opts.name);
  const path = join(dir, `${randomBytes(6).toString('hex')}-${name}`);
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > max) cb(new ChatError('chat_file_too_large', `File is larger than ${Math.round(max / 1048576)} MB`));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), limit, createWriteStream(path));
  } catch (err) {
    await rm(path, { force: true });
    if (err instanceof ChatError) throw err;
    throw new ChatError('chat_file_download_failed', 'Download was interrupted', { retryable: true, cause: err });
  }
  const header = response.headers.get('content-type')?.split(';')[0]?.trim();
  const mimeType = opts.mimeType ?? (header && header !== 'application/octet-stream' ? header : guessMime(name));
  return { name, mimeType, size, path };
}
