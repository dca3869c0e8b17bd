/**
 * Prints a PDF's text layer (page by page, lines rebuilt from text runs) and writes its embedded files
 * (e.g. the ZUGFeRD / Factur-X XML) next to --out. Used to hand-check the expected values of the real evaluation set.
 *   npx tsx scripts/perception-real/pdf-dump.ts file.pdf [--out dir]
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

async function main(): Promise<void> {
  const file = process.argv[2];
  const outIdx = process.argv.indexOf('--out');
  const out = outIdx > 0 ? process.argv[outIdx + 1] : undefined;
  const doc = await getDocument({ data: new Uint8Array(readFileSync(file)), verbosity: 0 }).promise;
  for (let p = 1; p <= doc.numPages; p++) {
    const page = await doc.getPage(p);
    const tc = await page.getTextContent();
    const lines = new Map<number, { x: number; s: string }[]>();
    for (const it of tc.items) {
      if (!('str' in it) || !it.str.trim()) continue;
      const y = Math.round(it.transform[5] / 3) * 3;
      lines.set(y, [...(lines.get(y) ?? []), { x: it.transform[4], s: it.str }]);
    }
    console.log(`--- page ${p}`);
    for (const y of [...lines.keys()].sort((a, b) => b - a)) {
      console.log(lines.get(y)!.sort((a, b) => a.x - b.x).map((r) => r.s).join(' | '));
    }
  }
  const att = (await doc.getAttachments()) as Record<string, { filename: string; content: Uint8Array }> | null;
  for (const a of Object.values(att ?? {})) {
    console.log(`=== attachment ${a.filename} (${a.content.length} bytes)`);
    if (out) {
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, `${basename(file, '.pdf')}--${a.filename}`), a.content);
    }
  }
  await doc.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
