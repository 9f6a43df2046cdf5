/**
 * The proxy side of imports: loadListsSnapshot (what `serve` and `classify`
 * load) reads `<dataDir>/lists/imported/*` beside the council's folder, with
 * source 'imported', and the trusted-sites rule spares trusted hosts from
 * imported matches while the council's own lists still apply.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import { loadListsSnapshot, type ListsSnapshot } from '../../src/compose.ts';
import { importLists } from '../../src/lists/import-lists.ts';
import { importedListsDir, loadAllLists } from '../../src/lists/load-all-lists.ts';
import { decide } from '../../src/policy/decide.ts';
import { writeTree } from './tar-fixtures.ts';

const LOCAL = fileURLToPath(new URL('../fixtures/lists-local', import.meta.url));

async function withImport(t: TestContext): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-loadall-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const src = join(dataDir, 'src');
  writeTree(src, {
    'adult/domains': 'imported-porn.test\ncouncil.gov.uk\nsex-ed.test\nblocked-on-purpose.gov.uk\n',
    'chat/domains': 'imported-chat.test\n',
    'sexual_education/domains': 'sex-ed.test\n',
  });
  const into = join(importedListsDir(dataDir), 'ut1');
  await importLists({ name: 'ut1', sources: [src], place: { name: 'ut1', into, versionsDir: join(dataDir, 'lists/versions') } });
  return dataDir;
}

function check(lists: ListsSnapshot, url: string) {
  const target = normaliseUrl(url);
  const classification = lists.classifier.classify(target);
  return { classification, decision: decide(classification, target, undefined, [], lists.policy, 0) };
}

const config = (dataDir?: string) => ({ categoriesDir: LOCAL, categories: {}, classifyCacheSize: 100, ...(dataDir === undefined ? {} : { dataDir }) });

test('imported lists block with source "imported", naming the import, list, file and line', async (t) => {
  const lists = await loadListsSnapshot(config(await withImport(t)));
  assert.deepEqual(lists.diagnostics.filter((d) => d.file.startsWith('ut1')), []);
  const { decision } = check(lists, 'http://www.imported-porn.test/page');
  assert.equal(decision.action, 'block');
  assert.deepEqual(decision.rule, {
    category: 'pornography', list: 'ut1:pornography/adult', kind: 'domain', entry: 'imported-porn.test',
    file: 'ut1/pornography/adult/domains', line: 3, grantable: true, source: 'imported',
  });
  // The council's own lists still load and match as before.
  assert.equal(check(lists, 'http://local-porn.test/').decision.rule?.source, 'local');
});

test('trusted hosts are spared imported matches; the council\'s own lists still apply to them', async (t) => {
  const lists = await loadListsSnapshot(config(await withImport(t)));
  const council = check(lists, 'https://council.gov.uk/');
  assert.equal(council.decision.action, 'allow');
  assert.equal(council.classification.trusted, true);
  assert.deepEqual(council.classification.matches, []);

  const onPurpose = check(lists, 'https://blocked-on-purpose.gov.uk/');
  assert.equal(onPurpose.decision.action, 'block');
  assert.deepEqual(onPurpose.classification.matches.map((m) => [m.source, m.list]), [['local', 'pornography']]);
});

test('an import\'s trusted list (UT1 sexual_education) spares its hosts imported matches and keywords', async (t) => {
  const lists = await loadListsSnapshot(config(await withImport(t)));
  const sexEd = check(lists, 'http://sex-ed.test/porn-addiction-help');
  assert.equal(sexEd.classification.trusted, true);
  assert.equal(sexEd.decision.action, 'allow');
  // Elsewhere the same keyword still blocks.
  assert.equal(check(lists, 'http://elsewhere.test/porn-videos').decision.action, 'block');
});

test('the council\'s metadata wins: a non-grantable local category makes its imported lists non-grantable', async (t) => {
  const lists = await loadListsSnapshot(config(await withImport(t)));
  const { decision } = check(lists, 'http://imported-chat.test/');
  assert.equal(decision.rule?.list, 'ut1:chat/chat');
  assert.equal(decision.rule?.grantable, false);
  assert.equal(lists.policy.categories.get('chat')?.title, 'Chat');
});

test('without a dataDir, or with nothing imported, only the council\'s lists load', async (t) => {
  await withImport(t);
  assert.equal(check(await loadListsSnapshot(config()), 'http://imported-porn.test/').decision.action, 'allow');
  const empty = mkdtempSync(join(tmpdir(), 'wardgate-loadall-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const none = await loadAllLists(LOCAL, importedListsDir(empty));
  assert.ok(none.input.lists.every((l) => l.source === 'local'));
  assert.ok(none.diagnostics.every((d) => !d.file.startsWith('ut1')));
});

test('an unusable import is a diagnostic (so a reload keeps the old lists), not a failure', async (t) => {
  const dataDir = await withImport(t);
  const imported = importedListsDir(dataDir);
  mkdirSync(join(imported, 'Bad Name'));
  symlinkSync(join(dataDir, 'nowhere'), join(imported, 'dangling'));
  mkdirSync(join(imported, '.work-in-progress'));
  const loaded = await loadAllLists(LOCAL, imported);
  const problems = loaded.diagnostics.filter((d) => !d.message.startsWith('category folder missing'));
  assert.deepEqual(problems.map((d) => d.file).sort(), ['Bad Name', 'dangling']);
  assert.ok(loaded.input.lists.some((l) => l.id === 'ut1:pornography/adult'));
});
