import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/policy/decide.ts';
import { buildPolicy } from '../../src/policy/build-policy.ts';
import type { Classification, RuleMatch } from '../../src/classify/classification.ts';
import { UNCATEGORISED } from '../../src/classify/classification.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import type { Grant } from '../../src/policy/grants.ts';

const policy = buildPolicy(
  [
    { id: 'pornography', title: 'Pornography', definition: '', optional: false, grantable: true },
    { id: 'chat', title: 'Chat', definition: '', optional: false, grantable: true },
    { id: 'illegal', title: 'Illegal', definition: '', optional: false, grantable: true },
    { id: 'gambling', title: 'Gambling', definition: '', optional: true, grantable: true },
    { id: 'weapons', title: 'Weapons', definition: '', optional: false, grantable: false },
  ],
  { chat: { enforced: false } },
);

const member = { id: 'alice', name: 'Alice', groupId: 'labour' };
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const target = normaliseUrl('http://www.site.example/reports/a?x=1');

function match(category: string, extra: Partial<RuleMatch> = {}): RuleMatch {
  return { category, list: category, kind: 'domain', entry: 'site.example', file: `${category}/domains`, line: 1, grantable: true, source: 'local', ...extra };
}

function classified(...matches: RuleMatch[]): Classification {
  return { categories: [...new Set(matches.map((m) => m.category))], matches, trusted: false };
}

function grant(scope: Grant['scope'], extra: Partial<Grant> = {}): Grant {
  return { id: 'g1', memberId: 'alice', scope, status: 'approved', expiresAt: NOW + 60_000, ...extra };
}

test('uncategorised targets are allowed', () => {
  const d = decide(UNCATEGORISED, target, member, [], policy, NOW);
  assert.equal(d.action, 'allow');
  assert.equal(d.reason, 'uncategorised');
});

test('an enforced category blocks, naming the rule', () => {
  const m = match('pornography');
  const d = decide(classified(m), target, member, [], policy, NOW);
  assert.equal(d.action, 'block');
  assert.equal(d.reason, 'category');
  assert.deepEqual(d.categories, ['pornography']);
  assert.equal(d.rule, m);
});

test('categories configured off, and optional ones not switched on, do not block', () => {
  assert.equal(decide(classified(match('chat')), target, member, [], policy, NOW).reason, 'not-enforced');
  assert.equal(decide(classified(match('gambling')), target, member, [], policy, NOW).action, 'allow');
  const strict = buildPolicy([{ id: 'gambling', title: 'G', definition: '', optional: true, grantable: true }], { gambling: { enforced: true } });
  assert.equal(decide(classified(match('gambling')), target, member, [], strict, NOW).action, 'block');
});

test('unknown categories in a classification never block (they have no policy)', () => {
  assert.equal(decide(classified(match('not-a-category')), target, member, [], policy, NOW).action, 'allow');
});

test('a category, domain or URL grant unlocks the match', () => {
  const m = match('pornography');
  for (const scope of [
    { kind: 'category', category: 'pornography' },
    { kind: 'domain', domain: 'site.example' },
    { kind: 'domain', domain: 'www.site.example' },
    { kind: 'url', prefix: 'www.site.example/reports/' },
  ] as const) {
    const d = decide(classified(m), target, member, [grant(scope)], policy, NOW);
    assert.equal(d.action, 'allow-by-grant', JSON.stringify(scope));
    assert.deepEqual(d.grantIds, ['g1']);
    assert.deepEqual(d.categories, ['pornography']);
  }
});

test('grants that do not fit do not unlock', () => {
  const m = match('pornography');
  const misses: Grant[] = [
    grant({ kind: 'category', category: 'chat' }),
    grant({ kind: 'domain', domain: 'other.example' }),
    grant({ kind: 'domain', domain: 'ite.example' }),
    grant({ kind: 'url', prefix: 'www.site.example/private/' }),
    grant({ kind: 'category', category: 'pornography' }, { memberId: 'bob' }),
  ];
  for (const g of misses) assert.equal(decide(classified(m), target, member, [g], policy, NOW).action, 'block', JSON.stringify(g));
  assert.equal(decide(classified(m), target, undefined, [grant({ kind: 'category', category: 'pornography' })], policy, NOW).action, 'block');
});

test('expiry is honoured to the millisecond; revoked, pending and declined grants are never honoured', () => {
  const m = match('pornography');
  const g = grant({ kind: 'category', category: 'pornography' }, { expiresAt: NOW + 1 });
  assert.equal(decide(classified(m), target, member, [g], policy, NOW).action, 'allow-by-grant');
  assert.equal(decide(classified(m), target, member, [g], policy, NOW + 1).action, 'block');
  for (const status of ['revoked', 'pending', 'declined', 'expired'] as const) {
    const other = grant({ kind: 'category', category: 'pornography' }, { status });
    assert.equal(decide(classified(m), target, member, [other], policy, NOW).action, 'block', status);
  }
});

test('non-grantable content can never be unlocked: a non-grantable sub-list or category', () => {
  const sublist = match('illegal', { list: 'illegal/child-abuse', grantable: false });
  const everything = [grant({ kind: 'category', category: 'illegal' }), grant({ kind: 'domain', domain: 'site.example' }, { id: 'g2' })];
  const d = decide(classified(sublist), target, member, everything, policy, NOW);
  assert.equal(d.action, 'block');
  assert.equal(d.rule?.grantable, false);
  const weapons = decide(classified(match('weapons')), target, member, [grant({ kind: 'category', category: 'weapons' })], policy, NOW);
  assert.equal(weapons.action, 'block');
});

test('every enforced match must be covered: one grant for one of two categories still blocks', () => {
  const both = classified(match('pornography'), match('illegal'));
  assert.equal(decide(both, target, member, [grant({ kind: 'category', category: 'pornography' })], policy, NOW).action, 'block');
  const d = decide(both, target, member, [grant({ kind: 'domain', domain: 'site.example' })], policy, NOW);
  assert.equal(d.action, 'allow-by-grant');
  assert.deepEqual(d.categories, ['pornography', 'illegal']);
});

test('configuration can make a category non-grantable but never make a non-grantable list grantable', () => {
  const tight = buildPolicy([{ id: 'pornography', title: 'P', definition: '', optional: false, grantable: true }], { pornography: { grantable: false } });
  assert.equal(tight.categories.get('pornography')?.grantable, false);
  const loose = buildPolicy([{ id: 'weapons', title: 'W', definition: '', optional: false, grantable: false }], { weapons: { grantable: true } });
  assert.equal(loose.categories.get('weapons')?.grantable, false);
});
