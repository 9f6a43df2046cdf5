/**
 * `wardgate classify [--member ID] URL…` (or `--stdin`, one URL a line):
 * one JSON line per URL with the canonical target, the decision, the
 * categories and every rule that matched. It calls evaluate(), the function
 * the proxy calls, on a snapshot built the way the proxy builds it.
 * `wardgate lists test` shares everything here but the output format.
 */
import { parseArgs } from 'node:util';
import { formatDiagnostic, loadListsSnapshot } from '../compose.ts';
import type { ListDiagnostic } from '../lists/load-categories.ts';
import { loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/config.ts';
import type { DirectorySnapshot } from '../directory/directory-snapshot.ts';
import { WfError } from '../errors.ts';
import type { RuntimeSnapshot } from '../pipeline/runtime-snapshot.ts';
import { ByteSink } from './byte-sink.ts';
import { evaluateUrl, evaluationSnapshot, type UrlEvaluation } from './url-evaluation.ts';
import { CLASSIFY_FORMATS, classifyLineText, writeClassifyLine, type ClassifyFormat } from './classify-line.ts';
import type { CliIO } from './cli-io.ts';
import { classifyInWorkers, defaultClassifyJobs, parseClassifyJobs } from './classify-in-workers.ts';
import { lineBatches } from './line-batches.ts';
import { CONFIG_OPTIONS, configFlags } from './config-options.ts';

export const CLASSIFY_USAGE = 'Usage: wardgate classify [--member ID] [--stdin [--jobs N|auto]] [--format json|compact] [--categories DIR] [--data-dir DIR] [--config FILE] URL...';

export { CLASSIFY_FORMATS, type ClassifyFormat } from './classify-line.ts';

const EMPTY_DIRECTORY: DirectorySnapshot = { members: new Map(), byIp: new Map(), groups: new Map() };

/**
 * The member directory, only when a member is named: the store
 * (better-sqlite3) loads only then (≈15–25 ms of start-up otherwise).
 * Throws WF_ERR_NOT_FOUND when the named member does not exist.
 */
export async function memberDirectory(config: Config, memberId: string | undefined): Promise<DirectorySnapshot> {
  if (memberId === undefined) return EMPTY_DIRECTORY;
  const [{ openDatabase }, { DirectoryStore }] = await Promise.all([import('../store/database.ts'), import('../directory/directory-store.ts')]);
  const db = openDatabase(config.dataDir);
  let directory: DirectorySnapshot;
  try {
    directory = new DirectoryStore(db).snapshot();
  } finally {
    db.close();
  }
  if (!directory.members.has(memberId)) {
    throw new WfError('WF_ERR_NOT_FOUND', `no member "${memberId}" in ${config.dataDir} (see \`wardgate members list\`)`);
  }
  return directory;
}

/** Writes the lists' problems to stderr, as every command that loads the lists does. */
export function reportListProblems(diagnostics: readonly ListDiagnostic[], io: CliIO): void {
  for (const d of diagnostics) io.stderr.write(`wardgate: category lists: ${formatDiagnostic(d)}\n`);
}

/** The JSON line `wardgate classify` (and `lists test --json`) prints for one URL. */
export function toClassifyLine(result: UrlEvaluation): object {
  if ('error' in result) return { input: result.input, error: result.error };
  const { target, evaluation, member } = result;
  const { classification, decision } = evaluation;
  return {
    input: result.input,
    target: target.url,
    host: target.host,
    decision: decision.action,
    reason: decision.reason,
    categories: decision.categories,
    rule: decision.rule ?? null,
    grants: decision.grantIds,
    matches: classification.matches,
    trusted: classification.trusted,
    ...(member === undefined ? {} : { member }),
  };
}

/**
 * JSON.stringify(toClassifyLine(result)) (format `json`), or the compact line
 * (`compact`: input, host, decision, reason, categories, the deciding rule's
 * list, kind and entry, grants, member). The same bytes writeClassifyLine()
 * (classify-line.ts) streams.
 */
export function classifyLineJson(result: UrlEvaluation, format: ClassifyFormat = 'json'): string {
  return classifyLineText(result, format);
}

/**
 * The snapshot `classify` and `lists test` evaluate against: the lists
 * (council and imported) and policy the proxy would load, and the member
 * directory when a member is named. Lists problems go to stderr.
 */
export async function loadEvaluationSnapshot(config: Config, memberId: string | undefined, io: CliIO): Promise<RuntimeSnapshot> {
  const lists = await loadListsSnapshot(config);
  reportListProblems(lists.diagnostics, io);
  return evaluationSnapshot(lists, await memberDirectory(config, memberId));
}

/**
 * The URLs from the arguments, then (with `stdin`) one a line from standard
 * input (line-batches.ts: trimmed, blank lines skipped), in batches: a batch
 * per chunk read, so bulk checks pay the async machinery once per chunk
 * rather than once per URL.
 */
export async function* urlBatches(positionals: readonly string[], stdin: boolean, io: CliIO): AsyncGenerator<string[]> {
  if (positionals.length > 0) yield [...positionals];
  if (stdin) yield* lineBatches(io.stdin as AsyncIterable<Buffer | string>);
}

export async function runClassifyCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...CONFIG_OPTIONS, member: { type: 'string' }, stdin: { type: 'boolean' }, format: { type: 'string', default: 'json' }, jobs: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0 && values.stdin !== true) throw new WfError('WF_ERR_USAGE', `name at least one URL, or use --stdin\n${CLASSIFY_USAGE}`);
  const format = values.format as ClassifyFormat;
  if (!CLASSIFY_FORMATS.includes(format)) throw new WfError('WF_ERR_USAGE', `--format is json or compact, got "${values.format}"\n${CLASSIFY_USAGE}`);
  const jobs = parseClassifyJobs(values.jobs) ?? (values.stdin === true ? defaultClassifyJobs(io.stdin) : 1);
  const config = loadConfig(configFlags(values), io.env);
  if (values.stdin === true && jobs > 1) {
    const { failures, outputError } = await classifyInWorkers({ jobs, config, memberId: values.member, format, positionals, io });
    return classifyExit(failures, outputError);
  }
  const snapshot = await loadEvaluationSnapshot(config, values.member, io);
  const sink = new ByteSink(io.stdout);
  let failures = 0;
  for await (const batch of urlBatches(positionals, values.stdin === true, io)) {
    for (const raw of batch) {
      const result = evaluateUrl(raw, snapshot, values.member);
      if ('error' in result) failures++;
      writeClassifyLine(sink, result, format);
    }
    // Once per batch: hand the bytes over and wait while the reader is behind (bounded memory).
    await sink.drained();
    // The reader went away (`| head`): stop reading; breaking out closes standard input.
    if (sink.failed !== null) break;
  }
  await sink.drained();
  return classifyExit(failures, sink.failed);
}

/** Exit code 1 when some URL was unusable; a reader that went away (EPIPE) is no failure, any other write error is. */
function classifyExit(failures: number, outputError: Error | null): number {
  if (outputError !== null && (outputError as NodeJS.ErrnoException).code !== 'EPIPE') {
    throw new WfError('WF_ERR_INTERNAL', `cannot write the results to standard output (${outputError.message})`);
  }
  return failures === 0 ? 0 : 1;
}
