import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHost, decodeOnce, normaliseAuthority, normaliseUrl } from '../../src/classify/normalise-url.ts';
import { isWfError } from '../../src/errors.ts';

const HOST_SPELLINGS: [string, string][] = [
  ['http://EXAMPLE.COM/', 'example.com'],
  ['http://example.com./', 'example.com'],
  ['http://example.com../', 'example.com'],
  ['http://bücher.de/', 'xn--bcher-kva.de'],
  ['http://BÜCHER.de./', 'xn--bcher-kva.de'],
  ['http://%65xample.com/', 'example.com'],
  ['http://user:secret@example.com/', 'example.com'],
  ['http://2130706433/', '127.0.0.1'],
  ['http://0x7f000001/', '127.0.0.1'],
  ['http://0x7f.0x0.0x0.0x1/', '127.0.0.1'],
  ['http://0177.0.0.1/', '127.0.0.1'],
  ['http://0177.0000.0000.0001/', '127.0.0.1'],
  ['http://127.1/', '127.0.0.1'],
  ['http://127.0.1/', '127.0.0.1'],
  ['http://[::ffff:127.0.0.1]/', '127.0.0.1'],
  ['http://[::FFFF:7f00:1]/', '127.0.0.1'],
  ['http://[0:0:0:0:0:ffff:10.1.2.3]/', '10.1.2.3'],
  ['http://[2001:DB8::1]/', '[2001:db8::1]'],
];

for (const [raw, host] of HOST_SPELLINGS) {
  test(`host spelling ${raw} → ${host}`, () => {
    assert.equal(normaliseUrl(raw).host, host);
  });
}

test('IP literals are flagged, names are not', () => {
  assert.equal(normaliseUrl('http://0x7f.1/').isIp, true);
  assert.equal(normaliseUrl('http://[::1]/').isIp, true);
  assert.equal(normaliseUrl('http://1.2.3.4.example/').isIp, false);
});

test('default ports are dropped, others kept', () => {
  assert.equal(normaliseUrl('http://example.com:80/x').authority, 'example.com');
  assert.equal(normaliseUrl('https://example.com:443/x').authority, 'example.com');
  assert.equal(normaliseUrl('http://example.com:8080/x').authority, 'example.com:8080');
  assert.equal(normaliseUrl('http://example.com:8080/x').port, 8080);
  assert.equal(normaliseUrl('https://example.com/x').port, 443);
  assert.equal(normaliseUrl('http://example.com:443/').authority, 'example.com:443');
});

test('path: dot segments resolved, fragment dropped, matchPath decoded once and lower-cased', () => {
  const t = normaliseUrl('http://example.com/a/./b/../C%20D?Q=%46%55%43%4B#frag');
  assert.equal(t.path, '/a/C%20D?Q=%46%55%43%4B');
  assert.equal(t.matchPath, '/a/c d?q=fuck');
  assert.equal(t.url, 'http://example.com/a/C%20D?Q=%46%55%43%4B');
  // Decoded once only: a double-encoded %2546 stays %46 in matchPath.
  assert.equal(normaliseUrl('http://e.com/%2546').matchPath, '/%46');
});

test('malformed escapes and invalid UTF-8 never throw', () => {
  assert.equal(decodeOnce('/a%zz%41'), '/a%zzA');
  assert.equal(decodeOnce('/%E2%82'), '/\uFFFD');
  assert.equal(normaliseUrl('http://e.com/%ff%fe?x=%').matchPath.startsWith('/'), true);
});

test('bare host/path is read as http only when asked', () => {
  assert.equal(normaliseUrl('Example.com/Path', { assumeHttp: true }).url, 'http://example.com/Path');
  assert.throws(() => normaliseUrl('example.com/path'), (e) => isWfError(e, 'WF_ERR_BAD_TARGET'));
});

test('bad targets throw WF_ERR_BAD_TARGET with status 400', () => {
  for (const bad of ['ftp://example.com/', 'http://', 'http://exa mple.com/', 'http://[::1/', 'http://example.com:99999/', '', 'javascript:alert(1)']) {
    assert.throws(
      () => normaliseUrl(bad),
      (e) => isWfError(e, 'WF_ERR_BAD_TARGET') && e.httpStatus === 400,
      bad,
    );
  }
});

test('CONNECT authorities', () => {
  const t = normaliseAuthority('Example.COM.:443');
  assert.equal(t.host, 'example.com');
  assert.equal(t.authority, 'example.com');
  assert.equal(t.port, 443);
  assert.equal(t.path, '');
  assert.equal(t.url, 'https://example.com');
  assert.equal(normaliseAuthority('0x7f.1:8443').authority, '127.0.0.1:8443');
  assert.equal(normaliseAuthority('[::ffff:127.0.0.1]:443').host, '127.0.0.1');
  assert.equal(normaliseAuthority('[2001:db8::1]:443').host, '[2001:db8::1]');
  for (const bad of ['example.com', 'example.com:', ':443', 'example.com:https', 'a/b:443', 'user@example.com:443', 'example.com:443/x', '[::1]']) {
    assert.throws(() => normaliseAuthority(bad), (e) => isWfError(e, 'WF_ERR_BAD_TARGET'), bad);
  }
});

test('canonicalHost for list entries follows the same rules', () => {
  assert.equal(canonicalHost('Bücher.DE.'), 'xn--bcher-kva.de');
  assert.equal(canonicalHost('0x7f.1'), '127.0.0.1');
  assert.equal(canonicalHost('xxx'), 'xxx');
  assert.equal(canonicalHost('under_score.example'), 'under_score.example');
  for (const bad of ['', 'a/b', 'a b', 'user@host', 'host:80', 'a%20b']) assert.equal(canonicalHost(bad), null, bad);
});

test('edges the fast path must agree on: empty query, bare colon, punycode, IPv4 look-alikes', () => {
  assert.equal(normaliseUrl('http://example.com/x?#frag').url, 'http://example.com/x');
  assert.equal(normaliseUrl('http://example.com?').url, 'http://example.com/');
  assert.equal(normaliseUrl('http://example.com:/x').authority, 'example.com');
  assert.equal(normaliseUrl('http://example.com:0080/x').authority, 'example.com');
  assert.equal(normaliseUrl('http://XN--BCHER-KVA.de/').host, 'xn--bcher-kva.de');
  assert.equal(normaliseUrl('http://1.2.3.4./').host, '1.2.3.4');
  assert.equal(normaliseUrl('http://a.1a/').isIp, false);
  assert.equal(canonicalHost('ADS.Example.COM..'), 'ads.example.com');
  for (const bad of ['http://xn--abc/', 'http://a.0x/', 'http://1.2.3.256/', 'http://example.com:0/']) {
    assert.throws(() => normaliseUrl(bad), (e) => isWfError(e, 'WF_ERR_BAD_TARGET'), bad);
  }
  assert.equal(canonicalHost('xn--abc'), null);
});
