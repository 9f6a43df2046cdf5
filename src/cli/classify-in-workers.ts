/**
 * `classify --stdin --jobs N`: the bulk check spread over N worker threads
 * (classify-worker.ts), with output byte for byte what one thread writes.
 *
 * The main thread reads the index file once into shared memory (each worker
 * opens it without a copy), then reads standard input in pieces of whole
 * lines (linePieces(), the same cutting lineBatches() does for one thread)
 * and hands each to the least busy worker under a sequence number. Workers
 * send back the bytes of their lines; the main thread writes them in
 * sequence order. Memory stays bounded: at most IN_FLIGHT_PER_JOB pieces per
 * worker are out at once, written or not, and nothing more is sent while
 * standard output is over its high-water mark.
 *
 * Why: on the 2-core VMs one thread classifies about 160k URLs a second in
 * the loop (most of it memory-bound: cache and index reads), and two halves
 * of the stream run side by side took 2.1–2.2 s against 3.0 s for the whole
 * in one process.
 */
import { fstatSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Config } from '../config/config.ts';
import { loadSharedLists } from '../compose.ts';
import type { DirectorySnapshot } from '../directory/directory-snapshot.ts';
import { WfError } from '../errors.ts';
import { startWorker, workerModuleUrl } from '../start-worker.ts';
import { memberDirectory, reportListProblems } from './classify-command.ts';
import type { ClassifyFormat } from './classify-line.ts';
import { writesToDescriptor } from './byte-sink.ts';
import type { CliIO } from './cli-io.ts';
import { linePieces } from './line-batches.ts';

const WORKER_URL = workerModuleUrl('classify-worker', import.meta.url);
/** Pieces out per worker, written or not: room for one slow piece to hold up the writing while the others go on. */
const IN_FLIGHT_PER_JOB = 4;
/** Most worker threads `--jobs` accepts. */
export const MAX_CLASSIFY_JOBS = 16;

/** What every worker is sent first: the lists and how to answer. */
export interface ClassifySetup {
  readonly type: 'setup';
  /** The index file's bytes, in a SharedArrayBuffer. */
  readonly bytes: Uint8Array;
  readonly checksum: number | undefined;
  readonly config: Pick<Config, 'categories' | 'classifyCacheSize'>;
  readonly directory: DirectorySnapshot;
  readonly memberId: string | undefined;
  readonly format: ClassifyFormat;
}

/** A piece of input: whole lines of standard input (`text`), or the URLs given as arguments (`urls`, used as they are). */
export interface ClassifyPiece {
  readonly type: 'piece';
  readonly seq: number;
  readonly text?: string;
  readonly urls?: readonly string[];
}

/** A worker's output buffers, written to standard output and free for reuse. */
export interface WrittenBuffers {
  readonly type: 'written';
  readonly buffers: readonly ArrayBuffer[];
}

export type ToClassifyWorker = ClassifySetup | ClassifyPiece | WrittenBuffers;

export type FromClassifyWorker =
  | { readonly type: 'lines'; readonly seq: number; readonly chunks: readonly Uint8Array[]; readonly failures: number }
  | { readonly type: 'error'; readonly message: string };

export interface ParallelClassify {
  readonly jobs: number;
  readonly config: Config;
  readonly memberId: string | undefined;
  readonly format: ClassifyFormat;
  /** URLs given as arguments: classified first, as the one-thread command does. */
  readonly positionals: readonly string[];
  readonly io: CliIO;
}

/** Standard input at least this large (a file) is classified in worker threads unless --jobs says otherwise. */
export const JOBS_FROM_BYTES = 16 * 1024 * 1024;

/** `--jobs auto`: one thread per core, at most 4. */
function autoJobs(): number {
  return Math.min(4, availableParallelism());
}

/** `--jobs` for classify: a count, or `auto` (autoJobs); undefined when not given. */
export function parseClassifyJobs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === 'auto') return autoJobs();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_CLASSIFY_JOBS) {
    throw new WfError('WF_ERR_USAGE', `--jobs must be a whole number from 1 to ${MAX_CLASSIFY_JOBS}, or auto (one per core, at most 4), got "${text}"`);
  }
  return n;
}

/**
 * The threads to use when --jobs is not given: one per core (at most 4) for
 * standard input that is a file of JOBS_FROM_BYTES or more, else one.
 * Starting the workers costs each its own classifier (≈0.5 s of CPU with
 * the UT1 index), which on the 2-core VMs paid off between 250,000 URLs
 * (13 MB: slower, 3.2–3.5 s against 2.6–3.0 s) and 500,000 (27 MB: faster,
 * 4.0 s against 5.0 s); a pipe's size is unknown, so it gets one thread.
 */
export function defaultClassifyJobs(stdin: unknown): number {
  const fd = (stdin as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return 1;
  try {
    const info = fstatSync(fd);
    return info.isFile() && info.size >= JOBS_FROM_BYTES ? autoJobs() : 1;
  } catch {
    return 1;
  }
}

/**
 * Classifies the arguments, then standard input, in `jobs` worker threads.
 * Resolves with the number of unusable URLs and the error standard output
 * failed with (EPIPE when the reader went away), if it did.
 */
export async function classifyInWorkers(run: ParallelClassify): Promise<{ failures: number; outputError: Error | null }> {
  // The workers load their code while the index is read.
  const pool = new ClassifyPool(run.jobs, run.io.stdout);
  try {
    const shared = await loadSharedLists(run.config);
    reportListProblems(shared.diagnostics, run.io);
    pool.setup({
      type: 'setup',
      bytes: shared.bytes,
      checksum: shared.checksum,
      config: { categories: run.config.categories, classifyCacheSize: run.config.classifyCacheSize },
      directory: await memberDirectory(run.config, run.memberId),
      memberId: run.memberId,
      format: run.format,
    });
    if (run.positionals.length > 0) await pool.send({ urls: run.positionals });
    for await (const piece of linePieces(run.io.stdin as AsyncIterable<Buffer | string>)) {
      await pool.send({ text: piece });
      // The reader went away (`| head`): stop reading; breaking out closes standard input.
      if (pool.outputError !== null) break;
    }
    await pool.finish();
    return { failures: pool.failures, outputError: pool.outputError };
  } finally {
    await pool.close();
  }
}

interface PoolWorker {
  readonly worker: Worker;
  outstanding: number;
}

/** The workers, the pieces out with them, and the in-order writing of their results. */
class ClassifyPool {
  readonly #workers: PoolWorker[];
  readonly #out: NodeJS.WritableStream;
  /** Whether a written chunk may go back to its worker once written (writesToDescriptor, as in ByteSink). */
  readonly #recycle: boolean;
  readonly #limit: number;
  readonly #done = new Map<number, { readonly from: PoolWorker; readonly lines: Extract<FromClassifyWorker, { type: 'lines' }> }>();
  #sent = 0;
  #written = 0;
  #failures = 0;
  #outFull = false;
  #outputError: Error | null = null;
  #workerError: WfError | null = null;
  #closing = false;
  #waiter: (() => void) | null = null;

  constructor(jobs: number, out: NodeJS.WritableStream) {
    this.#out = out;
    this.#recycle = writesToDescriptor(out);
    this.#limit = jobs * IN_FLIGHT_PER_JOB;
    out.on('error', (error: Error) => {
      this.#outputError ??= error;
      this.#wake();
    });
    out.on('drain', () => {
      this.#outFull = false;
      this.#wake();
    });
    this.#workers = Array.from({ length: jobs }, () => this.#start());
  }

  /** Sends every worker the lists; pieces sent afterwards are classified against them. */
  setup(setup: ClassifySetup): void {
    for (const w of this.#workers) w.worker.postMessage(setup satisfies ToClassifyWorker);
  }

  get failures(): number {
    return this.#failures;
  }

  get outputError(): Error | null {
    return this.#outputError;
  }

  /** Hands a piece to the least busy worker, once there is room for it. Throws when a worker has failed. */
  async send(piece: Pick<ClassifyPiece, 'text' | 'urls'>): Promise<void> {
    await this.#until(() => this.#sent - this.#written < this.#limit && !this.#outFull);
    if (this.#outputError !== null) return;
    let target = this.#workers[0]!;
    for (const w of this.#workers) if (w.outstanding < target.outstanding) target = w;
    target.outstanding++;
    target.worker.postMessage({ type: 'piece', ...piece, seq: this.#sent++ } satisfies ToClassifyWorker);
  }

  /** Waits until every piece sent is written and standard output has taken it. */
  async finish(): Promise<void> {
    await this.#until(() => this.#written === this.#sent && !this.#outFull);
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }

  /** Waits until `ready()` holds, standard output has failed (then returns) or a worker has failed (then throws). */
  async #until(ready: () => boolean): Promise<void> {
    for (;;) {
      if (this.#workerError !== null) throw this.#workerError;
      if (this.#outputError !== null || ready()) return;
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  #start(): PoolWorker {
    const entry: PoolWorker = { worker: startWorker(WORKER_URL), outstanding: 0 };
    const fail = (message: string): void => {
      this.#workerError ??= new WfError('WF_ERR_INTERNAL', `a classify worker thread failed: ${message}`);
      this.#wake();
    };
    entry.worker.on('message', (message: FromClassifyWorker) => {
      if (message.type === 'error') return fail(message.message);
      entry.outstanding--;
      this.#done.set(message.seq, { from: entry, lines: message });
      this.#writeInOrder();
    });
    entry.worker.on('error', (error: Error) => fail(error.message));
    entry.worker.on('exit', (code) => {
      if (!this.#closing) fail(`it stopped (exit code ${code})`);
    });
    return entry;
  }

  #writeInOrder(): void {
    for (let next = this.#done.get(this.#written); next !== undefined; next = this.#done.get(this.#written)) {
      this.#done.delete(this.#written);
      this.#written++;
      const { from, lines } = next;
      this.#failures += lines.failures;
      if (this.#outputError !== null) continue;
      let left = lines.chunks.length;
      const buffers = lines.chunks.map((c) => c.buffer as ArrayBuffer);
      const giveBack = (error?: Error | null): void => {
        // Written: the worker recycles the memory.
        if (--left === 0 && !error && !this.#closing) from.worker.postMessage({ type: 'written', buffers } satisfies ToClassifyWorker, buffers);
      };
      for (const chunk of lines.chunks) if (!this.#out.write(chunk, this.#recycle ? giveBack : undefined)) this.#outFull = true;
    }
    this.#wake();
  }
}
