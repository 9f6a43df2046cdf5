/**
 * `wardgate serve --workers N`: N proxy processes (node:cluster) sharing one
 * listening socket, so request handling can use every core. The primary only
 * supervises: it forks the workers, passes SIGTERM/SIGINT/SIGHUP on to each,
 * and replaces a worker that dies while serving. Each worker is a complete
 * `serve` (its own store connection, compiled index loaded from the index
 * file, list reloader) labelled 1..N; its decision log is its own chain and
 * files (decisions-DATE.wN.*.log), so lines never interleave. Only worker 1
 * runs the admin server (its /metrics are worker 1's). Application log lines
 * from all workers share stdout, one write per line.
 *
 * Caveat: sign-in failure throttling is counted per worker, so with N workers
 * an address can try up to N × the limit before every worker locks it out.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { WfError } from '../errors.ts';
import type { CliIO } from './cli-io.ts';

/** Environment variable carrying a worker's label (1..N) from the primary to the worker. */
export const WORKER_LABEL_ENV = 'WARDGATE_WORKER_LABEL';
const MAX_WORKERS = 64;
/** A worker that exits sooner than this after being forked is failing to start: stop rather than fork it again and again. */
const STARTUP_FAILURE_MS = 10_000;

/** `--workers` value: a count, or `auto` for one per core. */
export function parseWorkers(text: string | undefined): number {
  if (text === undefined) return 1;
  if (text === 'auto') return availableParallelism();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_WORKERS) {
    throw new WfError('WF_ERR_USAGE', `--workers must be a whole number from 1 to ${MAX_WORKERS}, or auto (one per core), got "${text}"`);
  }
  return Number(text);
}

/** The label this process serves under, when it is a cluster worker; null otherwise. */
export function workerLabel(): string | null {
  return cluster.isWorker ? (process.env[WORKER_LABEL_ENV] ?? null) : null;
}

/** Runs the supervising primary until every worker has exited after a stop signal; resolves with the exit code. */
export function runPrimary(count: number, io: CliIO): Promise<number> {
  const say = (msg: string, extra: Record<string, unknown> = {}) =>
    io.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), name: 'wardgate', msg, ...extra })}\n`);
  const labels = new Map<Worker, { label: string; forkedAt: number }>();
  let stopping = false;
  let failed = false;

  const fork = (label: string) => {
    const worker = cluster.fork({ [WORKER_LABEL_ENV]: label });
    labels.set(worker, { label, forkedAt: Date.now() });
  };

  return new Promise<number>((resolve) => {
    const stopAll = (signal: NodeJS.Signals) => {
      stopping = true;
      for (const worker of labels.keys()) worker.process.kill(signal);
    };
    cluster.on('exit', (worker, code, signal) => {
      const info = labels.get(worker);
      labels.delete(worker);
      if (info !== undefined && !stopping) {
        if (Date.now() - info.forkedAt < STARTUP_FAILURE_MS) {
          say('worker failed to start: stopping the other workers', { worker: info.label, code, signal });
          failed = true;
          stopAll('SIGTERM');
        } else {
          say('worker exited: starting a replacement', { worker: info.label, code, signal });
          fork(info.label);
        }
      }
      if (labels.size === 0 && stopping) resolve(failed ? 1 : 0);
    });
    process.on('SIGTERM', () => stopAll('SIGTERM'));
    process.on('SIGINT', () => stopAll('SIGTERM'));
    process.on('SIGHUP', () => {
      for (const worker of labels.keys()) worker.process.kill('SIGHUP');
    });
    say('wardgate primary: starting workers', { workers: count });
    for (let i = 1; i <= count; i++) fork(String(i));
  });
}
