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
import { compiledIndexPath, type IndexFileProblem } from '../../src/lists/compiled-lists.ts';
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

/** servingListsSnapshot, with the reasons it gave for compiling. */
async function serving(config: ReturnType<typeof setup>, reasons: IndexFileProblem[] = []) {
  return servingListsSnapshot(config, (problem) => reasons.push(problem));
}

const blocked = (snapshot: { classifier: { classify(t: ReturnType<typeof normaliseUrl>): { categories: readonly string[] } } }, url: string) =>
  snapshot.classifier.classify(normaliseUrl(url)).categories;

test('serve compiles and writes the index file once, then starts from it while the lists are unchanged', async (t) => {
  const config = setup(t);
  const reasons: IndexFileProblem[] = [];
  const first = await serving(config, reasons);
  assert.equal(first.origin, 'compiled');
  assert.deepEqual(reasons.map((r) => r.kind), ['missing']);
  assert.equal(existsSync(compiledIndexPath(config.dataDir)), true);
  const second = await serving(config, reasons);
  assert.equal(second.origin, 'index-file');
  assert.equal(reasons.length, 1, 'a fresh file needs no reason');
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
  const reasons: IndexFileProblem[] = [];
  const after = await serving(config, reasons);
  assert.equal(after.origin, 'compiled');
  assert.deepEqual(reasons.map((r) => r.kind), ['stale']);
  assert.deepEqual(blocked(after, 'http://freshly-added.test/'), ['chat']);
});

test('a damaged or truncated index file is never used: the lists are rebuilt', async (t) => {
  const config = setup(t);
  await servingListsSnapshot(config);
  const file = compiledIndexPath(config.dataDir);
  const bytes = readFileSync(file);
  bytes[bytes.length - 100]! ^= 0xff;
  writeFileSync(file, bytes);
  const reasons: IndexFileProblem[] = [];
  const damaged = await serving(config, reasons);
  assert.equal(damaged.origin, 'compiled');
  writeFileSync(file, readFileSync(file).subarray(0, 200));
  assert.equal((await serving(config, reasons)).origin, 'compiled');
  // A file from another wardgate (another format version): a header it refuses to read.
  const other = readFileSync(file);
  other.writeUInt32LE(other.readUInt32LE(8) - 1, 8);
  writeFileSync(file, other);
  assert.equal((await serving(config, reasons)).origin, 'compiled');
  assert.deepEqual(reasons.map((r) => r.kind), ['unusable', 'unusable', 'unusable']);
  assert.match(reasons[0]!.message, /checksum/);
  assert.match(reasons[1]!.message, /truncated/);
  assert.match(reasons[2]!.message, /format version \d+, this wardgate reads version \d+/);
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
