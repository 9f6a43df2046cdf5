/**
 * Builds a Report from decision log files: chooses the files (the data dir's
 * by default), groups them into chains in write order, skips files whose
 * name dates them outside the range, and streams every line through a
 * ReportCollector — in this thread, or, for large inputs, in several worker
 * threads whose shares are merged in order. Memory stays bounded whatever
 * the logs' length (see aggregate.ts); the only I/O is reading the files.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { WfError } from '../errors.ts';
import { listDecisionLogFiles, parseLogFileName } from '../log/log-files.ts';
import { groupIntoChains } from '../log/verify-chain.ts';
import type { AggregateOptions } from './aggregate.ts';
import { collectFiles, unreadable, type FileToRead } from './collect-files.ts';
import { collectInWorkers, splitIntoShares } from './report-in-workers.ts';
import { ReportCollector } from './report-collector.ts';
import type { ReportFilter } from './report-filter.ts';
import type { Report } from './report-model.ts';

const DAY_MS = 86_400_000;
/** Below this much to read (on disk) one thread is quicker than starting workers. */
const WORKERS_FROM_BYTES = 16 * 2 ** 20;
/** More threads than this gain little: gunzip and parsing share the machine with everything else. */
export const MAX_JOBS = 8;

export interface ReportProgress {
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly linesRead: number;
}

export interface BuildReportOptions extends AggregateOptions {
  /** Files to read; when empty or absent, every decision log file in `logDir`. */
  readonly files?: readonly string[];
  readonly logDir?: string;
  readonly filter: ReportFilter;
  /**
   * Threads reading at once. Default: the machine's cores (at most 4) when
   * there is more than 16 MiB to read, else 1. 1 reads in this thread.
   */
  readonly jobs?: number;
  /**
   * Read in worker threads even when one thread is enough, so that the
   * calling thread never parses a line: the admin server builds reports in
   * the serving process, and the proxy shares its event loop.
   */
  readonly offThread?: boolean;
  readonly onProgress?: (progress: ReportProgress) => void;
  /** Stamped on the report (tests pass a fixed one). */
  readonly now?: () => Date;
}

interface PlannedFile extends FileToRead {
  readonly skip: boolean;
}

export async function buildReport(options: BuildReportOptions): Promise<Report> {
  const files = options.files !== undefined && options.files.length > 0 ? options.files : defaultFiles(options.logDir);
  const plan = planFiles(files, options.filter);
  const toRead = plan.filter((f) => !f.skip);
  const bytesTotal = toRead.reduce((sum, f) => sum + f.bytes, 0);
  const collector = new ReportCollector(options.filter, options);
  for (let i = toRead.length; i < plan.length; i += 1) collector.skippedFile();
  const progress = (bytesRead: number, linesRead: number): void => options.onProgress?.({ bytesRead, bytesTotal, linesRead });
  const jobs = Math.min(options.jobs ?? (bytesTotal >= WORKERS_FROM_BYTES ? Math.min(4, availableParallelism()) : 1), toRead.length);
  if (jobs < 1 || (jobs === 1 && options.offThread !== true)) {
    await collectFiles(collector, toRead, progress);
  } else {
    const aggregate: AggregateOptions = { top: options.top, domainCapacity: options.domainCapacity, maxStaffRows: options.maxStaffRows };
    for (const state of await collectInWorkers(splitIntoShares(toRead, jobs), options.filter, aggregate, progress)) collector.absorb(state);
  }
  return collector.finish(options.now?.() ?? new Date());
}

function defaultFiles(logDir: string | undefined): string[] {
  if (logDir === undefined) throw new WfError('WF_ERR_USAGE', 'name the decision log files, or a data dir to read them from');
  const files = listDecisionLogFiles(logDir).map((f) => f.path);
  if (files.length === 0) throw new WfError('WF_ERR_NOT_FOUND', `no decision log files in ${logDir}`);
  return files;
}

/**
 * Files in chain order, each marked to skip when its name proves every line
 * is outside the range. A file named for day D was started on D (its lines
 * are from D on, or from D only with daily rotation), and its lines end
 * before its successor's day ends. A day's slack either way keeps this
 * true without daily rotation, whatever batching did at midnight.
 */
function planFiles(paths: readonly string[], filter: ReportFilter): PlannedFile[] {
  const plan: PlannedFile[] = [];
  for (const chain of groupIntoChains(paths)) {
    chain.files.forEach((path, i) => {
      const date = dayStart(path);
      const nextDate = i + 1 < chain.files.length ? dayStart(chain.files[i + 1]!) : null;
      const afterRange = filter.toMs !== null && date !== null && date - DAY_MS >= filter.toMs;
      const beforeRange = filter.fromMs !== null && nextDate !== null && nextDate + DAY_MS <= filter.fromMs;
      plan.push({ chain: chain.name, path, skip: afterRange || beforeRange, bytes: sizeOf(path) });
    });
  }
  return plan;
}

function dayStart(path: string): number | null {
  const parsed = parseLogFileName(basename(path));
  return parsed === null ? null : Date.parse(`${parsed.date}T00:00:00.000Z`);
}

function sizeOf(path: string): number {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new WfError('WF_ERR_INVALID_INPUT', `cannot read ${path}: not a file`);
    return stat.size;
  } catch (error) {
    throw unreadable(path, error);
  }
}
