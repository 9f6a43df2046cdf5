/**
 * A one-line progress bar on a terminal (stderr), redrawn at most ten times a
 * second and erased when done. Not used when stderr is not a terminal, so
 * logs and pipes never get carriage returns.
 */
import { formatBytes, formatCount } from './format-values.ts';
import type { ReportProgress } from './build-report.ts';

const WIDTH = 30;
const EVERY_MS = 100;

export interface ProgressBar {
  update(progress: ReportProgress): void;
  done(): void;
}

export function createProgressBar(stream: NodeJS.WritableStream, now: () => number = Date.now): ProgressBar {
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const t = now();
      if (t - last < EVERY_MS) return;
      last = t;
      const share = p.bytesTotal > 0 ? Math.min(1, p.bytesRead / p.bytesTotal) : 0;
      const filled = Math.round(share * WIDTH);
      stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${Math.floor(share * 100)}%  ${formatBytes(p.bytesRead)} of ${formatBytes(p.bytesTotal)}, ${formatCount(p.linesRead)} lines\u001b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}

export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
