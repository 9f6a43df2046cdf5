/**
 * normalise-url micro-benchmark: the public functions (charCode fast path with
 * the WHATWG fallback) against the WHATWG reference alone, and bare `new URL()`
 * for scale, over input groups chosen so each part of the fast path shows up
 * (and the groups it hands to the reference show that falling back costs
 * nothing extra).
 *
 *   node --expose-gc --import tsx bench/classify/normalise-url.bench.ts [--trials 9] [--ms 150]
 *
 * Each group holds 512 distinct seeded inputs, cycled. Per function: a warm-up
 * that also sizes a trial to about --ms, then --trials timed trials (the
 * functions interleaved trial by trial, so drift hits all alike), median ns/op.
 * Bytes/op is the young-generation growth over 500 calls right after a full GC
 * (median of 9; 500 calls fit in V8's smallest young generation, so no scavenge
 * hides allocation; whole-heap growth also counted JIT code and was erratic),
 * which is why the bench refuses to run without --expose-gc.
 * These machines are shared: the JSON records the load average at the start,
 * and min ns/op next to the median shows what contention added.
 * Writes bench/results/normalise-url.json. Never asserted anywhere.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { canonicalHost, normaliseAuthority, normaliseUrl } from '../../src/classify/normalise-url.ts';
import { fastCanonicalHost, fastNormaliseAuthority, fastNormaliseUrl } from '../../src/classify/normalise-url-fast.ts';
import { referenceCanonicalHost, referenceNormaliseAuthority, referenceNormaliseUrl } from '../../src/classify/normalise-url-reference.ts';
import { mulberry32 } from '../../test/helpers/prng.ts';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '9' }, ms: { type: 'string', default: '150' } } });
const TRIALS = Number(values.trials);
const TRIAL_MS = Number(values.ms);
const INPUTS = 512;
const LOAD_AT_START = loadavg().map((l) => Math.round(l * 100) / 100);

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('normalise-url.bench: run with node --expose-gc (bytes/op needs a GC before each measurement)');
  process.exit(2);
}

const rnd = mulberry32(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const WORDS = ['www', 'cdn', 'api', 'news', 'static', 'mail', 'shop', 'media', 'img', 'login', 'council', 'example', 'bbc', 'wikipedia', 'tracker', 'ads'];
const TLDS = ['com', 'org', 'co.uk', 'gov.uk', 'net', 'io', 'de', 'fr'];
const PATHS = ['index.html', 'news', 'articles', '2024', 'img', 'logo.png', 'search', 'wiki', 'Main_Page', 'static', 'js', 'app.js'];
const name = (): string => `${pick(WORDS)}${Math.floor(rnd() * 100)}.${pick(WORDS)}.${pick(TLDS)}`;
const path = (): string => `/${pick(PATHS)}/${pick(PATHS)}/${Math.floor(rnd() * 1e6)}`;
const upper = (s: string): string => s.replace(/[a-z]/g, (c) => (rnd() < 0.5 ? c.toUpperCase() : c));
const octet = (): number => Math.floor(rnd() * 256);

interface Group {
  readonly group: string;
  readonly make: () => string;
  readonly fn: (s: string) => unknown;
  readonly reference: (s: string) => unknown;
  readonly fastOnly: (s: string) => unknown;
  readonly whatwg?: (s: string) => unknown;
}

const url = {
  fn: (s: string) => normaliseUrl(s),
  reference: (s: string) => referenceNormaliseUrl(s),
  fastOnly: (s: string) => fastNormaliseUrl(s, false),
  whatwg: (s: string) => new URL(s),
};
const IDN = ['bücher', 'müller', 'straße', 'café', 'пример'];
const GROUPS: Group[] = [
  { group: 'plain URL', make: () => `http://${name()}${path()}`, ...url },
  { group: 'URL with query', make: () => `https://${name()}/search?q=${pick(WORDS)}+${pick(WORDS)}&lang=en&page=${Math.floor(rnd() * 9)}`, ...url },
  { group: 'upper-case host', make: () => `http://${upper(name())}${path()}`, ...url },
  { group: 'IP literal (dotted quad)', make: () => `http://10.${octet()}.${octet()}.${octet()}:8080${path()}`, ...url },
  { group: 'IP literal (other spelling)', make: () => `http://0x${Math.floor(rnd() * 0xffffffff).toString(16)}${path()}`, ...url },
  { group: 'IDN host', make: () => `http://${pick(IDN)}${Math.floor(rnd() * 100)}.${pick(TLDS)}${path()}`, ...url },
  { group: 'percent-encoded path', make: () => `http://${name()}/a%20b/${pick(PATHS)}%2F${Math.floor(rnd() * 1e6)}?q=%46%55%43%4B`, ...url },
  {
    group: 'CONNECT authority',
    make: () => `${name()}:443`,
    fn: (s) => normaliseAuthority(s),
    reference: (s) => referenceNormaliseAuthority(s),
    fastOnly: (s) => fastNormaliseAuthority(s),
  },
  {
    group: 'list-entry host',
    make: () => name(),
    fn: (s) => canonicalHost(s),
    reference: (s) => referenceCanonicalHost(s),
    fastOnly: (s) => fastCanonicalHost(s),
  },
];

let sink = 0; // keeps results live so the calls cannot be optimised away

function runOps(fn: (s: string) => unknown, inputs: readonly string[], ops: number): void {
  for (let i = 0; i < ops; i++) {
    if (fn(inputs[i & (INPUTS - 1)]!) !== null) sink++;
  }
}

function timeOps(fn: (s: string) => unknown, inputs: readonly string[], ops: number): number {
  const started = process.hrtime.bigint();
  runOps(fn, inputs, ops);
  return Number(process.hrtime.bigint() - started) / ops;
}

/** Warm-up until ~TRIAL_MS has passed; returns ops for a trial of about TRIAL_MS. */
function warmUp(fn: (s: string) => unknown, inputs: readonly string[]): number {
  let ops = 1000;
  for (;;) {
    const ns = timeOps(fn, inputs, ops);
    if (ns * ops > TRIAL_MS * 1e6) return Math.max(1000, Math.round((TRIAL_MS * 1e6) / ns));
    ops *= 2;
  }
}

function newSpaceUsed(): number {
  for (const space of getHeapSpaceStatistics()) if (space.space_name === 'new_space') return space.space_used_size;
  return 0;
}

/** New-space growth over `ops` calls after a full GC; median of 9 (compiled code and feedback go elsewhere). */
function newSpaceGrowth(fn: (s: string) => unknown, inputs: readonly string[], ops: number): number {
  const samples: number[] = [];
  for (let t = 0; t < 9; t++) {
    gc!();
    const before = newSpaceUsed();
    runOps(fn, inputs, ops);
    samples.push(newSpaceUsed() - before);
  }
  return median(samples);
}

function bytesPerOp(fn: (s: string) => unknown, inputs: readonly string[]): number {
  const overhead = newSpaceGrowth(fn, inputs, 0); // the statistics call allocates too
  return Math.max(0, Math.round((newSpaceGrowth(fn, inputs, 500) - overhead) / 500));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const results = [];
for (const g of GROUPS) {
  const inputs = Array.from({ length: INPUTS }, g.make);
  const fastShare = inputs.filter((s) => { const r = g.fastOnly(s); return r !== null && r !== undefined; }).length / INPUTS;
  const fns: [string, (s: string) => unknown][] = [['fast', g.fn], ['reference', g.reference]];
  if (g.whatwg !== undefined) fns.push(['whatwg', g.whatwg]);
  const ops = fns.map(([, fn]) => warmUp(fn, inputs));
  const samples: number[][] = fns.map(() => []);
  for (let t = 0; t < TRIALS; t++) fns.forEach(([, fn], k) => samples[k]!.push(timeOps(fn, inputs, ops[k]!)));
  const ns = samples.map((s) => Math.round(median(s) * 10) / 10);
  const minNs = samples.map((s) => Math.round(Math.min(...s) * 10) / 10);
  const bytes = fns.map(([, fn]) => bytesPerOp(fn, inputs));
  const row = {
    group: g.group,
    example: inputs[0],
    fastPathShare: fastShare,
    fastNsPerOp: ns[0],
    referenceNsPerOp: ns[1],
    whatwgOnlyNsPerOp: ns[2] ?? null,
    fastMinNsPerOp: minNs[0],
    referenceMinNsPerOp: minNs[1],
    speedup: Math.round((ns[1]! / ns[0]!) * 100) / 100,
    fastOpsPerSec: Math.round(1e9 / ns[0]!),
    fastBytesPerOp: bytes[0],
    referenceBytesPerOp: bytes[1],
  };
  results.push(row);
  console.log(
    `${g.group.padEnd(28)} fast ${String(row.fastNsPerOp).padStart(7)} ns  reference ${String(row.referenceNsPerOp).padStart(7)} ns  ` +
      `×${row.speedup.toFixed(2).padStart(5)}  whatwg ${String(row.whatwgOnlyNsPerOp ?? '-').padStart(6)} ns  ` +
      `bytes ${row.fastBytesPerOp}/${row.referenceBytesPerOp}  fast-path share ${fastShare}`,
  );
}

const out = {
  scenario: 'normalise-url',
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  loadAverageAtStart: LOAD_AT_START,
  trials: TRIALS,
  trialMs: TRIAL_MS,
  inputsPerGroup: INPUTS,
  groups: results,
  sink,
};
const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'normalise-url.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${file}`);
