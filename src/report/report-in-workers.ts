/**
 * Reads a report's files in several worker threads at once: the files (in
 * chain order) are cut into consecutive shares of about equal work, each
 * share is read by its own thread into its own ReportCollector, and the
 * main thread absorbs the shares' states in order — the same counts as
 * reading every file in one thread (see ChainTracker.absorb for the one
 * nuance). The worker file sits next to this one: `.ts` under tsx, `.js` in
 * dist/.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker, workerModuleUrl } from '../start-worker.ts';
import { WfError, type WfErrorCode } from '../errors.ts';
import type { AggregateOptions } from './aggregate.ts';
import type { FileToRead } from './collect-files.ts';
import type { CollectorState } from './report-collector.ts';
import type { ReportFilter } from './report-filter.ts';

const WORKER_URL = workerModuleUrl('report-worker', import.meta.url);
/** A gzip file holds about this many times its size in lines (measured: 4.5–5× on wardgate's logs). */
const GZIP_WEIGHT = 5;

export interface ShareInput {
  readonly files: readonly FileToRead[];
  readonly filter: ReportFilter;
  readonly options: AggregateOptions;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly bytesRead: number; readonly lines: number }
  | { readonly type: 'done'; readonly state: CollectorState }
  | { readonly type: 'error'; readonly code: string | null; readonly message: string };

/** Cuts `files` into at most `shares` consecutive runs of about equal work (uncompressed size). */
export function splitIntoShares(files: readonly FileToRead[], shares: number): FileToRead[][] {
  const weight = (f: FileToRead): number => (f.path.endsWith('.gz') ? f.bytes * GZIP_WEIGHT : f.bytes);
  const total = files.reduce((sum, f) => sum + weight(f), 0);
  const out: FileToRead[][] = [];
  let current: FileToRead[] = [];
  let done = 0;
  for (const file of files) {
    current.push(file);
    done += weight(file);
    // Cut once this share has reached its fair part of the total so far.
    if (out.length < shares - 1 && done >= (total * (out.length + 1)) / shares) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Resolves with each share's state, in share order; rejects (and stops the others) on the first error. */
export async function collectInWorkers(
  shares: readonly (readonly FileToRead[])[],
  filter: ReportFilter,
  options: AggregateOptions,
  onProgress?: (bytesRead: number, lines: number) => void,
): Promise<CollectorState[]> {
  const progress = shares.map(() => ({ bytesRead: 0, lines: 0 }));
  const workers: Worker[] = [];
  const report = (): void => onProgress?.(sum(progress.map((p) => p.bytesRead)), sum(progress.map((p) => p.lines)));
  try {
    return await Promise.all(
      shares.map(
        (files, i) =>
          new Promise<CollectorState>((resolve, reject) => {
            const worker = startWorker(WORKER_URL, { workerData: { files, filter, options: { top: options.top, domainCapacity: options.domainCapacity, maxStaffRows: options.maxStaffRows } } });
            workers.push(worker);
            let settled = false;
            worker.on('message', (message: WorkerMessage) => {
              if (message.type === 'progress') {
                progress[i] = message;
                report();
                return;
              }
              settled = true;
              if (message.type === 'done') resolve(message.state);
              else reject(new WfError(message.code?.startsWith('WF_ERR_') ? (message.code as WfErrorCode) : 'WF_ERR_INTERNAL', message.message));
            });
            worker.once('error', (error) => {
              if (!settled) reject(new WfError('WF_ERR_INTERNAL', `a report reader thread failed: ${error.message}`, { cause: error }));
              settled = true;
            });
            worker.once('exit', (code) => {
              if (!settled) reject(new WfError('WF_ERR_INTERNAL', `a report reader thread stopped (exit code ${code}) without a result`));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}


function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
