/**
 * The curated lists shipped in categories/: they load without a single
 * diagnostic, every category has its council title and definition, and each
 * category blocks an obvious example while trusted and innocent addresses pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadListsSnapshot } from '../../src/compose.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { loadCategories } from '../../src/lists/load-categories.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import { decide } from '../../src/policy/decide.ts';
import { ALL_CATEGORY_IDS, CORE_CATEGORY_IDS } from '../../src/policy/categories.ts';

const loaded = await loadCategories(DEFAULTS.categoriesDir);
const lists = await loadListsSnapshot(DEFAULTS);

function decision(url: string) {
  const target = normaliseUrl(url);
  return decide(lists.classifier.classify(target), target, undefined, [], lists.policy, Date.now());
}

test('the shipped lists load with no diagnostics', () => {
  assert.deepEqual(loaded.diagnostics, []);
});

test('every category has its title and the council definition; only the optional three are off', () => {
  for (const id of ALL_CATEGORY_IDS) {
    const category = lists.policy.categories.get(id);
    assert.ok(category, id);
    assert.ok(category.title.length > 2, id);
    assert.ok(category.definition.length > 20, id);
    assert.equal(category.enforced, (CORE_CATEGORY_IDS as readonly string[]).includes(id), id);
  }
});

test('the child-abuse sub-list is marked non-grantable', () => {
  const illegal = loaded.categories.find((c) => c.id === 'illegal');
  assert.equal(illegal?.subLists.find((s) => s.id === 'illegal/child-abuse')?.grantable, false);
});

test('obvious examples are blocked in their category', () => {
  const examples: [string, string][] = [
    ['http://www.pornhub.com/', 'pornography'],
    ['https://discord.com/', 'chat'],
    ['http://example.org/search?q=fuck+off', 'profanity'],
  ];
  for (const [url, category] of examples) {
    const d = decision(url);
    assert.equal(d.action, 'block', url);
    assert.ok(d.categories.includes(category), `${url}: ${d.categories.join(',')}`);
  }
});

test('council, NHS, help services and UK place names are not blocked', () => {
  for (const url of [
    'https://www.essex.gov.uk/',
    'https://www.nhs.uk/mental-health/',
    'https://www.samaritans.org/',
    'https://www.talktofrank.com/',
    'http://www.bbc.co.uk/news/uk-england-humber-scunthorpe',
    'http://example.org/visit/penistone',
    'http://example.org/towns/middlesex-and-sussex',
    'http://example.org/cockermouth/floods',
    'https://www.parliament.uk/business/committees/sexual-health-report',
  ]) {
    assert.notEqual(decision(url).action, 'block', url);
  }
});
