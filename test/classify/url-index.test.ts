import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuleMatch } from '../../src/classify/classification.ts';
import { normaliseAuthority, normaliseUrl } from '../../src/classify/normalise-url.ts';
import type { Target } from '../../src/classify/target.ts';
import { UrlPrefixIndex, stripWww } from '../../src/classify/url-index.ts';

function rule(host: string, pathPrefix: string): { host: string; pathPrefix: string; match: RuleMatch } {
  const match: RuleMatch = { category: 'pornography', list: 'pornography', kind: 'url', entry: host + pathPrefix, file: 'pornography/urls', line: 1, grantable: true, source: 'local' };
  return { host, pathPrefix, match };
}

function entries(idx: UrlPrefixIndex, target: Target): string[] {
  const out: RuleMatch[] = [];
  idx.lookup(target.host, target.isIp, target.matchPath, out);
  return out.map((m) => m.entry);
}

const url = (raw: string): Target => normaliseUrl(raw);

test('stripWww drops one leading www. but never leaves a bare TLD', () => {
  assert.equal(stripWww('www.example.com'), 'example.com');
  assert.equal(stripWww('www.www.example.com'), 'www.example.com');
  assert.equal(stripWww('www.com'), 'www.com');
  assert.equal(stripWww('wwwexample.com'), 'wwwexample.com');
  assert.equal(stripWww('example.com'), 'example.com');
  assert.equal(stripWww('www.'), 'www.');
});

test('a prefix matches its host, subdomains and www. spelling, and only under the prefix', () => {
  const idx = new UrlPrefixIndex([rule('example.test', '/adult/')]);
  assert.deepEqual(entries(idx, url('http://example.test/adult/page')), ['example.test/adult/']);
  assert.deepEqual(entries(idx, url('http://www.example.test/adult/')), ['example.test/adult/']);
  assert.deepEqual(entries(idx, url('https://shop.example.test:8443/adult/x?y=1')), ['example.test/adult/']);
  assert.deepEqual(entries(idx, url('http://example.test/adults')), []);
  assert.deepEqual(entries(idx, url('http://example.test/')), []);
  assert.deepEqual(entries(idx, url('http://notexample.test/adult/')), []);
  assert.deepEqual(entries(idx, url('http://example.test.evil/adult/')), []);
});

test('prefixes compare against the decoded, lower-cased matchPath', () => {
  const idx = new UrlPrefixIndex([rule('example.test', '/gallery x/'), rule('example.test', '/search?q=bad')]);
  assert.deepEqual(entries(idx, url('http://example.test/Gallery%20X/1')), ['example.test/gallery x/']);
  assert.deepEqual(entries(idx, url('http://example.test/search?Q=%42ad+stuff')), ['example.test/search?q=bad']);
});

test('plain string prefixes: /bad covers /badger (write /bad/ to stop at a segment)', () => {
  const idx = new UrlPrefixIndex([rule('example.test', '/bad')]);
  assert.deepEqual(entries(idx, url('http://example.test/badger')), ['example.test/bad']);
});

test('most specific host first, then longest prefix first', () => {
  const idx = new UrlPrefixIndex([
    rule('example.test', '/a'),
    rule('example.test', '/a/b/'),
    rule('sub.example.test', '/a'),
    rule('example.test', '/z'),
  ]);
  assert.deepEqual(entries(idx, url('http://sub.example.test/a/b/c')), ['sub.example.test/a', 'example.test/a/b/', 'example.test/a']);
});

test('CONNECT targets have no path and never match a URL rule', () => {
  const idx = new UrlPrefixIndex([rule('example.test', '/')]);
  assert.deepEqual(entries(idx, normaliseAuthority('example.test:443')), []);
});

test('IP hosts match only their own entries', () => {
  const idx = new UrlPrefixIndex([rule('127.0.0.1', '/admin')]);
  assert.deepEqual(entries(idx, url('http://0x7f.1/admin/x')), ['127.0.0.1/admin']);
  assert.deepEqual(entries(idx, url('http://127.0.0.2/admin/x')), []);
});

test('empty path prefixes are not URL rules and size counts the rest', () => {
  const idx = new UrlPrefixIndex([rule('example.test', ''), rule('example.test', '/x')]);
  assert.equal(idx.size, 1);
  assert.deepEqual(entries(idx, url('http://example.test/y')), []);
});
