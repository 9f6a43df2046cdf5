/**
 * decision-log: 200,000 DecisionRecords into the decision log files, the way
 * the proxy writes them (writeDecision: decision-line.ts, then the
 * destination), with the hash chain off and on; the same through pino's
 * logger.info (how staff and self-service lines are written, and how
 * DecisionRecords were until 2026-11-24); and pino's own SonicBoom file
 * destination, the single decisions.log wardgate started with, as the
 * reference. Interleaved in the same run so machine noise hits all alike.
 *
 *   node --import tsx bench/log/decision-log.bench.ts [--records 200000 --trials 5 --per-turn 500]
 *
 * Records are logged 500 per event-loop turn (--per-turn), as requests arrive, and a
 * trial ends when close() has written and fsynced everything. Reported per
 * scenario (medians): lines/s end to end; µs per line spent in the logging
 * call (what a request pays on its own path); CPU µs per line in total (what
 * the process pays, hashing and writing included). Compression is off so
 * only the chain differs. Then the cost of sealing alone (no I/O), the least
 * noisy figure: as strings joined per batch, and straight into a buffer.
 * Writes bench/results/decision-log.json.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { GENESIS, sealedLineMaxBytes, sealLine, sealLineInto, type ChainHead } from '../../src/log/chain.ts';
import { decisionLine } from '../../src/log/decision-line.ts';
import type { DecisionRecord } from '../../src/log/decision-record.ts';
import { createDecisionLogger, createDecisionLogging, DEFAULT_DECISION_LOG_SETTINGS } from '../../src/log/loggers.ts';

const { values } = parseArgs({
  options: { records: { type: 'string', default: '200000' }, trials: { type: 'string', default: '5' }, 'per-turn': { type: 'string', default: '500' } },
});
function positiveInteger(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    process.stderr.write(`decision-log bench: --${name} must be a whole number of 1 or more, got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return value;
}
const RECORDS = positiveInteger('records', values.records);
const TRIALS = positiveInteger('trials', values.trials);
const PER_TURN = positiveInteger('per-turn', values['per-turn']);

function makeRecord(n: number): DecisionRecord {
  const blocked = n % 5 === 0;
  return {
    v: 1,
    id: `r${n.toString(36)}-${(n * 2654435761) % 1e9}`,
    kind: n % 4 === 0 ? 'connect' : 'http',
    member: `cllr-${n % 60}`,
    group: ['labour', 'conservative', 'green', 'libdem'][n % 4]!,
    via: 'password',
    client: `10.20.${n % 250}.${(n * 7) % 250}`,
    method: n % 4 === 0 ? 'CONNECT' : 'GET',
    target: `https://www.site-${n % 997}.example/articles/${n}/comments?page=${n % 9}&sort=new`,
    host: `www.site-${n % 997}.example`,
    decision: blocked ? 'block' : 'allow',
    reason: blocked ? 'category' : 'no-match',
    categories: blocked ? ['gambling'] : [],
    rule: blocked ? { list: 'gambling', kind: 'domain', entry: `site-${n % 997}.example`, file: 'gambling/domains', line: 1 + (n % 400) } : null,
    grants: [],
    status: blocked ? 403 : 200,
    bytesIn: 0,
    bytesOut: blocked ? 0 : 18_000 + (n % 5000),
    durationMs: 3 + (n % 90),
    cache: n % 3 === 0 ? 'miss' : 'hit',
    snapshot: 4,
    error: null,
  };
}

interface Scenario {
  readonly name: string;
  open(dataDir: string): { log(record: DecisionRecord): void; close(): Promise<void> };
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'sonic-boom (reference)',
    open(dataDir) {
      mkdirSync(dataDir, { recursive: true });
      const file = pino.destination({ dest: join(dataDir, 'decisions.log'), sync: false, mkdir: true });
      const logger = createDecisionLogger(file, { privacy: DEFAULT_DECISION_LOG_SETTINGS.privacy });
      return {
        log: (record) => logger.info(record),
        close: () =>
          new Promise<void>((resolve, reject) => {
            file.once('close', () => resolve());
            file.once('error', reject);
            file.end();
          }),
      };
    },
  },
  // What the proxy does: writeDecision (src/log/decision-line.ts), chain off and on.
  ...[false, true].map((chain) => ({
    name: chain ? 'chain on' : 'chain off',
    open(dataDir: string) {
      const { writeDecision, destination } = createDecisionLogging(dataDir, { ...DEFAULT_DECISION_LOG_SETTINGS, compress: false, chain });
      return { log: writeDecision, close: () => destination.close() };
    },
  })),
  // The same files through pino's logger.info, as staff and self-service lines are written (and DecisionRecords were before).
  {
    name: 'chain on, through pino',
    open(dataDir: string) {
      const { logger, destination } = createDecisionLogging(dataDir, { ...DEFAULT_DECISION_LOG_SETTINGS, compress: false, chain: true });
      return { log: (record) => logger.info(record), close: () => destination.close() };
    },
  },
];

interface Trial {
  linesPerSecond: number;
  infoMicrosPerLine: number;
  cpuMicrosPerLine: number;
  bytes: number;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)).size;
  }
  return total;
}

async function runTrial(scenario: Scenario, records: readonly DecisionRecord[]): Promise<Trial> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-bench-log-'));
  try {
    const { log, close } = scenario.open(dataDir);
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    let inInfo = 0n;
    for (let i = 0; i < records.length; i += PER_TURN) {
      const sliceStart = process.hrtime.bigint();
      const end = Math.min(i + PER_TURN, records.length);
      for (let j = i; j < end; j += 1) log(records[j]!);
      inInfo += process.hrtime.bigint() - sliceStart;
      await nextTurn();
    }
    await close();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    return {
      linesPerSecond: Math.round(records.length / seconds),
      infoMicrosPerLine: Number(inInfo) / 1e3 / records.length,
      cpuMicrosPerLine: (cpu.user + cpu.system) / records.length,
      bytes: dirBytes(dataDir),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const records = Array.from({ length: RECORDS }, (_, i) => makeRecord(i));
for (const scenario of SCENARIOS) await runTrial(scenario, records.slice(0, 20_000)); // warm-up: JIT, page cache
const trials = new Map<string, Trial[]>(SCENARIOS.map((s) => [s.name, []]));
for (let t = 0; t < TRIALS; t += 1) {
  // Rotate the order so no scenario always runs first (or after the same neighbour).
  for (let k = 0; k < SCENARIOS.length; k += 1) {
    const scenario = SCENARIOS[(t + k) % SCENARIOS.length]!;
    trials.get(scenario.name)!.push(await runTrial(scenario, records));
  }
}

const results = SCENARIOS.map((s) => {
  const list = trials.get(s.name)!;
  return {
    scenario: s.name,
    linesPerSecond: Math.round(median(list.map((x) => x.linesPerSecond))),
    infoMicrosPerLine: Number(median(list.map((x) => x.infoMicrosPerLine)).toFixed(2)),
    cpuMicrosPerLine: Number(median(list.map((x) => x.cpuMicrosPerLine)).toFixed(2)),
    bytesPerLine: Math.round(median(list.map((x) => x.bytes)) / RECORDS),
    trialsLinesPerSecond: list.map((x) => x.linesPerSecond),
  };
});
/**
 * The chain's own CPU cost, without pino or I/O: sealing the same lines in a
 * tight loop (much less noisy than end to end), as strings (sealLine, then
 * joined and encoded per batch of PER_TURN, as the destination did) and
 * straight into a buffer (sealLineInto, as it does now).
 */
function sealMicrosPerLine(): { strings: number; intoBuffer: number } {
  const lines = records.map((r) => decisionLine(r, 1_795_437_296_123, 'full'));
  const buffer = Buffer.allocUnsafe(lines.reduce((max, line) => Math.max(max, sealedLineMaxBytes(line)), 0) * PER_TURN);
  const strings: number[] = [];
  const intoBuffer: number[] = [];
  for (let run = 0; run < 5; run += 1) {
    let head: ChainHead = { seq: 0, hash: GENESIS };
    let start = process.hrtime.bigint();
    for (let i = 0; i < lines.length; i += PER_TURN) {
      const sealed: string[] = [];
      for (let j = i; j < Math.min(i + PER_TURN, lines.length); j += 1) {
        const s = sealLine(lines[j]!, head);
        head = s.head;
        sealed.push(s.line);
      }
      Buffer.from(sealed.join(''), 'utf8');
    }
    strings.push(Number(process.hrtime.bigint() - start) / 1e3 / lines.length);
    head = { seq: 0, hash: GENESIS };
    start = process.hrtime.bigint();
    for (let i = 0; i < lines.length; i += PER_TURN) {
      let at = 0;
      for (let j = i; j < Math.min(i + PER_TURN, lines.length); j += 1) {
        const s = sealLineInto(lines[j]!, head, buffer, at);
        head = s.head;
        at += s.bytes;
      }
    }
    intoBuffer.push(Number(process.hrtime.bigint() - start) / 1e3 / lines.length);
  }
  return { strings: Number(median(strings).toFixed(2)), intoBuffer: Number(median(intoBuffer).toFixed(2)) };
}

const off = results.find((r) => r.scenario === 'chain off')!;
const on = results.find((r) => r.scenario === 'chain on')!;
const report = {
  scenario: 'decision-log',
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  // Other work on the machine shows up as spread between trials; the load says how much there was.
  loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(1))),
  records: RECORDS,
  trials: TRIALS,
  recordsPerTurn: PER_TURN,
  privacy: DEFAULT_DECISION_LOG_SETTINGS.privacy,
  results,
  chainOnToOffLinesPerSecond: Number((on.linesPerSecond / off.linesPerSecond).toFixed(3)),
  chainExtraCpuMicrosPerLine: Number((on.cpuMicrosPerLine - off.cpuMicrosPerLine).toFixed(2)),
  sealMicrosPerLine: sealMicrosPerLine(),
};
const out = new URL('../results/decision-log.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
