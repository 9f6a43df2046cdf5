import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_NOT_IN_TEXT, type DomainColumns } from '../../src/classify/list-input.ts';
import { canonicalHost } from '../../src/classify/normalise-url.ts';
import {
  fastCanonicalHost,
  InvalidEntry,
  looksLikeHostsEntry,
  parseDomainColumns,
  parseDomainList,
  parseExceptionList,
  parseHostEntry,
  parseHostsEntry,
  parseKeywordList,
  parseListFile,
  parseUrlEntry,
  parseUrlList,
  scanDomainList,
} from '../../src/lists/parse-list.ts';
import { mulberry32 } from '../helpers/prng.ts';

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

test('fastCanonicalHost agrees with canonicalHost wherever it answers (seeded fuzz)', () => {
  const rand = mulberry32(Number(process.env.WARDGATE_FUZZ_SEED ?? 0x11575));
  // Heavy on the characters and shapes at the fast path's edges: digits, hex, x/n, hyphens, dots.
  const alphabet = 'abcxnz0123456789-_.AXN0x'.split('');
  const pieces = ['xn--', 'xn--bcher-kva', '0x', '0x1f', '127', '255', 'www', '-', '.', '..', 'a'.repeat(63), 'b'.repeat(64), 'é', ' ', '*', '%41'];
  let answered = 0;
  for (let i = 0; i < 20_000; i++) {
    let host = '';
    const parts = 1 + Math.floor(rand() * 6);
    for (let p = 0; p < parts; p++) {
      host += rand() < 0.25 ? pieces[Math.floor(rand() * pieces.length)]! : alphabet[Math.floor(rand() * alphabet.length)]!.repeat(1 + Math.floor(rand() * 4));
    }
    const fast = fastCanonicalHost(host);
    if (fast === null) continue;
    answered++;
    assert.equal(fast, canonicalHost(host), `fast path disagrees on ${JSON.stringify(host)}`);
  }
  assert.ok(answered > 1000, `the fast path answered only ${answered} times: the fuzz no longer exercises it`);
});

test('fastCanonicalHost leaves IPv4 spellings, punycode, empty labels and long labels to the slow path', () => {
  for (const host of ['1.2.3.4', 'a.0x1f', 'example.123', 'xn--bcher-kva.test', 'a..b', '.a', 'a.', `${'a'.repeat(64)}.test`, 'bücher.test', '*.a.test', '']) {
    assert.equal(fastCanonicalHost(host), null, host);
  }
  assert.equal(fastCanonicalHost('Example.COM'), 'example.com');
  assert.equal(fastCanonicalHost('under_score-1.x0y.test'), 'under_score-1.x0y.test');
  // The slow path reads an `0x…` last label as IPv4, so this is not a host at all.
  assert.ok(parseHostEntry('a.0x1F') instanceof InvalidEntry);
});

test('hosts entries: the address, then every name; the machine\'s own names are ignored', () => {
  assert.deepEqual(parseHostsEntry('0.0.0.0 Bad.Example'), ['bad.example']);
  assert.deepEqual(parseHostsEntry('127.0.0.1\tone.example two.example'), ['one.example', 'two.example']);
  assert.deepEqual(parseHostsEntry('127.0.0.1 localhost'), []);
  assert.deepEqual(parseHostsEntry('::1 ip6-localhost ip6-loopback'), []);
  assert.deepEqual(parseHostsEntry('bare.example'), ['bare.example']);
  assert.ok(parseHostsEntry('10.1.2.3 printer.lan') instanceof InvalidEntry);
  assert.ok(parseHostsEntry('0.0.0.0 bad host!') instanceof InvalidEntry);
  assert.equal(looksLikeHostsEntry('0.0.0.0 a.example'), true);
  assert.equal(looksLikeHostsEntry('a.example'), false);
  assert.equal(looksLikeHostsEntry('a.example/path x'), false);
});

test('a URL entry\'s text reads back as exactly the same rule', () => {
  for (const raw of ['http://WWW.Example.com:8080/A%20B/?q=x#frag', 'www.www.example.com/x', 'example.com/', '0x7f.1/admin', 'bücher.test/Straße']) {
    const first = parseUrlEntry(raw);
    assert.ok(!(first instanceof InvalidEntry), raw);
    const again = parseUrlEntry(first.text);
    assert.ok(!(again instanceof InvalidEntry), first.text);
    assert.deepEqual({ ...again, text: '' }, { ...first, text: '' }, raw);
    assert.ok(/^[\x21-\x7e]+$/.test(first.text), `${first.text} is printable ASCII`);
  }
});

test('scanDomainList visits the same hosts and lines as parseDomainList, with the same diagnostics', () => {
  const text = '# c\nA.test\nnot a host\n0x7f.1\n\n.dotted.test # note\n';
  const seen: [string, number][] = [];
  const diagnostics = scanDomainList(text, 'x/domains', (host, line) => seen.push([host, line]));
  const parsed = parseDomainList(text, 'x/domains');
  assert.deepEqual(seen, parsed.entries.map((e) => [e.host, e.line]));
  assert.deepEqual(diagnostics, parsed.diagnostics);
});

function columnRows(columns: DomainColumns): [string, number][] {
  const rows: [string, number][] = [];
  for (let i = 0; i < columns.length; i++) rows.push([columns.hostAt(i), columns.lineAt(i)]);
  return rows;
}

test('parseDomainColumns: CRLF, blank lines, comments, bad lines with their line numbers, no final newline', () => {
  const text = [
    '\ufeff# header', // 1 (byte-order mark)
    'plain.test\r', // 2
    '', // 3
    '\r', // 4
    '   \t', // 5
    'Upper.TEST', // 6: canonical only once lower-cased
    '.dotted.test # squidGuard style', // 7
    'not a host', // 8: bad
    '1.2.3.4', // 9: an IP literal
    'sub.plain.test # note', // 10
    '*.wild.test', // 11: bad
    'last.test', // 12, no final newline
  ].join('\n');
  const { entries, diagnostics } = parseDomainColumns(text, 'sex/domains');
  assert.equal(entries.file, 'sex/domains');
  assert.deepEqual(columnRows(entries), [
    ['plain.test', 2],
    ['upper.test', 6],
    ['dotted.test', 7],
    ['1.2.3.4', 9],
    ['sub.plain.test', 10],
    ['last.test', 12],
  ]);
  assert.deepEqual(diagnostics.map((d) => [d.file, d.line]), [['sex/domains', 8], ['sex/domains', 11]]);
  assert.match(diagnostics[1]!.message, /wildcard/);
  // Lines that are nothing but a canonical host stay in the text; the others are strings of their own.
  const inText = [...entries.end.subarray(0, entries.length)].map((end) => end !== HOST_NOT_IN_TEXT);
  assert.deepEqual(inText, [true, false, false, false, false, true]);
  assert.equal(entries.text, text);
});

test('parseDomainColumns: an empty text, or only comments, gives no entries', () => {
  for (const text of ['', '\n', '\ufeff', '# only\r\n  # comments\n']) {
    const { entries, diagnostics } = parseDomainColumns(text, 'x/domains');
    assert.equal(entries.length, 0, JSON.stringify(text));
    assert.deepEqual(diagnostics, []);
  }
});

test('parseDomainColumns grows past its first guess at the number of lines', () => {
  // Short lines: many more entries than text.length / 24.
  const hosts = Array.from({ length: 5000 }, (_, i) => `h${i}.t`);
  const { entries } = parseDomainColumns(hosts.join('\n'), 'x/domains');
  assert.deepEqual(columnRows(entries).map(([host]) => host), hosts);
  assert.equal(entries.lineAt(4999), 5000);
});

test('parseDomainColumns agrees with the line-by-line parser on hosts, lines and diagnostics (seeded fuzz)', () => {
  const rand = mulberry32(Number(process.env.WARDGATE_FUZZ_SEED ?? 0xc01));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  // Lines at the edges of the plain-host path: case, dots, numbers, punycode, lengths, spaces, comments, junk.
  const lines = [
    'a.test', 'x-y_z.example.co.uk', 'A.test', 'a.TEST', '.a.test', 'a.test.', 'a..test', '-a.test', 'a-.test', '1.2.3.4', '0x7f.1', 'a.0x1f',
    'a.123', '123.a', 'xn--bcher-kva.test', 'XN--bcher-kva.test', 'xn--zz.test', 'bücher.test', '[::1]', '::1', 'a.test#x', 'a.test #x', '# c',
    ' a.test', 'a.test ', '\ta.test\t', 'a test', '*.a.test', 'http://a.test/', 'a.test:80', 'a/b', '', ' ', 'é', '\u00a0a.test', 'a.test\u00a0',
    `${'a'.repeat(63)}.test`, `${'a'.repeat(64)}.test`, `${'a.'.repeat(125)}ab`, `${'a.'.repeat(126)}ab`, '\ufeffa.test', 'a\u2028b.test',
  ];
  for (let round = 0; round < 300; round++) {
    const count = Math.floor(rand() * 40);
    let text = rand() < 0.1 ? '\ufeff' : '';
    for (let i = 0; i < count; i++) {
      let line = pick(lines);
      if (rand() < 0.3) line = line.replace(/[a-z]/, (c) => c.toUpperCase());
      text += line + (i === count - 1 && rand() < 0.5 ? '' : rand() < 0.3 ? '\r\n' : '\n');
    }
    const expected: [string, number][] = [];
    const expectedDiagnostics = scanDomainList(text, 'x/domains', (host, line) => expected.push([host, line]));
    const { entries, diagnostics } = parseDomainColumns(text, 'x/domains');
    assert.deepEqual(columnRows(entries), expected, JSON.stringify(text));
    assert.deepEqual(diagnostics, expectedDiagnostics, JSON.stringify(text));
    assert.deepEqual(parseDomainList(text, 'x/domains').entries, expected.map(([host, line]) => ({ host, file: 'x/domains', line })));
  }
});
