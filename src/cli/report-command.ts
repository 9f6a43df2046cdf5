/**
 * `wardgate report`: the auditors' report from the decision log (docs/report.md).
 * Reads every decision log file in the data dir (or the FILEs named), plain
 * and gzip alike, streaming; writes the report as a table (default), CSV,
 * JSON or one self-contained HTML file, to stdout or --out FILE. A progress
 * bar goes to stderr when it is a terminal.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { WfError } from '../errors.ts';
import { decisionLogDir } from '../log/log-files.ts';
import { buildReport, MAX_JOBS } from '../report/build-report.ts';
import { createProgressBar, isTerminal } from '../report/progress-bar.ts';
import { buildReportFilter } from '../report/report-filter.ts';
import { isReportFormat, renderReport, REPORT_FORMATS, type ReportFormat } from '../report/render-report.ts';
import { parseCommandArgs, resolveDataDir, runWithExitCodes, type CliIO } from './cli-io.ts';

export const REPORT_USAGE = `Usage: wardgate report [FILE...] [--from DATE] [--to DATE] [--member ID]... [--group ID]...
                       [--category ID]... [--decision allow|block|allow-by-grant|refuse]...
                       [--format table|csv|json|html] [--out FILE] [--top N]
  Who was blocked from what, which grants were used, allowed traffic, staff grant actions, and
  whether the records are complete. Reads every decision log file in DATA_DIR/logs when no FILE
  is given (.log and .log.gz).
  --from DATE     from this UTC day (YYYY-MM-DD) or instant (2026-11-23T14:00:00Z)
  --to DATE       up to the end of this UTC day, or up to this instant
  --member, --group, --category, --decision   only these (repeat, or separate with commas)
  --format F      table (default), csv, json or html; with --out, taken from the file's extension
  --out FILE      write the report to FILE instead of standard output
  --top N         rows in "top blocked domains" (default 20, at most 1000)
  --jobs N        threads reading the files (default: up to 4 cores for more than 16 MiB, else 1)
Also takes --data-dir DIR and --config FILE.
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  member: { type: 'string', multiple: true },
  group: { type: 'string', multiple: true },
  category: { type: 'string', multiple: true },
  decision: { type: 'string', multiple: true },
  format: { type: 'string' },
  out: { type: 'string' },
  top: { type: 'string' },
  jobs: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `wardgate report <argv…>`; resolves to the process exit code. */
export function runReportCommand(argv: string[], io: CliIO): Promise<number> {
  return runWithExitCodes('wardgate report', REPORT_USAGE, io, async () => {
    const { values, positionals } = parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.help === true) {
      io.stdout.write(REPORT_USAGE);
      return 0;
    }
    const format = chooseFormat(values.format, values.out);
    const top = parseWhole(values.top, '--top', 1, 1000) ?? 20;
    const jobs = parseWhole(values.jobs, '--jobs', 1, MAX_JOBS);
    const filter = buildReportFilter({
      from: values.from,
      to: values.to,
      members: values.member,
      groups: values.group,
      categories: values.category,
      decisions: values.decision,
    });
    const logDir = positionals.length > 0 ? undefined : decisionLogDir(resolveDataDir({ dataDir: values['data-dir'], config: values.config }, io.env));
    const progress = isTerminal(io.stderr) ? createProgressBar(io.stderr) : null;
    let report;
    try {
      report = await buildReport({ files: positionals, logDir, filter, top, ...(jobs === undefined ? {} : { jobs }), onProgress: progress === null ? undefined : (p) => progress.update(p) });
    } finally {
      progress?.done();
    }
    const text = renderReport(report, format);
    if (values.out === undefined) io.stdout.write(text);
    else writeAtomically(values.out, text);
    return 0;
  });
}

function chooseFormat(format: string | undefined, out: string | undefined): ReportFormat {
  if (format !== undefined) {
    if (!isReportFormat(format)) throw new WfError('WF_ERR_USAGE', `--format "${format}" is not one of ${REPORT_FORMATS.join(', ')}`);
    return format;
  }
  const ext = out === undefined ? '' : extname(out).slice(1).toLowerCase();
  if (ext === 'htm') return 'html';
  return isReportFormat(ext) && ext !== 'table' ? ext : 'table';
}

function parseWhole(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new WfError('WF_ERR_USAGE', `${flag} "${text}" must be a whole number from ${min} to ${max}`);
  return n;
}

/** Writes beside the target and renames, so a failed run never leaves half a report under the name. */
function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new WfError('WF_ERR_INVALID_INPUT', `cannot write the report to ${path}: ${(error as Error).message}`, { cause: error });
  }
}
