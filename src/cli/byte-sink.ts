/**
 * ByteSink: bulk output (`classify --stdin`) encoded straight into Buffers
 * and handed to the stream a whole buffer at a time, instead of one string
 * per batch that the stream then encodes.
 *
 * Why (measured on 500,000 mixed-stream URLs, in one process, CPU per URL):
 * joining a batch of line strings cost 2–3.5 µs a line and encoding the
 * joined string to UTF-8 another ≈3 µs, against ≈3 µs for the evaluation
 * itself. Here an ASCII string is copied byte by byte while it is checked
 * for JSON escapes (almost every URL and host), fixed pieces (field names)
 * are copied as ready-made bytes, bytes just written can be copied again
 * (copy()), and anything else goes through JSON.stringify and Buffer#write.
 *
 * Buffers are reused once the stream says it wrote them, but only for a
 * stream that writes to a file descriptor (process.stdout, fs.WriteStream)
 * or copies what it is given (ChunkCollector): a Transform or PassThrough
 * may still hold the chunk after its callback.
 * Fresh memory costs: on these VMs a first touch of a 4 KiB page measured
 * ≈15 µs (reading the 110 MB index file into a new buffer: 400 ms of system
 * time, 10 ms into a reused one).
 *
 * Backpressure: write() answers false when the stream is full; the caller
 * awaits drained() once per batch. A stream error (EPIPE when `| head`
 * closes the pipe) is recorded, never thrown from here; the caller stops
 * at `failed` and decides what to say.
 */
/** What a ByteSink writes to: a writable stream, or a ChunkCollector. */
export interface ByteOutput {
  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'drain', listener: () => void): unknown;
  /** write() copies the chunk before it returns, so the sink may write into its buffer again at once. */
  readonly copiesChunks?: boolean;
}

/**
 * A ByteOutput that copies what it is given into buffers of its own, for
 * output that leaves another way: a worker thread posts them (transferred,
 * not copied) to the main thread, which gives each back with give() once
 * written. Recycling matters: a first touch of fresh memory costs ≈15 µs a
 * page on these VMs (see ByteSink), far more than the copy.
 */
export class ChunkCollector implements ByteOutput {
  readonly copiesChunks = true;
  readonly #size: number;
  #spare: ArrayBuffer[] = [];
  #chunks: Uint8Array[] = [];

  constructor(bufferSize = 256 * 1024) {
    this.#size = bufferSize;
  }

  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean {
    let buffer = this.#spare.pop();
    if (buffer === undefined || buffer.byteLength < chunk.length) buffer = new ArrayBuffer(Math.max(this.#size, chunk.length));
    const copy = new Uint8Array(buffer, 0, chunk.length);
    copy.set(chunk);
    this.#chunks.push(copy);
    callback?.(null);
    return true;
  }

  on(): this {
    return this; // never fails, never full
  }

  /** The chunks written since the last take(), each on a buffer of its own. */
  take(): Uint8Array[] {
    const chunks = this.#chunks;
    this.#chunks = [];
    return chunks;
  }

  /** Buffers of chunks taken earlier, free for reuse. */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const b of buffers) if (b.byteLength > 0) this.#spare.push(b);
  }
}

/**
 * Whether `out` writes to a file descriptor (process.stdout, fs.WriteStream):
 * such a stream is done with a chunk when its write callback runs, so the
 * chunk's memory may be reused; a Transform or PassThrough may still hold it.
 */
export function writesToDescriptor(out: unknown): boolean {
  return typeof (out as { fd?: unknown }).fd === 'number';
}

export class ByteSink {
  readonly #out: ByteOutput;
  readonly #size: number;
  readonly #reuse: boolean;
  readonly #free: Buffer[] = [];
  #buf: Buffer;
  #pos = 0;
  #generation = 0;
  #full = false;
  #error: Error | null = null;
  #drainWaiter: (() => void) | null = null;

  constructor(out: ByteOutput, bufferSize = 256 * 1024) {
    this.#out = out;
    this.#size = bufferSize;
    this.#reuse = writesToDescriptor(out) || out.copiesChunks === true;
    this.#buf = Buffer.allocUnsafeSlow(bufferSize);
    out.on('error', (error: Error) => {
      this.#error ??= error;
      this.#wake();
    });
    out.on('drain', () => this.#wake());
  }

  /** The stream's error, once it has failed (EPIPE and the like); nothing more is written after it. */
  get failed(): Error | null {
    return this.#error;
  }

  /** Room for `n` more bytes in the current buffer (a new one when it would not fit). */
  #ensure(n: number): void {
    if (this.#pos + n > this.#buf.length) this.#hand(n);
  }

  /** Gives the filled part of the current buffer to the stream; the next one holds at least `room` bytes. */
  #hand(room = 0): void {
    if (this.#pos === 0 && room <= this.#buf.length) return;
    const buf = this.#buf;
    const used = this.#pos;
    this.#pos = 0;
    this.#generation++;
    if (used > 0 && this.#error === null) {
      const recycle = this.#reuse && buf.length === this.#size;
      const ok = this.#out.write(buf.subarray(0, used), recycle ? (error?: Error | null) => void (error ? undefined : this.#free.push(buf)) : undefined);
      if (!ok) this.#full = true;
    } else if (buf.length === this.#size) {
      this.#free.push(buf); // nothing handed over (or nothing can be): the buffer stays ours
    }
    // The stream has the old buffer now: never write into it again until it calls back.
    this.#buf = room <= this.#size ? (this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#size)) : Buffer.allocUnsafeSlow(room);
  }

  /**
   * `s` as a JSON string, when every character is printable ASCII other than
   * `"` and `\` (so the JSON is the characters between quotes, one byte
   * each). Returns false, having written nothing, for anything else.
   */
  jsonAscii(s: string): boolean {
    const n = s.length;
    this.#ensure(n + 2);
    const buf = this.#buf;
    let p = this.#pos;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.#pos = p;
    return true;
  }

  /**
   * `s` as a JSON string, exactly JSON.stringify(s) in UTF-8. Tried and
   * dropped: Buffer#write for long strings, then checking the bytes (no
   * faster: ≈170–200 ns a bench URL either way), and a Map of the bytes of
   * recurring strings (category, list, file names), and a loop instead of
   * TypedArray#set for short fragments: neither changed the writer's time
   * (≈2 µs a `json` line, 480 bytes, in isolation).
   */
  jsonString(s: string): void {
    if (!this.jsonAscii(s)) this.utf8(JSON.stringify(s));
  }

  /** `s` in UTF-8 (a lone surrogate becomes U+FFFD, as Writable#write(string) does). */
  utf8(s: string): void {
    this.#ensure(s.length * 3);
    this.#pos += this.#buf.write(s, this.#pos, 'utf8');
  }

  /** Ready-made bytes (a cached serialised fragment). */
  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }

  /** JSON.stringify(n): digits written directly for a small non-negative integer (a line number). */
  number(n: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n <= 0x7fffffff)) {
      this.utf8(JSON.stringify(n));
      return;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    this.#ensure(digits);
    const buf = this.#buf;
    let p = this.#pos + digits;
    this.#pos = p;
    let x = n;
    do {
      buf[--p] = 0x30 + (x % 10);
      x = Math.floor(x / 10);
    } while (x > 0);
  }

  /** Where the next byte goes, for copy(): a position in the current buffer, and which buffer that is. */
  get position(): number {
    return this.#pos;
  }

  get generation(): number {
    return this.#generation;
  }

  /**
   * Writes again bytes [start, end) written earlier into buffer
   * `generation`, when that is still the current buffer and they fit; false
   * (nothing written) otherwise.
   */
  copy(start: number, end: number, generation: number): boolean {
    const n = end - start;
    if (generation !== this.#generation || n < 0 || this.#pos + n > this.#buf.length) return false;
    this.#buf.copyWithin(this.#pos, start, end);
    this.#pos += n;
    return true;
  }

  /** One byte (a newline, a brace). */
  byte(c: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = c;
  }

  /** Hands over what is buffered (no waiting). */
  flush(): void {
    this.#hand();
  }

  /** What `write` writes, as a string (for callers that want one line, not a stream). */
  static render(write: (sink: ByteSink) => void): string {
    const collector = new ChunkCollector(1024);
    const sink = new ByteSink(collector, 1024);
    write(sink);
    sink.flush();
    return Buffer.concat(collector.take()).toString('utf8');
  }

  /** Hands over what is buffered, then waits while the stream is over its high-water mark or until it fails. */
  async drained(): Promise<void> {
    this.#hand();
    while (this.#full && this.#error === null) {
      await new Promise<void>((resolve) => (this.#drainWaiter = resolve));
      // 'drain' fires when the stream's buffer has emptied: fine to write again.
      this.#full = false;
    }
  }

  #wake(): void {
    const waiter = this.#drainWaiter;
    this.#drainWaiter = null;
    waiter?.();
  }
}

/** The UTF-8 bytes of `s` (for fragments written many times). */
export function utf8Bytes(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}
