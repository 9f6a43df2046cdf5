/** Shared by the decision log tests: a temp data dir, a fake clock, a logger on the real destination, and file readers. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { TestContext } from 'node:test';
import type { Logger } from 'pino';
import type { DecisionLogDestination } from '../../src/log/decision-log-destination.ts';
import { createDecisionLogging, DEFAULT_DECISION_LOG_SETTINGS, type DecisionLogSettings } from '../../src/log/loggers.ts';
import { decisionLogDir } from '../../src/log/log-files.ts';

export const DAY = 86_400_000;

export function tempDataDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardgate-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface FakeClock {
  (): number;
  set(iso: string): void;
  advance(ms: number): void;
}

export function fakeClock(iso = '2026-11-23T10:00:00.000Z'): FakeClock {
  let now = Date.parse(iso);
  const clock = (() => now) as FakeClock;
  clock.set = (value) => {
    now = Date.parse(value);
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

export interface OpenLog {
  readonly logger: Logger;
  readonly destination: DecisionLogDestination;
  readonly dir: string;
}

/** The real logger + destination, as createLoggers builds them; closed after the test if still open. */
export function openLog(t: TestContext, dataDir: string, clock: FakeClock, settings: Partial<DecisionLogSettings> = {}, worker: string | null = null): OpenLog {
  const { logger, destination } = createDecisionLogging(dataDir, { ...DEFAULT_DECISION_LOG_SETTINGS, compress: false, ...settings }, { clock, worker });
  t.after(() => destination.close());
  return { logger, destination, dir: decisionLogDir(dataDir) };
}

export function flushed(destination: DecisionLogDestination): Promise<void> {
  return new Promise((resolve, reject) => destination.flush((error) => (error ? reject(error) : resolve())));
}

/** A decision-record-shaped line (the fields the log cares about). */
export function record(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    v: 1,
    id: `req-${n}`,
    kind: 'http',
    member: 'cllr-smith',
    group: 'green',
    client: '10.0.0.7',
    method: 'GET',
    target: `http://site-${n % 7}.example/page/${n}?q=term-${n}`,
    host: `site-${n % 7}.example`,
    decision: n % 3 === 0 ? 'block' : 'allow',
    reason: n % 3 === 0 ? 'category' : 'no-match',
    categories: n % 3 === 0 ? ['gambling'] : [],
    status: n % 3 === 0 ? 403 : 200,
    ...extra,
  };
}

/** Log file names in the folder, sorted (lock files and other names included, so tests see everything). */
export function namesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** The lines of a plain or gzip log file, without their `\n`. */
export function linesOf(path: string): string[] {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  return text.split('\n').slice(0, text.endsWith('\n') ? -1 : undefined);
}

export function parsedLinesOf(path: string): Record<string, unknown>[] {
  return linesOf(path).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Rewrites a plain log file through `edit` (tampering, for the verifier's tests). */
export function rewriteLines(path: string, edit: (lines: string[]) => string[]): void {
  writeFileSync(path, edit(linesOf(path)).map((l) => `${l}\n`).join(''));
}
