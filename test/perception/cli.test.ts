import { afterEach, describe, expect, it, vi } from 'vitest';
import { perceiveCommand } from '../../scripts/commands/perceive.ts';

/** Runs `perceive` as the coo CLI would, capturing what it prints. */
async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const before = process.exitCode;
  try {
    await perceiveCommand().exitOverride().parseAsync(args, { from: 'user' });
    return { out, err, code: Number(process.exitCode ?? 0) };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = before;
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('coo perceive', () => {
  it('prints the full result as JSON with --json', async () => {
    const r = await run(['test/fixtures/perception/09-invoice-de-pdf-digital.pdf', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.docType.value).toBe('invoice');
    expect(json.invoice.total.value).toBeTypeOf('number');
  });

  it('prints a readable summary by default', async () => {
    const r = await run(['test/fixtures/perception/22-invoice-nl-pdf-digital.pdf']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^type: invoice/m);
    expect(r.out).toMatch(/total\s+\d+(\.\d+)?\s+\(\d+%\)/);
    expect(r.out).toMatch(/checks: line_items_sum/);
  });

  it('fails with one clear line and a non-zero exit on bad input', async () => {
    const r = await run(['test/fixtures/perception/bad/encrypted.pdf']);
    expect(r.code).not.toBe(0);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/password-protected.*\[encrypted\]/);
    const missing = await run(['test/fixtures/perception/bad/does-not-exist.png']);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/could not be read/);
  });
});
