import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { Redactor } from './redactor.ts';

/** Larger files are judged by their name and by what refers to them, not read whole. */
const MAX_READ_BYTES = 64 * 1024 * 1024;

const inside = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/** Text a PDF carries in its (usually deflated) content streams, next to its raw bytes. */
function readableText(bytes: Buffer): string {
  const raw = bytes.toString('latin1');
  if (!raw.startsWith('%PDF')) return `${raw}\n${bytes.toString('utf8')}`;
  const parts = [raw];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    try {
      parts.push(inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1'));
    } catch {
      /* not deflated */
    }
  }
  return parts.join('\n');
}

/**
 * The files of the data folder's `files/` tree (uploads from chat, documents perception read) that are
 * about the subject: their name or text names it, or a record that held the subject pointed at them
 * (an image or a scanned PDF has no text to search; the message it came with does).
 */
export async function filesAbout(dataDir: string | undefined, r: Redactor, referenced: Iterable<string>): Promise<string[]> {
  if (!dataDir) return [];
  const root = resolve(dataDir);
  const filesRoot = join(root, 'files');
  const out = new Set<string>();
  for (const ref of referenced) {
    const abs = resolve(root, ref);
    if (inside(root, abs) && existsSync(abs) && (await stat(abs)).isFile()) out.add(abs);
  }
  if (existsSync(filesRoot)) {
    for (const e of await readdir(filesRoot, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const abs = join(e.parentPath, e.name);
      if (r.test(relative(root, abs))) {
        out.add(abs);
        continue;
      }
      if ((await stat(abs)).size > MAX_READ_BYTES) continue;
      if (r.test(readableText(await readFile(abs)))) out.add(abs);
    }
  }
  return [...out].sort();
}

/** Deletes the given files, each only if it lies inside the data folder. */
export async function deleteFilesInside(dataDir: string, files: string[]): Promise<number> {
  const root = resolve(dataDir);
  let n = 0;
  for (const f of files) {
    if (!inside(root, resolve(root, f))) continue;
    await rm(resolve(root, f), { force: true });
    n++;
  }
  return n;
}

/** Every string in a value that could be a path (what `filesAbout` checks against the data folder). */
export function pathsIn(v: unknown, out: Set<string>): void {
  if (typeof v === 'string') {
    if (v.length < 1024 && /[\\/]/.test(v) && !/\s{2}|\n/.test(v)) out.add(v.replace(/^file:\/\//, ''));
  } else if (Array.isArray(v)) v.forEach((x) => pathsIn(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => pathsIn(x, out));
}
