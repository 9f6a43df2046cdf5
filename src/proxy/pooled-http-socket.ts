/**
 * Plain-HTTP upstream sockets for undici whose reads land in reused buffers
 * from a small pool, instead of the fresh 64 KiB Buffer node:net allocates
 * for every read (the allocation that drove V8 into a full GC every ≈25 MiB
 * of a download; see ./pooled-read-socket.ts and bench/README.md).
 *
 * undici reads its socket with read() on 'readable', parses each chunk
 * synchronously, and hands the response body to the handler as views of that
 * chunk; when the handler pauses it, the unparsed rest goes back with
 * unshift(). So a pool buffer may be reused only when all of these hold:
 *   - it is not in the socket's readable buffer (pushed or unshifted and not
 *     yet read: tracked by wrapping this socket's read() and unshift());
 *   - undici has finished parsing it (a microtask after the read() that took it
 *     out: the parse runs synchronously right after that read returns) and
 *     holds no header piece in it: undici keeps the header lines it has
 *     parsed as views of the read until the header block (or the trailers)
 *     is complete, so while its parser has any, the socket's buffers wait
 *     for a later read; a socket that closes meanwhile leaves them to the GC
 *     (test/proxy/split-headers.test.ts: headers sent in pieces came out
 *     overwritten by other downloads' bytes without this);
 *   - every write of a body view of it has completed ({@link holdChunk}: the
 *     forwarder takes a hold per view and drops it from the write's callback).
 * A view of a buffer this module does not know is simply not tracked.
 *
 * TLS upstream sockets (absolute-form https:// requests) are left to undici's
 * own connector: node:tls cannot read into a user buffer.
 */
import type { Socket } from 'node:net';
import type { buildConnector as BuildConnector } from 'undici';
import { buildConnector, kParser } from './undici-dispatchers.ts';

/**
 * Whether undici's parser on `socket` holds header pieces (views of read
 * buffers) not yet turned into strings. Unknown (another undici layout) counts
 * as yes: buffers are then never reused, which is only slower.
 */
function parserHoldsViews(socket: Socket): boolean {
  if (kParser === undefined) return true;
  const parser = (socket as unknown as Record<symbol, { headers?: unknown } | null | undefined>)[kParser];
  if (parser === null || parser === undefined) return false;
  return !Array.isArray(parser.headers) || parser.headers.length > 0;
}

const READ_BUFFER_BYTES = 64 * 1024;
const POOL_MAX = 64;
const pool: Buffer[] = [];

interface Slot {
  readonly buffer: Buffer;
  /** Handed to the socket for its next read and not yet filled. */
  reading: boolean;
  /** Pushed into (or unshifted back into) the socket's readable buffer and not yet read out. */
  inSocket: boolean;
  /** Read out by undici; its parse has not finished yet. */
  parsing: boolean;
  /** Body views of it whose writes have not completed. */
  holds: number;
}

/** Buffers out of the pool, by their memory; weak, so a buffer undici drops with a destroyed socket is just collected. */
const slots = new WeakMap<ArrayBufferLike, Slot>();
/** Per socket: the slots whose data sits in its readable buffer. */
const inSocketBySocket = new WeakMap<Socket, Set<Slot>>();

/** Reads served from a reused buffer vs. a new one, since start (tests check the pool is really used). */
const stats = { reused: 0, allocated: 0 };
export function pooledHttpReadStats(): Readonly<typeof stats> {
  return { ...stats };
}

function takeBuffer(): Buffer {
  const reused = pool.pop();
  if (reused === undefined) stats.allocated++;
  else stats.reused++;
  const buffer = reused ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  slots.set(buffer.buffer, { buffer, reading: true, inSocket: false, parsing: false, holds: 0 });
  return buffer;
}

function maybeRelease(slot: Slot): void {
  if (slot.reading || slot.inSocket || slot.parsing || slot.holds > 0) return;
  if (slots.get(slot.buffer.buffer) !== slot) return; // already released
  slots.delete(slot.buffer.buffer);
  if (pool.length < POOL_MAX) pool.push(slot.buffer);
}

/** node:net's onread callback; node calls it as a method of the socket. */
function onRead(this: Socket, bytes: number, buffer: Uint8Array): boolean {
  const slot = slots.get(buffer.buffer);
  const chunk = (buffer as Buffer).subarray(0, bytes);
  if (slot !== undefined) {
    slot.reading = false;
    slot.inSocket = true;
    inSocketBySocket.get(this)?.add(slot);
  }
  // push() reports when the readable buffer is full: stop reading until undici's next read() starts it again.
  return this.push(chunk);
}

function markInSocket(socket: Socket, chunk: unknown): void {
  if (!(chunk instanceof Uint8Array)) return;
  const slot = slots.get(chunk.buffer);
  if (slot === undefined) return;
  slot.inSocket = true;
  inSocketBySocket.get(socket)?.add(slot);
}

function trackSocket(socket: Socket): void {
  const inSocket = new Set<Slot>();
  /** Parsed, but undici's parser still held header pieces when they were parsed: see parserHoldsViews. */
  const waiting = new Set<Slot>();
  inSocketBySocket.set(socket, inSocket);
  const settle = (): void => {
    if (waiting.size === 0 || socket.destroyed || parserHoldsViews(socket)) return;
    for (const slot of waiting) {
      slot.parsing = false;
      maybeRelease(slot);
    }
    waiting.clear();
  };
  // A socket that goes away with header pieces still held: its buffers stay out of the pool (the GC takes them).
  socket.once('close', () => waiting.clear());
  const read = socket.read;
  const unshift = socket.unshift;
  socket.read = function trackedRead(this: Socket, size?: number) {
    const out = read.call(this, size) as Buffer | null;
    // Readable.read() without a size hands out everything buffered (as one chunk, or one concatenated copy).
    if (this.readableLength === 0 && inSocket.size > 0) {
      for (const slot of inSocket) {
        slot.inSocket = false;
        slot.parsing = true;
        waiting.add(slot);
      }
      inSocket.clear();
    }
    // undici parses what it read before this microtask runs; after it, only held header pieces and write holds keep a buffer.
    if (waiting.size > 0) queueMicrotask(settle);
    return out;
  } as typeof socket.read;
  socket.unshift = function trackedUnshift(this: Socket, chunk: unknown, encoding?: BufferEncoding) {
    markInSocket(this, chunk);
    return unshift.call(this, chunk as Buffer, encoding);
  } as typeof socket.unshift;
}

/**
 * A hold on the pool buffer behind `chunk` (a body view undici handed over)
 * until the returned function is called; undefined when `chunk` is not from
 * the pool. Call the release from the callback of the write that carries it.
 */
export function holdChunk(chunk: Uint8Array): (() => void) | undefined {
  const slot = slots.get(chunk.buffer);
  if (slot === undefined) return undefined;
  slot.holds++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    slot.holds--;
    maybeRelease(slot);
  };
}

export type Connector = ReturnType<typeof BuildConnector>;

/** undici's connector with pooled read buffers on plain-HTTP sockets; `options` as for undici's `connect`. */
export function pooledHttpConnector(options: BuildConnector.BuildOptions): Connector {
  const plain = buildConnector({ ...options, onread: { buffer: takeBuffer, callback: onRead } } as BuildConnector.BuildOptions);
  const tls = buildConnector(options);
  return (opts, callback) => {
    if (opts.protocol === 'https:') return tls(opts, callback);
    return plain(opts, (...args) => {
      if (args[0] === null) trackSocket(args[1] as Socket);
      callback(...args);
    });
  };
}
