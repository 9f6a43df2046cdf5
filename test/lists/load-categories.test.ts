import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../../src/classify/classifier.ts';
import { domainRules } from '../../src/classify/list-input.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import { isWfError } from '../../src/errors.ts';
import { loadCategories } from '../../src/lists/load-categories.ts';
import { ALL_CATEGORY_IDS } from '../../src/policy/categories.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const BASIC = path.join(FIXTURES, 'categories-basic');

const loaded = await loadCategories(BASIC);
const diag = (file: string) => loaded.diagnostics.filter((d) => d.file === file).map((d) => [d.line, d.message]);

test('every known category gets metadata, in categories.ts order, even when missing', () => {
  assert.deepEqual(loaded.categories.map((c) => c.id), [...ALL_CATEGORY_IDS]);
  const gambling = loaded.categories.find((c) => c.id === 'gambling')!;
  assert.deepEqual(gambling, { id: 'gambling', title: 'gambling', definition: '', optional: true, grantable: true, subLists: [] });
  assert.equal(diag('gambling').length, 1);
  assert.equal(diag('hate')[0]![0], 0);
});

test('meta.json is read, with defaults and diagnostics for bad ones', () => {
  const porn = loaded.categories.find((c) => c.id === 'pornography')!;
  assert.deepEqual(porn, { id: 'pornography', title: 'Pornography', definition: 'Fixture definition.', optional: false, grantable: true, subLists: [] });
  const chat = loaded.categories.find((c) => c.id === 'chat')!;
  assert.equal(chat.title, 'chat');
  assert.match(String(diag('chat/meta.json')[0]![1]), /invalid JSON/);
  const weapons = loaded.categories.find((c) => c.id === 'weapons')!;
  assert.equal(weapons.title, 'weapons');
  assert.equal(weapons.optional, false);
  assert.equal(diag('weapons/meta.json').length, 4); // title type, two unknown keys, optional mismatch
  assert.ok(diag('weapons/meta.json').some(([, m]) => m === 'unknown key "toString" ignored'));
  assert.equal(diag('weapons/domain').length, 1);
});

test('sub-lists: id, description and non-grantable carried through', () => {
  const illegal = loaded.categories.find((c) => c.id === 'illegal')!;
  assert.deepEqual(illegal.subLists, [{ id: 'illegal/child-abuse', category: 'illegal', description: 'Never grantable.', grantable: false }]);
  const sub = loaded.input.lists.find((l) => l.id === 'illegal/child-abuse')!;
  assert.equal(sub.grantable, false);
  assert.deepEqual(domainRules(sub.domains).map((d) => [d.host, d.file, d.line]), [['abuse-example.test', 'illegal/child-abuse/domains', 1]]);
  assert.equal(diag('illegal/Bad_Name').length, 1);
  assert.ok(loaded.diagnostics.some((d) => d.file === 'illegal/child-abuse/meta.json') === false);
});

test('bad lines are reported with exact file and line, good ones loaded', () => {
  assert.deepEqual(diag('pornography/domains').map(([line]) => line), [7, 8, 10]);
  assert.deepEqual(diag('pornography/urls').map(([line]) => line), [5, 6, 7]);
  assert.deepEqual(diag('pornography/keywords').map(([line]) => line), [3, 4, 6]);
  assert.deepEqual(diag('_exceptions/keywords').map(([line]) => line), [8]);
  const porn = loaded.input.lists.find((l) => l.id === 'pornography')!;
  assert.deepEqual(domainRules(porn.domains).map((d) => d.host), ['example-porn.test', 'upper-case.example-porn.test', 'xn--bcher-porn-9db.test', '127.0.0.1', 'dotted-porn.test', 'example-porn.test']);
  assert.deepEqual(porn.urls.map((u) => u.entry), ['mixed.test/adult/', 'mixed.test/gallery x', 'whole-site.test', 'only-host.test', 'mixed.test/page']);
  assert.deepEqual(porn.keywords.map((k) => k.entry), ['porn*', 'free porn', 'self-harm']);
});

test('unknown folders are reported and skipped; dot-folders and root files ignored', () => {
  assert.equal(diag('not-a-category').length, 1);
  assert.ok(!loaded.input.lists.some((l) => l.category === 'not-a-category'));
  assert.ok(!loaded.diagnostics.some((d) => d.file.startsWith('.hidden') || d.file === 'README.md'));
});

test('trusted hosts and exception words are loaded', () => {
  assert.deepEqual(loaded.input.trustedHosts, ['gov.uk', 'nhs.uk']);
  assert.deepEqual(loaded.input.exceptionWords, ['essex', 'sussex', 'scunthorpe', 'penistone', 'cockermouth', 'clitheroe']);
});

test('lists are local by default; source can be set to imported', async () => {
  assert.ok(loaded.input.lists.every((l) => l.source === 'local'));
  const imported = await loadCategories(BASIC, { source: 'imported' });
  assert.ok(imported.input.lists.every((l) => l.source === 'imported'));
});

test('end to end: the loaded fixture classifies as the spec says', async () => {
  const local = createClassifier(loaded.input, { cacheSize: 10 });
  const cats = (raw: string) => local.classify(normaliseUrl(raw)).categories;
  assert.deepEqual(cats('http://www.example-porn.test/'), ['pornography']);
  assert.deepEqual(cats('http://notexample-porn.test/'), []);
  assert.deepEqual(cats('http://0x7f.1/'), ['pornography']);
  assert.deepEqual(cats('http://shop.bücher-porn.test/'), ['pornography']);
  assert.deepEqual(cats('http://mixed.test/ADULT/x'), ['pornography']);
  assert.deepEqual(cats('http://search.test/search?q=fuck+this'), ['profanity']);
  assert.deepEqual(cats('http://places.test/cockermouth/middlesex/sussex'), []);
  assert.deepEqual(cats('https://new.devon.gov.uk/'), ['drugs']);
  assert.deepEqual(cats('https://www.gov.uk/sex'), []);
  const match = local.classify(normaliseUrl('http://abuse-example.test/')).matches[0]!;
  assert.equal(match.grantable, false);
  assert.equal(match.list, 'illegal/child-abuse');

  const imported = createClassifier((await loadCategories(BASIC, { source: 'imported' })).input, { cacheSize: 10 });
  assert.equal(imported.classify(normaliseUrl('https://new.devon.gov.uk/')).matches.length, 0);
  assert.deepEqual(imported.classify(normaliseUrl('http://example-porn.test/')).categories, ['pornography']);
});

test('a missing root, or a file, throws WF_ERR_NO_INDEX naming the path', async () => {
  const missing = path.join(FIXTURES, 'categories-does-not-exist');
  await assert.rejects(loadCategories(missing), (err) => isWfError(err, 'WF_ERR_NO_INDEX') && err.message.includes(missing));
  const file = path.join(BASIC, 'README.md');
  await assert.rejects(loadCategories(file), (err) => isWfError(err, 'WF_ERR_NO_INDEX') && err.message.includes(file));
});

test('output does not depend on file-system order (two loads are equal)', async () => {
  assert.deepEqual(await loadCategories(BASIC), loaded);
});
