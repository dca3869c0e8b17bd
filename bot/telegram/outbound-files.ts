import { type Api, GrammyError, InputFile } from 'grammy';
import type { FileRef } from '../../coordinator/index.ts';
import { uploadProblem } from '../core/outbound-files.ts';
import { TELEGRAM_PHOTO_MAX_BYTES, TELEGRAM_UPLOADS } from './render.ts';

const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/**
 * Uploads a message's files from the data dir: images Telegram can show inline (up to 10 MB) as photos,
 * everything else as documents with their names. A file that vanished or grew past the limit since the
 * message was written is replaced by a line saying so, instead of failing the whole delivery.
 * `progress.files` counts the files already sent, so a retry does not send them twice.
 */
export async function sendTelegramFiles(api: Api, chatId: string, files: FileRef[], progress: { files: number }): Promise<void> {
  for (; progress.files < files.length; progress.files++) {
    const f = files[progress.files];
    const problem = await uploadProblem(f, TELEGRAM_UPLOADS);
    if (problem) {
      await api.sendMessage(chatId, problem);
      continue;
    }
    const input = new InputFile(f.path!, f.name);
    try {
      if (PHOTO_TYPES.has(f.mimeType) && f.size <= TELEGRAM_PHOTO_MAX_BYTES) await api.sendPhoto(chatId, input);
      else await api.sendDocument(chatId, input);
    } catch (err) {
      // Telegram refused this file (4xx other than a rate limit): say so and go on with the rest.
      if (!(err instanceof GrammyError) || err.error_code === 429 || err.error_code >= 500) throw err;
      await api.sendMessage(chatId, `📎 ${f.name} could not be sent: Telegram answered "${err.description}".`);
    }
  }
}
