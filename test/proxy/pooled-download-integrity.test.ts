/**
 * HTTP downloads over pooled read buffers (src/proxy/pooled-http-socket.ts):
 * a buffer is reused only once undici and the client write are done with it.
 * Concurrent downloads with different content, clients that pause and resume
 * at random (undici then pauses and unshifts part of a chunk), and keep-alive
 * reuse of upstream sockets must all arrive byte for byte; and the pool must
 * really be reused, or the test proves nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { once } from 'node:events';
import { listenLocal } from '../helpers/listen.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { pooledHttpReadStats } from '../../src/proxy/pooled-http-socket.ts';

const MiB = 1024 * 1024;

/** Deterministic content per (seed, size): a cheap LCG, so every download differs and corruption shows. */
function body(seed: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size + 3);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out.writeUInt32LE(x, i);
  }
  return out.subarray(0, size);
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let origin: Server;
let port: number;
let proxy: Harness;
const bodies = new Map<number, Buffer>();

before(async () => {
  origin = createServer((req, res) => {
    const [seed, size] = (req.url ?? '').split('/').slice(-2).map(Number) as [number, number];
    const data = body(seed, size);
    // Odd seeds: chunked encoding in small pieces, so one 64 KiB read holds several body pieces and a pause after
    // the first makes undici put the rest of the read back into the socket (unshift), to be read again later.
    const chunked = seed % 2 === 1;
    res.writeHead(200, chunked ? {} : { 'content-length': String(size) });
    // Odd-sized writes, so chunk edges do not line up with the proxy's 64 KiB reads.
    let offset = 0;
    const pump = () => {
      while (offset < data.length) {
        const end = Math.min(data.length, offset + (chunked ? 3_000 + (offset % 997) : 50_000 + (offset % 7919)));
        const more = res.write(data.subarray(offset, end));
        offset = end;
        if (!more) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  port = await listenLocal(origin);
  proxy = await startHarness({ resolve: [{ host: 'allowed.test', address: '127.0.0.1' }] });
});
after(async () => {
  await proxy.stop();
  origin.close();
});

/** Downloads through the proxy; pauses the response now and then (seeded), for up to `pauseMs`. */
function download(seed: number, size: number, pauseMs: number): Promise<string> {
  if (!bodies.has(seed)) bodies.set(seed, body(seed, size));
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.port, path: `http://allowed.test:${port}/d/${seed}/${size}`, headers: { 'proxy-authorization': proxy.aliceAuth } }, (res) => {
      const hash = createHash('sha256');
      let received = 0;
      let nextPause = 256 * 1024;
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        received += chunk.length;
        // Long enough for every socket buffer on the way to fill, so the proxy pauses undici mid-read.
        if (pauseMs > 0 && received >= nextPause) {
          nextPause += 512 * 1024 + ((seed * 7919) % 65536);
          res.pause();
          setTimeout(() => res.resume(), pauseMs / 2 + ((received / 4096) * seed) % (pauseMs / 2));
        }
      });
      res.on('end', () => resolve(hash.digest('hex')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('concurrent downloads with pausing clients arrive intact, and the read buffers are reused', async () => {
  const before = pooledHttpReadStats();
  const jobs = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => download(seed, 6 * MiB + seed * 1001, seed % 4 === 0 ? 0 : 120));
  const hashes = await Promise.all(jobs);
  hashes.forEach((h, i) => assert.equal(h, sha(bodies.get(i + 1)!), `download ${i + 1} arrived intact`));
  const after = pooledHttpReadStats();
  assert.ok(after.reused - before.reused > 100, `reads reused pooled buffers (${after.reused - before.reused} reused, ${after.allocated - before.allocated} allocated)`);
});

test('downloads one after another on kept-alive upstream sockets arrive intact', async () => {
  for (const seed of [11, 12, 13, 14]) {
    assert.equal(await download(seed, 2 * MiB + seed, seed % 2 === 0 ? 60 : 0), sha(bodies.get(seed)!));
  }
});
