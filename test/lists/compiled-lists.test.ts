/**
 * The compiled index file: `serve` writes it, starts from it while it is
 * fresh, rebuilds it when a list changes or the file is damaged, and
 * `wardgate lists compile` builds it on demand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadListsSnapshot, servingListsSnapshot } from '../../src/compose.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { compiledIndexPath } from '../../src/lists/compiled-lists.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import { runCli } from '../../src/cli.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { FIXTURE_CATEGORIES } from '../helpers/wardgate-harness.ts';

function setup(t: { after(fn: () => void): void }) {
  const root = mkdtempSync(join(tmpdir(), 'wardgate-compiled-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const categoriesDir = join(root, 'categories');
  cpSync(FIXTURE_CATEGORIES, categoriesDir, { recursive: true });
  return { ...DEFAULTS, categoriesDir, dataDir: join(root, 'data') };
}

const blocked = (snapshot: { classifier: { classify(t: ReturnType<typeof normaliseUrl>): { categories: readonly string[] } } }, url: string) =>
  snapshot.classifier.classify(normaliseUrl(url)).categories;

test('serve compiles and writes the index file once, then starts from it while the lists are unchanged', async (t) => {
  const config = setup(t);
  const first = await servingListsSnapshot(config);
  assert.equal(first.origin, 'compiled');
  assert.equal(existsSync(compiledIndexPath(config.dataDir)), true);
  const second = await servingListsSnapshot(config);
  assert.equal(second.origin, 'index-file');
  assert.deepEqual(blocked(second, 'http://www.blocked-porn.test/'), ['pornography']);
  assert.deepEqual(second.classifier.stats, first.classifier.stats);
  assert.deepEqual(second.diagnostics, first.diagnostics, 'the file carries the list problems too');
  assert.equal(second.policy.categories.get('pornography')?.title, 'Pornography', 'and the category metadata');
  assert.equal((await loadListsSnapshot(config)).origin, 'index-file', 'commands use the fresh file too');
});

test('an edited list makes the file stale: it is rebuilt with the edit', async (t) => {
  const config = setup(t);
  await servingListsSnapshot(config);
  appendFileSync(join(config.categoriesDir, 'chat', 'domains'), 'freshly-added.test\n');
  const after = await servingListsSnapshot(config);
  assert.equal(after.origin, 'compiled');
  assert.deepEqual(blocked(after, 'http://freshly-added.test/'), ['chat']);
});

test('a damaged or truncated index file is never used: the lists are rebuilt', async (t) => {
  const config = setup(t);
  await servingListsSnapshot(config);
  const file = compiledIndexPath(config.dataDir);
  const bytes = readFileSync(file);
  bytes[bytes.length - 100]! ^= 0xff;
  writeFileSync(file, bytes);
  const damaged = await servingListsSnapshot(config);
  assert.equal(damaged.origin, 'compiled');
  writeFileSync(file, readFileSync(file).subarray(0, 200));
  assert.equal((await servingListsSnapshot(config)).origin, 'compiled');
  assert.deepEqual(blocked(await servingListsSnapshot(config), 'http://blocked-porn.test/'), ['pornography']);
});

test('wardgate lists compile writes the file and says what it compiled', async (t) => {
  const config = setup(t);
  const io = memoryIO();
  const code = await runCli(['lists', 'compile', '--data-dir', config.dataDir, '--categories', config.categoriesDir], io);
  assert.equal(code, 0, io.err());
  assert.match(io.out(), /^compiled \d+ domains, \d+ URL prefixes and \d+ keywords into .*compiled\.idx in [\d.]+ s\n$/);
  assert.equal((await servingListsSnapshot(config)).origin, 'index-file');
  const extra = memoryIO();
  assert.equal(await runCli(['lists', 'compile', 'extra', '--data-dir', config.dataDir], extra), 2);
});
