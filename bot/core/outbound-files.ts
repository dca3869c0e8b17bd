import { stat } from 'node:fs/promises';
import type { FileRef } from '../../coordinator/index.ts';

/** What a platform accepts from a bot, per file. */
export interface UploadLimits {
  /** The platform's name as the operator knows it ("Telegram"). */
  platform: string;
  maxBytes: number;
}

export interface UploadPlan {
  /** Files to upload, in the message's order. */
  uploads: FileRef[];
  /** One line per file that will not be uploaded, saying why; shown in the message text instead. */
  notes: string[];
}

const mb = (n: number) => `${(n / 1048576).toFixed(n < 10 * 1048576 ? 1 : 0)} MB`;

/**
 * Decides which of a message's files a platform gets as real uploads. Decided from the FileRef alone
 * (its size and whether it has bytes on disk), so a later edit renders the same text as the first send.
 */
export function planUploads(files: FileRef[], limits: UploadLimits): UploadPlan {
  const uploads: FileRef[] = [];
  const notes: string[] = [];
  for (const f of files) {
    if (!f.path) notes.push(`📎 ${f.name} (not attached: the COO has no copy of it)`);
    else if (f.size > limits.maxBytes) notes.push(`📎 ${f.name} is ${mb(f.size)}, over ${limits.platform}'s ${mb(limits.maxBytes)} limit for bots, so it was not sent here; open it in the web console.`);
    else uploads.push(f);
  }
  return { uploads, notes };
}

/**
 * Checks, just before an upload, that the file is still there and still within the limit (the FileRef's
 * size may be stale). Returns the line to send instead when it is not.
 */
export async function uploadProblem(f: FileRef, limits: UploadLimits): Promise<string | null> {
  try {
    const s = await stat(f.path!);
    if (s.size > limits.maxBytes) return `📎 ${f.name} is ${mb(s.size)}, over ${limits.platform}'s ${mb(limits.maxBytes)} limit for bots, so it was not sent here; open it in the web console.`;
    return null;
  } catch {
    return `📎 ${f.name} could not be sent: the file is no longer in the COO's data folder.`;
  }
}
