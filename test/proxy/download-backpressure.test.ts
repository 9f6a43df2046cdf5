/**
 * HTTP downloads through the proxy: a client that stops reading stops the
 * origin (the upstream is paused, the body is not buffered in the proxy), and
 * gets every byte, unchanged, once it reads again; the decision log counts it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import { listenLocal } from '../helpers/listen.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';

const CHUNK = 64 * 1024;
const CHUNKS = 512; // 32 MiB
const TOTAL = CHUNK * CHUNKS;

/** Chunk i is filled with byte i % 251, so the client can check order and content without holding the body. */
function chunkAt(i: number): Buffer {
  return Buffer.alloc(CHUNK, i % 251);
}

let origin: Server;
let originPort: number;
/** Bytes the origin has handed to its socket so far, for the current download. */
let handedOff = 0;
let proxy: Harness;

before(async () => {
  origin = createServer((_req, res) => {
    handedOff = 0;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(TOTAL) });
    let i = 0;
    const pump = () => {
      while (i < CHUNKS) {
        const more = res.write(chunkAt(i++));
        handedOff += CHUNK;
        if (!more) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  originPort = await listenLocal(origin);
  proxy = await startHarness({ resolve: [{ host: 'allowed.test', address: '127.0.0.1' }] });
});
after(async () => {
  await proxy.stop();
  origin.close();
});

function get(): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.port, path: `http://allowed.test:${originPort}/big`, headers: { 'proxy-authorization': proxy.aliceAuth } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

test('a client that stops reading a download pauses the origin, then receives every byte in order', async () => {
  const res = await get();
  assert.equal(res.statusCode, 200);
  res.pause();
  // Bounded poll until the origin stalls (its writes stop being accepted).
  let last = -1;
  for (let i = 0; i < 100 && handedOff !== last; i++) {
    last = handedOff;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(handedOff < TOTAL / 2, `the origin was held back (${handedOff} of ${TOTAL} bytes handed off while the client read nothing)`);

  const expected = createHash('sha256');
  for (let i = 0; i < CHUNKS; i++) expected.update(chunkAt(i));
  const actual = createHash('sha256');
  let received = 0;
  res.on('data', (chunk: Buffer) => {
    actual.update(chunk);
    received += chunk.length;
  });
  res.resume();
  await once(res, 'end');
  assert.equal(received, TOTAL);
  assert.equal(actual.digest('hex'), expected.digest('hex'));
  const line = await proxy.decisions.waitFor((l) => l.kind === 'http' && l.bytesOut === TOTAL);
  assert.equal(line.status, 200);
});
