/**
 * report: `wardgate report` over a realistic decision log of ≥1 M lines
 * (synthetic-log.ts: 30 daily files, 29 of them gzipped, one sealed chain),
 * run as an auditor runs it (`node bin/wardgate.js report`, compiled, in a
 * fresh process each trial). The target (issue 5) is 1 M lines in under 10 s.
 *
 *   npm run bench:report [-- --lines 1000000 --trials 3]
 *
 * Scenarios, interleaved per trial so machine noise hits all alike:
 *   json-all        every line, JSON to a file (default threads: up to 4 cores for > 16 MiB)
 *   json-1-thread   the same with --jobs 1 (everything in the main thread)
 *   html-all        every line, the HTML report
 *   filtered        one member over one week (the pre-filter skips most JSON.parse calls)
 * Then, in this process, the cost of reading alone: the report's chunked
 * reader (read-log-text.ts) vs iterating src/log/read-lines.ts's async
 * generator, and JSON.parse of every line on top.
 * Reports wall seconds (median), CPU seconds (user + system, median: the
 * steadier figure on a shared machine), lines/s, peak RSS of the report
 * process, and the load average as each trial ended.
 * Writes bench/results/report.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readLogLines } from '../../src/log/read-lines.ts';
import { readLogText } from '../../src/report/read-log-text.ts';
import { writeSyntheticLog } from './synthetic-log.ts';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, trials: { type: 'string', default: '3' } } });
const LINES = Number(values.lines);
const TRIALS = Number(values.trials);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/wardgate.js');
// Prints the process's peak RSS when it exits (a data: URL module, so nothing is written to disk).
const RSS_PROBE = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nmaxrss-kib='+u.maxRSS+' cpu-us='+(u.userCPUTime+u.systemCPUTime)+'\\n')})`;
const START = Date.UTC(2026, 9, 1);

const work = mkdtempSync(join(tmpdir(), 'wardgate-report-bench-'));
try {
  const t0 = performance.now();
  const log = writeSyntheticLog({ dir: join(work, 'logs'), lines: LINES, days: 30, start: START });
  const generateMs = performance.now() - t0;
  console.log(`generated ${LINES.toLocaleString()} lines in ${log.files.length} files (${(log.bytes / 2 ** 20).toFixed(1)} MiB on disk) in ${(generateMs / 1000).toFixed(1)} s`);

  const scenarios: Record<string, string[]> = {
    'json-all': ['--format', 'json', '--out', join(work, 'report.json')],
    'json-1-thread': ['--jobs', '1', '--format', 'json', '--out', join(work, 'report-1.json')],
    'html-all': ['--format', 'html', '--out', join(work, 'report.html')],
    filtered: ['--member', 'cllr-7', '--from', '2026-10-10', '--to', '2026-10-16', '--format', 'json', '--out', join(work, 'filtered.json')],
  };
  const runs: Record<string, { ms: number; rssMiB: number; cpuSeconds: number }[]> = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
  for (let trial = 0; trial < TRIALS; trial += 1) {
    for (const [name, args] of Object.entries(scenarios)) {
      const start = performance.now();
      const child = spawnSync(process.execPath, ['--import', RSS_PROBE, BIN, 'report', '--data-dir', work, ...args], { encoding: 'utf8' });
      const ms = performance.now() - start;
      if (child.status !== 0) throw new Error(`report ${name} failed (${child.status}): ${child.stderr}`);
      const rss = Number(/maxrss-kib=(\d+)/.exec(child.stderr)?.[1] ?? Number.NaN) / 1024;
      const cpuSeconds = Number(/cpu-us=(\d+)/.exec(child.stderr)?.[1] ?? Number.NaN) / 1e6;
      runs[name]!.push({ ms, rssMiB: rss, cpuSeconds });
      console.log(`trial ${trial + 1} ${name}: ${(ms / 1000).toFixed(2)} s, CPU ${cpuSeconds.toFixed(2)} s, peak RSS ${rss.toFixed(0)} MiB, load ${loadavg()[0]!.toFixed(1)}`);
    }
  }

  const readers = await measureReaders(log.files);
  const results = Object.entries(runs).map(([scenario, list]) => {
    const ms = median(list.map((r) => r.ms));
    return {
      scenario,
      medianSeconds: round(ms / 1000, 2),
      medianCpuSeconds: round(median(list.map((r) => r.cpuSeconds)), 2),
      linesPerSecond: Math.round(LINES / (ms / 1000)),
      peakRssMiB: Math.round(Math.max(...list.map((r) => r.rssMiB))),
      trialsSeconds: list.map((r) => round(r.ms / 1000, 2)),
    };
  });
  const output = {
    scenario: 'report',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverageAtEnd: loadavg().map((x) => round(x, 1)),
    lines: LINES,
    files: log.files.length,
    bytesOnDisk: log.bytes,
    trials: TRIALS,
    targetSeconds: 10,
    results,
    readingOnly: readers,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/report.json'), `${JSON.stringify(output, null, 2)}\n`);
  console.log(JSON.stringify({ results, readingOnly: readers }, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Reading alone, in this process: the chunked reader, the async generator, and the chunked reader plus JSON.parse. */
async function measureReaders(files: readonly string[]) {
  const out: Record<string, number> = {};
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const timed = async (name: string, body: () => Promise<number>) => {
      const start = performance.now();
      const n = await body();
      const s = (performance.now() - start) / 1000;
      if (n !== LINES) throw new Error(`${name} read ${n} lines, expected ${LINES}`);
      out[name] = Math.min(out[name] ?? Number.POSITIVE_INFINITY, s);
    };
    await timed('chunkedReaderSeconds', async () => {
      let n = 0;
      for (const f of files) await readLogText(f, () => (n += 1));
      return n;
    });
    await timed('asyncGeneratorSeconds', async () => {
      let n = 0;
      for (const f of files) for await (const _ of readLogLines(f)) n += 1;
      return n;
    });
    await timed('chunkedReaderPlusJsonParseSeconds', async () => {
      let n = 0;
      for (const f of files) await readLogText(f, (text) => (n += JSON.parse(text) === null ? 0 : 1));
      return n;
    });
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, round(v, 2)]));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
