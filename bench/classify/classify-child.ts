/**
 * wardgate's side of bench/classify/squidguard-compare.ts, in its own process
 * so that the parent can pin it to one CPU (`taskset -c 1`, as squidGuard is)
 * and measure its peak RSS with GNU time.
 *
 *   node --max-old-space-size=8192 --expose-gc --import tsx bench/classify/classify-child.ts \
 *        URLFILE --lists LISTS.json --out DIR [--cache-size 100000] [--passes 3] [--protocol SG_INPUT]
 *
 * LISTS.json: `{"categories":[{"name":"adult","domains":"…/domains.gz","urls":"…/urls.gz","maxDomainLines":null}]}`
 * (gzip or plain text; maxDomainLines keeps only the first lines of a
 * domains file, for the parent's subset mode). One ListInput per category,
 * parsed with the project's own parsers (parseDomainList, parseUrlList),
 * then createClassifier(input, { cacheSize }).
 *
 * Measured, on URLFILE (one URL a line, read into memory first):
 * - uncached (`cacheSize: 0`): one warm-up pass of normaliseUrl + classify
 *   over the whole stream (its answers are the verdicts), then PASSES timed
 *   passes (the median is the figure);
 * - with --protocol: the same uncached classifier reading squidGuard's very
 *   input (redirector lines `URL client-ip/fqdn user method …`) from a file
 *   descriptor in 1 MiB chunks and writing one squidGuard-style answer a line
 *   (`OK rewrite-url="…"` / `ERR`) to DIR/protocol-out.txt, in 64 KiB
 *   writes: the like-for-like I/O path (squidGuard flushes every line, as
 *   Squid needs; wardgate in the proxy needs no protocol at all);
 * - normaliseUrl alone, PASSES passes (the share of a lookup that is URL parsing);
 * - cached (`cacheSize`, a fresh classifier): one pass from an empty cache
 *   (cold), then two more (warm; the slower one is the figure).
 * Each measurement starts after a full GC and a second of quiet (settle()).
 * Rates are per wall second and per CPU second of this process.
 *
 * Writes DIR/verdicts.txt (one line per URL: `B\thost\tcategories\tkind\tentry`,
 * `P\thost` or `E\t\tmessage`) and DIR/result.json; prints the result on stdout.
 */
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { Classification, ClassifyTrace } from '../../src/classify/classification.ts';
import { createClassifier, type Classifier } from '../../src/classify/classifier.ts';
import type { ClassifierInput, DomainRule, ListInput, UrlRule } from '../../src/classify/list-input.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import { parseDomainList, parseUrlList } from '../../src/lists/parse-list.ts';

interface CategorySpec {
  readonly name: string;
  readonly domains?: string;
  readonly urls?: string;
  readonly maxDomainLines?: number | null;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    lists: { type: 'string' },
    out: { type: 'string' },
    'cache-size': { type: 'string', default: '100000' },
    passes: { type: 'string', default: '3' },
    protocol: { type: 'string' },
  },
});
const urlFile = positionals[0];
if (urlFile === undefined || values.lists === undefined || values.out === undefined) {
  throw new Error('usage: classify-child.ts URLFILE --lists LISTS.json --out DIR [--cache-size N] [--passes N] [--protocol SG_INPUT]');
}
const outDir = values.out;
const cacheSize = Number(values['cache-size']);
const passes = Math.min(Math.max(Number(values.passes), 1), 10);
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);

const now = (): bigint => process.hrtime.bigint();
const msSince = (from: bigint): number => Number(now() - from) / 1e6;
const cpuMsSince = (from: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
};
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

function procStatusKiB(field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
}

/** Resets VmHWM to the current RSS (Linux: `5` into clear_refs), so a later VmHWM is the peak since now. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function readText(file: string): string {
  const raw = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

/** The first `max` lines of `text` (all of it when max is null). */
function firstLines(text: string, max: number | null | undefined): string {
  if (max === null || max === undefined) return text;
  let at = -1;
  for (let i = 0; i < max; i++) {
    at = text.indexOf('\n', at + 1);
    if (at === -1) return text;
  }
  return text.slice(0, at + 1);
}

// ---- load and build --------------------------------------------------------------------------
const spec = JSON.parse(readFileSync(values.lists, 'utf8')) as { categories: CategorySpec[] };
let readMs = 0;
let parseMs = 0;
let domainEntries = 0;
let urlEntries = 0;
let diagnostics = 0;
const diagnosticExamples: string[] = [];

function loadInput(): ClassifierInput {
  const lists: ListInput[] = [];
  readMs = 0;
  parseMs = 0;
  domainEntries = 0;
  urlEntries = 0;
  diagnostics = 0;
  for (const cat of spec.categories) {
    let domains: DomainRule[] = [];
    let urls: UrlRule[] = [];
    if (cat.domains !== undefined) {
      let t = now();
      const text = firstLines(readText(cat.domains), cat.maxDomainLines);
      readMs += msSince(t);
      t = now();
      const parsed = parseDomainList(text, `${cat.name}/domains`);
      parseMs += msSince(t);
      domains = parsed.entries;
      diagnostics += parsed.diagnostics.length;
      for (const d of parsed.diagnostics.slice(0, 3)) if (diagnosticExamples.length < 10) diagnosticExamples.push(`${d.file}:${d.line}: ${d.message}`);
    }
    if (cat.urls !== undefined) {
      let t = now();
      const text = readText(cat.urls);
      readMs += msSince(t);
      t = now();
      const parsed = parseUrlList(text, `${cat.name}/urls`);
      parseMs += msSince(t);
      urls = parsed.entries;
      diagnostics += parsed.diagnostics.length;
      for (const d of parsed.diagnostics.slice(0, 3)) if (diagnosticExamples.length < 10) diagnosticExamples.push(`${d.file}:${d.line}: ${d.message}`);
    }
    domainEntries += domains.length;
    urlEntries += urls.length;
    lists.push({ id: cat.name, category: cat.name, grantable: true, source: 'imported', domains, urls, keywords: [] });
  }
  return { lists, trustedHosts: [], exceptionWords: [] };
}

interface Built {
  classifier: Classifier;
  readMs: number;
  parseMs: number;
  buildMs: number;
  buildCpuMs: number;
}

function build(size: number): Built {
  const input = loadInput();
  const t = now();
  const c0 = process.cpuUsage();
  const classifier = createClassifier(input, { cacheSize: size });
  return { classifier, readMs: round(readMs), parseMs: round(parseMs), buildMs: round(msSince(t)), buildCpuMs: round(cpuMsSince(c0)) };
}

const urls = readFileSync(urlFile, 'utf8').split('\n');
if (urls.at(-1) === '') urls.pop();
const n = urls.length;

// ---- classification passes -------------------------------------------------------------------
interface Pass {
  readonly ms: number;
  readonly cpuMs: number;
  readonly perSec: number;
  readonly perCpuSec: number;
  readonly blocked: number;
  readonly errors: number;
}

const BLOCKED = 1;
const ERROR = 2;

/** One pass over the stream; fills `record` (Classification, or the error message) when given. */
function runPass(classifier: Classifier, verdicts: Uint8Array, record?: (Classification | string)[]): Pass & { cacheHits: number } {
  let blocked = 0;
  let errors = 0;
  let cacheHits = 0;
  const trace: ClassifyTrace = {};
  const t = now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    try {
      trace.cache = undefined;
      const result = classifier.classify(normaliseUrl(urls[i]!), trace);
      if (trace.cache === 'hit') cacheHits++;
      if (result.categories.length > 0) {
        blocked++;
        verdicts[i] = BLOCKED;
      } else {
        verdicts[i] = 0;
      }
      if (record !== undefined) record[i] = result;
    } catch (err) {
      errors++;
      verdicts[i] = ERROR;
      if (record !== undefined) record[i] = (err as Error).message;
    }
  }
  const ms = msSince(t);
  const cpuMs = cpuMsSince(c0);
  return { ms: round(ms), cpuMs: round(cpuMs), perSec: Math.round((n / ms) * 1000), perCpuSec: Math.round((n / cpuMs) * 1000), blocked, errors, cacheHits };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** squidGuard's job with wardgate's classifier: redirector lines in, one answer a line out. */
function runProtocol(classifier: Classifier, input: string, output: string): Pass & { lines: number } {
  const inFd = openSync(input, 'r');
  const outFd = openSync(output, 'w');
  const chunk = Buffer.allocUnsafe(1 << 20);
  let carry = '';
  let out = '';
  let lines = 0;
  let blocked = 0;
  let errors = 0;
  const answer = (line: string): void => {
    const space = line.indexOf(' ');
    const url = space === -1 ? line : line.slice(0, space);
    lines++;
    try {
      const result = classifier.classify(normaliseUrl(url));
      if (result.categories.length > 0) {
        blocked++;
        out += `OK rewrite-url="http://127.0.0.1/blocked?c=${result.categories[0]!}&u=${url}"\n`;
      } else {
        out += 'ERR\n';
      }
    } catch {
      errors++;
      out += 'ERR\n';
    }
    if (out.length >= 65536) {
      writeSync(outFd, out);
      out = '';
    }
  };
  const t = now();
  const c0 = process.cpuUsage();
  // Bounded: one iteration per 1 MiB of a finite file.
  for (;;) {
    const got = readSync(inFd, chunk, 0, chunk.length, null);
    if (got === 0) break;
    const text = carry + chunk.toString('latin1', 0, got);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      answer(text.slice(start, nl));
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  if (carry.length > 0) answer(carry);
  if (out.length > 0) writeSync(outFd, out);
  const ms = msSince(t);
  const cpuMs = cpuMsSince(c0);
  closeSync(inFd);
  closeSync(outFd);
  return { ms: round(ms), cpuMs: round(cpuMs), perSec: Math.round((lines / ms) * 1000), perCpuSec: Math.round((lines / cpuMs) * 1000), blocked, errors, lines };
}

/** normaliseUrl alone over the stream: how much of a lookup is URL parsing. */
function runNormaliseOnly(): Pass {
  let errors = 0;
  let sink = 0;
  const t = now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    try {
      sink += normaliseUrl(urls[i]!).host.length;
    } catch {
      errors++;
    }
  }
  const ms = msSince(t);
  const cpuMs = cpuMsSince(c0);
  if (sink === -1) console.log('');
  return { ms: round(ms), cpuMs: round(cpuMs), perSec: Math.round((n / ms) * 1000), perCpuSec: Math.round((n / cpuMs) * 1000), blocked: 0, errors };
}

/**
 * Full GC, then a second of quiet: on one pinned CPU, V8's concurrent
 * sweeping of what a build left behind would otherwise be charged to the
 * next timed pass.
 */
async function settle(): Promise<void> {
  gc();
  gc();
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

// Uncached: build; a first pass (JIT warm-up) keeps its answers as the verdicts; then PASSES timed passes.
const startRss = procStatusKiB('VmRSS');
const uncachedBuild = build(0);
await settle();
const afterBuild = process.memoryUsage();
const rssAfterBuildKiB = procStatusKiB('VmRSS');
const peakLoadKiB = procStatusKiB('VmHWM');
const peakReset = resetPeakRss();
const stats = uncachedBuild.classifier.stats;
const record: (Classification | string)[] = new Array<Classification | string>(n);
const verdicts = new Uint8Array(n);
const warmup = runPass(uncachedBuild.classifier, verdicts, record);
const check = new Uint8Array(n);
const uncached: Pass[] = [];
for (let p = 0; p < passes; p++) uncached.push(runPass(uncachedBuild.classifier, check));

const normaliseOnly: Pass[] = [];
for (let p = 0; p < passes; p++) normaliseOnly.push(runNormaliseOnly());
const peakUncachedLookupKiB = peakReset ? procStatusKiB('VmHWM') : null;

const lines: string[] = [];
for (let i = 0; i < n; i++) {
  const r = record[i]!;
  if (typeof r === 'string') {
    lines.push(`E\t\t${r.replace(/[\t\n]/g, ' ')}`);
    continue;
  }
  const host = normaliseUrl(urls[i]!).host;
  const m = r.matches[0];
  lines.push(m === undefined ? `P\t${host}` : `B\t${host}\t${r.categories.join(',')}\t${m.kind}\t${m.entry}`);
}
writeFileSync(path.join(outDir, 'verdicts.txt'), `${lines.join('\n')}\n`);
lines.length = 0;
record.length = 0;

let protocol: (Pass & { lines: number; agreesWithStrings: boolean }) | null = null;
if (values.protocol !== undefined) {
  await settle();
  const out = path.join(outDir, 'protocol-out.txt');
  const p = runProtocol(uncachedBuild.classifier, values.protocol, out);
  const answers = readFileSync(out, 'latin1').split('\n');
  let agrees = answers.length >= n;
  for (let i = 0; i < n && agrees; i++) agrees = answers[i]!.startsWith('OK') === (verdicts[i] === BLOCKED);
  protocol = { ...p, agreesWithStrings: agrees };
}

// Cached: a fresh classifier (the uncached one dropped first, so the peak is one index, not two).
uncachedBuild.classifier = undefined as unknown as Classifier;
gc();
gc();
const cachedBuild = build(cacheSize);
await settle();
const cold = runPass(cachedBuild.classifier, check);
let cachedMismatches = 0;
for (let i = 0; i < n; i++) if (check[i] !== verdicts[i]) cachedMismatches++;
const warmPasses = [runPass(cachedBuild.classifier, check), runPass(cachedBuild.classifier, check)];
const warm = warmPasses[0]!.ms <= warmPasses[1]!.ms ? warmPasses[1]! : warmPasses[0]!;

const result = {
  node: process.version,
  lines: n,
  lists: spec.categories.length,
  domainEntries,
  urlEntries,
  diagnostics,
  diagnosticExamples,
  stats,
  readMs: uncachedBuild.readMs,
  parseMs: uncachedBuild.parseMs,
  buildMs: uncachedBuild.buildMs,
  buildCpuMs: uncachedBuild.buildCpuMs,
  rebuildForCacheMs: cachedBuild.buildMs,
  rssStartKiB: startRss,
  rssAfterBuildKiB,
  heapAfterBuildMiB: round((afterBuild.heapUsed + afterBuild.external) / 2 ** 20),
  /** Peak while reading, parsing and building (the gz text and the parsed rules are alive then). */
  peakLoadKiB,
  /** Peak during the uncached passes (null where VmHWM cannot be reset). */
  peakUncachedLookupKiB,

  uncached: {
    warmup,
    passes: uncached,
    perSec: median(uncached.map((p) => p.perSec)),
    perCpuSec: median(uncached.map((p) => p.perCpuSec)),
    blocked: warmup.blocked,
    errors: warmup.errors,
  },
  normaliseOnly: { passes: normaliseOnly, perSec: median(normaliseOnly.map((p) => p.perSec)), perCpuSec: median(normaliseOnly.map((p) => p.perCpuSec)) },
  protocol,
  /** warm: the slower of two passes over a filled cache. */
  cached: { cacheSize, cold, warm, warmPasses, verdictMismatchesVsUncached: cachedMismatches },
};
writeFileSync(path.join(outDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
