/**
 * The self-service host over real sockets: a CONNECT to it is refused by the
 * proxy itself (403 saying the pages are plain HTTP), whatever its spelling or
 * port and with or without credentials, and never opens a connection — the
 * host is mapped (--resolve) to a live origin on an allowed port here, so a
 * lookup-and-connect would have answered 200. Requests to the host, pages and
 * refused tunnels alike, are counted in /metrics as `decision="self-service"`,
 * not as allowed, blocked or refused browsing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { openRaw, readUntil } from '../helpers/raw-client.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';

const HOST = 'wardgate.invalid';
let origin: Origin;
let proxy: Harness;

before(async () => {
  origin = await startOrigin();
  proxy = await startHarness({
    resolve: [{ host: HOST, address: '127.0.0.1' }],
    connectPorts: [443, origin.port],
  });
});
after(async () => {
  await proxy.stop();
  await origin.close();
});

/** Sends one CONNECT on a raw socket and returns everything the proxy wrote before closing (bounded in time). */
async function connectTo(authority: string, headers: Record<string, string> = {}, done: (received: string) => boolean = () => false): Promise<string> {
  const socket = await openRaw(proxy.port);
  try {
    const lines = Object.entries({ host: authority, ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`CONNECT ${authority} HTTP/1.1\r\n${lines}\r\n`);
    return await readUntil(socket, done, 5_000); // by default until the proxy closes the connection
  } finally {
    socket.destroy();
  }
}

function scrape(): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.wardgate.adminAddress!.port, path: '/metrics', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** One sample of `wardgate_requests_total` (0 when absent), by exact labels. */
function requests(text: string, decision: string, kind: string): number {
  const line = text.split('\n').find((l) => l.startsWith('wardgate_requests_total{') && l.includes(`decision="${decision}"`) && l.includes(`kind="${kind}"`) && l.includes('category=""'));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

function durationCount(text: string, decision: string, kind: string): number {
  const line = text.split('\n').find((l) => l.startsWith('wardgate_request_duration_seconds_count{') && l.includes(`decision="${decision}"`) && l.includes(`kind="${kind}"`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

async function linesWritten(count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (proxy.decisions.lines.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

test('a CONNECT to the self-service host is refused with 403 and a pointer to the plain-HTTP page, never tunnelled', async () => {
  // The control: the same origin through an ordinary allowed host is tunnelled (so the port and the mapping work).
  const beforeControl = proxy.decisions.lines.length;
  const control = await connectTo(`127.0.0.1:${origin.port}`, { 'proxy-authorization': proxy.aliceAuth }, (r) => r.includes('\r\n\r\n'));
  assert.match(control, /^HTTP\/1\.1 200 Connection Established\r\n/);
  await linesWritten(beforeControl + 1); // the tunnel's line, written when it closes

  const before = proxy.decisions.lines.length;
  const spellings = [`${HOST}:443`, `${HOST}:${origin.port}`, `WARDGATE.Invalid.:443`];
  for (const authority of spellings) {
    const withAndWithoutCredentials: Record<string, string>[] = [{ 'proxy-authorization': proxy.aliceAuth }, {}];
    for (const headers of withAndWithoutCredentials) {
      const answer = await connectTo(authority, headers);
      assert.match(answer, /^HTTP\/1\.1 403 Forbidden\r\n/, `${authority}: ${answer.slice(0, 80)}`);
      assert.match(answer, /\r\nconnection: close\r\n/i);
      assert.doesNotMatch(answer, /200 Connection Established/);
      const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      assert.match(body, /Not available over HTTPS/);
      assert.match(body, /plain HTTP only/);
      assert.match(body, /http:\/\/wardgate\.invalid\/requests/);
    }
  }
  await linesWritten(before + spellings.length * 2);
  const lines = proxy.decisions.lines.slice(before);
  assert.equal(lines.length, spellings.length * 2);
  for (const line of lines) {
    assert.deepEqual(
      [line.type, line.method, line.host, line.action, line.status, line.error, line.member],
      ['self-service', 'CONNECT', HOST, 'forbidden', 403, 'https-not-served', null],
    );
  }
});

test('/metrics counts self-service pages and refused tunnels as decision="self-service", apart from browsing', async () => {
  const start = await scrape();
  const counted = (text: string) => ({
    pagesHttp: requests(text, 'self-service', 'http'),
    tunnels: requests(text, 'self-service', 'connect'),
    allowHttp: requests(text, 'allow', 'http'),
    refuseHttp: requests(text, 'refuse', 'http'),
    allowConnect: requests(text, 'allow', 'connect'),
    blockConnect: requests(text, 'block', 'connect'),
    durations: durationCount(text, 'self-service', 'http') + durationCount(text, 'self-service', 'connect'),
  });
  const before = counted(start);
  const lineCount = proxy.decisions.lines.length;

  const page = await viaProxy({ proxyPort: proxy.port, url: `http://${HOST}/requests`, headers: { 'proxy-authorization': proxy.aliceAuth } });
  assert.equal(page.status, 200);
  const anonymous = await viaProxy({ proxyPort: proxy.port, url: `http://${HOST}/requests` });
  assert.equal(anonymous.status, 407, 'nobody identified: still the self-service page answering');
  const missing = await viaProxy({ proxyPort: proxy.port, url: `http://${HOST}/nope`, headers: { 'proxy-authorization': proxy.aliceAuth } });
  assert.equal(missing.status, 404);
  assert.match(await connectTo(`${HOST}:443`), /^HTTP\/1\.1 403 /);
  await linesWritten(lineCount + 4);

  const after = counted(await scrape());
  assert.deepEqual(after, {
    ...before,
    pagesHttp: before.pagesHttp + 3,
    tunnels: before.tunnels + 1,
    durations: before.durations + 4,
  });
});

/** Sends one Upgrade request on a raw socket and returns what the proxy wrote before closing. */
async function upgradeTo(url: string, headers: Record<string, string> = {}): Promise<string> {
  const socket = await openRaw(proxy.port);
  try {
    const lines = Object.entries({ host: new URL(url).host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(`GET ${url} HTTP/1.1\r\n${lines}\r\n`);
    return await readUntil(socket, () => false, 5_000);
  } finally {
    socket.destroy();
  }
}

test('an Upgrade (WebSocket) to the self-service host is refused with 403 before any lookup', async () => {
  const before = proxy.decisions.lines.length;
  const urls = [`http://${HOST}/requests`, `ws://${HOST}/socket`, `http://WARDGATE.invalid.:${origin.port}/`];
  for (const url of urls) {
    const answer = await upgradeTo(url, { 'proxy-authorization': proxy.aliceAuth });
    assert.match(answer, /^HTTP\/1\.1 403 Forbidden\r\n/, `${url}: ${answer.slice(0, 80)}`);
    assert.doesNotMatch(answer, /101 Switching Protocols/);
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    assert.match(body, /not WebSocket or other upgraded connections/);
    assert.match(body, /http:\/\/wardgate\.invalid\/requests/);
  }
  await linesWritten(before + urls.length);
  const lines = proxy.decisions.lines.slice(before);
  assert.equal(lines.length, urls.length);
  for (const line of lines) {
    assert.deepEqual([line.type, line.method, line.host, line.action, line.status, line.error], ['self-service', 'GET', HOST, 'forbidden', 403, 'upgrade-not-served']);
  }
});

test('the self-service pages answer under a trailing-dot spelling of the host too', async () => {
  const page = await viaProxy({ proxyPort: proxy.port, url: `http://${HOST}./requests`, headers: { 'proxy-authorization': proxy.aliceAuth } });
  assert.equal(page.status, 200);
  assert.match(page.body.toString('utf8'), /request/i);
  const lookalike = await viaProxy({ proxyPort: proxy.port, url: `http://${HOST}.example/requests`, headers: { 'proxy-authorization': proxy.aliceAuth } });
  assert.notEqual(lookalike.status, 200, 'another host that merely starts with the name is not the self-service host');
});
