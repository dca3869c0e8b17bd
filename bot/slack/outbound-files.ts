import type { WebClient } from '@slack/web-api';
import type { FileRef } from '../../coordinator/index.ts';
import { uploadProblem } from '../core/outbound-files.ts';
import { SLACK_UPLOADS } from './render.ts';

/**
 * Uploads a message's files into the channel with Slack's external upload flow (the Web API client's
 * files.uploadV2: getUploadURLExternal, the upload itself, completeUploadExternal). A file that vanished
 * or is over the limit is replaced by a message saying so, instead of failing the delivery.
 * `progress.files` counts the files already sent, so a retry does not send them twice.
 */
export async function uploadSlackFiles(client: WebClient, channel: string, files: FileRef[], progress: { files: number }): Promise<void> {
  for (; progress.files < files.length; progress.files++) {
    const f = files[progress.files];
    const problem = await uploadProblem(f, SLACK_UPLOADS);
    if (problem) {
      await client.chat.postMessage({ channel, text: problem });
      continue;
    }
    try {
      await client.files.uploadV2({ channel_id: channel, file: f.path!, filename: f.name, title: f.name });
    } catch (err) {
      // Slack refused this file (e.g. missing_scope without files:write): say so and go on with the rest.
      const e = err as { code?: string; data?: { error?: string } };
      if (e.code !== 'slack_webapi_platform_error') throw err;
      await client.chat.postMessage({ channel, text: `📎 ${f.name} could not be attached: Slack answered "${e.data?.error ?? 'error'}"${e.data?.error === 'missing_scope' ? ' (the app needs the files:write scope; see docs/chat-setup.md)' : ''}.` });
    }
  }
}
