/**
 * splice: joins two sockets into a tunnel until either side closes or the
 * tunnel sits idle. Each side has an 'error' listener (an unhandled socket
 * error would crash the process) and a close on one side ends the other.
 * Resolves with the bytes that crossed each way.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

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
    upstream.on('data', (chunk: Buffer) => {
      down += chunk.length;
      onUpstreamData?.(chunk);
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
    upstream.pipe(client);
  });
}
