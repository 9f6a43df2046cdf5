/**
 * splice: joins two sockets into a tunnel until either side closes or the
 * tunnel sits idle. Each side has an 'error' listener (an unhandled socket
 * error would crash the process) and a close on one side ends the other.
 * Resolves with the bytes that crossed each way.
 *
 * Upstream → client (the direction downloads take) goes through the pooled
 * read buffers of ./pooled-read-socket.ts when the upstream socket has them:
 * each chunk is written to the client and its buffer reused once that write
 * has completed; reading stops while the client's socket is full and resumes
 * on 'drain'. Other sockets (a tunnel through a parent proxy) use pipe().
 * Client → upstream always uses pipe().
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { attachSink } from './pooled-read-socket.ts';

export interface SpliceResult {
  /** Bytes client → upstream. */
  readonly up: number;
  /** Bytes upstream → client. */
  readonly down: number;
  /** Why the tunnel ended abnormally (error code or 'idle'), or null. */
  readonly error: string | null;
}

export function splice(client: Duplex, upstream: Socket, idleTimeoutMs: number, onUpstreamData?: (chunk: Buffer) => void): Promise<SpliceResult> {
  return new Promise((resolve) => {
    let up = 0;
    let down = 0;
    let error: string | null = null;
    let closed = 0;
    const finish = () => {
      if (++closed === 2) resolve({ up, down, error });
    };
    const fail = (why: string) => {
      error ??= why;
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      up += chunk.length;
    });
    client.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? 'client-error'));
    upstream.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? 'upstream-error'));
    client.on('close', () => {
      upstream.destroy();
      finish();
    });
    upstream.on('close', () => {
      // Let what the client has already been sent drain before closing its side.
      client.end();
      finish();
    });
    const socket = client as Socket;
    if (typeof socket.setTimeout === 'function') socket.setTimeout(idleTimeoutMs, () => fail('idle'));
    upstream.setTimeout(idleTimeoutMs, () => fail('idle'));
    client.pipe(upstream);

    let waitingForDrain = false;
    // One listener for the tunnel's life (not one per pause), so listeners cannot stack up.
    const onDrain = () => {
      if (!waitingForDrain) return;
      waitingForDrain = false;
      upstream.resume();
    };
    const pooled = attachSink(upstream, (chunk, release) => {
      down += chunk.length;
      onUpstreamData?.(chunk);
      if (client.destroyed || !client.writable) {
        release();
        return false;
      }
      // The write callback runs once the bytes have left (or the write failed): only then may the buffer be reused.
      const more = client.write(chunk, release);
      if (!more) waitingForDrain = true;
      return more;
    });
    if (pooled) {
      client.on('drain', onDrain);
    } else {
      upstream.on('data', (chunk: Buffer) => {
        down += chunk.length;
        onUpstreamData?.(chunk);
      });
      upstream.pipe(client);
    }
  });
}
