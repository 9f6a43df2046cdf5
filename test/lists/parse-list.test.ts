import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDomainList, parseExceptionList, parseKeywordList, parseListFile, parseUrlList } from '../../src/lists/parse-list.ts';

test('domains: comments, blank lines, canonical hosts', () => {
  const text = '# header\n\nExample.COM.\r\nbücher.test  # trailing comment\n  0x7f.1\n.dotted.test\n[::1]\nunder_score.test\n';
  const { entries, diagnostics } = parseDomainList(text, 'sex/domains');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    entries.map((e) => [e.host, e.line, e.file]),
    [
      ['example.com', 3, 'sex/domains'],
      ['xn--bcher-kva.test', 4, 'sex/domains'],
      ['127.0.0.1', 5, 'sex/domains'],
      ['dotted.test', 6, 'sex/domains'],
      ['[::1]', 7, 'sex/domains'],
      ['under_score.test', 8, 'sex/domains'],
    ],
  );
});

test('domains: bad lines are diagnostics with exact lines, and skipped', () => {
  const text = 'good.test\nnot a host\n*.wild.test\nexa$mple.test\nhttp://x.test/\nhost:80\n1.2.3.4.5\nstill-good.test';
  const { entries, diagnostics } = parseDomainList(text, 'sex/domains');
  assert.deepEqual(entries.map((e) => e.host), ['good.test', 'still-good.test']);
  assert.deepEqual(diagnostics.map((d) => [d.file, d.line]), [2, 3, 4, 5, 6, 7].map((line) => ['sex/domains', line]));
  assert.match(diagnostics[1]!.message, /wildcard/);
});

test('a # inside an entry is not a comment, one after whitespace is', () => {
  const { entries } = parseUrlList('a.test/page#frag\na.test/x # note\n#a.test/y', 'chat/urls');
  assert.deepEqual(entries.map((e) => e.entry), ['a.test/page', 'a.test/x']);
});

test('urls: scheme, www. and port dropped; path decoded once and lower-cased', () => {
  const text = [
    'http://www.Mixed.test/Adult/',
    'mixed.test:8080/Gallery%20X',
    'https://mixed.test/a/../b?Q=%41%2520',
    'www.café.test/Café',
    '[::1]:8080/admin',
    'mixed.test?q=x',
  ].join('\n');
  const { entries, diagnostics } = parseUrlList(text, 'sex/urls');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    entries.map((e) => [e.host, e.pathPrefix, e.entry, e.line]),
    [
      ['mixed.test', '/adult/', 'mixed.test/adult/', 1],
      ['mixed.test', '/gallery x', 'mixed.test/gallery x', 2],
      ['mixed.test', '/b?q=a%20', 'mixed.test/b?q=a%20', 3],
      ['xn--caf-dma.test', '/café', 'xn--caf-dma.test/café', 4],
      ['[::1]', '/admin', '[::1]/admin', 5],
      ['mixed.test', '/?q=x', 'mixed.test/?q=x', 6],
    ],
  );
});

test('urls: an entry without a path is a domain entry (pathPrefix "")', () => {
  const { entries } = parseUrlList('whole.test/\nhttps://www.only-host.test\nwww.com/x', 'sex/urls');
  assert.deepEqual(entries.map((e) => [e.host, e.pathPrefix]), [['whole.test', ''], ['only-host.test', ''], ['www.com', '/x']]);
});

test('urls: bad host, user name, bad port are diagnostics', () => {
  const { entries, diagnostics } = parseUrlList('bad host.test/x\nuser@a.test/x\na.test:http/x\n*.a.test/x\n/just/a/path\nok.test/x', 'sex/urls');
  assert.deepEqual(entries.map((e) => e.entry), ['ok.test/x']);
  assert.deepEqual(diagnostics.map((d) => d.line), [1, 2, 3, 4, 5]);
});

test('keywords: words, phrases, hyphens, prefixes; lower-cased', () => {
  const { entries, diagnostics } = parseKeywordList("Sex\nFree  Porn\nporn*\nhard core*\nself-harm\ndon't\nСЕКС\ncafé", 'sex/keywords');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    entries.map((e) => [e.words, e.prefix, e.entry, e.line]),
    [
      [['sex'], false, 'sex', 1],
      [['free', 'porn'], false, 'free porn', 2],
      [['porn'], true, 'porn*', 3],
      [['hard', 'core'], true, 'hard core*', 4],
      [['self', 'harm'], false, 'self-harm', 5],
      [["don't"], false, "don't", 6],
      [['секс'], false, 'секс', 7],
      [['café'], false, 'café', 8],
    ],
  );
});

test('keywords: bad characters and misplaced * are diagnostics', () => {
  const text = 'porn?\nbad*word\n*\nporn *\nfree.porn\n\'tis\nok\nemoji😀\na_b\nrock\'\'n';
  const { entries, diagnostics } = parseKeywordList(text, 'sex/keywords');
  assert.deepEqual(entries.map((e) => e.entry), ['ok']);
  assert.deepEqual(diagnostics.map((d) => d.line), [1, 2, 3, 4, 5, 6, 8, 9, 10]);
  assert.ok(diagnostics.every((d) => d.file === 'sex/keywords' && d.message.length > 0));
});

test('exceptions: single words only', () => {
  const { entries, diagnostics } = parseExceptionList('Essex\nsussex # county\nmiddle sex\ncock*\nstoke-on-trent', '_exceptions/keywords');
  assert.deepEqual(entries, ['essex', 'sussex']);
  assert.deepEqual(diagnostics.map((d) => d.line), [3, 4, 5]);
});

test('a byte-order mark, CRLF and a missing final newline are fine', () => {
  const { entries, diagnostics } = parseDomainList('\ufeffa.test\r\nb.test', 'sex/domains');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(entries.map((e) => e.host), ['a.test', 'b.test']);
});

test('parseListFile dispatches by kind', () => {
  assert.equal(parseListFile('domains', 'a.test', 'x/domains').entries[0]!.host, 'a.test');
  assert.equal(parseListFile('urls', 'a.test/x', 'x/urls').entries[0]!.pathPrefix, '/x');
  assert.equal(parseListFile('keywords', 'x*', 'x/keywords').entries[0]!.prefix, true);
  assert.deepEqual(parseListFile('domains', '', 'x/domains'), { entries: [], diagnostics: [] });
});
