/**
 * The tunnel relay (splice over pooled read buffers): bytes arrive intact and
 * in order, the decision log counts them exactly, an origin that speaks first
 * is heard, and a client that stops reading stops the origin (backpressure)
 * instead of the proxy buffering the stream.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { request } from 'node:http';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';

const DOWN_BYTES = 24 * 1024 * 1024 + 7; // not a multiple of any read size
const UP_BYTES = 3 * 1024 * 1024 + 5;
const BANNER = 'HELLO FROM THE ORIGIN\r\n';

/** A raw TCP origin: says BANNER, then on "down" sends DOWN_BYTES of seeded data; echoes a digest of what it received on "up". */
interface RawOrigin {
  readonly server: Server;
  readonly port: number;
  readonly sockets: Socket[];
}

const payload = randomBytes(DOWN_BYTES);
let origin: RawOrigin;
let proxy: Harness;

before(async () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.write(BANNER);
    let command = '';
    let uploading = false;
    const hash = createHash('sha256');
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      if (uploading) {
        hash.update(chunk);
        received += chunk.length;
        if (received === UP_BYTES) socket.end(`${hash.digest('hex')}\n`);
        return;
      }
      command += chunk.toString('latin1');
      if (command === 'down\n') socket.end(payload);
      if (command.startsWith('up\n')) {
        uploading = true;
        const rest = chunk.subarray(chunk.length - (command.length - 3));
        if (rest.length > 0) {
          hash.update(rest);
          received += rest.length;
        }
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  origin = { server, port, sockets };
  proxy = await startHarness({ connectPorts: [port], resolve: [{ host: 'raw.test', address: '127.0.0.1' }] });
});
after(async () => {
  await proxy.stop();
  for (const s of origin.sockets) s.destroy();
  origin.server.close();
});

function openTunnel(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: `raw.test:${origin.port}`, headers: { 'proxy-authorization': proxy.aliceAuth } });
    req.on('connect', (res, socket, head) => {
      if (res.statusCode !== 200) return reject(new Error(`CONNECT answered ${res.statusCode}`));
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.on('error', reject);
    req.end();
  });
}

function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

test('a download through a tunnel arrives intact after the origin speaks first, and the log counts every byte', async () => {
  const socket = await openTunnel();
  const all = readAll(socket);
  socket.write('down\n');
  const received = await all;
  assert.equal(received.subarray(0, BANNER.length).toString('latin1'), BANNER);
  assert.equal(received.length, BANNER.length + DOWN_BYTES);
  assert.ok(received.subarray(BANNER.length).equals(payload), 'the bytes arrive unchanged and in order');
  const line = await proxy.decisions.waitFor((l) => l.kind === 'connect' && l.bytesOut === BANNER.length + DOWN_BYTES);
  assert.equal(line.bytesIn, 'down\n'.length);
});

test('an upload through a tunnel arrives intact and is counted exactly', async () => {
  const socket = await openTunnel();
  const all = readAll(socket);
  const data = randomBytes(UP_BYTES);
  socket.write('up\n');
  socket.write(data);
  const received = (await all).toString('latin1');
  assert.equal(received, `${BANNER}${createHash('sha256').update(data).digest('hex')}\n`);
  const line = await proxy.decisions.waitFor((l) => l.kind === 'connect' && l.bytesIn === 3 + UP_BYTES);
  assert.equal(line.bytesOut, BANNER.length + 65);
});

test('a client that stops reading stops the origin (backpressure), then gets every byte when it reads again', async () => {
  const socket = await openTunnel();
  socket.pause();
  socket.write('down\n');
  const originSocket = await waitFor(() => origin.sockets.at(-1));
  // Poll (bounded) until the origin's sends stall: a relay without backpressure would take the whole payload.
  let last = -1;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const pending = originSocket.writableLength;
    if (pending === last && pending > 0) break;
    last = pending;
  }
  const accepted = DOWN_BYTES - originSocket.writableLength;
  // Kernel buffers on both legs plus the proxy's socket buffers hold a few MiB at most; the rest waits at the origin.
  assert.ok(originSocket.writableLength > 0, 'the origin still holds data it could not send');
  assert.ok(accepted < DOWN_BYTES / 2, `the origin sent only what buffers hold (${accepted} of ${DOWN_BYTES} bytes)`);
  const all = readAll(socket);
  socket.resume();
  const received = await all;
  assert.equal(received.length, BANNER.length + DOWN_BYTES);
  assert.ok(received.subarray(BANNER.length).equals(payload));
});

async function waitFor<T>(get: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = get();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out waiting');
}
