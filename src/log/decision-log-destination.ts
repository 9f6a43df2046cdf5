/**
 * The decision log's pino destination: rotated, retained, optionally
 * compressed and hash-chained NDJSON files in one folder (docs/decision-log.md).
 *
 * Hot path: write(line) is called once per decision (by the proxy's
 * DecisionWriter; staff and self-service lines come through pino); that only
 * appends the string to an in-memory batch. Everything else (the hash chain, choosing the
 * file, the write itself) happens once per batch, with one asynchronous
 * positional write in flight at a time. Lines are therefore written in exactly
 * the order pino produced them. A batch is written once GATHER_MS have passed
 * since its first line, or at once when GATHER_BYTES are waiting or someone
 * flushes: at a moderate request rate a write per turn carried one or two
 * lines, and each asynchronous write costs the main thread a thread-pool
 * hand-off (measured, bench/README.md "The decision log's cost").
 *
 * Positional writes (pwrite at our own offset, not O_APPEND) make a write
 * idempotent: flushSync() at shutdown can repeat the chunk still in flight and
 * then write the rest, without any risk of reordering or doubling lines.
 *
 * One destination = one chain = one writer. Several worker processes each use
 * their own `worker` label (own files, own chain); a lock file per label stops
 * two processes from ever writing the same files.
 */
import { EventEmitter } from 'node:events';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  unlinkSync,
  write,
  writeFileSync,
  writeSync,
  createReadStream,
  createWriteStream,
} from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import { WfError } from '../errors.ts';
import { GENESIS, openLine, sealedLineMaxBytes, sealLineInto, type ChainHead } from './chain.ts';
import {
  chainName,
  checkWorkerLabel,
  formatLogFileName,
  listDecisionLogFiles,
  nextDayStart,
  utcDate,
  type LogFile,
} from './log-files.ts';

export interface DecisionLogDestinationOptions {
  /** Folder for the files (created if missing); normally decisionLogDir(dataDir). */
  readonly dir: string;
  /** Start a new file before one would exceed this many bytes; 0 for no size limit. */
  readonly rotateBytes: number;
  /** Start a new file at each UTC midnight, so a file holds one day's lines. */
  readonly rotateDaily: boolean;
  /** Delete files whose lines are all more than this many days old; 0 keeps everything. */
  readonly retentionDays: number;
  /** Seal every line into the hash chain (seq, prev, hash) and begin each file with a header line. */
  readonly chain: boolean;
  /** Gzip each file in the background once it has been rotated out. */
  readonly compress: boolean;
  /** Worker label when several processes log (each its own files and chain); null or absent for one process. */
  readonly worker?: string | null;
  /** Epoch ms; tests pass a fake clock. Used for lines without a `time`, for retention and file headers. */
  readonly clock?: () => number;
  /** Lines kept in memory while the disk refuses writes; beyond this they are counted and dropped. */
  readonly maxPendingBytes?: number;
  /** Wait before retrying a failed write or open. */
  readonly retryMs?: number;
}

/** Lines per write are batched up to about this size (bounds the time one batch holds the event loop). */
const CHUNK_BYTES = 256 * 1024;
/** How long the first line of a batch waits for others before the batch is written. */
const GATHER_MS = 10;
/** Lines waiting that make a batch worth writing at once. */
const GATHER_BYTES = 64 * 1024;
/** A chunk's buffer: CHUNK_BYTES and room for the line that crosses it (a longer line gets a buffer of its own). */
const CHUNK_CAPACITY = CHUNK_BYTES + 64 * 1024;
/** Room kept for a file's header line, which may precede any line in a chunk. */
const HEADER_RESERVE = 1024;
/** seq, prev and hash add about this many bytes to a line (for size rotation; an estimate is enough). */
const CHAIN_OVERHEAD = 170;
const RETENTION_CHECK_MS = 60 * 60_000;
const DAY_MS = 86_400_000;

interface OpenFile {
  readonly fd: number;
  readonly name: string;
  readonly path: string;
  readonly date: string;
  readonly index: number;
  /** Next write position = bytes in the file, plus chunks already built for it. */
  size: number;
  /** Lines other than the header, so a file is never rotated before it holds one. */
  lines: number;
  needsHeader: boolean;
  /** First epoch ms that belongs in the next day's file (Infinity without daily rotation). */
  readonly dayEnd: number;
}

interface Chunk {
  readonly fd: number;
  /** The chunk's bytes: a view of `backing`. */
  readonly buffer: Buffer;
  /** The whole buffer, reused for a later chunk once this one is written. */
  readonly backing: Buffer;
  readonly position: number;
  written: number;
}

/** The chunk being built: lines are sealed straight into its buffer. */
interface ChunkSpace {
  buffer: Buffer;
  bytes: number;
}

/** Lock files held by this process, so the same chain is never opened twice here either. */
const HELD_LOCKS = new Set<string>();

export class DecisionLogDestination extends EventEmitter {
  readonly dir: string;
  readonly worker: string | null;
  readonly chainName: string;
  readonly #options: DecisionLogDestinationOptions;
  readonly #clock: () => number;
  readonly #maxPendingBytes: number;
  readonly #retryMs: number;
  readonly #lockPath: string;
  readonly #maxIndex = new Map<string, number>();
  readonly #outstanding = new Map<number, number>();
  readonly #closeWhenIdle = new Set<number>();
  readonly #onExit = (): void => this.#exitSync();
  /** Queued lines are pending[pendingHead…]; a moving head keeps taking a batch O(batch), not O(queue). */
  #pending: string[] = [];
  #pendingHead = 0;
  #pendingBytes = 0;
  #current: OpenFile | null = null;
  #head: ChainHead = { seq: 0, hash: GENESIS };
  #inFlight: Chunk | null = null;
  /** A written chunk's buffer, for the next chunk (one write is in flight at a time, so one spare is enough). */
  #spare: Buffer | null = null;
  #scheduled = false;
  /** Set while a batch gathers lines (GATHER_MS); unref'd, as the exit hook writes what is left. */
  #gatherTimer: NodeJS.Timeout | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #failing = false;
  #lost = 0;
  #lostSince = 0;
  #closed = false;
  #closing: Promise<void> | null = null;
  #released = false;
  #flushWaiters: ((error: Error | null) => void)[] = [];
  #background: Promise<void> = Promise.resolve();
  #retentionTimer: NodeJS.Timeout | null = null;
  readonly #drainBound = (): void => this.#drain();
  readonly #gatheredBound = (): void => {
    this.#gatherTimer = null;
    this.#drainSoon();
  };

  constructor(options: DecisionLogDestinationOptions) {
    super();
    checkOptions(options);
    this.#options = options;
    this.dir = options.dir;
    this.worker = options.worker ?? null;
    this.chainName = chainName(this.worker);
    this.#clock = options.clock ?? Date.now;
    this.#maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.#retryMs = options.retryMs ?? 1_000;
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (error) {
      throw new WfError('WF_ERR_LOG_WRITE', `cannot create the decision log folder ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
    this.#lockPath = join(this.dir, `decisions${this.worker === null ? '' : `.w${this.worker}`}.lock`);
    acquireLock(this.#lockPath, this.chainName);
    process.on('exit', this.#onExit);
    try {
      this.#resume();
    } catch (error) {
      this.#release();
      throw error;
    }
    this.#queue(() => this.#sweepRetention());
    if (options.retentionDays > 0) {
      this.#retentionTimer = setInterval(() => this.#queue(() => this.#sweepRetention()), RETENTION_CHECK_MS);
      this.#retentionTimer.unref();
    }
  }

  /** The file lines are going to now (null until the first line, when there was none to continue). */
  get currentFile(): string | null {
    return this.#current?.path ?? null;
  }

  /** The chain's last sealed line (seq 0 and GENESIS before the first). */
  get head(): ChainHead {
    return this.#head;
  }

  /** Queues one line (or several, `\n`-separated), from pino or a DecisionWriter. Never blocks on I/O. */
  write(data: string): boolean {
    // After close() nothing can be written any more; there is no file left to record a count in either.
    if (this.#closed) return false;
    if (this.#pendingBytes > this.#maxPendingBytes) {
      if (this.#lost === 0) this.#lostSince = this.#clock();
      this.#lost += 1;
      return false;
    }
    const newline = data.indexOf('\n');
    if (newline !== -1 && newline < data.length - 1) {
      for (const line of data.split('\n')) {
        if (line === '') continue;
        this.#pending.push(`${line}\n`);
        this.#pendingBytes += line.length + 1;
      }
    } else {
      this.#pending.push(data);
      this.#pendingBytes += data.length;
    }
    this.#schedule();
    return true;
  }

  /** Calls back once every line written so far is in the file (or with the write error). */
  flush(callback: (error?: Error | null) => void = () => {}): void {
    if (this.#released) {
      process.nextTick(callback, this.#idle() ? null : new WfError('WF_ERR_LOG_WRITE', 'the decision log is closed'));
      return;
    }
    if (this.#idle()) {
      process.nextTick(callback, null);
      return;
    }
    this.#flushWaiters.push(callback);
    this.#schedule();
  }

  /**
   * Writes everything synchronously and fsyncs: for shutdown paths that
   * cannot wait (and the process 'exit' hook). Throws WF_ERR_LOG_WRITE when
   * the disk refuses.
   */
  flushSync(): void {
    if (this.#released) return;
    try {
      const flight = this.#inFlight;
      if (flight !== null) {
        // Repeating the in-flight chunk at its own offset is harmless; its late callback is then ignored.
        // Its buffer is not reused: the asynchronous write may still be reading it.
        this.#inFlight = null;
        writeAllSync(flight);
      }
      if (this.#retryTimer !== null) {
        clearTimeout(this.#retryTimer);
        this.#retryTimer = null;
      }
      this.#stopGathering();
      while (!this.#idle()) {
        const chunk = this.#buildChunk();
        if (chunk !== null) {
          writeAllSync(chunk);
          this.#recycle(chunk.backing);
        }
      }
      if (this.#current !== null) fsyncSync(this.#current.fd);
    } catch (error) {
      throw asWriteError(error, `cannot write the decision log in ${this.dir}`);
    }
    this.#failing = false;
    this.#settle(null);
  }

  /** Writes everything, fsyncs and closes the file, finishes background compression, releases the lock. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** Stream-style alias of close() (errors are reported as 'error' events). */
  end(): void {
    this.close().catch((error: unknown) => this.#report(asWriteError(error, 'cannot close the decision log')));
  }

  /** Resolves when background work queued so far (compression, retention) is done. */
  async idle(): Promise<void> {
    await this.#background;
  }

  async #close(): Promise<void> {
    // While writes are failing, the next attempt waits on an unref'd retry timer: waiting for it could
    // leave close() unsettled once nothing else keeps the process alive. flushSync() below tries at once.
    const failing = this.#retryTimer !== null;
    const flushed = failing ? null : await new Promise<Error | null>((resolve) => this.flush((error) => resolve(error ?? null)));
    this.#closed = true;
    if (this.#retentionTimer !== null) clearInterval(this.#retentionTimer);
    try {
      if (failing || flushed !== null || !this.#idle()) this.flushSync();
      const current = this.#current;
      this.#current = null;
      if (current !== null) {
        fsyncSync(current.fd);
        this.#closeSoon(current.fd);
      }
      await this.#background;
    } finally {
      this.#release();
    }
  }

  // ---- batching and writing -------------------------------------------------

  #idle(): boolean {
    return this.#pending.length === this.#pendingHead && this.#lost === 0 && this.#inFlight === null;
  }

  /** Arranges for the queued lines to be written: at once when enough wait or a flush waits, else after GATHER_MS. */
  #schedule(): void {
    if (this.#inFlight !== null || this.#retryTimer !== null) return;
    if (this.#pendingBytes >= GATHER_BYTES || this.#flushWaiters.length > 0) {
      this.#drainSoon();
      return;
    }
    if (this.#scheduled || this.#gatherTimer !== null) return;
    this.#gatherTimer = setTimeout(this.#gatheredBound, GATHER_MS);
    this.#gatherTimer.unref();
  }

  #drainSoon(): void {
    this.#stopGathering();
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#drainBound);
  }

  #stopGathering(): void {
    if (this.#gatherTimer === null) return;
    clearTimeout(this.#gatherTimer);
    this.#gatherTimer = null;
  }

  #drain(): void {
    this.#scheduled = false;
    if (this.#inFlight !== null || this.#retryTimer !== null || this.#released) return;
    if (this.#idle()) {
      this.#settle(null);
      return;
    }
    let chunk: Chunk | null;
    try {
      chunk = this.#buildChunk();
    } catch (error) {
      this.#fail(asWriteError(error, `cannot open a decision log file in ${this.dir}`), () => this.#drain());
      return;
    }
    if (chunk === null) {
      this.#settle(null);
      return;
    }
    this.#inFlight = chunk;
    this.#writeSome(chunk);
  }

  #writeSome(chunk: Chunk): void {
    this.#outstanding.set(chunk.fd, (this.#outstanding.get(chunk.fd) ?? 0) + 1);
    write(chunk.fd, chunk.buffer, chunk.written, chunk.buffer.length - chunk.written, chunk.position + chunk.written, (error, bytes) => {
      this.#writeDone(chunk, error, bytes);
    });
  }

  #writeDone(chunk: Chunk, error: NodeJS.ErrnoException | null, bytes: number): void {
    const left = (this.#outstanding.get(chunk.fd) ?? 1) - 1;
    if (left === 0) this.#outstanding.delete(chunk.fd);
    else this.#outstanding.set(chunk.fd, left);
    if (left === 0 && this.#closeWhenIdle.has(chunk.fd)) this.#closeFd(chunk.fd);
    if (chunk !== this.#inFlight) return; // superseded by flushSync()
    if (error !== null) {
      this.#fail(asWriteError(error, `cannot write the decision log file in ${this.dir}`), () => {
        if (this.#inFlight === chunk) this.#writeSome(chunk);
      });
      return;
    }
    chunk.written += bytes;
    if (chunk.written < chunk.buffer.length) {
      this.#writeSome(chunk);
      return;
    }
    this.#inFlight = null;
    this.#failing = false;
    this.#recycle(chunk.backing);
    if (this.#idle()) this.#settle(null);
    else this.#schedule();
  }

  /** Reports the first failure of a streak, fails pending flushes, and retries later (lines stay queued). */
  #fail(error: WfError, retry: () => void): void {
    if (!this.#failing) this.#report(error);
    this.#failing = true;
    this.#settle(error);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      retry();
    }, this.#retryMs);
    this.#retryTimer.unref();
  }

  #settle(error: Error | null): void {
    const waiters = this.#flushWaiters;
    if (waiters.length === 0) return;
    this.#flushWaiters = [];
    for (const waiter of waiters) waiter(error);
  }

  /**
   * Takes queued lines up to CHUNK_BYTES or the next rotation, seals them
   * into the chain, and returns them as one buffer for one file position.
   * Rotation happens here, before the first line of a chunk, so a chunk
   * never spans two files.
   */
  #buildChunk(): Chunk | null {
    const space: ChunkSpace = { buffer: this.#spare ?? Buffer.allocUnsafeSlow(CHUNK_CAPACITY), bytes: 0 };
    this.#spare = null;
    let taken = this.#pendingHead;
    let takenBytes = 0;
    const now = this.#clock();
    if (this.#lost > 0) {
      const lost = JSON.stringify({ type: 'lost', v: 1, time: now, count: this.#lost, since: this.#lostSince || now });
      this.#place(space, `${lost}\n`, now);
      this.#lost = 0;
      this.#lostSince = 0;
    }
    const pending = this.#pending;
    while (taken < pending.length && space.bytes < CHUNK_BYTES) {
      const raw = pending[taken]!;
      const time = lineTime(raw) ?? now;
      if (this.#mustRotate(time, raw.length, space.bytes) && space.bytes > 0) break;
      const need = sealedLineMaxBytes(raw) + HEADER_RESERVE;
      if (space.bytes + need > space.buffer.length) {
        if (space.bytes > 0) break;
        // A line longer than a chunk's slack: a buffer of its own, left to the GC afterwards.
        this.#recycle(space.buffer);
        space.buffer = Buffer.allocUnsafeSlow(need);
      }
      this.#place(space, raw, time);
      takenBytes += raw.length;
      taken += 1;
    }
    this.#pendingBytes -= takenBytes;
    if (taken === pending.length) {
      this.#pending = [];
      this.#pendingHead = 0;
    } else if (taken > 4096 && taken * 2 > pending.length) {
      this.#pending = pending.slice(taken);
      this.#pendingHead = 0;
    } else {
      this.#pendingHead = taken;
    }
    const current = this.#current;
    if (space.bytes === 0 || current === null) {
      this.#recycle(space.buffer);
      return null;
    }
    const position = current.size;
    current.size += space.bytes;
    return { fd: current.fd, buffer: space.buffer.subarray(0, space.bytes), backing: space.buffer, position, written: 0 };
  }

  /** Keeps a chunk buffer nothing reads any more for the next chunk (a long line's own buffer is left to the GC). */
  #recycle(buffer: Buffer): void {
    if (buffer.length === CHUNK_CAPACITY) this.#spare = buffer;
  }

  /** Adds one line (after a header, when the file needs one) to the chunk; the caller has made room for both. */
  #place(space: ChunkSpace, raw: string, time: number): void {
    if (this.#mustRotate(time, raw.length, space.bytes)) this.#rotate(time);
    const current = this.#current!;
    if (current.needsHeader) {
      current.needsHeader = false;
      const header = JSON.stringify({ type: 'file', v: 1, time, file: current.name, chain: this.chainName });
      this.#seal(space, `${header}\n`);
    }
    this.#seal(space, raw);
    current.lines += 1;
  }

  #seal(space: ChunkSpace, raw: string): void {
    if (!this.#options.chain) {
      space.bytes += space.buffer.write(raw, space.bytes, 'utf8');
      if (!raw.endsWith('\n')) space.bytes += space.buffer.write('\n', space.bytes, 'latin1');
      return;
    }
    const sealed = sealLineInto(raw, this.#head, space.buffer, space.bytes);
    this.#head = sealed.head;
    space.bytes += sealed.bytes;
  }

  #mustRotate(time: number, rawLength: number, chunkBytes: number): boolean {
    const current = this.#current;
    if (current === null) return true;
    if (time >= current.dayEnd) return true;
    const limit = this.#options.rotateBytes;
    if (limit === 0 || current.lines === 0) return false;
    const lineBytes = rawLength + (this.#options.chain ? CHAIN_OVERHEAD : 0);
    return current.size + chunkBytes + lineBytes > limit;
  }

  /** Opens the next file (index + 1 on the same day, or 1 on a new day); the old one is closed and queued for compression. */
  #rotate(time: number): void {
    const old = this.#current;
    // Never name a file before its predecessor (a clock stepping back must not reorder the chain's files).
    const day = utcDate(time);
    const date = old !== null && old.date > day ? old.date : day;
    let index = (this.#maxIndex.get(date) ?? 0) + 1;
    let fd = -1;
    let name = '';
    for (;;) {
      name = formatLogFileName({ date, worker: this.worker, index });
      try {
        fd = openSync(join(this.dir, name), 'wx');
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || index > 1_000_000) throw error;
        index += 1;
      }
    }
    this.#maxIndex.set(date, index);
    this.#current = {
      fd,
      name,
      path: join(this.dir, name),
      date,
      index,
      size: 0,
      lines: 0,
      needsHeader: this.#options.chain,
      dayEnd: this.#options.rotateDaily ? nextDayStart(date) : Number.POSITIVE_INFINITY,
    };
    if (old === null) return;
    const busy = this.#outstanding.has(old.fd);
    this.#closeSoon(old.fd);
    // A file still being written (only possible inside flushSync at shutdown) is compressed on the next start instead.
    if (this.#options.compress && !busy) this.#queue(() => compressFile(old.path));
    if (date !== old.date) this.#queue(() => this.#sweepRetention());
  }

  /** Closes now, or once its last write returns: closing under a pending write could hand the fd number to the next file. */
  #closeSoon(fd: number): void {
    if (this.#outstanding.has(fd)) this.#closeWhenIdle.add(fd);
    else this.#closeFd(fd);
  }

  #closeFd(fd: number): void {
    this.#closeWhenIdle.delete(fd);
    try {
      closeSync(fd);
    } catch {
      // Already closed: nothing left to release.
    }
  }

  // ---- start-up: continue the chain and the newest file ----------------------

  #resume(): void {
    const files = listDecisionLogFiles(this.dir, { worker: this.worker });
    for (const file of files) this.#maxIndex.set(file.date, Math.max(this.#maxIndex.get(file.date) ?? 0, file.index));
    const newest = files.at(-1);
    if (newest !== undefined) {
      const tail = readTailOrNothing(newest);
      const opened = tail.lastLine === null ? null : openLine(tail.lastLine);
      if (this.#options.chain) this.#head = (opened === null ? null : { seq: opened.seq, hash: opened.hash }) ?? findHead(files.slice(0, -1)) ?? this.#head;
      const today = utcDate(this.#clock());
      const appendable =
        !newest.compressed &&
        !tail.torn &&
        (!this.#options.rotateDaily || newest.date === today) &&
        (this.#options.rotateBytes === 0 || tail.size < this.#options.rotateBytes) &&
        (!this.#options.chain || opened !== null || tail.size === 0);
      if (appendable) {
        this.#current = {
          fd: openSync(newest.path, 'r+'),
          name: newest.name,
          path: newest.path,
          date: newest.date,
          index: newest.index,
          size: tail.size,
          lines: tail.size === 0 ? 0 : 1,
          needsHeader: this.#options.chain && tail.size === 0,
          dayEnd: this.#options.rotateDaily ? nextDayStart(newest.date) : Number.POSITIVE_INFINITY,
        };
      }
    }
    if (this.#options.compress) {
      for (const file of files) {
        if (!file.compressed && file.path !== this.#current?.path) this.#queue(() => compressFile(file.path));
      }
    }
  }

  // ---- background: compression and retention --------------------------------

  #queue(task: () => Promise<void>): void {
    this.#background = this.#background.then(task).catch((error: unknown) => {
      this.#report(asWriteError(error, `decision log housekeeping in ${this.dir} failed`));
    });
  }

  /**
   * Deletes files (every worker's) whose lines are all older than the
   * retention period. A file's last day is its own date with daily rotation,
   * else the date its successor was started. The newest file of each chain is
   * always kept: it carries the chain head a restart continues from.
   */
  async #sweepRetention(): Promise<void> {
    const days = this.#options.retentionDays;
    if (days <= 0) return;
    const cutoff = utcDate(this.#clock() - days * DAY_MS);
    const byChain = new Map<string | null, LogFile[]>();
    for (const file of listDecisionLogFiles(this.dir)) {
      const list = byChain.get(file.worker) ?? [];
      list.push(file);
      byChain.set(file.worker, list);
    }
    for (const files of byChain.values()) {
      for (let i = 0; i < files.length - 1; i += 1) {
        const file = files[i]!;
        const lastDay = this.#options.rotateDaily ? file.date : files[i + 1]!.date;
        if (lastDay >= cutoff || file.path === this.#current?.path) continue;
        await unlink(file.path).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
    }
  }

  // ---- errors, exit and the lock ----------------------------------------------

  #report(error: WfError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else process.stderr.write(`wardgate: ${error.message}\n`);
  }

  #exitSync(): void {
    try {
      this.flushSync();
    } catch (error) {
      process.stderr.write(`wardgate: ${(error as Error).message}\n`);
    }
    this.#release();
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#closed = true;
    process.removeListener('exit', this.#onExit);
    if (this.#retentionTimer !== null) clearInterval(this.#retentionTimer);
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#stopGathering();
    HELD_LOCKS.delete(this.#lockPath);
    try {
      unlinkSync(this.#lockPath);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

export function createDecisionLogDestination(options: DecisionLogDestinationOptions): DecisionLogDestination {
  return new DecisionLogDestination(options);
}

function checkOptions(options: DecisionLogDestinationOptions): void {
  const problems: string[] = [];
  if (!Number.isSafeInteger(options.rotateBytes) || options.rotateBytes < 0) problems.push('rotateBytes must be a whole number of bytes, 0 or more');
  if (!Number.isSafeInteger(options.retentionDays) || options.retentionDays < 0) problems.push('retentionDays must be a whole number of days, 0 or more');
  if (problems.length > 0) throw new WfError('WF_ERR_INVALID_INPUT', `decision log: ${problems.join('; ')}`);
  if (options.worker !== undefined && options.worker !== null) checkWorkerLabel(options.worker);
}

/** pino puts `"time":<ms>` near the start of every line; reading it there avoids parsing the line. */
function lineTime(raw: string): number | undefined {
  const at = raw.indexOf('"time":');
  if (at === -1 || at > 64) return undefined;
  const value = Number.parseInt(raw.slice(at + 7, at + 23), 10);
  return Number.isFinite(value) ? value : undefined;
}

function writeAllSync(chunk: Chunk): void {
  while (chunk.written < chunk.buffer.length) {
    chunk.written += writeSync(chunk.fd, chunk.buffer, chunk.written, chunk.buffer.length - chunk.written, chunk.position + chunk.written);
  }
}

function asWriteError(error: unknown, context: string): WfError {
  if (error instanceof WfError) return error;
  return new WfError('WF_ERR_LOG_WRITE', `${context}: ${(error as Error).message}`, { cause: error });
}

/**
 * The chain head in the newest earlier file that has one: when the newest
 * file holds no complete sealed line (the process died writing its header),
 * the chain still continues from where it really ended.
 */
function findHead(files: readonly LogFile[]): ChainHead | null {
  for (const file of [...files].reverse().slice(0, 3)) {
    const { lastLine } = readTailOrNothing(file);
    const opened = lastLine === null ? null : openLine(lastLine);
    if (opened !== null) return { seq: opened.seq, hash: opened.hash };
  }
  return null;
}

interface Tail {
  readonly size: number;
  /** The last line that has its `\n` (without it), or null. */
  readonly lastLine: string | null;
  /** The file ends in a line without `\n`: a write cut short. */
  readonly torn: boolean;
}

/** A file that cannot be read (a damaged .gz) neither gives a chain head nor takes more lines: start-up goes on. */
function readTailOrNothing(file: LogFile): Tail {
  try {
    return readTail(file);
  } catch {
    return { size: 0, lastLine: null, torn: true };
  }
}

const NEWLINE = 0x0a;
/**
 * Output chunk for reading a compressed tail: large enough that each chunk is its own mapping,
 * returned to the system when freed (with the default 16 KiB chunks a 90 MB log left ~60 MB of
 * freed heap in the process for good).
 */
const GUNZIP_CHUNK = 4 * 1024 * 1024;

function readTail(file: LogFile): Tail {
  if (file.compressed) {
    // A compressed file never takes more lines: only its last line matters. Found in the bytes and
    // decoded alone; decoding the whole file and slicing the line out kept the whole text alive (a
    // sliced string holds its parent): ~200 MiB of RSS for good after a restart with a 90 MB log.
    const bytes = gunzipSync(readFileSync(file.path), { chunkSize: GUNZIP_CHUNK });
    return { size: bytes.length, ...lastCompleteLine(bytes, true) };
  }
  const fd = openSync(file.path, 'r');
  try {
    const size = fstatSync(fd).size;
    for (let window = 64 * 1024; ; window *= 4) {
      const length = Math.min(window, size);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      const found = lastCompleteLine(buffer, length === size);
      if (found.lastLine !== null || length === size) return { size, ...found };
    }
  } finally {
    closeSync(fd);
  }
}

function lastCompleteLine(bytes: Buffer, wholeFile: boolean): { lastLine: string | null; torn: boolean } {
  const torn = bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE;
  const end = bytes.lastIndexOf(NEWLINE);
  if (end === -1) return { lastLine: null, torn };
  const start = end === 0 ? -1 : bytes.lastIndexOf(NEWLINE, end - 1);
  if (start === -1 && !wholeFile) return { lastLine: null, torn };
  // `\n` never occurs inside a UTF-8 sequence, so the line's bytes decode on their own.
  return { lastLine: bytes.toString('utf8', start + 1, end), torn };
}

async function compressFile(path: string): Promise<void> {
  const gz = `${path}.gz`;
  const temporary = `${gz}.tmp`;
  try {
    await pipeline(createReadStream(path), createGzip(), createWriteStream(temporary));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // deleted by retention meanwhile
    throw error;
  }
  // On disk before the plain file goes, so a power cut cannot leave neither.
  const handle = await open(temporary, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, gz);
  await unlink(path);
}

function acquireLock(path: string, chain: string): void {
  if (HELD_LOCKS.has(path)) {
    throw new WfError('WF_ERR_LOG_WRITE', `the decision log chain "${chain}" in ${path.slice(0, path.lastIndexOf('/'))} is already open in this process`);
  }
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new WfError('WF_ERR_LOG_WRITE', `cannot create the decision log lock ${path}: ${(error as Error).message}`, { cause: error });
    }
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isSafeInteger(pid) && pid !== process.pid && isWardgateProcess(pid)) {
      throw new WfError(
        'WF_ERR_LOG_WRITE',
        `another wardgate process (pid ${pid}) is writing the decision log chain "${chain}" (lock ${path}); ` +
          'stop it, give each process its own worker label, or delete the lock file if that process is not wardgate',
      );
    }
    // Left by a process that is gone (or by an earlier life of this pid): ours now.
    writeFileSync(path, `${process.pid}\n`);
  }
  HELD_LOCKS.add(path);
}

/** True when `pid` is alive and (where /proc says) a node process; a recycled pid must not lock the log forever. */
function isWardgateProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return /node|wardgate/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true;
  }
}
