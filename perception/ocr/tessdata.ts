import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerceptionError } from '../errors.ts';

const require = createRequire(import.meta.url);

function languageFile(lang: string): string {
  try {
    const pkg = require(`@tesseract.js-data/${lang}`) as { langPath: string };
    const best = join(`${pkg.langPath}_best_int`, `${lang}.traineddata.gz`);
    return existsSync(best) ? best : join(pkg.langPath, `${lang}.traineddata.gz`);
  } catch (e) {
    throw new PerceptionError('config_invalid', `OCR language "${lang}" is not installed. Install @tesseract.js-data/${lang} or remove it from COO_OCR_LANGS.`, { cause: e });
  }
}

/**
 * Tesseract takes one `langPath`, but each language ships in its own npm package (@tesseract.js-data/<lang>).
 * This links the LSTM-only "best_int" models (smaller and faster than the legacy+LSTM ones) into one folder.
 * The folder is named after the files it links to, so two checkouts never share links, and a link left
 * dangling (its checkout was deleted) is replaced. Nothing is downloaded: a missing language fails with
 * the npm package to install.
 */
export function prepareLangFolder(langs: string[]): string {
  const sources = langs.map((lang) => [lang, languageFile(lang)] as const);
  const key = createHash('sha256').update(sources.map(([, src]) => src).join('\n')).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `coo-tessdata-${langs.join('-')}-${key}`);
  mkdirSync(dir, { recursive: true });
  for (const [lang, src] of sources) {
    const target = join(dir, `${lang}.traineddata.gz`);
    if (existsSync(target)) continue; // follows the link: a dangling one is not "there"
    rmSync(target, { force: true });
    try {
      symlinkSync(src, target);
    } catch {
      if (!existsSync(target)) copyFileSync(src, target);
    }
  }
  return dir;
}
