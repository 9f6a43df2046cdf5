/**
 * classify-stdin bench: `wardgate classify --stdin` as auditors run it — the
 * compiled CLI (bin/wardgate.js, dist/) in its own process, the mixed URL
 * stream (mixed-stream.ts, 500,000 URLs) on standard input from a file, the
 * JSON lines to a file — against the full UT1 index (bench-lists.ts), or the
 * synthetic one without ../shared/data.
 *
 *   npm run bench:classify-stdin [-- --n 500000 --runs 3 --baseline DIR --hugepages]
 *
 * Each run is timed with GNU time (wall, user+sys CPU, peak RSS). A run with
 * one URL gives the start-up (loading the index file, checksum included);
 * the rate is reported with and without it. Every output is checked: one
 * line per URL, each parsing as JSON. `--format compact` runs alongside the
 * default format. With `--baseline DIR` (another checkout's folder with
 * bin/ and dist/ built), its default-format runs are interleaved with this
 * checkout's, so the before/after ratio shares the machine's state.
 * `--hugepages` adds a default-format variant run with
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (docs/bulk-classify.md).
 * Note: bench-lists.ts keys the shared index in the system temp folder by
 * the categories folder's path, so running this from another checkout
 * recompiles that index (≈30 s) for that checkout; set TMPDIR to keep a
 * checkout's own copy.
 * Target (issue 3): ≥ 200,000 URLs/s. Writes bench/results/classify-stdin.json.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createClassifier } from '../../src/classify/classifier.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import { urlRuleCount } from '../../src/classify/url-table.ts';
import { defaultClassifyJobs } from '../../src/cli/classify-in-workers.ts';
import { benchLists, CATEGORIES_DIR, ROOT } from './bench-lists.ts';
import { mixedStream } from './mixed-stream.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    baseline: { type: 'string' },
    synthetic: { type: 'boolean', default: false },
    hugepages: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const N = Math.min(Math.max(Number(values.n), 1000), 5_000_000);
const RUNS = Math.min(Math.max(Number(values.runs), 1), 10);
const RESULT_FILE = values.out ?? path.join(ROOT, 'bench/results/classify-stdin.json');
const GNU_TIME = '/usr/bin/time';
const LIMIT_MS = 180_000;
const log = (msg: string): void => console.error(`[classify-stdin] ${msg}`);
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing (apt-get install time)`);
if (!existsSync(path.join(ROOT, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
if (values.baseline !== undefined && !existsSync(path.join(values.baseline, 'dist/cli.js'))) throw new Error(`${values.baseline}/dist/cli.js is missing`);

const lists = await benchLists({ synthetic: values.synthetic, log });
const probe = createClassifier(lists.index, { cacheSize: 0 });
const isListed = (host: string): boolean => {
  try {
    return probe.classify(normaliseUrl(`http://${host}/`)).matches.some((m) => m.kind === 'domain');
  } catch {
    return false;
  }
};
const stream = mixedStream(lists.stream, { n: N, seed: Number(values.seed) >>> 0, isListed });
const work = mkdtempSync(path.join(os.tmpdir(), 'wardgate-stdin-bench-'));
const urlFile = path.join(work, 'urls.txt');
const oneFile = path.join(work, 'one.txt');
writeFileSync(urlFile, `${stream.urls.join('\n')}\n`);
writeFileSync(oneFile, `${stream.urls[0]}\n`);
log(`${N} URLs in ${urlFile}; ${lists.kind} index in ${lists.dataDir}`);

interface Run {
  readonly wallS: number;
  readonly cpuS: number;
  readonly peakRssKiB: number;
}

function runCli(root: string, input: string, extra: readonly string[], outFile: string, env: NodeJS.ProcessEnv = {}): Run {
  const stdin = openSync(input, 'r');
  const stdout = openSync(outFile, 'w');
  try {
    const args = ['-f', '%e %U %S %M', process.execPath, path.join(root, 'bin/wardgate.js'), 'classify', '--stdin', '--data-dir', lists.dataDir, '--categories', CATEGORIES_DIR, ...extra];
    const r = spawnSync(GNU_TIME, args, { stdio: [stdin, stdout, 'pipe'], encoding: 'utf8', timeout: LIMIT_MS, env: { ...process.env, ...env } });
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    const [wall, user, sys, rss] = last.split(' ').map(Number);
    // Exit 1 means some URL was unusable (reported on its line), not a failure of the run.
    if ((r.status !== 0 && r.status !== 1) || wall === undefined || Number.isNaN(wall)) throw new Error(`classify --stdin failed (status ${String(r.status)}): ${r.stderr.slice(-2000)}`);
    return { wallS: wall, cpuS: round(user! + sys!, 2), peakRssKiB: rss! };
  } finally {
    closeSync(stdin);
    closeSync(stdout);
  }
}

/** Line count of `file`, and whether every line parses as JSON with the input's URL. */
async function checkOutput(file: string): Promise<{ lines: number; bad: number }> {
  let lines = 0;
  let bad = 0;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    const expected = stream.urls[lines];
    lines++;
    try {
      const parsed = JSON.parse(line) as { input?: unknown; decision?: unknown; error?: unknown };
      if (parsed.input !== expected || (typeof parsed.decision !== 'string' && typeof parsed.error !== 'string')) bad++;
    } catch {
      bad++;
    }
  }
  return { lines, bad };
}

// What the command picks for this input (a file over JOBS_FROM_BYTES: one thread per core, at most 4),
// named explicitly so that the one-URL start-up run uses as many threads as the run it is subtracted from.
const urlFd = openSync(urlFile, 'r');
const jobs = String(defaultClassifyJobs({ fd: urlFd }));
closeSync(urlFd);
const variants: { name: string; root: string; extra: string[]; env?: NodeJS.ProcessEnv }[] = [
  { name: 'json', root: ROOT, extra: ['--jobs', jobs] },
  { name: 'compact', root: ROOT, extra: ['--format', 'compact', '--jobs', jobs] },
];
if (jobs !== '1') variants.push({ name: 'json-1-thread', root: ROOT, extra: ['--jobs', '1'] });
// glibc backs large allocations (the 110 MB index buffer) with transparent huge pages: fewer page faults at start-up.
if (values.hugepages) variants.push({ name: 'json-hugetlb', root: ROOT, extra: [], env: { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' } });
// The baseline build may predate --jobs: it gets its own default.
if (values.baseline !== undefined) variants.push({ name: 'baseline-json', root: path.resolve(values.baseline), extra: [] });

const loadBefore = os.loadavg().map((x) => round(x, 2));
const results: Record<string, { startup: Run[]; runs: Run[]; check: { lines: number; bad: number } | null }> = {};
for (const v of variants) results[v.name] = { startup: [], runs: [], check: null };
for (let r = 0; r < RUNS; r++) {
  for (const v of variants) {
    const res = results[v.name]!;
    res.startup.push(runCli(v.root, oneFile, v.extra, path.join(work, 'one-out.txt'), v.env));
    const outFile = path.join(work, `${v.name}-out.jsonl`);
    const run = runCli(v.root, urlFile, v.extra, outFile, v.env);
    res.runs.push(run);
    if (r === 0) res.check = await checkOutput(outFile);
    const startup = res.startup.at(-1)!;
    log(`${v.name} run ${r + 1}: ${run.wallS} s wall, ${run.cpuS} s CPU (start-up ${startup.wallS} s) = ${Math.round(N / run.wallS).toLocaleString('en-GB')} URLs/s, ${Math.round(N / Math.max(run.wallS - startup.wallS, 0.01)).toLocaleString('en-GB')} URLs/s after start-up; peak RSS ${run.peakRssKiB} KiB`);
  }
}

const summary = Object.fromEntries(
  Object.entries(results).map(([name, res]) => {
    const wall = median(res.runs.map((x) => x.wallS));
    const cpu = median(res.runs.map((x) => x.cpuS));
    const startupWall = median(res.startup.map((x) => x.wallS));
    const startupCpu = median(res.startup.map((x) => x.cpuS));
    return [
      name,
      {
        medianWallS: wall,
        medianCpuS: cpu,
        startupWallS: startupWall,
        urlsPerSec: Math.round(N / wall),
        urlsPerCpuSec: Math.round(N / cpu),
        urlsPerSecAfterStartup: Math.round(N / Math.max(wall - startupWall, 0.01)),
        urlsPerCpuSecAfterStartup: Math.round(N / Math.max(cpu - startupCpu, 0.01)),
        check: res.check,
        runs: res.runs,
        startup: res.startup,
      },
    ];
  }),
);
const result = {
  benchmark: 'classify-stdin',
  date: new Date().toISOString(),
  jobs: Number(jobs),
  machine: { cpus: os.cpus().length, node: process.version, loadAvgBefore: loadBefore, loadAvgAfter: os.loadavg().map((x) => round(x, 2)) },
  index: { kind: lists.kind, domains: lists.index.domains.ruleCount, urls: urlRuleCount(lists.index.urls), keywords: lists.index.keywords.length },
  stream: { urls: N, seed: Number(values.seed), kinds: stream.kindCounts },
  target: { urlsPerSec: 200_000 },
  summary,
};
writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
for (const [name, s] of Object.entries(summary)) {
  log(`${name}: median ${s.urlsPerSec.toLocaleString('en-GB')} URLs/s (${s.urlsPerCpuSec.toLocaleString('en-GB')}/CPU s); after start-up ${s.urlsPerSecAfterStartup.toLocaleString('en-GB')}/s; output check ${JSON.stringify(s.check)}`);
}
log(`written to ${path.relative(ROOT, RESULT_FILE)}`);
