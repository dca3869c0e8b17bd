import { afterEach, describe, expect, it, vi } from 'vitest';
import { perceiveCommand } from '../../scripts/commands/perceive.ts';

/** Runs `coo perceive` in-process with stderr as a terminal (isTTY) or as a pipe, capturing both streams. */
async function run(args: string[], tty: boolean): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const was = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: tty, configurable: true });
  try {
    await perceiveCommand().exitOverride().parseAsync(args, { from: 'user' });
    return { out, err };
  } finally {
    if (was) Object.defineProperty(process.stderr, 'isTTY', was);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
    o.mockRestore();
    e.mockRestore();
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('coo perceive shows its progress on a terminal', () => {
  it('on a TTY: page k of n with OCR, then fields, on stderr, cleared before the result', async () => {
    const r = await run(['test/fixtures/perception/01-invoice-en-png.png'], true);
    const frames = r.err.split('\r\x1b[2K').filter(Boolean);
    expect(frames).toContain('01-invoice-en-png.png: opening');
    expect(frames).toContain('01-invoice-en-png.png: page 1 of 1: OCR');
    expect(frames).toContain('01-invoice-en-png.png: fields');
    expect(frames.indexOf('01-invoice-en-png.png: page 1 of 1: OCR')).toBeLessThan(frames.indexOf('01-invoice-en-png.png: fields'));
    expect(r.err.endsWith('\r\x1b[2K')).toBe(true); // the line is cleared: the summary starts on a clean line
    expect(r.out).toMatch(/^type: invoice/m);
    expect(r.out).not.toContain('\x1b');
  });

  it('off a terminal (a pipe, a log file): no progress at all, the same result', async () => {
    const r = await run(['test/fixtures/perception/01-invoice-en-png.png'], false);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^type: invoice/m);
  });
});
