import type { Api } from 'grammy';
import type { FileRef } from '../../coordinator/index.ts';
import { ChatError } from '../core/errors.ts';
import { MAX_FILE_BYTES, saveDownload } from '../core/files.ts';

/**
 * Downloads a photo or document through the Bot API (getFile, then /file/bot<token>/<path>) into the data
 * dir. The URL contains the token, so it is built here and never logged.
 */
export async function downloadTelegramFile(opts: {
  api: Api;
  apiRoot: string;
  token: string;
  fileId: string;
  name: string;
  mimeType?: string;
  declaredSize?: number;
  dataDir: string;
}): Promise<FileRef> {
  if ((opts.declaredSize ?? 0) > MAX_FILE_BYTES) throw new ChatError('chat_file_too_large', 'File is larger than 20 MB');
  const file = await opts.api.getFile(opts.fileId);
  if (!file.file_path) throw new ChatError('chat_file_download_failed', 'Telegram gave no file path', { retryable: true });
  const url = `${opts.apiRoot.replace(/\/$/, '')}/file/bot${opts.token}/${file.file_path}`;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new ChatError('chat_file_download_failed', 'Could not reach Telegram to download a file', { retryable: true, cause: err });
  }
  return saveDownload({ dataDir: opts.dataDir, surface: 'telegram', name: opts.name, mimeType: opts.mimeType, response });
}
