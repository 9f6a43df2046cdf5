/**
 * Seeded invariant fuzz: the charCode fast path (normalise-url-fast.ts) against
 * the WHATWG reference (normalise-url-reference.ts). For every input, either
 * both produce deep-equal results or both reject with WF_ERR_BAD_TARGET; and
 * wherever the fast path answers by itself, the reference agrees. Inputs are
 * random and adversarial: mixed case, trailing and empty labels, IPv4 in every
 * spelling, IPv6, IDN, userinfo, percent escapes (malformed too), dot
 * segments, ports at and past the edges, control characters, `?`/`#`
 * placement, very long labels, and random mutations of plain URLs.
 *
 * The seed is fixed so a failure reproduces; WARDGATE_FUZZ_SEED=n runs another.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHost, isIpLiteral, normaliseAuthority, normaliseUrl } from '../../src/classify/normalise-url.ts';
import { fastCanonicalHost, fastNormaliseAuthority, fastNormaliseUrl } from '../../src/classify/normalise-url-fast.ts';
import {
  referenceCanonicalHost,
  referenceIsIpLiteral,
  referenceNormaliseAuthority,
  referenceNormaliseUrl,
} from '../../src/classify/normalise-url-reference.ts';
import { isWfError } from '../../src/errors.ts';
import { mulberry32 } from '../helpers/prng.ts';

const SEED = Number(process.env['WARDGATE_FUZZ_SEED'] ?? 0x5eed_0003);
const URL_CASES = 60_000;
const AUTHORITY_CASES = 50_000;
const HOST_CASES = 50_000;

class Gen {
  readonly next: () => number;
  /** Scales the odd-input probabilities (`rare`): each case is drawn tame (0.1) or wild (1). */
  odd = 1;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  rare(p: number): boolean {
    return this.next() < p * this.odd;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  repeat(min: number, max: number, part: () => string, sep = ''): string {
    const n = min + this.int(max - min + 1);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(part());
    return out.join(sep);
  }
}

const LABEL_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-_ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ODD_HOST_CHARS = ['%', '%41', '%2e', '%zz', '!', '$', '&', "'", '(', '*', '+', ',', ';', '=', '~', '^', '|', '<', '>', '`', '{', '"',
  ' ', '\t', '\n', '\r', '\0', '\x01', '\x7f', '\\', '@', '[', ']', 'ü', 'Ü', 'ß', 'İ', 'Ａ', '．', '。', '\u00ad', '\u200d', '\ufeff', '\u0000', '😀', '\ud800'];
const IDN_LABELS = ['bücher', 'BÜCHER', 'xn--bcher-kva', 'XN--BCHER-KVA', 'xn--', 'xn--abc', 'xn--a', 'xn--ls8h', 'Xn--zz-zz', 'xn-ab',
  'ab--cd', 'xn--ls8h-', 'мир', 'faß', '例え', 'xn--80ak6aa92e'];
const TLDS = ['com', 'org', 'co.uk', 'gov.uk', 'example', 'COM', 'Uk', 'io', 'local', 'x', 'a1', '1a', '0x', '0X1F', '09', '1e3', 'localhost'];

function label(g: Gen): string {
  if (g.rare(0.04)) return g.pick(IDN_LABELS);
  if (g.chance(0.01)) return 'a'.repeat(60 + g.int(10));
  if (g.chance(0.003)) return 'b'.repeat(250 + g.int(10));
  let s = g.repeat(1, 12, () => LABEL_CHARS[g.int(g.chance(0.85) ? 38 : LABEL_CHARS.length)]!);
  if (g.rare(0.03)) {
    const at = g.int(s.length + 1);
    s = s.slice(0, at) + g.pick(ODD_HOST_CHARS) + s.slice(at);
  }
  return s;
}

function ipv4Part(g: Gen, max: number): string {
  const v = g.chance(0.1) ? max + g.int(3) : g.int(max + 1);
  switch (g.int(6)) {
    case 0:
      return `0x${v.toString(16)}`;
    case 1:
      return `0X${v.toString(16).toUpperCase()}`;
    case 2:
      return `0${v.toString(8)}`;
    default:
      return String(v);
  }
}

function ipv4(g: Gen): string {
  if (g.chance(0.5)) return `${g.int(256)}.${g.int(256)}.${g.int(256)}.${g.int(256)}`;
  switch (g.int(6)) {
    case 0:
      return ipv4Part(g, 0xffffffff);
    case 1:
      return `${ipv4Part(g, 255)}.${ipv4Part(g, 0xffffff)}`;
    case 2:
      return `${ipv4Part(g, 255)}.${ipv4Part(g, 255)}.${ipv4Part(g, 0xffff)}`;
    case 3:
      return g.repeat(4, 4, () => ipv4Part(g, 255), '.');
    case 4:
      return g.repeat(1, 6, () => (g.chance(0.8) ? String(g.int(300)) : ''), '.');
    default:
      return `${g.int(256)}.${g.int(256)}.${g.int(256)}.${g.int(256)}${g.pick(['.', '..', '.a', '.0x', '.1a', '.x1', ':', '.256', '.00'])}`;
  }
}

function ipv6(g: Gen): string {
  return g.pick([
    '[::1]', '[::]', '[2001:DB8::1]', '[2001:db8:0:0:0:0:0:1]', '[::ffff:127.0.0.1]', '[::FFFF:7f00:1]', '[0:0:0:0:0:ffff:10.1.2.3]',
    '[::ffff:1.2.3]', '[::1', '::1]', '[::1]]', '[fe80::1%25eth0]', '[:::1]', '[1:2:3:4:5:6:7:8:9]', '[v1.x]', '[::ffff:ffff:ffff]', '[]',
  ]);
}

function host(g: Gen): string {
  const kind = g.int(20);
  let h: string;
  if (kind < 3) h = g.rare(1) ? ipv4(g) : `${g.int(256)}.${g.int(256)}.${g.int(256)}.${g.int(256)}`;
  else if (kind < 4 && g.rare(1)) h = ipv6(g);
  else if (kind < 5 && g.rare(1)) h = g.pick(['', '.', '..', '.a.com', 'a..b', 'a...com', '-', '_', '-a-.com', 'localhost', 'x', 'A', '0', '1.2.3.4.5', 'a.1', 'a.-1']);
  else h = g.repeat(0, 3, () => label(g), '.') + (g.chance(0.7) ? `${g.chance(0.9) ? '.' : ''}${g.pick(TLDS)}` : '');
  if (h.startsWith('.') && kind >= 5 && g.chance(0.8)) h = h.slice(1);
  if (g.chance(0.1)) h += g.pick(['.', '..', '...']);
  if (g.chance(0.03)) h = 'c'.repeat(240 + g.int(20)) + '.com';
  return h;
}

function port(g: Gen): string {
  if (!g.rare(0.4)) return g.chance(0.1) ? `:${g.pick(['80', '443', '8080', '3128'])}` : '';
  return `:${g.pick(['', '80', '443', '8080', '0', '1', '65535', '65536', '99999', '080', '0443', '00000000080', '8a', '-1', '+80', ' 80', '1e3', '0x50', String(g.int(70000))])}`;
}

const SEGMENTS = ['a', 'B', 'index.html', 'Path', '', '.', '..', '...', '%2e', '%2E', '.%2e', '%2e.', '%2e%2E', '.%2E.', '.well-known', '..a',
  '%41', '%7e', '%zz', '%', '%4', '%E2%82', '%E2%82%AC', '%ff%fe', '%2f', '%2F%2e', '%00', 'ü', 'İ', ' ', '\t', '\n', '"', "'", '<', '>', '`',
  '{', '}', '^', '|', '\\', ';', '=', '@', ':', '[', ']', '~', '!', '$', '&', '*', '+', ',', '(', ')', 'a@b', 'C:', 'x;y=1', '\x7f', '\x01'];
const QUERY_PARTS = ['q=1', 'Q=%46%55%43%4B', 'a=b&c=d', '', '?', '/', "'", '"', '<', '>', '`', '{', '}', '^', '|', '%', '%zz', ' ', '\t',
  'ü', '..', '.', '%2e', '@', ':', '[', ']', '\\', 'x=http://y/', 'UPPER', '~'];
const FRAGMENTS = ['', '#', '#x', '#A?b', '#/../x', '# sp', '#\t', '#ü', '#\x01', '#\ud800', '##', '#?q'];

function pathAndMore(g: Gen): string {
  let s = '';
  if (g.chance(0.85)) s += `/${g.repeat(0, 5, () => (g.rare(0.3) ? g.pick(SEGMENTS) : label(g)), '/')}`;
  if (g.chance(0.05)) s += '/';
  if (g.chance(0.35)) s += `?${g.repeat(0, 3, () => (g.rare(1) ? g.pick(QUERY_PARTS) : label(g)), g.pick(['&', '', '?', '/']))}`;
  if (g.chance(0.15)) s += g.pick(FRAGMENTS);
  return s;
}

const SCHEMES = ['http://', 'https://', 'ws://', 'wss://', 'HTTP://', 'HtTpS://', 'Ws://', 'WSS://'];
const ODD_SCHEMES = ['', '', '', 'ftp://', 'http:/', 'http:///', 'http:', 'https:\\\\', 'javascript:', 'file://', 'httpx://', 'w://', 'wsss://', 'h://', 'http//', '//'];

function mutate(g: Gen, s: string): string {
  const n = 1 + g.int(3);
  for (let k = 0; k < n; k++) {
    const at = g.int(s.length + 1);
    const op = g.int(3);
    const ch = g.chance(0.5) ? String.fromCharCode(g.int(128)) : g.pick([...ODD_HOST_CHARS, '/', '?', '#', ':', '.', '%2e', '%']);
    if (op === 0) s = s.slice(0, at) + ch + s.slice(at);
    else if (op === 1) s = s.slice(0, at) + s.slice(at + 1);
    else s = s.slice(0, at) + ch + s.slice(at + 1);
  }
  return s;
}

function url(g: Gen): string {
  g.odd = g.chance(0.5) ? 1 : 0.1;
  const scheme = g.rare(0.15) ? g.pick(ODD_SCHEMES) : g.pick(SCHEMES);
  const userinfo = g.rare(0.04) ? g.pick(['user@', 'user:secret@', ':@', '@', 'a@b@', 'evil.com@']) : '';
  let s = scheme + userinfo + host(g) + port(g) + pathAndMore(g);
  if (g.rare(0.15)) s = mutate(g, s);
  if (g.rare(0.03)) s = g.pick([' ', '\t', '\n', '\u00a0', '\ufeff', '\x01']) + s;
  if (g.rare(0.03)) s += g.pick([' ', '\t', '\n', '\u00a0', '\u2028', '\x01']);
  return s;
}

function authority(g: Gen): string {
  g.odd = g.chance(0.5) ? 1 : 0.1;
  const odd = ['443', '8443', '80', '0', '1', '65535', '65536', '99999', '0443', '000443', '', '44 3', '443/x', 'https', String(g.int(70000))];
  let s = host(g) + (g.rare(0.1) ? '' : `:${g.rare(1) ? g.pick(odd) : g.pick(['443', '8443', '80'])}`);
  if (g.rare(0.03)) s = `${g.pick(['user@', 'a:b@'])}${s}`;
  if (g.rare(0.1)) s = mutate(g, s);
  if (g.rare(0.03)) s = ` ${s}\t`;
  return s;
}

function listEntry(g: Gen): string {
  g.odd = g.chance(0.5) ? 1 : 0.1;
  let s = host(g);
  if (g.rare(0.1)) s = mutate(g, s);
  if (g.rare(0.03)) s = ` ${s}\r`;
  return s;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

function outcome<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (!isWfError(error, 'WF_ERR_BAD_TARGET')) throw error;
    assert.equal(error.httpStatus, 400);
    return { ok: false, code: error.code, message: error.message };
  }
}

function shown(raw: string): string {
  return `input ${JSON.stringify(raw)} (seed ${SEED})`;
}

test(`fast normaliseUrl agrees with the WHATWG reference on ${URL_CASES} seeded cases`, () => {
  const g = new Gen(SEED);
  let fastAnswered = 0;
  for (let n = 0; n < URL_CASES; n++) {
    const raw = url(g);
    const assumeHttp = g.chance(0.3);
    const reference = outcome(() => referenceNormaliseUrl(raw, { assumeHttp }));
    assert.deepEqual(outcome(() => normaliseUrl(raw, { assumeHttp })), reference, shown(raw));
    const fast = fastNormaliseUrl(raw, assumeHttp);
    if (fast !== null) {
      fastAnswered++;
      assert.deepEqual({ ok: true, value: fast }, reference, `fast path accepted ${shown(raw)}`);
    }
    if (reference.ok) assert.equal(isIpLiteral(reference.value.host), reference.value.isIp, shown(raw));
  }
  // The generator must exercise both paths, or agreement proves little.
  assert.ok(fastAnswered > URL_CASES * 0.25, `fast path answered ${fastAnswered}`);
  assert.ok(fastAnswered < URL_CASES * 0.8, `fast path answered ${fastAnswered}`);
});

test(`fast normaliseAuthority agrees with the WHATWG reference on ${AUTHORITY_CASES} seeded cases`, () => {
  const g = new Gen(SEED + 1);
  let fastAnswered = 0;
  for (let n = 0; n < AUTHORITY_CASES; n++) {
    const raw = authority(g);
    const reference = outcome(() => referenceNormaliseAuthority(raw));
    assert.deepEqual(outcome(() => normaliseAuthority(raw)), reference, shown(raw));
    const fast = fastNormaliseAuthority(raw);
    if (fast !== null) {
      fastAnswered++;
      assert.deepEqual({ ok: true, value: fast }, reference, `fast path accepted ${shown(raw)}`);
    }
  }
  assert.ok(fastAnswered > AUTHORITY_CASES * 0.25, `fast path answered ${fastAnswered}`);
  assert.ok(fastAnswered < AUTHORITY_CASES * 0.8, `fast path answered ${fastAnswered}`);
});

test(`fast canonicalHost agrees with the WHATWG reference on ${HOST_CASES} seeded cases`, () => {
  const g = new Gen(SEED + 2);
  let fastAnswered = 0;
  for (let n = 0; n < HOST_CASES; n++) {
    const raw = listEntry(g);
    const reference = referenceCanonicalHost(raw);
    assert.equal(canonicalHost(raw), reference, shown(raw));
    const fast = fastCanonicalHost(raw);
    if (fast !== undefined) {
      fastAnswered++;
      assert.equal(fast, reference, `fast path accepted ${shown(raw)}`);
    }
    assert.equal(isIpLiteral(raw), referenceIsIpLiteral(raw), shown(raw));
  }
  assert.ok(fastAnswered > HOST_CASES * 0.25, `fast path answered ${fastAnswered}`);
  assert.ok(fastAnswered < HOST_CASES * 0.8, `fast path answered ${fastAnswered}`);
});

/** Hand-picked edges, each checked the same way (and kept if the generator drifts). */
const EDGE_URLS = [
  'http://example.com', 'http://example.com?', 'http://example.com?#', 'http://example.com/x?', 'http://example.com/x?#y', 'http://example.com#?x',
  'http://example.com:/x', 'http://example.com:080/x', 'http://example.com:0/', 'http://example.com:65535/', 'http://example.com:65536/',
  'http://example.com:00000000080/', 'ws://example.com:80/', 'wss://example.com:443/', 'wss://example.com:80/', 'http://a..b/', 'http://.a/',
  'http://a.com../', 'http://1.2.3.4/', 'http://1.2.3.4./', 'http://1.2.3.4../', 'http://01.2.3.4/', 'http://1.2.3.256/', 'http://1.2.3/',
  'http://a.0x/', 'http://a.1a/', 'http://a.09/', 'http://xn--abc/', 'http://xn--bcher-kva.de/', 'http:///example.com/', 'http:\\\\example.com\\',
  'http://example.com/%2e/x', 'http://example.com/x/%2E%2e', 'http://example.com/.well-known/x', 'http://example.com/a/.%2e/b',
  "http://example.com/o'reilly?q='", 'http://example.com/^|', 'http://example.com/?^|`{}', 'http://example.com/x#\x01 \ud800',
  'HTTP://EXAMPLE.COM/A?B#C', 'http://user@example.com/', 'http://example.com/@x', 'http://' + 'a'.repeat(63) + '.com/', 'http://' + 'a'.repeat(254) + '/',
  'http://' + 'a'.repeat(253) + '/', 'http://' + 'a'.repeat(253) + '../', 'example.com', 'example.com/x?u=http://y', 'https:/example.com', 'http:example.com',
  'example.com:8080/Path', '/path', '', ' ', 'http://', 'http://:80/', 'http://?x', 'http://#x', 'http://a_b.com/', 'http://-.com/',
];

test('hand-picked edges agree between the fast path and the reference', () => {
  for (const raw of EDGE_URLS) {
    for (const assumeHttp of [false, true]) {
      assert.deepEqual(outcome(() => normaliseUrl(raw, { assumeHttp })), outcome(() => referenceNormaliseUrl(raw, { assumeHttp })), shown(raw));
    }
  }
  const authorities = ['a.com:443', 'A.COM.:0443', 'a.com:000443', 'a.com:0', 'a.com:65536', '1.2.3.4:80', '1.2.3.4.:80', '0x7f.1:443', 'a.com:',
    ':443', 'a.com:44a'];
  for (const raw of authorities) {
    assert.deepEqual(outcome(() => normaliseAuthority(raw)), outcome(() => referenceNormaliseAuthority(raw)), shown(raw));
  }
  const hosts = ['Example.COM.', 'a..b', '.a', '...', 'xn--abc', '1.2.3.4', '1.2.3.4.', '127.1', 'a.0x', 'a_b', '-', 'a'.repeat(254), `${'a'.repeat(253)}.`];
  for (const raw of hosts) {
    assert.equal(canonicalHost(raw), referenceCanonicalHost(raw), shown(raw));
  }
});

test('fast paths answer the plain cases themselves', () => {
  assert.notEqual(fastNormaliseUrl('http://Example.COM./A%20b?Q', false), null);
  assert.notEqual(fastNormaliseUrl('example.com/x', true), null);
  assert.notEqual(fastNormaliseUrl('https://10.0.0.1:8443/', false), null);
  assert.notEqual(fastNormaliseAuthority('Example.com:443'), null);
  assert.equal(fastCanonicalHost('Example.COM.'), 'example.com');
  const plain = 'ads.example.com';
  assert.equal(fastCanonicalHost(plain), plain);
  // …and leave the unusual ones to the reference.
  for (const raw of ['http://bücher.de/', 'http://0x7f.1/', 'http://[::1]/', 'http://u@e.com/', 'http://e.com/a/../b', 'http://e%41.com/']) {
    assert.equal(fastNormaliseUrl(raw, false), null, raw);
  }
});

test('matchPath skips decoding and lower-casing when there is nothing to do', () => {
  const raw = 'http://example.com/plain/path?q=1';
  const t = normaliseUrl(raw);
  assert.equal(t.matchPath, t.path);
  assert.equal(normaliseUrl('http://example.com/A%41?Q').matchPath, '/aa?q');
  assert.equal(normaliseUrl('http://example.com/Upper').matchPath, '/upper');
});
