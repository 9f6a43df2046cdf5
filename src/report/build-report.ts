/**
 * Builds a Report from decision log files: chooses the files (the data dir's
 * by default), groups them into chains in write order, skips files whose
 * name dates them outside the range, streams every line through a
 * ReportCollector. Memory stays bounded whatever the logs' length (see
 * aggregate.ts); the only I/O is reading the files.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { WfError } from '../errors.ts';
import { listDecisionLogFiles, parseLogFileName } from '../log/log-files.ts';
import { groupIntoChains } from '../log/verify-chain.ts';
import type { AggregateOptions } from './aggregate.ts';
import { readLogText } from './read-log-text.ts';
import { ReportCollector } from './report-collector.ts';
import type { ReportFilter } from './report-filter.ts';
import type { Report } from './report-model.ts';

const DAY_MS = 86_400_000;

export interface ReportProgress {
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly linesRead: number;
  readonly file: string;
}

export interface BuildReportOptions extends AggregateOptions {
  /** Files to read; when empty or absent, every decision log file in `logDir`. */
  readonly files?: readonly string[];
  readonly logDir?: string;
  readonly filter: ReportFilter;
  readonly onProgress?: (progress: ReportProgress) => void;
  /** Stamped on the report (tests pass a fixed one). */
  readonly now?: () => Date;
}

interface PlannedFile {
  readonly chain: string;
  readonly path: string;
  readonly skip: boolean;
  readonly bytes: number;
}

export async function buildReport(options: BuildReportOptions): Promise<Report> {
  const files = options.files !== undefined && options.files.length > 0 ? options.files : defaultFiles(options.logDir);
  const plan = planFiles(files, options.filter);
  const collector = new ReportCollector(options.filter, options);
  const bytesTotal = plan.reduce((sum, f) => sum + (f.skip ? 0 : f.bytes), 0);
  let bytesDone = 0;
  let lines = 0;
  for (const file of plan) {
    if (file.skip) {
      collector.skippedFile();
      continue;
    }
    const source = { chain: file.chain, file: file.path };
    collector.startFile(source);
    try {
      await readLogText(
        file.path,
        (text, number, terminated) => {
          lines += 1;
          collector.line(source, text, number, terminated);
        },
        (bytesRead) => options.onProgress?.({ bytesRead: bytesDone + bytesRead, bytesTotal, linesRead: lines, file: file.path }),
      );
    } catch (error) {
      throw unreadable(file.path, error);
    }
    bytesDone += file.bytes;
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

function unreadable(path: string, error: unknown): Error {
  if (error instanceof WfError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new WfError('WF_ERR_NOT_FOUND', `cannot read ${path}: no such file`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new WfError('WF_ERR_INVALID_INPUT', `cannot read ${path}: permission denied`, { cause: error });
  if (code === 'EISDIR') return new WfError('WF_ERR_INVALID_INPUT', `cannot read ${path}: it is a folder`, { cause: error });
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new WfError('WF_ERR_INVALID_INPUT', `cannot read ${path}: not a valid gzip file (${(error as Error).message})`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
