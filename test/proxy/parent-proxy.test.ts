import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { startParentProxy, type ParentProxy } from '../helpers/parent-proxy.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { readUntil } from '../helpers/raw-client.ts';

let origin: Origin;
let parent: ParentProxy;
let proxy: Harness;

before(async () => {
  origin = await startOrigin();
  parent = await startParentProxy(origin.port);
  proxy = await startHarness({ parentProxy: { host: '127.0.0.1', port: parent.port } });
});
after(async () => {
  await proxy.stop();
  await parent.close();
  await origin.close();
});

test('allowed HTTP goes through the parent proxy in absolute form (names need not resolve locally)', async () => {
  const res = await viaProxy({ proxyPort: proxy.port, url: 'http://www.example.org/small', headers: { 'proxy-authorization': proxy.aliceAuth } });
  assert.equal(res.status, 200);
  assert.equal(res.body.length, 1024);
  assert.ok(parent.requests.includes('GET http://www.example.org/small'), parent.requests.join('\n'));
});

test('blocked HTTP never reaches the parent', async () => {
  const before = parent.requests.length;
  const res = await viaProxy({ proxyPort: proxy.port, url: 'http://blocked-porn.test/', headers: { 'proxy-authorization': proxy.aliceAuth } });
  assert.equal(res.status, 403);
  assert.equal(parent.requests.length, before);
});

test('allowed CONNECT is chained through the parent with its own CONNECT', async () => {
  const { statusCode, socket } = await new Promise<{ statusCode: number; socket: import('node:net').Socket }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: 'secure.example.org:443', headers: { 'proxy-authorization': proxy.aliceAuth } });
    req.on('connect', (res, s) => resolve({ statusCode: res.statusCode ?? 0, socket: s }));
    req.on('error', reject);
    req.end();
  });
  assert.equal(statusCode, 200);
  socket.write('GET /small HTTP/1.1\r\nHost: secure.example.org\r\nConnection: close\r\n\r\n');
  const answer = await readUntil(socket, () => false);
  assert.match(answer, /^HTTP\/1\.1 200 OK/);
  assert.ok(parent.requests.includes('CONNECT secure.example.org:443'));
});
