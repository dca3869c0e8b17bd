import { existsSync, lstatSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareLangFolder } from '../../perception/ocr/tessdata.ts';

describe('OCR language folder', () => {
  it('links each language from its npm package, and replaces a link left dangling by a deleted checkout', () => {
    const dir = prepareLangFolder(['eng', 'deu']);
    const eng = join(dir, 'eng.traineddata.gz');
    expect(readFileSync(eng).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip
    rmSync(eng);
    symlinkSync('/nonexistent/checkout/node_modules/@tesseract.js-data/eng/eng.traineddata.gz', eng);
    expect(lstatSync(eng).isSymbolicLink() && !existsSync(eng)).toBe(true);
    expect(prepareLangFolder(['eng', 'deu'])).toBe(dir);
    expect(readFileSync(eng).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('names a missing language and the package that brings it', () => {
    expect(() => prepareLangFolder(['xx'])).toThrow(/@tesseract\.js-data\/xx/);
  });
});
