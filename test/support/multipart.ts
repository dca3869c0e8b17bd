/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  filename: string | null;
  data: Buffer;
}

/**
 * A lenient multipart/form-data reader for the local platform servers: grammY writes headers without a
 * space after the colon and unquoted filenames, which the platforms accept and undici's parser refuses.
 */
export function parseMultipart(raw: Buffer, contentType: string): FormPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw new Error('multipart body without a boundary');
  const delim = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: FormPart[] = [];
  let at = raw.indexOf(delim);
  while (at >= 0) {
    const start = at + delim.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const next = raw.indexOf(delim, start);
    if (next < 0) break;
    // Between "\r\n" after the delimiter and "\r\n" before the next one.
    const part = raw.subarray(start + 2, next - 2);
    const headEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headEnd).toString('utf8');
    const disp = /content-disposition:\s*form-data;(.*)/i.exec(head)?.[1] ?? '';
    const name = /\bname=(?:"([^"]*)"|([^;\s]+))/i.exec(disp);
    const filename = /\bfilename=(?:"([^"]*)"|([^;\s]+))/i.exec(disp);
    parts.push({ name: name ? (name[1] ?? name[2]) : '', filename: filename ? (filename[1] ?? filename[2]) : null, data: Buffer.from(part.subarray(headEnd + 4)) });
    at = next;
  }
  return parts;
}
