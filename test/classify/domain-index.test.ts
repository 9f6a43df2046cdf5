import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomainSuffixIndex, createHostSet } from '../../src/classify/domain-index.ts';
import { DomainTableBuilder, isIpHost } from '../../src/classify/domain-table-builder.ts';
import { validateTable, type DomainTable } from '../../src/classify/domain-table.ts';
import { HostSuffixes } from '../../src/classify/host-suffixes.ts';
import { stripWww } from '../../src/classify/url-index.ts';
import { canonicalHost, isIpLiteral } from '../../src/classify/normalise-url.ts';
import { isWfError } from '../../src/errors.ts';
import { mulberry32 } from '../helpers/prng.ts';

function index(hosts: string[]): DomainSuffixIndex<string> {
  return new DomainSuffixIndex(hosts.map((host) => ({ host, value: host })));
}

function lookup(idx: DomainSuffixIndex<string>, host: string): string[] {
  const out: string[] = [];
  idx.lookup(host, isIpLiteral(host), out);
  return out;
}

test('a domain entry covers the host and every subdomain', () => {
  const idx = index(['example.com']);
  assert.deepEqual(lookup(idx, 'example.com'), ['example.com']);
  assert.deepEqual(lookup(idx, 'www.example.com'), ['example.com']);
  assert.deepEqual(lookup(idx, 'a.b.c.example.com'), ['example.com']);
});

test('look-alikes do not match', () => {
  const idx = index(['example.com']);
  for (const host of ['notexample.com', 'example.com.evil.test', 'example.co', 'com', 'xample.com', 'example.comm', 'www-example.com']) {
    assert.deepEqual(lookup(idx, host), [], host);
  }
});

test('matches come most specific host first, insertion order within a host', () => {
  const idx = new DomainSuffixIndex([
    { host: 'example.com', value: 'parent' },
    { host: 'a.example.com', value: 'child-1' },
    { host: 'b.a.example.com', value: 'grandchild' },
    { host: 'a.example.com', value: 'child-2' },
  ]);
  const out: string[] = [];
  assert.equal(idx.lookup('x.b.a.example.com', false, out), 4);
  assert.deepEqual(out, ['grandchild', 'child-1', 'child-2', 'parent']);
});

test('lookup appends to out and returns the count', () => {
  const idx = index(['example.com']);
  const out = ['already'];
  assert.equal(idx.lookup('www.example.com', false, out), 1);
  assert.equal(idx.lookup('nothing.test', false, out), 0);
  assert.deepEqual(out, ['already', 'example.com']);
});

test('the walk stops early but still finds deep entries', () => {
  const idx = index(['deep.a.b.c.example.com', 'com']);
  assert.deepEqual(lookup(idx, 'x.deep.a.b.c.example.com'), ['deep.a.b.c.example.com', 'com']);
  assert.deepEqual(lookup(idx, 'a.b.c.example.com'), ['com']);
  assert.deepEqual(lookup(idx, 'other.org'), []);
});

test('IP literal entries only match exactly', () => {
  const idx = index(['127.0.0.1', '0.0.1', '[::1]']);
  assert.deepEqual(lookup(idx, '127.0.0.1'), ['127.0.0.1']);
  assert.deepEqual(lookup(idx, '127.0.0.2'), []);
  assert.deepEqual(lookup(idx, '1.0.0.1'), []);
  assert.deepEqual(lookup(idx, '[::1]'), ['[::1]']);
});

test('entries written in other spellings meet after canonicalHost', () => {
  const idx = index(['Example.COM.', 'bücher.example', '0x7f.1'].map((h) => canonicalHost(h)!));
  assert.deepEqual(lookup(idx, 'www.example.com'), ['example.com']);
  assert.deepEqual(lookup(idx, 'shop.xn--bcher-kva.example'), ['xn--bcher-kva.example']);
  assert.deepEqual(lookup(idx, '127.0.0.1'), ['127.0.0.1']);
});

test('odd host strings never throw', () => {
  const idx = index(['example.com', 'a..b']);
  for (const host of ['', '.', '..', '.example.com', 'example.com.', 'a..b', 'x.a..b', '...example.com']) {
    assert.doesNotThrow(() => lookup(idx, host), host);
  }
  assert.deepEqual(lookup(idx, '.example.com'), ['example.com']);
  assert.deepEqual(lookup(idx, 'x.a..b'), ['a..b']);
});

test('has() answers for the host or any parent', () => {
  const trusted = createHostSet(['gov.uk', 'nhs.uk', '10.0.0.1']);
  assert.equal(trusted.has('gov.uk', false), true);
  assert.equal(trusted.has('new.devon.gov.uk', false), true);
  assert.equal(trusted.has('notgov.uk', false), false);
  assert.equal(trusted.has('uk', false), false);
  assert.equal(trusted.has('10.0.0.1', true), true);
  assert.equal(trusted.has('0.0.1', false), false);
  assert.equal(trusted.size, 3);
});

// Seeded invariant fuzz (tldts extract-hostname-invariant pattern): the
// right-to-left, early-stopping walk must find exactly what a naive walk over
const LABELS = ['com', 'uk', 'gov', 'co', 'example', 'notexample', 'a', 'b', 'ab', 'xn--bcher-kva', 'www', 'x-y', '1', ''];

function randomHost(rand: () => number): string {
  const pick = rand();
  if (pick < 0.08) return [0, 0, 0, 0].map(() => String(Math.floor(rand() * 4))).join('.');
  const count = 1 + Math.floor(rand() * 5);
  const labels: string[] = [];
  for (let i = 0; i < count; i++) labels.push(LABELS[Math.floor(rand() * LABELS.length)]!);
  return labels.join('.');
}

function naiveLookup(entries: Set<string>, ipEntries: Set<string>, host: string): string[] {
  if (isIpLiteral(host)) return ipEntries.has(host) ? [host] : [];
  const parts = host.split('.');
  const found: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const suffix = parts.slice(i).join('.');
    if (entries.has(suffix)) found.push(suffix);
  }
  return found;
}

test('fuzz: domain index agrees with a naive Set walk', () => {
  const rand = mulberry32(0x5eed);
  let cases = 0;
  let hits = 0;
  for (let round = 0; round < 40; round++) {
    const hosts = new Set<string>();
    const entryCount = 1 + Math.floor(rand() * 30);
    for (let i = 0; i < entryCount; i++) hosts.add(randomHost(rand));
    hosts.delete('');
    const idx = index([...hosts]);
    const names = new Set([...hosts].filter((h) => !isIpLiteral(h)));
    const ips = new Set([...hosts].filter((h) => isIpLiteral(h)));
    for (let i = 0; i < 100; i++) {
      // Adversarial: half the probes are an entry with a prefix glued on, with or without a dot.
      let host = randomHost(rand);
      if (rand() < 0.5 && hosts.size > 0) {
        const base = [...hosts][Math.floor(rand() * hosts.size)]!;
        host = rand() < 0.5 ? `${randomHost(rand)}.${base}` : `${LABELS[Math.floor(rand() * LABELS.length)]}${base}`;
      }
      if (host === '') continue;
      const expected = naiveLookup(names, ips, host);
      assert.deepEqual(lookup(idx, host), expected, `host ${JSON.stringify(host)} entries ${JSON.stringify([...hosts])}`);
      cases++;
      if (expected.length > 0) hits++;
    }
  }
  // Guard against a generator that never exercises the matching side.
  assert.ok(cases > 3000 && hits > cases / 4, `cases ${cases}, hits ${hits}`);
});

test('fuzz: one shared hashing pass (HostSuffixes) finds what each walk finds on its own, with and without a leading www.', () => {
  const rand = mulberry32(0xab5e);
  const suffixes = new HostSuffixes();
  let hits = 0;
  let stripped = 0;
  for (let round = 0; round < 30; round++) {
    const hosts = new Set<string>();
    for (let i = 1 + Math.floor(rand() * 30); i > 0; i--) hosts.add(randomHost(rand));
    hosts.delete('');
    const idx = index([...hosts]);
    for (let i = 0; i < 100; i++) {
      const base = rand() < 0.5 && hosts.size > 0 ? [...hosts][Math.floor(rand() * hosts.size)]! : randomHost(rand);
      // www. prefixes, empty labels and stray dots too: the shared pass must split them alike.
      const host = [base, `www.${base}`, `.${base}`, `${base}.`, `a..${base}`, `www.www.${base}`][Math.floor(rand() * 6)]!;
      const isIp = isIpLiteral(host);
      const s = suffixes.of(host, isIp);
      assert.equal(idx.hasSuffixes(s), idx.has(host, isIp), host);
      const bare = stripWww(host);
      if (!isIp && bare !== host) {
        stripped++;
        assert.equal(idx.hasSuffixes(s, s.count - 1), idx.has(bare, false), `${host} without www.`);
      }
      if (idx.has(host, isIp)) hits++;
    }
  }
  assert.ok(hits > 500 && stripped > 500, `hits ${hits}, stripped ${stripped}`);
});

// The compact table underneath: exact verification, growth, chains, limits.

/** Every (tag, data, entry) a table finds for `host`, in order. */
function tableLookup(table: DomainTable, host: string): string[] {
  const count = table.match(host, isIpHost(host));
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`${table.ruleTag(i)}:${table.ruleData(i)}:${host.slice(table.ruleStart(i))}`);
  return out;
}

/**
 * Reference: a Map from host to its rules, walked over split('.') suffixes,
 * most specific first. An IP literal entry matches only itself, never as a
 * suffix of a longer name.
 */
function naiveTableLookup(rules: Map<string, string[]>, host: string): string[] {
  const found = (h: string): string[] => (rules.get(h) ?? []).map((r) => `${r}:${h}`);
  if (isIpHost(host)) return found(host);
  const parts = host.split('.');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const suffix = parts.slice(i).join('.');
    if (!isIpHost(suffix)) out.push(...found(suffix));
  }
  return out;
}

const WORDS = ['com', 'uk', 'co', 'gov', 'x', 'xx', 'xxx', 'blogspot', 'example', 'a', 'b', 'ab', 'ba', '', 'xn--p1ai', 'a-b', '0', '1'];

function randomLabel(rand: () => number): string {
  if (rand() < 0.7) return WORDS[Math.floor(rand() * WORDS.length)]!;
  let label = '';
  for (let n = 1 + Math.floor(rand() * 12); n > 0; n--) label += 'abcdefghij-0123456789'[Math.floor(rand() * 21)];
  return label;
}

function randomName(rand: () => number): string {
  if (rand() < 0.06) return [0, 0, 0, 0].map(() => String(Math.floor(rand() * 3))).join('.');
  const labels: string[] = [];
  for (let n = 1 + Math.floor(rand() * 6); n > 0; n--) labels.push(randomLabel(rand));
  return labels.join('.');
}

function fuzzTable(seed: number, forceCollisions: boolean): { cases: number; hits: number } {
  const rand = mulberry32(seed);
  let cases = 0;
  let hits = 0;
  for (let round = 0; round < 30; round++) {
    const rules = new Map<string, string[]>();
    // A tiny size hint makes the builder grow (rehash) while it runs.
    const builder = new DomainTableBuilder({ expectedHosts: 1 + Math.floor(rand() * 4), forceCollisions });
    const hosts: string[] = [];
    for (let i = 0, n = 1 + Math.floor(rand() * 60); i < n; i++) {
      const host = rand() < 0.2 && hosts.length > 0 ? hosts[Math.floor(rand() * hosts.length)]! : randomName(rand);
      if (host === '') continue;
      const tag = Math.floor(rand() * 3);
      builder.add(host, isIpHost(host), tag, i);
      hosts.push(host);
      rules.set(host, [...(rules.get(host) ?? []), `${tag}:${i}`]);
    }
    const table = builder.finish();
    assert.equal(validateTable(table.arrays, 3), null);
    for (let i = 0; i < 150; i++) {
      let host = randomName(rand);
      const pick = rand();
      if (pick < 0.4 && hosts.length > 0) host = `${randomName(rand)}.${hosts[Math.floor(rand() * hosts.length)]!}`;
      else if (pick < 0.6 && hosts.length > 0) host = `${randomLabel(rand)}${hosts[Math.floor(rand() * hosts.length)]!}`;
      else if (pick < 0.7 && hosts.length > 0) host = hosts[Math.floor(rand() * hosts.length)]!;
      const expected = naiveTableLookup(rules, host);
      assert.deepEqual(tableLookup(table, host), expected, `host ${JSON.stringify(host)} entries ${JSON.stringify(hosts)}`);
      cases++;
      if (expected.length > 0) hits++;
    }
  }
  return { cases, hits };
}

test('fuzz: the table agrees with a naive walk, with several rules per host and growth while building', () => {
  const { cases, hits } = fuzzTable(0xd0d1, false);
  assert.ok(cases >= 4000 && hits > cases / 4, `cases ${cases}, hits ${hits}`);
});

test('fuzz: when every suffix collides (same slot, same fingerprint), verification alone keeps matches exact', () => {
  const { cases, hits } = fuzzTable(0xc011, true);
  assert.ok(cases >= 4000 && hits > cases / 4, `cases ${cases}, hits ${hits}`);
});

test('a character outside Latin-1 never matches the byte it truncates to', () => {
  // U+0161 & 0xff is 0x61 ('a'); U+012E & 0xff is 0x2e ('.').
  const idx = index(['a.example.com', 'x.y']);
  assert.deepEqual(lookup(idx, '\u0161.example.com'), []);
  assert.deepEqual(lookup(idx, 'x\u012ey'), []);
  assert.deepEqual(lookup(idx, 'sub.a.example.com'), ['a.example.com']);
});

test('hosts that cannot be stored exactly are refused with WF_ERR_LIST_INVALID', () => {
  for (const host of ['b\u0161d.example', `${'a'.repeat(256)}.com`]) {
    assert.throws(() => index([host]), (err) => isWfError(err, 'WF_ERR_LIST_INVALID'), host);
  }
  assert.doesNotThrow(() => index([`${'a'.repeat(255)}.com`]));
});

test('sameGroup drops a second rule of the same group on one host; the first one wins', () => {
  const builder = new DomainTableBuilder({ sameGroup: (a, b) => a >> 4 === b >> 4 });
  assert.equal(builder.add('a.test', false, 0x10, 1), true);
  assert.equal(builder.add('a.test', false, 0x20, 2), true);
  assert.equal(builder.add('a.test', false, 0x11, 3), false);
  assert.equal(builder.add('a.test', false, 0x21, 4), false);
  assert.equal(builder.add('b.a.test', false, 0x12, 5), true);
  assert.equal(builder.ruleCount, 3);
  const table = builder.finish();
  assert.deepEqual(tableLookup(table, 'x.b.a.test'), ['18:5:b.a.test', '16:1:a.test', '32:2:a.test']);
});

test('deep hosts and long rule chains outgrow the scratch arrays without losing matches', () => {
  const labels = Array.from({ length: 40 }, (_, i) => `l${i}`);
  const hosts = labels.map((_, i) => labels.slice(i).join('.'));
  const entries = [...hosts.map((host) => ({ host, value: host })), ...Array.from({ length: 40 }, (_, i) => ({ host: 'l39', value: `dup${i}` }))];
  const idx = new DomainSuffixIndex(entries);
  const out: string[] = [];
  assert.equal(idx.lookup(`x.${hosts[0]!}`, false, out), 80);
  assert.deepEqual(out.slice(0, 3), [hosts[0], hosts[1], hosts[2]]);
  assert.deepEqual(out.slice(39), ['l39', ...Array.from({ length: 40 }, (_, i) => `dup${i}`)]);
});

test('prefetch is only a hint: a table built with it is the same table', () => {
  const entries = Array.from({ length: 500 }, (_, i) => ({ host: `h${i}.d${i % 7}.test` }));
  const build = (prefetch: boolean): DomainTable => {
    const builder = new DomainTableBuilder({ expectedHosts: entries.length });
    entries.forEach((e, i) => {
      if (prefetch && i % 64 === 0) builder.prefetch(entries, i, i + 64);
      builder.add(e.host, false, 0, i);
    });
    return builder.finish();
  };
  const [a, b] = [build(true), build(false)];
  assert.deepEqual(a.arrays, b.arrays);
});
