import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { domainRules } from '../../src/classify/list-input.ts';
import { isWfError } from '../../src/errors.ts';
import { importLists, type ImportRequest } from '../../src/lists/import-lists.ts';
import { loadImportedLists } from '../../src/lists/load-all-lists.ts';
import { makeTarGz, treeEntries, writeTree } from './tar-fixtures.ts';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardgate-import-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A small hand-written UT1 tree (every host is made up). */
const UT1 = {
  'adult/domains': gzipSync('# comment\nadult-one.test\nWWW.Adult-Two.TEST.\nnot a host\n\nbücher-adult.test\n'),
  'adult/urls': 'mixed-site.test/adult/\nhttp://www.other.test:8080/Path%20X/?q=1#frag\n',
  'adult/very_restrictive_expression': '(porn|xxx)\n',
  'adult/usage': 'black\n',
  'agressif/domains': 'hate-site.test\n',
  'tricheur_pix/domains': 'pix.test\n',
  'press/domains': 'news.test\n',
  'liste_blanche/domains': 'school.test\n',
  'liste_blanche/usage': 'white\n',
  'sexual_education/domains': 'sex-ed.test\n',
  'sexual_education/urls': 'health.test/sexualite/\nwhole-site.test\n',
  'dangerous_material/domains': 'boom.test\n',
  porn: { link: 'adult' },
  'global_usage': 'NAME: adult\n',
};

function request(root: string, sources: string[], extra: Partial<ImportRequest> = {}): ImportRequest {
  const into = join(root, 'data/lists/imported', extra.name ?? 'ut1');
  return { name: 'ut1', sources, place: { name: extra.name ?? 'ut1', into, versionsDir: join(root, 'data/lists/versions') }, ...extra };
}

function read(root: string, rel: string): string {
  return readFileSync(join(root, 'data/lists/imported', rel), 'utf8');
}

function entries(root: string, rel: string): string[] {
  return read(root, rel).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

test('a UT1 folder: mapped lists become sub-lists of each council category, in canonical form', async (t) => {
  const root = tempDir(t);
  writeTree(join(root, 'src/blacklists'), UT1);
  const result = await importLists(request(root, [join(root, 'src')]));

  assert.deepEqual(entries(root, 'ut1/pornography/adult/domains'), ['adult-one.test', 'www.adult-two.test', 'xn--bcher-adult-thb.test']);
  assert.deepEqual(entries(root, 'ut1/pornography/adult/urls'), ['mixed-site.test/adult/', 'www.other.test/Path%20X/?q=1']);
  // One UT1 list, two council categories: imported into each.
  assert.deepEqual(entries(root, 'ut1/hate/agressif/domains'), ['hate-site.test']);
  assert.deepEqual(entries(root, 'ut1/violence/agressif/domains'), ['hate-site.test']);
  assert.deepEqual(entries(root, 'ut1/illegal/dangerous-material/domains'), ['boom.test']);
  assert.deepEqual(entries(root, 'ut1/weapons/dangerous-material/domains'), ['boom.test']);
  // sexual_education is an exception list: trusted hosts; a URL with a path cannot be trusted.
  assert.deepEqual(entries(root, 'ut1/_trusted/domains'), ['sex-ed.test', 'whole-site.test']);
  assert.ok(result.notes.some((n) => /1 URL entries with a path not imported/.test(n)));
  assert.match(read(root, 'ut1/pornography/adult/domains'), /^# ut1: .* list "adult" -> pornography/);
  assert.ok(!/[^\x00-\x7f]/.test(read(root, 'ut1/pornography/adult/domains')), 'imported files are ASCII only');

  // Skipped with the map's reason, or as not in the map; aliases and regex files noted.
  const skipped = Object.fromEntries(result.skipped.map((s) => [s.list, s.why]));
  assert.match(skipped.tricheur_pix!, /DO NOT USE/);
  assert.match(skipped.press!, /ordinary topic/);
  assert.equal(skipped.liste_blanche, 'An allow list for French schools: not relevant here.');
  assert.ok(!existsSync(join(root, 'data/lists/imported/ut1/school-cheating')));
  assert.ok(result.notes.some((n) => /porn: a symbolic link/.test(n)));
  assert.ok(result.notes.some((n) => /very_restrictive_expression: regular expressions are not imported/.test(n)));

  // Bad lines are counted and sampled with file:line, never fatal.
  assert.equal(result.totals.bad, 1);
  assert.deepEqual(result.badSamples, ['src/blacklists/adult/domains:4: "not a host": one entry per line']);
  // Counted once per source line, however many categories it went into.
  assert.equal(result.totals.entries, 3 + 2 + 1 + 1 + 1 + 1);

  const meta = JSON.parse(read(root, 'ut1/source.json')) as Record<string, unknown>;
  assert.equal(meta.name, 'ut1');
  assert.match(String(meta.attribution), /CC BY-SA 4.0/);
  assert.deepEqual((meta.files as { from: string; lines: number; entries: number; bad: number }[]).find((f) => f.from === 'src/blacklists/adult/domains'), {
    source: join(root, 'src'), from: 'src/blacklists/adult/domains', list: 'adult', format: 'domains', to: ['pornography/adult/domains'], lines: 6, entries: 3, bad: 1, ignored: 0,
  });
  assert.match(JSON.parse(read(root, 'ut1/pornography/adult/meta.json')).description, /list "adult" \(pornography\)/);
});

test('the imported tree loads with source "imported", prefixed ids and files, and no diagnostics', async (t) => {
  const root = tempDir(t);
  writeTree(join(root, 'src/blacklists'), UT1);
  await importLists(request(root, [join(root, 'src')]));
  const loaded = await loadImportedLists(join(root, 'data/lists/imported'));
  assert.deepEqual(loaded.diagnostics, []);
  assert.deepEqual(loaded.names, ['ut1']);
  assert.ok(loaded.lists.every((l) => l.source === 'imported'));
  assert.deepEqual(loaded.lists.map((l) => l.id).sort(), [
    'ut1:hate/agressif', 'ut1:illegal/dangerous-material', 'ut1:pornography/adult', 'ut1:violence/agressif', 'ut1:weapons/dangerous-material',
  ]);
  const adult = loaded.lists.find((l) => l.id === 'ut1:pornography/adult')!;
  assert.deepEqual(domainRules(adult.domains)[0], { host: 'adult-one.test', file: 'ut1/pornography/adult/domains', line: 3 });
  assert.equal(adult.urls[1]!.pathPrefix, '/path x/?q=1');
  assert.deepEqual(loaded.trustedHosts, ['sex-ed.test', 'whole-site.test']);
});

test('a .tar.gz of the same tree imports the same lists', async (t) => {
  const root = tempDir(t);
  writeTree(join(root, 'src/blacklists'), UT1);
  await importLists(request(root, [join(root, 'src')], { name: 'folder' }));
  writeFileSync(join(root, 'blacklists.tar.gz'), makeTarGz(treeEntries('blacklists/', UT1)));
  const result = await importLists(request(root, [join(root, 'blacklists.tar.gz')], { name: 'archive' }));
  for (const rel of ['pornography/adult/domains', 'pornography/adult/urls', 'hate/agressif/domains', '_trusted/domains']) {
    assert.deepEqual(entries(root, `archive/${rel}`), entries(root, `folder/${rel}`), rel);
  }
  assert.equal(result.totals.entries, 9);
  assert.ok(result.notes.some((n) => /blacklists\/porn: a link to adult/.test(n)));
});

test('a hosts file and a plain list need --category; the format is found from the content', async (t) => {
  const root = tempDir(t);
  writeFileSync(join(root, 'snuff-hosts.gz'), gzipSync('# hosts\n127.0.0.1 localhost\n0.0.0.0 gore-one.test\n0.0.0.0 gore-two.test gore-three.test\n10.0.0.1 bad.test\n'));
  writeFileSync(join(root, 'essays.txt'), 'essay-mill.test\nhttps://cheat.test/answers/\n');
  await assert.rejects(importLists(request(root, [join(root, 'snuff-hosts.gz')], { name: 'snuff' })), (err) => isWfError(err, 'WF_ERR_USAGE') && /--category/.test(err.message));

  const hosts = await importLists(request(root, [join(root, 'snuff-hosts.gz')], { name: 'snuff', categories: ['murder-suicide', 'tasteless'] }));
  assert.deepEqual(entries(root, 'snuff/murder-suicide/snuff-hosts/domains'), ['gore-one.test', 'gore-two.test', 'gore-three.test']);
  assert.deepEqual(entries(root, 'snuff/tasteless/snuff-hosts/domains'), ['gore-one.test', 'gore-two.test', 'gore-three.test']);
  assert.deepEqual([hosts.files[0]!.format, hosts.totals.entries, hosts.totals.bad, hosts.totals.ignored], ['auto', 3, 1, 1]);
  assert.match(hosts.badSamples[0]!, /^snuff-hosts\.gz:5: hosts line/);

  await importLists(request(root, [join(root, 'essays.txt')], { name: 'essays', format: 'plain', categories: ['school-cheating'] }));
  assert.deepEqual(entries(root, 'essays/school-cheating/essays/domains'), ['essay-mill.test']);
  assert.deepEqual(entries(root, 'essays/school-cheating/essays/urls'), ['cheat.test/answers/']);
});

test('--map overrides the default: multi-category, trusted and skip', async (t) => {
  const root = tempDir(t);
  writeTree(join(root, 'src'), { 'chat/domains': 'chatty.test\n', 'adult/domains': 'adult-one.test\n', 'lingerie/domains': 'undies.test\n' });
  const map = join(root, 'map.json');
  writeFileSync(map, JSON.stringify({ lists: { chat: { categories: ['chat', 'adults-only'], why: 'local decision' }, adult: { use: 'skip', why: 'we use another porn list' } } }));
  const result = await importLists(request(root, [join(root, 'src')], { map }));
  assert.deepEqual(entries(root, 'ut1/chat/chat/domains'), ['chatty.test']);
  assert.deepEqual(entries(root, 'ut1/adults-only/chat/domains'), ['chatty.test']);
  assert.deepEqual(result.skipped, [{ list: 'adult', why: 'we use another porn list' }, { list: 'lingerie', why: 'not in the map' }]);

  writeFileSync(map, JSON.stringify({ lists: { chat: { categories: ['chatting'], why: '' } } }));
  await assert.rejects(importLists(request(root, [join(root, 'src')], { map })), (err) =>
    isWfError(err, 'WF_ERR_INVALID_INPUT') && /lists\.chat\.categories\.0: unknown council category "chatting"/.test(err.message) && /lists\.chat\.why: give the reason/.test(err.message));
});

test('a failing import leaves the previous one in place; a good one replaces it and keeps one old version', async (t) => {
  const root = tempDir(t);
  const src = join(root, 'src');
  writeTree(src, { 'chat/domains': 'first.test\n' });
  const first = await importLists(request(root, [src]));
  const link = join(root, 'data/lists/imported/ut1');
  assert.ok(lstatSync(link).isSymbolicLink());

  // A corrupt gzip file in the source: the import fails and says the old lists stay.
  writeTree(src, { 'chat/domains': gzipSync('second.test\n').subarray(0, 15) });
  await assert.rejects(importLists(request(root, [src])), (err) =>
    isWfError(err, 'WF_ERR_LIST_INVALID') && /not a complete gzip file/.test(err.message) && /the lists imported before stay in use/.test(err.message));
  assert.equal(readlinkSync(link), join('..', 'versions', first.version.split('/').at(-1)!));
  assert.deepEqual(entries(root, 'ut1/chat/chat/domains'), ['first.test']);

  // A source with nothing to import fails the same way.
  writeTree(src, { 'chat/domains': '# only a comment\n' });
  await assert.rejects(importLists(request(root, [src])), (err) => isWfError(err, 'WF_ERR_LIST_INVALID') && /found no list entries/.test(err.message));
  assert.deepEqual(entries(root, 'ut1/chat/chat/domains'), ['first.test']);

  writeTree(src, { 'chat/domains': 'second.test\n' });
  const second = await importLists(request(root, [src]));
  writeTree(src, { 'chat/domains': 'third.test\n' });
  const third = await importLists(request(root, [src]));
  assert.deepEqual(entries(root, 'ut1/chat/chat/domains'), ['third.test']);
  const versions = readdirSync(join(root, 'data/lists/versions')).sort();
  assert.deepEqual(versions, [second.version, third.version].map((v) => v.split('/').at(-1)!).sort());
});

test('a real folder in the way is replaced; a running import holds a lock', async (t) => {
  const root = tempDir(t);
  writeTree(join(root, 'src'), { 'chat/domains': 'chatty.test\n' });
  mkdirSync(join(root, 'data/lists/imported/ut1/chat'), { recursive: true });
  writeFileSync(join(root, 'data/lists/imported/ut1/chat/domains'), 'hand-made.test\n');
  await importLists(request(root, [join(root, 'src')]));
  assert.ok(lstatSync(join(root, 'data/lists/imported/ut1')).isSymbolicLink());
  assert.deepEqual(readdirSync(join(root, 'data/lists/imported')), ['ut1']);

  writeFileSync(join(root, 'data/lists/versions/.ut1.lock'), `${process.pid}\n`);
  await assert.rejects(importLists(request(root, [join(root, 'src')])), (err) => isWfError(err, 'WF_ERR_CONFLICT') && /another import of "ut1" is running/.test(err.message));
  // A lock left by a process that is gone is taken over.
  writeFileSync(join(root, 'data/lists/versions/.ut1.lock'), '999999999\n');
  await importLists(request(root, [join(root, 'src')]));
});

test('usage mistakes are refused before anything is written', async (t) => {
  const root = tempDir(t);
  writeFileSync(join(root, 'list.txt'), 'a.test\n');
  await assert.rejects(importLists(request(root, [join(root, 'list.txt')], { format: 'ut1' })), (err) => isWfError(err, 'WF_ERR_USAGE') && /one file/.test(err.message));
  await assert.rejects(importLists(request(root, [join(root, 'nope')], { categories: ['chat'] })), (err) => isWfError(err, 'WF_ERR_LIST_INVALID') && /does not exist/.test(err.message));
  await assert.rejects(importLists(request(root, [join(root, 'list.txt')], { name: 'Bad Name' })), (err) => isWfError(err, 'WF_ERR_USAGE'));
  await assert.rejects(importLists(request(root, [join(root, 'list.txt')], { categories: ['chat'], map: join(root, 'm.json') })), (err) => isWfError(err, 'WF_ERR_USAGE'));
  await assert.rejects(importLists(request(root, [join(root, 'list.txt')], { categories: ['nonsense'] })), (err) => isWfError(err, 'WF_ERR_USAGE'));
  assert.ok(!existsSync(join(root, 'data/lists/imported')));
});
