import { open, stat } from 'node:fs/promises';
import { PerceptionError } from '../errors.ts';

export interface PerceiveInput {
  path?: string;
  bytes?: Buffer;
  filename?: string;
  /** Informational only: the type is always sniffed from the bytes. */
  mimeType?: string;
}

/** Reads the input, refusing oversized files from their size alone (a path is stat'ed, never slurped). */
export async function readInput(input: PerceiveInput, maxBytes: number): Promise<Buffer> {
  const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
  const tooLarge = (n: number): PerceptionError =>
    new PerceptionError('too_large', `The file is ${mb(n)}; the limit is ${mb(maxBytes)}. Send a smaller export or split the document.`, { details: { bytes: n, maxBytes } });
  if (input.bytes) {
    if (input.bytes.length > maxBytes) throw tooLarge(input.bytes.length);
    return input.bytes;
  }
  if (!input.path) throw new PerceptionError('empty', 'No file was given: pass a path or the file bytes.');
  let size: number;
  try {
    const s = await stat(input.path);
    if (!s.isFile()) throw new Error('not a regular file');
    size = s.size;
  } catch (e) {
    throw new PerceptionError('empty', `The file ${input.path} could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, { cause: e });
  }
  if (size > maxBytes) throw tooLarge(size);
  const fh = await open(input.path, 'r');
  try {
    const buf = Buffer.alloc(size);
    await fh.read(buf, 0, size, 0);
    return buf;
  } finally {
    await fh.close();
  }
}
