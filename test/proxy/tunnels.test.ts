import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { openRaw, readUntil, readWsText, wsTextFrame } from '../helpers/raw-client.ts';

let origin: Origin;
let proxy: Harness;
let connections = 0;

before(async () => {
  origin = await startOrigin();
  origin.server.on('connection', () => connections++);
  proxy = await startHarness({
    connectPorts: [443, origin.port],
    resolve: ['allowed.test', 'blocked-porn.test', 'chat-room.test'].map((host) => ({ host, address: '127.0.0.1' })),
  });
});
after(async () => {
  await proxy.stop();
  await origin.close();
});

function connectVia(authority: string, auth: string | undefined): Promise<{ res: IncomingMessage; socket: Socket; head: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: authority, headers: auth === undefined ? {} : { 'proxy-authorization': auth } });
    req.on('connect', (res, socket, head) => resolve({ res, socket, head }));
    req.on('error', reject);
    req.end();
  });
}

test('an allowed CONNECT opens a tunnel that carries bytes both ways', async () => {
  const { res, socket } = await connectVia(`allowed.test:${origin.port}`, proxy.aliceAuth);
  assert.equal(res.statusCode, 200);
  socket.write(`GET /small HTTP/1.1\r\nHost: allowed.test\r\nConnection: close\r\n\r\n`);
  const answer = await readUntil(socket, () => false);
  assert.match(answer, /^HTTP\/1\.1 200 OK/);
  assert.ok(answer.endsWith('a'.repeat(1024)));
  const line = await proxy.decisions.waitFor((l) => l.kind === 'connect' && l.decision === 'allow');
  assert.equal(line.target, `https://allowed.test:${origin.port}`);
  assert.equal(line.status, 200);
  assert.ok((line.bytesOut as number) > 1024);
  assert.ok((line.bytesIn as number) > 0);
});

test('a blocked CONNECT gets 403 with the decision headers and no connection is made upstream', async () => {
  const before = connections;
  const { res, socket } = await connectVia(`blocked-porn.test:${origin.port}`, proxy.aliceAuth);
  assert.equal(res.statusCode, 403);
  assert.equal(res.headers['x-wardgate-decision'], 'block');
  assert.equal(res.headers['x-wardgate-categories'], 'pornography');
  socket.destroy();
  assert.equal(connections, before);
});

test('CONNECT to a port not on the allowed list is refused', async () => {
  const { res, socket } = await connectVia('allowed.test:25', proxy.aliceAuth);
  assert.equal(res.statusCode, 403);
  socket.destroy();
  const line = await proxy.decisions.waitFor((l) => l.reason === 'port-not-allowed');
  assert.equal(line.decision, 'block');
});

test('CONNECT without credentials gets 407; a malformed CONNECT target gets 400', async () => {
  const anonymous = await connectVia(`allowed.test:${origin.port}`, undefined);
  assert.equal(anonymous.res.statusCode, 407);
  anonymous.socket.destroy();
  const malformed = await connectVia('no-port-here', proxy.aliceAuth);
  assert.equal(malformed.res.statusCode, 400);
  malformed.socket.destroy();
});

function handshake(path: string, key: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: ignored\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nProxy-Authorization: ${proxy.aliceAuth}\r\n\r\n`
  );
}

test('an allowed WebSocket upgrade over plain HTTP is relayed and echoes messages', async () => {
  const socket = await openRaw(proxy.port);
  const key = Buffer.from('wardgate-testkey').toString('base64');
  socket.write(handshake(`http://allowed.test:${origin.port}/ws`, key));
  const head = await readUntil(socket, (r) => r.includes('\r\n\r\n'));
  assert.match(head, /^HTTP\/1\.1 101 /);
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  assert.match(head, new RegExp(`Sec-WebSocket-Accept: ${accept.replace(/[+/]/g, '\\$&')}`, 'i'));
  const reply = new Promise<Buffer>((resolve) => socket.once('data', resolve));
  socket.write(wsTextFrame('hello through wardgate'));
  assert.equal(readWsText(await reply), 'hello through wardgate');
  socket.destroy();
  const line = await proxy.decisions.waitFor((l) => l.kind === 'upgrade' && l.decision === 'allow');
  assert.equal(line.status, 101);
});

test('a blocked WebSocket upgrade gets 403 and never reaches the origin', async () => {
  const hitsBefore = origin.hits.length;
  const socket = await openRaw(proxy.port);
  socket.write(handshake(`http://chat-room.test:${origin.port}/ws`, Buffer.from('another-key-1234').toString('base64')));
  const answer = await readUntil(socket, (r) => r.includes('</html>'));
  assert.match(answer, /^HTTP\/1\.1 403 /);
  assert.match(answer, /x-wardgate-categories: chat/i);
  socket.destroy();
  assert.equal(origin.hits.length, hitsBefore);
});
