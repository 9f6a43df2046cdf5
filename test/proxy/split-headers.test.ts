/**
 * Response headers that arrive in several reads (a slow origin, small
 * segments) while other downloads keep the proxy's read buffers busy: undici
 * keeps the header pieces it has parsed as views of the read buffer until the
 * header block is complete, so a read buffer must not be reused before then.
 * Every header must reach the client exactly as the origin sent it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { createServer, request, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenLocal } from '../helpers/listen.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';

let slowOrigin: NetServer;
let bulkOrigin: Server;
let slowPort: number;
let bulkPort: number;
let proxy: Harness;

/** Header values long enough to fill most of a read, different per request. */
const valueFor = (n: number, i: number) => `${n}-${i}-`.padEnd(600, String.fromCharCode(97 + ((n + i) % 26)));

before(async () => {
  // Sends each response's header block in pieces, 20 ms apart, on a kept-alive connection.
  slowOrigin = createNetServer((socket) => {
    let pending = '';
    socket.on('data', async (data) => {
      pending += data.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        const end = pending.indexOf('\r\n\r\n');
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        const n = Number(/GET \S*\/h\/(\d+)/.exec(head)?.[1] ?? 0);
        socket.write('HTTP/1.1 200 OK\r\n');
        for (let i = 0; i < 8; i++) {
          socket.write(`X-Part-${i}: ${valueFor(n, i)}\r\n`);
          await sleep(20);
        }
        socket.write('Content-Length: 2\r\n\r\nok');
      }
    });
    socket.on('error', () => undefined);
  });
  slowPort = await listenLocal(slowOrigin);
  const big = Buffer.alloc(4 * 1024 * 1024, 0x5a);
  bulkOrigin = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': String(big.length) });
    res.end(big);
  });
  bulkPort = await listenLocal(bulkOrigin);
  proxy = await startHarness({ resolve: [{ host: 'allowed.test', address: '127.0.0.1' }] });
});
after(async () => {
  await proxy.stop();
  slowOrigin.close();
  bulkOrigin.close();
});

function get(path: string): Promise<{ headers: Record<string, string | string[] | undefined>; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.port, path, headers: { 'proxy-authorization': proxy.aliceAuth } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ headers: res.headers, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('headers that arrive in pieces reach the client intact while other downloads reuse the read buffers', async () => {
  const bulk = Array.from({ length: 6 }, () => get(`http://allowed.test:${bulkPort}/big`));
  const slow = Array.from({ length: 6 }, (_, n) => get(`http://allowed.test:${slowPort}/h/${n}`));
  const results = await Promise.all(slow);
  results.forEach((r, n) => {
    for (let i = 0; i < 8; i++) assert.equal(r.headers[`x-part-${i}`], valueFor(n, i), `response ${n}, header ${i}`);
  });
  for (const b of await Promise.all(bulk)) assert.equal(b.bytes, 4 * 1024 * 1024);
});
