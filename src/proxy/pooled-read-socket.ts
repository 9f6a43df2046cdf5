/**
 * Upstream TCP connections for tunnels whose reads land in reused buffers
 * from a small process-wide pool (net.connect's `onread`), instead of the
 * fresh 64 KiB Buffer node:net allocates for every read.
 *
 * Why (profiled, bench/README.md "Relay path"): relaying a 256 MiB download,
 * every read allocated a new 64 KiB ArrayBuffer. Each counts as V8 external
 * memory, and V8 answers external-memory growth with full mark-compact GCs
 * (10 per 256 MiB in `--trace-gc`), and the kernel took a page fault for
 * each fresh page it copied into. The buffers are only freed by those GCs,
 * which is also what made the proxy's RSS climb 40–60 MiB during a download.
 *
 * Ownership: the reader hands each chunk to its sink together with a
 * `release` function; the sink calls it once nothing references the chunk
 * any more (the write that carried it has completed), and only then does the
 * buffer go back to the pool. Data that arrives before a sink is attached is
 * copied aside and reading stops until then.
 */
import { connect as netConnect, type NetConnectOpts, type Socket } from 'node:net';

/** node:net reads up to 64 KiB at a time (libuv's suggested size); a bigger buffer is never filled. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Free buffers kept for reuse across all tunnels (4 MiB); beyond that they are left to the GC. */
const POOL_MAX = 64;
const pool: Buffer[] = [];

function takeBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
}

function releaseBuffer(buffer: Buffer): void {
  if (pool.length < POOL_MAX) pool.push(buffer);
}

/**
 * Receives each chunk read from the socket. `release` must be called exactly
 * once when the chunk's bytes are no longer needed. Return false to stop
 * reading (backpressure); `socket.resume()` starts it again.
 */
export type ChunkSink = (chunk: Buffer, release: () => void) => boolean;

interface ReaderState {
  sink: ChunkSink | null;
  /** Copies of what arrived before a sink was attached. */
  readonly early: Buffer[];
}

const readers = new WeakMap<Socket, ReaderState>();

/** net.connect with pooled read buffers; attach a sink with {@link attachSink} to receive the data. */
export function connectPooled(options: NetConnectOpts): Socket {
  const state: ReaderState = { sink: null, early: [] };
  const socket = netConnect({
    ...options,
    onread: {
      // node calls this for the first buffer and again after every read, so each read gets its own buffer.
      buffer: takeBuffer,
      callback: (bytes: number, buffer: Uint8Array) => {
        const owned = buffer as Buffer;
        if (state.sink === null) {
          state.early.push(Buffer.from(owned.subarray(0, bytes)));
          releaseBuffer(owned);
          return false;
        }
        let released = false;
        return state.sink(owned.subarray(0, bytes), () => {
          if (released) return;
          released = true;
          releaseBuffer(owned);
        });
      },
    },
  } as NetConnectOpts);
  readers.set(socket, state);
  return socket;
}

/**
 * Routes a pooled socket's data to `sink` (what arrived early first) and
 * starts reading. Returns false when `socket` was not made by
 * {@link connectPooled}: the caller then reads it as an ordinary stream.
 */
export function attachSink(socket: Socket, sink: ChunkSink): boolean {
  const state = readers.get(socket);
  if (state === undefined) return false;
  state.sink = sink;
  let flowing = true;
  for (const chunk of state.early.splice(0)) flowing = sink(chunk, () => undefined) && flowing;
  // resume() restarts reading (a pooled socket stops when a callback returns false) and lets 'end' be emitted.
  if (flowing) socket.resume();
  else socket.pause();
  return true;
}
