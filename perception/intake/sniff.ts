import { PerceptionError } from '../errors.ts';

export type InputKind = { kind: 'image'; mimeType: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/tiff' } | { kind: 'pdf'; mimeType: 'application/pdf' };

/** Formats we recognise but do not accept, so the operator hears what they sent rather than "corrupt". */
const KNOWN_UNSUPPORTED: [string, (b: Buffer) => boolean][] = [
  ['GIF image', (b) => b.subarray(0, 4).toString('latin1') === 'GIF8'],
  ['HEIC/HEIF photo', (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' && /hei[cfsx]|mif1|msf1/.test(b.subarray(8, 12).toString('latin1'))],
  ['ZIP archive or Office document', (b) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04],
  ['BMP image', (b) => b[0] === 0x42 && b[1] === 0x4d],
  ['video', (b) => b.subarray(4, 8).toString('latin1') === 'ftyp'],
];

/**
 * Decides the type from magic bytes, never from the filename or the claimed MIME type (both lie in chat
 * uploads). Throws `empty` or `unsupported_type` with a message the operator can act on.
 */
export function sniffType(bytes: Buffer): InputKind {
  if (bytes.length === 0) throw new PerceptionError('empty', 'The file is empty (0 bytes). Please send it again.');
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { kind: 'image', mimeType: 'image/jpeg' };
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return { kind: 'image', mimeType: 'image/png' };
  if (b.length >= 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP')
    return { kind: 'image', mimeType: 'image/webp' };
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a)))
    return { kind: 'image', mimeType: 'image/tiff' };
  // PDF readers accept the header anywhere in the first KiB (some generators prepend junk).
  if (b.subarray(0, 1024).indexOf('%PDF-') >= 0) return { kind: 'pdf', mimeType: 'application/pdf' };
  const known = KNOWN_UNSUPPORTED.find(([, test]) => b.length >= 12 && test(b));
  const what = known ? `a ${known[0]}` : looksLikeText(b) ? 'a text file' : 'a file type I do not recognise';
  throw new PerceptionError(
    'unsupported_type',
    `This looks like ${what}. Send a PDF or a JPEG, PNG, WebP or TIFF image (a screenshot or photo works).`,
    { details: { detected: known?.[0] ?? null } },
  );
}

function looksLikeText(b: Buffer): boolean {
  const head = b.subarray(0, 512);
  let printable = 0;
  for (const c of head) if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0xc0) printable++;
  return printable / head.length > 0.95;
}
