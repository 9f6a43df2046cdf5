/**
 * A worker thread's share of a report: reads its files (consecutive in
 * chain order) into its own ReportCollector and posts back the collector's
 * state for the main thread to absorb in order. Progress is posted after
 * every chunk read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { collectFiles } from './collect-files.ts';
import { ReportCollector } from './report-collector.ts';
import type { ShareInput, WorkerMessage } from './report-in-workers.ts';

const port = parentPort!;
const input = workerData as ShareInput;
const post = (message: WorkerMessage): void => port.postMessage(message);
const collector = new ReportCollector(input.filter, input.options);
try {
  await collectFiles(collector, input.files, (bytesRead, lines) => post({ type: 'progress', bytesRead, lines }));
  post({ type: 'done', state: collector.state() });
} catch (error) {
  const code = (error as { code?: unknown }).code;
  post({ type: 'error', code: typeof code === 'string' ? code : null, message: (error as Error).message });
}
