import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuleMatch } from '../../src/classify/classification.ts';
import { normaliseAuthority, normaliseUrl } from '../../src/classify/normalise-url.ts';
import type { Target } from '../../src/classify/target.ts';
import { UrlPrefixIndex, stripWww } from '../../src/classify/url-index.ts';
import { buildUrlTable } from '../../src/classify/url-table.ts';

function rule(host: string, pathPrefix: string): { host: string; pathPrefix: string; match: RuleMatch } {
  const match: RuleMatch = { category: 'pornography', list: 'pornography', kind: 'url', entry: host + pathPrefix, file: 'pornography/urls', line: 1, grantable: true, source: 'local' };
  return { host, pathPrefix, match };
}

/** An index over `rules`; a rule's line in the table is its place in `rules`, which gives its match back. */
function indexOf(rules: readonly { host: string; pathPrefix: string; match: RuleMatch }[]): UrlPrefixIndex {
  const table = buildUrlTable(rules.map((r, i) => ({ host: r.host, pathPrefix: r.pathPrefix, entry: r.match.entry, source: 0, line: i })));
  return new UrlPrefixIndex(table, (r) => rules[table.line[r]!]!.match);
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
  const idx = indexOf([rule('example.test', '/adult/')]);
  assert.deepEqual(entries(idx, url('http://example.test/adult/page')), ['example.test/adult/']);
  assert.deepEqual(entries(idx, url('http://www.example.test/adult/')), ['example.test/adult/']);
  assert.deepEqual(entries(idx, url('https://shop.example.test:8443/adult/x?y=1')), ['example.test/adult/']);
  assert.deepEqual(entries(idx, url('http://example.test/adults')), []);
  assert.deepEqual(entries(idx, url('http://example.test/')), []);
  assert.deepEqual(entries(idx, url('http://notexample.test/adult/')), []);
  assert.deepEqual(entries(idx, url('http://example.test.evil/adult/')), []);
});

test('prefixes compare against the decoded, lower-cased matchPath', () => {
  const idx = indexOf([rule('example.test', '/gallery x/'), rule('example.test', '/search?q=bad')]);
  assert.deepEqual(entries(idx, url('http://example.test/Gallery%20X/1')), ['example.test/gallery x/']);
  assert.deepEqual(entries(idx, url('http://example.test/search?Q=%42ad+stuff')), ['example.test/search?q=bad']);
});

test('plain string prefixes: /bad covers /badger (write /bad/ to stop at a segment)', () => {
  const idx = indexOf([rule('example.test', '/bad')]);
  assert.deepEqual(entries(idx, url('http://example.test/badger')), ['example.test/bad']);
});

test('most specific host first, then longest prefix first', () => {
  const idx = indexOf([
    rule('example.test', '/a'),
    rule('example.test', '/a/b/'),
    rule('sub.example.test', '/a'),
    rule('example.test', '/z'),
  ]);
  assert.deepEqual(entries(idx, url('http://sub.example.test/a/b/c')), ['sub.example.test/a', 'example.test/a/b/', 'example.test/a']);
});

test('CONNECT targets have no path and never match a URL rule', () => {
  const idx = indexOf([rule('example.test', '/')]);
  assert.deepEqual(entries(idx, normaliseAuthority('example.test:443')), []);
});

test('IP hosts match only their own entries', () => {
  const idx = indexOf([rule('127.0.0.1', '/admin')]);
  assert.deepEqual(entries(idx, url('http://0x7f.1/admin/x')), ['127.0.0.1/admin']);
  assert.deepEqual(entries(idx, url('http://127.0.0.2/admin/x')), []);
});

test('empty path prefixes are not URL rules and size counts the rest', () => {
  const idx = indexOf([rule('example.test', ''), rule('example.test', '/x')]);
  assert.equal(idx.size, 1);
  assert.deepEqual(entries(idx, url('http://example.test/y')), []);
});

test('a host with many prefixes (sorted search) finds exactly what a scan of every prefix finds, in the same order', async () => {
  const { mulberry32 } = await import('../helpers/prng.ts');
  const rand = mulberry32(20261123);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  // Small alphabet so prefixes collide: short ones, ones ending mid-segment, with queries, duplicates.
  const parts = ['/', 'a', 'ab', 'b', '?', '?q=', '=', 'x', '/a', '/ab', '&'];
  const piece = (): string => {
    let p = '/';
    for (let i = Math.floor(rand() * 5); i > 0; i--) p += pick(parts);
    return p;
  };
  for (let round = 0; round < 20; round++) {
    const rules = Array.from({ length: 17 + Math.floor(rand() * 200) }, (_, i) => {
      const r = rule(pick(['big.test', 'sub.big.test']), piece());
      return { ...r, match: { ...r.match, line: i + 1 } };
    });
    const idx = indexOf(rules);
    for (let q = 0; q < 300; q++) {
      const target = url(`http://${pick(['big.test', 'sub.big.test', 'www.sub.big.test', 'other.test'])}${piece()}${piece()}`);
      const expected: RuleMatch[] = [];
      // Reference: most specific host first, then longest prefix first, list order within a length.
      for (const host of ['sub.big.test', 'big.test']) {
        if (!(stripWww(target.host) === host || stripWww(target.host).endsWith(`.${host}`))) continue;
        const own = rules.filter((r) => r.host === host).sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
        for (const r of own) if (target.matchPath.startsWith(r.pathPrefix)) expected.push(r.match);
      }
      const out: RuleMatch[] = [];
      idx.lookup(target.host, target.isIp, target.matchPath, out);
      assert.deepEqual(out.map((m) => `${m.entry}#${m.line}`), expected.map((m) => `${m.entry}#${m.line}`), `${target.url} round ${round}`);
    }
  }
});
