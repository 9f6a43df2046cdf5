/**
 * Raw-socket HTTP client for what ordinary clients will not send: pipelined
 * requests, malformed request lines, absolute-form targets, hand-made
 * WebSocket frames. Every read is bounded in time.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

export async function openRaw(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  await once(socket, 'connect');
  return socket;
}

/** Reads until `done(received)` is true, the socket closes, or timeoutMs passes. */
export function readUntil(socket: Socket, done: (received: string) => boolean, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const finish = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', finish);
      resolve(received);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (done(received)) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', onData);
    socket.on('close', finish);
  });
}

/** Counts complete HTTP responses in `text` (by status line) — enough for small fixed-length bodies. */
export function countResponses(text: string): number {
  return (text.match(/HTTP\/1\.1 \d{3} /g) ?? []).length;
}

/** A masked client text frame (RFC 6455 §5.2), payload under 126 bytes. */
export function wsTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/** Decodes an unmasked server text frame with a payload under 126 bytes. */
export function readWsText(frame: Buffer): string {
  const length = frame[1]! & 0x7f;
  return frame.subarray(2, 2 + length).toString('utf8');
}
