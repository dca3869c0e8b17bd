import { Command } from 'commander';
import { basename } from 'node:path';
import type { PerceptionResult } from '../../perception/index.ts';
import { progressLine } from './progress.ts';

/**
 * `coo perceive <file> [--json] [--lang eng+deu]`: reads a receipt, invoice PDF or screenshot and prints what
 * perception understood. Bad input ends with one clear line and a non-zero exit, never a stack trace.
 */
export function perceiveCommand(): Command {
  return new Command('perceive')
    .description('Read an invoice, receipt, PDF or screenshot and print the extracted fields')
    .argument('<file>', 'image (JPEG, PNG, WebP, TIFF) or PDF')
    .option('--json', 'print the full result as JSON')
    .option('--lang <langs>', 'OCR languages, e.g. eng+deu (default: COO_OCR_LANGS or eng+deu+fra+spa)')
    .action(async (file: string, opts: { json?: boolean; lang?: string }) => {
      // Loaded on use, so other coo commands do not pay for tfjs and tesseract.
      const { createPerception, isPerceptionError, perceptionConfigFromEnv } = await import('../../perception/index.ts');
      let perception: ReturnType<typeof createPerception> | null = null;
      try {
        const config = perceptionConfigFromEnv(undefined, opts.lang ? { ocrLangs: opts.lang } : {});
        perception = createPerception(config);
        const line = progressLine();
        const result = await perception
          .perceive({ path: file }, { onProgress: (p) => line.show(`${basename(file)}: ${perceiveStage(p)}`) })
          .finally(() => line.end());
        process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatSummary(result));
      } catch (e) {
        const msg = isPerceptionError(e) ? `${e.message} [${e.code}]` : `Could not read the file: ${(e as Error).message?.split('\n')[0] ?? String(e)}`;
        process.stderr.write(`error: ${msg}\n`);
        process.exitCode = isPerceptionError(e) ? 2 : 1;
      } finally {
        await perception?.close();
      }
    });
}

/** One stage of perception in words, for the progress line on stderr: "page 2 of 3: OCR". */
export function perceiveStage(p: { stage: string; page?: number; pages?: number }): string {
  switch (p.stage) {
    case 'intake':
      return 'opening';
    case 'vit':
      return 'looking at the layout';
    case 'ocr':
      return p.page && p.pages ? `page ${p.page} of ${p.pages}: OCR` : 'OCR';
    case 'semantic':
      return 'fields';
    case 'done':
      return 'done';
    default:
      return p.stage;
  }
}

const pct = (n: number): string => `${Math.round(n * 100)}%`;

/** The human-readable summary: type, fields with confidences, what to double-check and why. */
export function formatSummary(r: PerceptionResult): string {
  const out: string[] = [];
  out.push(`${r.source.filename ?? 'input'}: ${r.source.kind}, ${r.source.pagesProcessed}/${r.source.pages} page(s), ${r.timings.totalMs} ms (tfjs ${r.backend})`);
  out.push(`type: ${r.docType.value} (${pct(r.docType.confidence)}; decided by ${r.docType.decidedBy.join(', ')})`);
  if (!r.isDocument) out.push(`not a document: ${r.notDocumentReason}`);
  if (r.invoice) {
    const inv = r.invoice;
    const row = (name: string, f: { value: unknown; confidence: number }): string =>
      `  ${name.padEnd(10)} ${f.value === null ? '—' : String(f.value)}  (${pct(f.confidence)})`;
    out.push(`fields${inv.language ? ` [${inv.language}]` : ''}:`);
    out.push(row('vendor', inv.vendor), row('number', inv.number), row('date', inv.issueDate), row('due', inv.dueDate));
    out.push(row('currency', inv.currency), row('subtotal', inv.subtotal), row('tax', inv.tax), row('total', inv.total));
    if (inv.lineItems.length) {
      out.push(`line items (${inv.lineItems.length}):`);
      for (const it of inv.lineItems) out.push(`  - ${it.description}  ${it.quantity ?? '?'} × ${it.unitPrice ?? '?'} = ${it.amount ?? '?'}`);
    }
    out.push(`checks: ${inv.checks.map((c) => `${c.name} ${c.passed === null ? 'n/a' : c.passed ? 'ok' : 'FAILED'}`).join(', ')}`);
  }
  if (r.screenshot) {
    out.push(`gist: ${r.screenshot.gist}`);
    out.push(`regions: ${r.screenshot.regions.map((g) => g.kind).join(', ') || 'none'}`);
  }
  if (r.lowConfidence.length) {
    out.push('please check:');
    for (const l of r.lowConfidence) out.push(`  ${l.field} (${pct(l.confidence)}): ${l.reasons.join('; ')}`);
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}
