import { Composer } from 'grammy';
import type { FileRef } from '../../../coordinator/index.ts';
import { type BotContext, dedupeKeyOf, SURFACE, type TelegramDeps } from '../context.ts';
import { downloadTelegramFile } from '../files.ts';
import { boundary } from './boundary.ts';

const ACCEPTED = /^(application\/pdf|image\/.+)$/;

/** Photos and documents (PDFs, images): downloaded once the sender is known, then handed to the COO. */
export function filesComposer(deps: TelegramDeps): Composer<BotContext> {
  const root = new Composer<BotContext>();
  const inner = root.errorBoundary(boundary('files', deps));
  inner.on(['message:photo', 'message:document'], async (ctx) => {
    const msg = ctx.message;
    let pick: { fileId: string; name: string; mimeType?: string; size?: number };
    if (msg.photo) {
      const largest = msg.photo[msg.photo.length - 1];
      pick = { fileId: largest.file_id, name: `photo-${largest.file_unique_id}.jpg`, mimeType: 'image/jpeg', size: largest.file_size };
    } else {
      const doc = msg.document!;
      pick = { fileId: doc.file_id, name: doc.file_name ?? `document-${doc.file_unique_id}`, mimeType: doc.mime_type, size: doc.file_size };
    }
    const chat = ctx.chat;
    const accepted = !pick.mimeType || ACCEPTED.test(pick.mimeType);
    const out = await deps.gateway.message({
      surface: SURFACE,
      chatId: String(chat.id),
      userId: String(ctx.from.id),
      isPrivate: chat.type === 'private',
      text: msg.caption ?? '',
      dedupeKey: dedupeKeyOf(ctx),
      externalId: String(msg.message_id),
      files: async (): Promise<FileRef[]> => {
        if (!accepted) return [];
        return [
          await downloadTelegramFile({
            api: ctx.api,
            apiRoot: deps.apiRoot,
            token: deps.token,
            fileId: pick.fileId,
            name: pick.name,
            mimeType: pick.mimeType,
            declaredSize: pick.size,
            dataDir: deps.dataDir,
          }),
        ];
      },
    });
    if (out.kind !== 'handled' && out.reply) await ctx.reply(out.reply);
    else if (out.kind === 'handled' && !accepted && !out.duplicate) await ctx.reply('I can read PDFs and images; that file type was not passed on.');
  });
  return root;
}
