import { rm } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/** Deletes episode files, but only inside the data dir: a stored path can never make us delete elsewhere. */
export async function deleteFiles(dataDir: string | undefined, paths: string[]): Promise<number> {
  if (!dataDir) return 0;
  const root = resolve(dataDir);
  let n = 0;
  for (const p of paths) {
    const abs = resolve(root, p);
    const rel = relative(root, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) continue;
    try {
      await rm(abs, { force: false });
      n++;
    } catch {
      /* already gone */
    }
  }
  return n;
}
