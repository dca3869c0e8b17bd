/** Where a progress line goes: a terminal (stderr) shows it; a pipe or a file gets nothing. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const dur = (ms: number): string => (ms < 90_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${Math.round(ms / 60_000)} min`);

/** "3,000 of 10,000 records (1,200/s, about 6 s left)": the rate so far and the time left at that rate. */
export function formatRate(p: { done: number; total: number; elapsedMs: number; unit: string }): string {
  const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  const left = p.total - p.done;
  const eta = left <= 0 ? 'done' : rate > 0 ? `about ${dur((left / rate) * 1000)} left` : 'estimating…';
  return `${int(p.done)} of ${int(p.total)} ${p.unit} (${rate > 0 ? `${int(rate)}/s, ` : ''}${eta})`;
}

/**
 * One line that rewrites itself on a terminal (`\r`, clear to the end of the line) and is cleared when
 * the work ends, so the command's own output follows on a clean line. Off a terminal it writes nothing:
 * scripts reading stdout or a log file never see progress noise.
 */
export function progressLine(stream: ProgressStream = process.stderr): { show(text: string): void; end(): void } {
  const on = stream.isTTY === true;
  let shown = false;
  return {
    show(text) {
      if (!on) return;
      stream.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    end() {
      if (on && shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
