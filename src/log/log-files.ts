/**
 * Names of the decision log files, shared by the writer (decision-log-
 * destination.ts), `wardgate logs verify` and the report reader, so all three
 * agree on which files exist and in which order their lines were written.
 *
 *   decisions-2026-11-23.1.log        first file of 23 Nov 2026 (UTC)
 *   decisions-2026-11-23.2.log.gz     second file that day, compressed after rotation
 *   decisions-2026-11-23.w3.1.log     worker "3"'s own file (one file, and chain, per worker process)
 *
 * The date is the UTC day of the lines inside (rotateDaily) or the day the
 * file was opened (size rotation only). Order within a chain is (date, index).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WfError } from '../errors.ts';

/** Decision logs live in this folder under the data dir, apart from the SQLite store. */
export const DECISION_LOG_SUBDIR = 'logs';

export function decisionLogDir(dataDir: string): string {
  return join(dataDir, DECISION_LOG_SUBDIR);
}

const NAME = /^decisions-(\d{4}-\d{2}-\d{2})(?:\.w([a-z0-9]{1,16}))?\.([1-9]\d{0,8})\.log(\.gz)?$/;
const WORKER = /^[a-z0-9]{1,16}$/;

export interface LogFileName {
  /** UTC day, `YYYY-MM-DD`. */
  readonly date: string;
  /** Worker label, or null for a single-process proxy. */
  readonly worker: string | null;
  /** 1, 2, … within the day. */
  readonly index: number;
  readonly compressed: boolean;
}

export interface LogFile extends LogFileName {
  readonly name: string;
  readonly path: string;
}

/** The chain a worker's lines form: `main` without workers, `w<label>` with. */
export function chainName(worker: string | null): string {
  return worker === null ? 'main' : `w${worker}`;
}

export function checkWorkerLabel(worker: string): void {
  if (!WORKER.test(worker)) {
    throw new WfError('WF_ERR_INVALID_INPUT', `decision log worker label "${worker}" must be 1 to 16 lower-case letters or digits`);
  }
}

export function formatLogFileName(name: Omit<LogFileName, 'compressed'> & { compressed?: boolean }): string {
  const worker = name.worker === null ? '' : `.w${name.worker}`;
  return `decisions-${name.date}${worker}.${name.index}.log${name.compressed === true ? '.gz' : ''}`;
}

export function parseLogFileName(name: string): LogFileName | null {
  const m = NAME.exec(name);
  if (m === null) return null;
  return { date: m[1]!, worker: m[2] ?? null, index: Number(m[3]), compressed: m[4] !== undefined };
}

/** `YYYY-MM-DD` of an epoch-ms time, in UTC (file boundaries must not move with the server's time zone). */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Epoch ms at which the UTC day after `date` begins. */
export function nextDayStart(date: string): number {
  return Date.parse(`${date}T00:00:00.000Z`) + 86_400_000;
}

export function compareLogFiles(a: LogFileName, b: LogFileName): number {
  const wa = a.worker ?? '';
  const wb = b.worker ?? '';
  if (wa !== wb) return wa < wb ? -1 : 1;
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return a.index - b.index;
}

/**
 * The decision log files in `dir`, grouped by worker and in write order.
 * When both `x.log` and `x.log.gz` exist (a compression interrupted between
 * its rename and the unlink) the plain file is listed: it is complete.
 * A missing folder is no files.
 */
export function listDecisionLogFiles(dir: string, filter: { worker?: string | null } = {}): LogFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const plain = new Set(names.filter((n) => n.endsWith('.log')));
  const files: LogFile[] = [];
  for (const name of names) {
    const parsed = parseLogFileName(name);
    if (parsed === null) continue;
    if (filter.worker !== undefined && parsed.worker !== filter.worker) continue;
    if (parsed.compressed && plain.has(name.slice(0, -3))) continue;
    files.push({ ...parsed, name, path: join(dir, name) });
  }
  return files.sort(compareLogFiles);
}
