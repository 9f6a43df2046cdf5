import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { viaProxy } from '../helpers/proxy-client.ts';

let origin: Origin;
let proxy: Harness;

const HOSTS = ['allowed.test', 'blocked-porn.test', 'www.blocked-porn.test', 'chat-room.test', 'casino.test', 'trusted.test', 'never-grant.test'];

before(async () => {
  origin = await startOrigin();
  proxy = await startHarness({ resolve: HOSTS.map((host) => ({ host, address: '127.0.0.1' })) });
});
after(async () => {
  await proxy.stop();
  await origin.close();
});

function get(url: string) {
  return viaProxy({ proxyPort: proxy.port, url, headers: { 'proxy-authorization': proxy.aliceAuth } });
}

test('a listed domain (and its subdomains) is blocked with 403 and a block page, and never reaches upstream', async () => {
  const hitsBefore = origin.hits.length;
  for (const host of ['blocked-porn.test', 'www.blocked-porn.test', 'WWW.Blocked-Porn.TEST.']) {
    const res = await get(`http://${host}:${origin.port}/small`);
    assert.equal(res.status, 403, host);
    assert.equal(res.headers['x-wardgate-decision'], 'block');
    assert.equal(res.headers['x-wardgate-categories'], 'pornography');
    assert.match(res.text, /Pornography/);
    assert.match(res.text, /sexually arousing or erotic/);
    assert.match(res.text, /Alice Example/);
    assert.match(res.text, /Group Support Manager/);
    assert.match(res.text, /Labour/);
  }
  assert.equal(origin.hits.length, hitsBefore, 'no blocked request reached the origin');
  const line = await proxy.decisions.waitFor((l) => l.host === 'blocked-porn.test');
  assert.equal(line.decision, 'block');
  assert.deepEqual(line.categories, ['pornography']);
  assert.deepEqual(line.rule, { list: 'pornography', kind: 'domain', entry: 'blocked-porn.test', file: 'pornography/domains', line: 2 });
  assert.equal(line.status, 403);
});

test('the block page escapes the URL', async () => {
  const res = await get(`http://blocked-porn.test:${origin.port}/"><script>alert(1)</script>`);
  assert.equal(res.status, 403);
  assert.doesNotMatch(res.text, /<script>alert/);
});

test('keywords match whole words in the path and query, never place names', async () => {
  const hitsBefore = origin.hits.length;
  const blocked = await get(`http://allowed.test:${origin.port}/search?q=fuck+this`);
  assert.equal(blocked.status, 403);
  assert.equal(blocked.headers['x-wardgate-categories'], 'profanity');
  assert.equal(origin.hits.length, hitsBefore);
  const encoded = await get(`http://allowed.test:${origin.port}/search?q=%66%75%63%6B`);
  assert.equal(encoded.status, 403, 'percent-encoding does not hide a keyword');

  for (const path of ['/places/scunthorpe', '/sussex/news', '/echo?town=Penistone']) {
    const res = await get(`http://allowed.test:${origin.port}${path}`);
    assert.notEqual(res.status, 403, path);
  }
});

test('trusted sites are never blocked by keyword heuristics', async () => {
  const res = await get(`http://trusted.test:${origin.port}/echo?q=fuck`);
  assert.equal(res.status, 200);
});

test('optional categories are not enforced unless configured', async () => {
  const res = await get(`http://casino.test:${origin.port}/small`);
  assert.equal(res.status, 200);
  const line = await proxy.decisions.waitFor((l) => l.host === 'casino.test');
  assert.equal(line.decision, 'allow');
  assert.equal(line.reason, 'not-enforced');
});

test('a non-grantable sub-list says access cannot be granted', async () => {
  const res = await get(`http://never-grant.test:${origin.port}/`);
  assert.equal(res.status, 403);
  assert.equal(res.headers['x-wardgate-categories'], 'illegal');
  assert.match(res.text, /cannot be granted/);
  assert.doesNotMatch(res.text, /ask for an exclusion/i);
});

test('every spelling of a listed IP address is blocked (decimal, hex, octal, IPv4-mapped IPv6)', async () => {
  for (const spelling of ['127.0.0.9', '2130706441', '0x7f.0.0.9', '0177.0.0.011', '0x7f000009', '[::ffff:127.0.0.9]']) {
    const res = await get(`http://${spelling}:${origin.port}/small`);
    assert.equal(res.status, 403, spelling);
  }
  const lines = proxy.decisions.lines.filter((l) => l.host === '127.0.0.9');
  assert.equal(lines.length, 6, 'all logged under the canonical dotted quad');
});
