/**
 * `wardgate lists …`: public blocklists, kept apart from the council's own
 * category folder.
 *
 * - `import SOURCE…`: a UT1/squidGuard folder or archive, a hosts file or a
 *   plain list (local, or an http(s) URL) → `<dataDir>/lists/imported/<name>`,
 *   replaced atomically (src/lists/import-lists.ts). Prints what was imported.
 * - `update [NAME…]`: re-imports the sources in the configuration
 *   (`lists.sources`). For cron and systemd timers: silent when everything
 *   worked, one line per failure on stderr and exit 1 otherwise; a failed
 *   source keeps its previous lists.
 * - `test URL…`: every list entry that matched each URL (council and
 *   imported), the one that decided, and the decision; `--json` for the
 *   `classify` JSON lines. Shares classify-command.ts's evaluation code.
 *
 * A running proxy watches `<dataDir>/lists/imported`, so it picks up an
 * import or update by itself; SIGHUP forces a reload.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/load-config.ts';
import { WfError } from '../errors.ts';
import { IMPORT_FORMATS, importLists, type ImportFormat, type ImportResult } from '../lists/import-lists.ts';
import { importedListsDir } from '../lists/load-all-lists.ts';
import { defaultVersionsDir } from '../lists/publish-import.ts';
import { updateLists } from '../lists/update-lists.ts';
import { parseCommandArgs, printTable, rejectOptionsOutside, runWithExitCodes, type CliIO } from './cli-io.ts';
import { ByteSink } from './byte-sink.ts';
import { loadEvaluationSnapshot, toClassifyLine, urlBatches } from './classify-command.ts';
import { evaluateUrl } from './url-evaluation.ts';
import { configFlags } from './config-options.ts';
import { createDownloader } from './lists-download.ts';
import { writeExplanation } from './lists-explain.ts';
import { formatDiagnostic, rebuildListsSnapshot } from '../compose.ts';
import { compiledIndexPath } from '../lists/compiled-lists.ts';

export const LISTS_USAGE = `Usage: wardgate lists import SOURCE... [--format ut1|squidguard|hosts|plain] [--map FILE]
                             [--category ID]... [--name NAME] [--into DIR]
       wardgate lists update [NAME...] [--verbose]
       wardgate lists test [--json] [--member ID] [--stdin] URL...
       wardgate lists compile
SOURCE is a folder, a .tar.gz/.tgz archive, a list file (gzipped or not) or an http(s) URL.
Every subcommand also takes --data-dir DIR and --config FILE; test and compile also take --categories DIR.
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  categories: { type: 'string' },
  format: { type: 'string' },
  map: { type: 'string' },
  category: { type: 'string', multiple: true },
  name: { type: 'string' },
  into: { type: 'string' },
  verbose: { type: 'boolean' },
  json: { type: 'boolean' },
  member: { type: 'string' },
  stdin: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

const COMMON = ['data-dir', 'config'];

const SUBCOMMANDS: Readonly<Record<string, { options: readonly string[]; run: (args: string[], values: Values, io: CliIO) => Promise<number> }>> = {
  import: { options: [...COMMON, 'format', 'map', 'category', 'name', 'into'], run: runImport },
  update: { options: [...COMMON, 'verbose'], run: runUpdate },
  test: { options: [...COMMON, 'categories', 'json', 'member', 'stdin'], run: runTest },
  compile: { options: [...COMMON, 'categories'], run: runCompile },
};

function parse(argv: string[]) {
  return parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** Runs `wardgate lists <argv…>`; resolves to the process exit code. */
export function runListsCommand(argv: string[], io: CliIO): Promise<number> {
  return runWithExitCodes('wardgate lists', LISTS_USAGE, io, async () => {
    const { values, positionals } = parse(argv);
    if (values.help === true) {
      io.stdout.write(LISTS_USAGE);
      return 0;
    }
    const [name, ...rest] = positionals;
    const subcommand = name === undefined ? undefined : SUBCOMMANDS[name];
    if (subcommand === undefined) throw new WfError('WF_ERR_USAGE', name === undefined ? 'name a subcommand' : `unknown subcommand "${name}"`);
    rejectOptionsOutside(values, subcommand.options, `lists ${name}`);
    return subcommand.run(rest, values, io);
  });
}

function configOf(values: Values, io: CliIO): Config {
  return loadConfig(configFlags({ config: values.config, 'data-dir': values['data-dir'], categories: values.categories }), io.env);
}

function downloader(io: CliIO) {
  return createDownloader({ env: io.env, progress: io.stderr });
}

// ── import ──────────────────────────────────────────────────────────────────

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** `ut1` for a UT1 folder or archive; otherwise the list file's name (`snuff-hosts.gz` → `snuff-hosts`). */
function defaultName(source: string, format: ImportFormat | undefined): string {
  if (format === 'ut1' || format === 'squidguard') return format;
  const isUrl = /^https?:\/\//i.test(source);
  const base = isUrl ? path.posix.basename(URL.canParse(source) ? new URL(source).pathname : source) : path.basename(source);
  if (format === undefined && (/\.(tar\.gz|tgz|tar)$/i.test(base) || (!isUrl && isFolder(source)))) return 'ut1';
  const name = base.toLowerCase().replace(/\.gz$/, '').replace(/\.(txt|list|lst|hosts|domains)$/, '').replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return name === '' ? 'imported' : name.slice(0, 64);
}

function parseFormat(text: string | undefined): ImportFormat | undefined {
  if (text === undefined) return undefined;
  if (!(IMPORT_FORMATS as readonly string[]).includes(text)) throw new WfError('WF_ERR_USAGE', `--format must be one of ${IMPORT_FORMATS.join(', ')}, got "${text}"`);
  return text as ImportFormat;
}

async function runImport(sources: string[], values: Values, io: CliIO): Promise<number> {
  if (sources.length === 0) throw new WfError('WF_ERR_USAGE', '"lists import" needs at least one SOURCE');
  const format = parseFormat(values.format);
  const config = configOf(values, io);
  const importedDir = importedListsDir(config.dataDir);
  const chosenInto = values.into === undefined ? undefined : path.resolve(values.into);
  const name = values.name ?? (chosenInto === undefined ? defaultName(sources[0]!, format) : path.basename(chosenInto));
  const into = chosenInto ?? path.join(importedDir, name);
  const result = await importLists({
    name,
    sources,
    format,
    map: values.map === undefined ? undefined : path.resolve(values.map),
    categories: values.category?.flatMap((c) => c.split(',')).map((c) => c.trim()).filter((c) => c !== ''),
    place: { name, into, versionsDir: defaultVersionsDir(into, importedDir) },
    download: downloader(io),
  });
  writeSummary(io.stdout, result);
  io.stdout.write(reloadHint(result, importedDir));
  return 0;
}

const number = (n: number): string => n.toLocaleString('en-GB');

/** Paths and names come from the source (an archive can name anything): no control characters reach the terminal. */
const clean = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/** What an import brought in, list by list, then what it left out and why. */
function writeSummary(out: NodeJS.WritableStream, result: ImportResult): void {
  out.write(`imported "${result.name}" (map: ${result.map})\n`);
  const byList = new Map<string, { categories: Set<string>; entries: number; bad: number }>();
  for (const file of result.files) {
    const row = byList.get(file.list) ?? { categories: new Set<string>(), entries: 0, bad: 0 };
    for (const to of file.to) row.categories.add(to.split('/')[0] === '_trusted' ? 'trusted sites' : to.split('/')[0]!);
    row.entries += file.entries;
    row.bad += file.bad;
    byList.set(file.list, row);
  }
  const rows = [...byList].map(([list, r]) => [`  ${list}`, [...r.categories].join(', '), number(r.entries), number(r.bad)]);
  printTable(out, rows, ['  LIST', 'INTO', 'ENTRIES', 'BAD']);
  const unmapped = result.skipped.filter((s) => s.why.startsWith('not in the map'));
  for (const s of result.skipped) if (!unmapped.includes(s)) out.write(clean(`skipped ${s.list}: ${s.why}`) + '\n');
  if (unmapped.length > 0) out.write(clean(`skipped, not in the map: ${unmapped.map((s) => s.list).join(', ')}`) + '\n');
  for (const note of result.notes) out.write(`note: ${clean(note)}\n`);
  if (result.totals.bad > 0) {
    out.write(`${number(result.totals.bad)} bad lines skipped; the first ones:\n`);
    for (const sample of result.badSamples) out.write(`  ${clean(sample)}\n`);
  }
}

function reloadHint(result: ImportResult, importedDir: string): string {
  const watched = path.dirname(result.into) === path.resolve(importedDir);
  const where = `${number(result.totals.entries)} entries in ${result.into} (version ${path.basename(result.version)})`;
  return watched
    ? `${where}.\nA running wardgate with this data dir loads them by itself within seconds (SIGHUP forces a reload).\n`
    : `${where}.\nwardgate serve reads imports from ${importedDir} only: move or link this folder there to use it.\n`;
}

// ── update ──────────────────────────────────────────────────────────────────

async function runUpdate(names: string[], values: Values, io: CliIO): Promise<number> {
  const config = configOf(values, io);
  const configured = config.lists.sources;
  if (configured.length === 0) {
    throw new WfError('WF_ERR_CONFIG_INVALID', 'no list sources are configured: add "lists": { "sources": [ … ] } to the config file (config/README.md), or use `wardgate lists import`');
  }
  const unknown = names.filter((n) => !configured.some((s) => s.name === n));
  if (unknown.length > 0) throw new WfError('WF_ERR_USAGE', `no configured list source named ${unknown.map((n) => `"${n}"`).join(', ')} (configured: ${configured.map((s) => s.name).join(', ')})`);
  const sources = names.length === 0 ? configured : configured.filter((s) => names.includes(s.name));
  const outcomes = await updateLists(sources, { dataDir: config.dataDir, download: downloader(io) });
  let failed = 0;
  for (const outcome of outcomes) {
    if (outcome.ok) {
      if (values.verbose === true) writeSummary(io.stdout, outcome.result);
    } else {
      failed++;
      io.stderr.write(`wardgate: lists update: ${outcome.error.message.split('\n').map(clean).join('\n')}\n`);
    }
  }
  if (values.verbose === true) io.stdout.write(`updated ${outcomes.length - failed} of ${outcomes.length} list sources\n`);
  return failed === 0 ? 0 : 1;
}

// ── test ────────────────────────────────────────────────────────────────────

async function runTest(urls: string[], values: Values, io: CliIO): Promise<number> {
  if (urls.length === 0 && values.stdin !== true) throw new WfError('WF_ERR_USAGE', '"lists test" needs at least one URL, or --stdin');
  const config = configOf(values, io);
  const snapshot = await loadEvaluationSnapshot(config, values.member, io);
  // The same output path as `classify --stdin`: backpressure once per batch, and a reader that goes
  // away (`| head`) ends the command quietly instead of with an EPIPE stack trace.
  const sink = new ByteSink(io.stdout);
  const out = { write: (text: string): void => sink.utf8(text) };
  let failures = 0;
  for await (const batch of urlBatches(urls, values.stdin === true, io)) {
    for (const raw of batch) {
      const result = evaluateUrl(raw, snapshot, values.member);
      if ('error' in result) failures++;
      if (values.json === true) out.write(`${JSON.stringify(toClassifyLine(result))}\n`);
      else writeExplanation(out, result, snapshot.policy);
    }
    await sink.drained();
    if (sink.failed !== null) break;
  }
  await sink.drained();
  const failed = sink.failed as NodeJS.ErrnoException | null;
  if (failed !== null && failed.code !== 'EPIPE') throw new WfError('WF_ERR_INTERNAL', `cannot write the results to standard output (${failed.message})`);
  return failures === 0 ? 0 : 1;
}

/**
 * `lists compile`: builds the index file `serve` starts from
 * (`<dataDir>/lists/compiled.idx`), e.g. after a bulk import, so the next
 * start loads in well under a second. `serve` rebuilds a stale file itself.
 */
async function runCompile(args: string[], values: Values, io: CliIO): Promise<number> {
  if (args.length > 0) throw new WfError('WF_ERR_USAGE', `"lists compile" takes no arguments, got "${args[0]}"`);
  const config = configOf(values, io);
  const started = performance.now();
  const lists = await rebuildListsSnapshot(config);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const { domains, urls, keywords } = lists.classifier.stats;
  io.stdout.write(`compiled ${domains} domains, ${urls} URL prefixes and ${keywords} keywords into ${compiledIndexPath(config.dataDir)} in ${seconds} s\n`);
  for (const d of lists.diagnostics) io.stderr.write(`wardgate: category lists: ${formatDiagnostic(d)}\n`);
  return 0;
}
