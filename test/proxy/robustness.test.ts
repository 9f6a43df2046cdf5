import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { countResponses, openRaw, readUntil } from '../helpers/raw-client.ts';
import { viaProxy } from '../helpers/proxy-client.ts';

let origin: Origin;
let proxy: Harness;
let closedPort: number;

before(async () => {
  origin = await startOrigin();
  // A port with nothing listening: bind, note the port, close.
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  closedPort = (probe.address() as { port: number }).port;
  probe.close();
  proxy = await startHarness({
    resolve: ['allowed.test', 'blocked-porn.test', 'refused.test'].map((host) => ({ host, address: '127.0.0.1' })),
    limits: { ...(await import('../../src/config/defaults.ts')).DEFAULTS.limits, responseTimeoutMs: 400, maxHeadersCount: 20 },
  });
});
after(async () => {
  await proxy.stop();
  await origin.close();
});

async function stillServing(): Promise<void> {
  const res = await viaProxy({ proxyPort: proxy.port, url: `http://allowed.test:${origin.port}/small`, headers: { 'proxy-authorization': proxy.aliceAuth } });
  assert.equal(res.status, 200, 'the proxy still serves');
}

test('pipelined requests on one connection are decided separately: allowed, blocked, allowed', async () => {
  const hitsBefore = origin.hits.length;
  const socket = await openRaw(proxy.port);
  const auth = `Proxy-Authorization: ${proxy.aliceAuth}\r\n`;
  socket.write(
    `GET http://allowed.test:${origin.port}/small?p=1 HTTP/1.1\r\nHost: allowed.test\r\n${auth}\r\n` +
      `GET http://blocked-porn.test:${origin.port}/small?p=2 HTTP/1.1\r\nHost: blocked-porn.test\r\n${auth}\r\n` +
      `GET http://allowed.test:${origin.port}/small?p=3 HTTP/1.1\r\nHost: allowed.test\r\n${auth}\r\n`,
  );
  const text = await readUntil(socket, (r) => countResponses(r) === 3 && r.endsWith('a'.repeat(1024)));
  socket.destroy();
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
  assert.deepEqual(statuses, ['200', '403', '200']);
  // Pipelined requests are decided and forwarded concurrently (answers still go back in order), so compare as a set.
  assert.deepEqual(
    origin.hits
      .slice(hitsBefore)
      .map((h) => h.url)
      .sort(),
    ['/small?p=1', '/small?p=3'],
  );
});

test('malformed requests get 400 and the connection closes; the proxy keeps serving', async () => {
  for (const garbage of ['NOT A REQUEST\r\n\r\n', 'GET http://allowed.test/ HTTP/9.9\r\n\r\n', '\x00\x01\x02\r\n\r\n', 'GET http://[bad/ HTTP/1.1\r\nHost: x\r\n\r\n']) {
    const socket = await openRaw(proxy.port);
    socket.write(garbage);
    const answer = await readUntil(socket, () => false, 3_000);
    assert.match(answer, /^HTTP\/1\.1 40[07] /, JSON.stringify(garbage));
    socket.destroy();
  }
  await stillServing();
});

test('oversized headers get 431 and too many header lines get 431', async () => {
  const socket = await openRaw(proxy.port);
  socket.write(`GET http://allowed.test:${origin.port}/small HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(64 * 1024)}\r\n\r\n`);
  assert.match(await readUntil(socket, () => false, 3_000), /^HTTP\/1\.1 431 /);
  socket.destroy();
  const many: Record<string, string> = { 'proxy-authorization': proxy.aliceAuth };
  for (let i = 0; i < 30; i++) many[`x-h${i}`] = 'v';
  const res = await viaProxy({ proxyPort: proxy.port, url: `http://allowed.test:${origin.port}/small`, headers: many });
  assert.equal(res.status, 431);
  await stillServing();
});

test('upstream failures: unknown host 502, refused 502, no answer 504 — each a page naming the host', async () => {
  const auth = { 'proxy-authorization': proxy.aliceAuth };
  const dns = await viaProxy({ proxyPort: proxy.port, url: 'http://no-such-host.invalid/', headers: auth });
  assert.equal(dns.status, 502);
  assert.equal(dns.headers['x-wardgate-error'], 'WF_ERR_UPSTREAM_DNS');
  assert.match(dns.text, /no-such-host\.invalid/);
  const refused = await viaProxy({ proxyPort: proxy.port, url: `http://refused.test:${closedPort}/`, headers: auth });
  assert.equal(refused.status, 502);
  assert.equal(refused.headers['x-wardgate-error'], 'WF_ERR_UPSTREAM_REFUSED');
  assert.match(refused.text, /refused\.test/);
  const hang = await viaProxy({ proxyPort: proxy.port, url: `http://allowed.test:${origin.port}/hang`, headers: auth });
  assert.equal(hang.status, 504);
  assert.equal(hang.headers['x-wardgate-error'], 'WF_ERR_UPSTREAM_TIMEOUT');
  const line = await proxy.decisions.waitFor((l) => l.error === 'WF_ERR_UPSTREAM_TIMEOUT');
  assert.equal(line.status, 504);
  await stillServing();
});

test('a client that disconnects mid-response does not disturb the proxy', async () => {
  const socket = await openRaw(proxy.port);
  socket.write(`GET http://allowed.test:${origin.port}/bytes?n=${64 * 1024 * 1024} HTTP/1.1\r\nHost: a\r\nProxy-Authorization: ${proxy.aliceAuth}\r\n\r\n`);
  await readUntil(socket, (r) => r.length > 100_000);
  socket.destroy();
  const line = await proxy.decisions.waitFor((l) => l.error === 'client-aborted');
  assert.equal(line.decision, 'allow');
  await stillServing();
});
