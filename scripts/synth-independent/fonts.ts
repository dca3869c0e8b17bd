import { GlobalFonts } from '@napi-rs/canvas';

/**
 * The independent generator draws with the Liberation families (metric clones of Arial, Times and Courier, plus a
 * narrow sans for receipts), registered under our own aliases so nothing falls back to the DejaVu faces the own
 * generator uses.
 */
const DIR = '/usr/share/fonts/truetype/liberation';
const FACES: [string, string][] = [
  ['IndepSans', 'LiberationSans'],
  ['IndepSerif', 'LiberationSerif'],
  ['IndepMono', 'LiberationMono'],
  ['IndepNarrow', 'LiberationSansNarrow'],
];
export type Face = 'IndepSans' | 'IndepSerif' | 'IndepMono' | 'IndepNarrow';

let done = false;
export function registerFonts(): void {
  if (done) return;
  for (const [alias, file] of FACES) {
    for (const style of ['Regular', 'Bold', 'Italic']) {
      if (!GlobalFonts.registerFromPath(`${DIR}/${file}-${style}.ttf`, alias)) throw new Error(`font ${file}-${style} missing: install fonts-liberation`);
    }
  }
  done = true;
}

export const font = (size: number, face: Face, weight: 'normal' | 'bold' | 'italic' = 'normal'): string =>
  `${weight === 'bold' ? 'bold ' : weight === 'italic' ? 'italic ' : ''}${Math.round(size * 10) / 10}px ${face}`;
