import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomainSuffixIndex, createHostSet } from '../../src/classify/domain-index.ts';
import { canonicalHost, isIpLiteral } from '../../src/classify/normalise-url.ts';

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
// a Set finds, in the same order.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
