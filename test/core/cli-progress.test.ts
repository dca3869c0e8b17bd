import { describe, expect, it } from 'vitest';
import { perceiveStage } from '../../scripts/commands/perceive.ts';
import { formatRate, progressLine } from '../../scripts/commands/progress.ts';

describe('progress lines for long coo commands', () => {
  it('formats the rate so far and the time left at that rate', () => {
    expect(formatRate({ done: 3000, total: 10_000, elapsedMs: 2500, unit: 'records' })).toBe('3,000 of 10,000 records (1,200/s, about 6 s left)');
    expect(formatRate({ done: 0, total: 10_000, elapsedMs: 0, unit: 'records' })).toBe('0 of 10,000 records (estimating…)');
    expect(formatRate({ done: 100, total: 1_000_000, elapsedMs: 1000, unit: 'records' })).toBe('100 of 1,000,000 records (100/s, about 167 min left)');
    expect(formatRate({ done: 500, total: 500, elapsedMs: 1000, unit: 'records' })).toBe('500 of 500 records (500/s, done)');
  });

  it('rewrites one line on a terminal and clears it at the end; writes nothing to a pipe', () => {
    const tty: string[] = [];
    const line = progressLine({ isTTY: true, write: (s) => tty.push(s) });
    line.show('a');
    line.show('b');
    line.end();
    expect(tty).toEqual(['\r\x1b[2Ka', '\r\x1b[2Kb', '\r\x1b[2K']);
    for (const isTTY of [false, undefined]) {
      const piped: string[] = [];
      const p = progressLine({ isTTY, write: (s) => piped.push(s) });
      p.show('a');
      p.end();
      expect(piped).toEqual([]);
    }
  });

  it('names each stage of perception in words', () => {
    expect(perceiveStage({ stage: 'ocr', page: 2, pages: 3 })).toBe('page 2 of 3: OCR');
    expect(perceiveStage({ stage: 'ocr' })).toBe('OCR');
    expect(perceiveStage({ stage: 'semantic' })).toBe('fields');
    expect(perceiveStage({ stage: 'vit' })).toBe('looking at the layout');
  });
});
