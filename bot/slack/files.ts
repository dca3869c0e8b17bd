import type { FileRef } from '../../coordinator/index.ts';
import { ChatError } from '../core/errors.ts';
import { MAX_FILE_BYTES, saveDownload } from '../core/files.ts';

/** The fields of a Slack file object we use (events' `files`, `files.info`'s `file`). */
export interface SlackFile {
  id: string;
  name?: string;
  mimetype?: string;
  size?: number;
  url_private_download?: string;
  url_private?: string;
}

/**
 * Downloads a Slack file with the bot token (Authorization header; the token is never put in a URL or a
 * log line). Slack answers a request without access with an HTML login page and 200, so HTML is refused.
 */
export async function downloadSlackFile(file: SlackFile, opts: { token: string; dataDir: string }): Promise<FileRef> {
  const url = file.url_private_download ?? file.url_private;
  if (!url) throw new ChatError('chat_file_download_failed', 'Slack gave no download URL for a file');
  if ((file.size ?? 0) > MAX_FILE_BYTES) throw new ChatError('chat_file_too_large', 'File is larger than 20 MB');
  let response: Response;
  try {
    response = await fetch(url, { headers: { Authorization: `Bearer ${opts.token}` } });
  } catch (err) {
    throw new ChatError('chat_file_download_failed', 'Could not reach Slack to download a file', { retryable: true, cause: err });
  }
  if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
    await response.body?.cancel();
    throw new ChatError('chat_file_download_failed', 'Slack refused the file download (is the files:read scope granted?)');
  }
  return saveDownload({ dataDir: opts.dataDir, surface: 'slack', name: file.name ?? file.id, mimeType: file.mimetype, response });
}
