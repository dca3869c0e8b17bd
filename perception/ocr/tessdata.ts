import { createRequire } from 'node:module';
import { existsSync, mkdirSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerceptionError } from '../errors.ts';

const require = createRequire(import.meta.url);

/**
 * Tesseract takes one `langPath`, but each language ships in its own npm package (@tesseract.js-data/<lang>).
 * This links the LSTM-only "best_int" models (smaller and faster than the legacy+LSTM ones) into one folder.
 * Nothing is downloaded: a missing language fails with the npm package to install.
 */
export function prepareLangFolder(langs: string[]): string {
  const dir = join(tmpdir(), `coo-tessdata-${langs.join('-')}`);
  mkdirSync(dir, { recursive: true });
  for (const lang of langs) {
    const target = join(dir, `${lang}.traineddata.gz`);
    if (existsSync(target)) continue;
    let src: string;
    try {
      const pkg = require(`@tesseract.js-data/${lang}`) as { langPath: string };
      src = join(`${pkg.langPath}_best_int`, `${lang}.traineddata.gz`);
      if (!existsSync(src)) src = join(pkg.langPath, `${lang}.traineddata.gz`);
    } catch (e) {
      throw new PerceptionError('config_invalid', `OCR language "${lang}" is not installed. Install @tesseract.js-data/${lang} or remove it from COO_OCR_LANGS.`, { cause: e });
    }
    try {
      symlinkSync(src, target);
    } catch {
      if (!existsSync(target)) copyFileSync(src, target);
    }
  }
  return dir;
}
