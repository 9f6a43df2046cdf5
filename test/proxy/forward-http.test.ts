import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { viaProxy } from '../helpers/proxy-client.ts';

let origin: Origin;
let proxy: Harness;
let base: string;

before(async () => {
  origin = await startOrigin();
  proxy = await startHarness({ resolve: [{ host: 'allowed.test', address: '127.0.0.1' }] });
  base = `http://allowed.test:${origin.port}`;
});
after(async () => {
  await proxy.stop();
  await origin.close();
});

test('an allowed GET is forwarded and the body streamed back', async () => {
  const res = await viaProxy({ proxyPort: proxy.port, url: `${base}/small`, headers: { 'proxy-authorization': proxy.aliceAuth } });
  assert.equal(res.status, 200);
  assert.equal(res.body.length, 1024);
  assert.match(String(res.headers.via), /1\.1 wardgate/);
  const line = await proxy.decisions.waitFor((l) => l.target === `${base}/small`);
  assert.equal(line.decision, 'allow');
  assert.equal(line.member, 'alice');
  assert.equal(line.group, 'labour');
  assert.equal(line.client, '127.0.0.1');
  assert.equal(line.status, 200);
  assert.equal(line.bytesOut, 1024);
  assert.equal(line.method, 'GET');
  assert.equal(typeof line.durationMs, 'number');
  assert.equal(typeof line.time, 'number');
});

test('hop-by-hop headers stop at the proxy both ways; Host follows the absolute URL; credentials never go upstream', async () => {
  const res = await viaProxy({
    proxyPort: proxy.port,
    url: `${base}/echo`,
    headers: {
      'proxy-authorization': proxy.aliceAuth,
      host: 'wrong.example',
      connection: 'keep-alive, x-secret-hop',
      'x-secret-hop': 'drop me',
      'keep-alive': 'timeout=5',
      'x-end-to-end': 'keep me',
      te: 'trailers',
    },
  });
  const echoed = JSON.parse(res.text) as { headers: Record<string, string> };
  assert.equal(echoed.headers.host, `allowed.test:${origin.port}`);
  assert.equal(echoed.headers['proxy-authorization'], undefined);
  assert.equal(echoed.headers['x-secret-hop'], undefined);
  assert.equal(echoed.headers['keep-alive'], undefined);
  assert.equal(echoed.headers.te, undefined);
  assert.equal(echoed.headers['x-end-to-end'], 'keep me');
  assert.match(echoed.headers.via ?? '', /1\.1 wardgate/);
  // The origin named x-drop-me in its Connection header: it must not reach the client.
  assert.equal(res.headers['x-drop-me'], undefined);
  assert.equal(res.headers['x-origin'], 'yes');
});

test('request bodies are forwarded, with content-length and chunked', async () => {
  const fixed = await viaProxy({ proxyPort: proxy.port, url: `${base}/echo`, method: 'POST', body: 'hello=world', headers: { 'proxy-authorization': proxy.aliceAuth } });
  assert.equal((JSON.parse(fixed.text) as { body: string }).body, 'hello=world');

  const chunked = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.port, method: 'PUT', path: `${base}/echo`, headers: { 'proxy-authorization': proxy.aliceAuth } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.write('part-1;');
    setTimeout(() => req.end('part-2'), 20);
  });
  assert.equal((JSON.parse(chunked) as { body: string }).body, 'part-1;part-2');
  const line = await proxy.decisions.waitFor((l) => l.method === 'PUT');
  assert.equal(line.bytesIn, 'part-1;part-2'.length);
});

test('chunked responses, HEAD, 204 and 304 come through intact', async () => {
  const auth = { 'proxy-authorization': proxy.aliceAuth };
  const chunked = await viaProxy({ proxyPort: proxy.port, url: `${base}/chunked`, headers: auth });
  assert.equal(chunked.text, 'one,two,three');
  const head = await viaProxy({ proxyPort: proxy.port, url: `${base}/small`, method: 'HEAD', headers: auth });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '1024');
  assert.equal(head.body.length, 0);
  const noContent = await viaProxy({ proxyPort: proxy.port, url: `${base}/status?code=204`, headers: auth });
  assert.equal(noContent.status, 204);
  const notModified = await viaProxy({ proxyPort: proxy.port, url: `${base}/status?code=304`, headers: auth });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.body.length, 0);
});

test('Expect: 100-continue gets 100 only after the request is allowed', async () => {
  const continued = await new Promise<{ sawContinue: boolean; body: string }>((resolve, reject) => {
    let sawContinue = false;
    const req = request({
      host: '127.0.0.1',
      port: proxy.port,
      method: 'POST',
      path: `${base}/echo`,
      headers: { 'proxy-authorization': proxy.aliceAuth, expect: '100-continue', 'content-length': 4 },
    });
    req.on('continue', () => {
      sawContinue = true;
      req.end('data');
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ sawContinue, body }));
    });
    req.on('error', reject);
  });
  assert.equal(continued.sawContinue, true);
  assert.equal((JSON.parse(continued.body) as { body: string }).body, 'data');
});

test('keep-alive: several requests on one client connection are each decided and answered', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<unknown>();
  for (let i = 0; i < 3; i++) {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: proxy.port, path: `${base}/small?i=${i}`, agent, headers: { 'proxy-authorization': proxy.aliceAuth } }, (r) => {
        sockets.add(r.socket);
        r.resume();
        r.on('end', () => resolve(r.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
  }
  agent.destroy();
  assert.equal(sockets.size, 1, 'all three requests used one connection');
  for (let i = 0; i < 3; i++) await proxy.decisions.waitFor((l) => l.target === `${base}/small?i=${i}`);
});

test('a 32 MiB response streams through complete', async () => {
  const size = 32 * 1024 * 1024;
  const received = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.port, path: `${base}/bytes?n=${size}`, headers: { 'proxy-authorization': proxy.aliceAuth } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => resolve(n));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(received, size);
  const line = await proxy.decisions.waitFor((l) => String(l.target).includes('/bytes?n='));
  assert.equal(line.bytesOut, size);
});

test('the proxy answers origin-form requests itself with 400 and never forwards them', async () => {
  const hitsBefore = origin.hits.length;
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.port, path: '/small' }, (r) => {
      r.resume();
      resolve(r.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 400);
  assert.equal(origin.hits.length, hitsBefore);
});
