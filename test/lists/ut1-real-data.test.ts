/**
 * Real UT1 data from the shared data pack (../shared/data, never committed
 * here): a few small UT1 lists laid out as a UT1 tree, imported as a folder
 * and as a .tar.gz, must account for every line the manifest counts, and
 * classify into the council categories of the default map. Skipped, with the
 * reason, when the data pack is absent.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../../src/classify/classifier.ts';
import { domainRules } from '../../src/classify/list-input.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { importLists, type ImportResult } from '../../src/lists/import-lists.ts';
import { loadAllLists } from '../../src/lists/load-all-lists.ts';
import { makeTarGz } from './tar-fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATA = resolve(ROOT, '../shared/data');
const MANIFEST = join(DATA, 'blocklists/manifest.json');
const SKIP = existsSync(MANIFEST) ? false : `the shared data pack is not at ${DATA} (a clone without ../shared): real-data import tests skipped`;

/** UT1 lists small enough for a unit test, covering one-to-one, one-to-two and trusted mappings. */
const LISTS = ['chat', 'drogue', 'agressif', 'sexual_education', 'tricheur', 'dangerous_material'];

interface ManifestFile {
  readonly path: string;
  readonly lines: number;
  readonly entries: number;
}

function manifest(): Map<string, ManifestFile> {
  const files = (JSON.parse(readFileSync(MANIFEST, 'utf8')) as { files: ManifestFile[] }).files;
  return new Map(files.map((f) => [f.path, f]));
}

/** `<dir>/blacklists/<list>/<file>.gz`, copied byte for byte from the data pack. */
function layOut(dir: string): { rel: string; file: string }[] {
  const copied = [];
  for (const list of LISTS) {
    for (const kind of ['domains', 'urls']) {
      const from = join(DATA, 'blocklists/ut1', list, `${kind}.gz`);
      if (!existsSync(from)) continue;
      mkdirSync(join(dir, 'blacklists', list), { recursive: true });
      copyFileSync(from, join(dir, 'blacklists', list, `${kind}.gz`));
      copied.push({ rel: `blacklists/${list}/${kind}.gz`, file: from });
    }
  }
  return copied;
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardgate-ut1-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function checkCounts(result: ImportResult, copied: number): void {
  const counts = manifest();
  assert.equal(result.files.length, copied, 'every domains and urls file is imported');
  for (const file of result.files) {
    const expected = counts.get(`blocklists/ut1/${file.list}/${file.from.split('/').at(-1)}`);
    assert.ok(expected, `${file.from} is in the manifest`);
    assert.equal(file.lines, expected.lines, `${file.from}: lines`);
    // Every entry the manifest counts is either imported or reported as bad (or, for a trusted list, left out as a URL with a path).
    assert.equal(file.entries + file.bad + file.ignored, expected.entries, `${file.from}: entries`);
    assert.ok(file.bad <= expected.entries / 100, `${file.from}: ${file.bad} bad lines of ${expected.entries}`);
  }
}

test('the data pack\'s own ut1/chat folder imports straight into chat, every entry accounted for', { skip: SKIP }, async (t) => {
  const dir = tempDir(t);
  const into = join(dir, 'data/lists/imported/ut1');
  const result = await importLists({ name: 'ut1', sources: [join(DATA, 'blocklists/ut1/chat')], place: { name: 'ut1', into, versionsDir: join(dir, 'data/lists/versions') } });
  const counts = manifest();
  assert.deepEqual(result.files.map((f) => [f.from, f.to]), [['chat/domains.gz', ['chat/chat/domains']], ['chat/urls.gz', ['chat/chat/domains', 'chat/chat/urls']]]);
  for (const file of result.files) {
    const expected = counts.get(`blocklists/ut1/${file.from}`)!;
    assert.equal(file.lines, expected.lines, file.from);
    assert.equal(file.entries + file.bad, expected.entries, file.from);
  }
});

test('UT1 lists from the data pack, as a folder: every manifest entry is accounted for', { skip: SKIP }, async (t) => {
  const dir = tempDir(t);
  const copied = layOut(join(dir, 'src'));
  const into = join(dir, 'data/lists/imported/ut1');
  const result = await importLists({ name: 'ut1', sources: [join(dir, 'src')], place: { name: 'ut1', into, versionsDir: join(dir, 'data/lists/versions') } });
  checkCounts(result, copied.length);
  assert.ok(result.totals.entries > 1500);

  const loaded = await loadAllLists(DEFAULTS.categoriesDir, join(dir, 'data/lists/imported'));
  assert.deepEqual(loaded.diagnostics, []);
  const ids = loaded.input.lists.filter((l) => l.source === 'imported').map((l) => l.id).sort();
  assert.deepEqual(ids, [
    'ut1:chat/chat', 'ut1:drugs/drogue', 'ut1:hate/agressif', 'ut1:illegal/dangerous-material',
    'ut1:school-cheating/tricheur', 'ut1:violence/agressif', 'ut1:weapons/dangerous-material',
  ]);
  const classifier = createClassifier(loaded.input, { cacheSize: 0 });
  const firstOf = (id: string) => domainRules(loaded.input.lists.find((l) => l.id === id)!.domains).find((d) => !d.host.startsWith('['))!.host;
  const chat = classifier.classify(normaliseUrl(`http://www.${firstOf('ut1:chat/chat')}/`));
  assert.ok(chat.matches.some((m) => m.list === 'ut1:chat/chat' && m.source === 'imported' && m.file === 'ut1/chat/chat/domains'));
  const hate = classifier.classify(normaliseUrl(`http://${firstOf('ut1:hate/agressif')}/`));
  assert.ok(hate.categories.includes('hate') && hate.categories.includes('violence'), 'agressif feeds hate and violence');
  // sexual_education became trusted sites: an imported match or keyword never applies there.
  const sexEd = loaded.input.trustedHosts.find((h) => h.endsWith('.fr'))!;
  assert.equal(classifier.classify(normaliseUrl(`http://${sexEd}/sex`)).trusted, true);
});

test('the same UT1 files in a .tar.gz give the same counts', { skip: SKIP }, async (t) => {
  const dir = tempDir(t);
  const files = layOut(join(dir, 'src'));
  writeFileSync(join(dir, 'blacklists.tar.gz'), makeTarGz(files.map((f) => ({ path: f.rel, data: readFileSync(f.file) }))));
  const into = join(dir, 'data/lists/imported/ut1');
  const result = await importLists({ name: 'ut1', sources: [join(dir, 'blacklists.tar.gz')], place: { name: 'ut1', into, versionsDir: join(dir, 'data/lists/versions') } });
  checkCounts(result, files.length);
});
