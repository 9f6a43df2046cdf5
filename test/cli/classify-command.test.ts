import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { FIXTURE_CATEGORIES, seedDirectory } from '../helpers/wardgate-harness.ts';

function lines(text: string): Record<string, unknown>[] {
  return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('classify prints one JSON line per URL with target, decision, categories and the rule', async () => {
  const io = memoryIO();
  const code = await runCli(['classify', '--categories', FIXTURE_CATEGORIES, 'http://WWW.Blocked-Porn.test./x', 'allowed.example/search?q=fuck', 'http://essex.gov.uk/sussex'], io);
  assert.equal(code, 0, io.err());
  const [porn, profane, place] = lines(io.out());
  assert.equal(porn!.target, 'http://www.blocked-porn.test/x');
  assert.equal(porn!.decision, 'block');
  assert.deepEqual(porn!.categories, ['pornography']);
  assert.deepEqual((porn!.rule as { file: string; line: number; entry: string }).file, 'pornography/domains');
  assert.equal((porn!.rule as { entry: string }).entry, 'blocked-porn.test');
  assert.equal(profane!.decision, 'block');
  assert.deepEqual(profane!.categories, ['profanity']);
  assert.equal(place!.decision, 'allow');
});

test('classify --stdin streams URLs; a bad URL is reported on its line and the exit code is 1', async () => {
  const io = memoryIO('http://chat-room.test/\nftp://nope/\n\nhttp://fine.example/\n');
  const code = await runCli(['classify', '--stdin', '--categories', FIXTURE_CATEGORIES], io);
  assert.equal(code, 1);
  const out = lines(io.out());
  assert.equal(out.length, 3);
  assert.equal(out[0]!.decision, 'block');
  assert.match(String(out[1]!.error), /scheme must be http/);
  assert.equal(out[2]!.decision, 'allow');
});

test('classify --member uses the member directory and rejects unknown members by name', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-classify-'));
  try {
    await seedDirectory(dataDir);
    const ok = memoryIO();
    assert.equal(await runCli(['classify', '--data-dir', dataDir, '--categories', FIXTURE_CATEGORIES, '--member', 'alice', 'http://casino.test/'], ok), 0);
    assert.equal(lines(ok.out())[0]!.member, 'alice');
    const missing = memoryIO();
    assert.equal(await runCli(['classify', '--data-dir', dataDir, '--categories', FIXTURE_CATEGORIES, '--member', 'nobody', 'http://a.example/'], missing), 1);
    assert.match(missing.err(), /no member "nobody"/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('usage errors name the problem and exit 2; a missing categories folder fails closed', async () => {
  const none = memoryIO();
  assert.equal(await runCli(['classify'], none), 2);
  assert.match(none.err(), /at least one URL/);
  const unknown = memoryIO();
  assert.equal(await runCli(['classify', '--bogus', 'x'], unknown), 2);
  assert.match(unknown.err(), /bogus/);
  const noLists = memoryIO();
  assert.equal(await runCli(['classify', '--categories', '/nonexistent/wardgate-lists', 'http://a.example/'], noLists), 1);
  assert.match(noLists.err(), /nonexistent\/wardgate-lists/);
  const command = memoryIO();
  assert.equal(await runCli(['frobnicate'], command), 2);
  assert.match(command.err(), /unknown command "frobnicate"/);
});

test('the fast line serialiser writes exactly what JSON.stringify of the line object writes', async () => {
  const { classifyLineJson, toClassifyLine } = await import('../../src/cli/classify-command.ts');
  const { evaluateUrl } = await import('../../src/cli/url-evaluation.ts');
  const { loadListsSnapshot } = await import('../../src/compose.ts');
  const { SnapshotHolder } = await import('../../src/pipeline/runtime-snapshot.ts');
  const { DEFAULTS } = await import('../../src/config/defaults.ts');
  const lists = await loadListsSnapshot({ ...DEFAULTS, dataDir: undefined, categoriesDir: FIXTURE_CATEGORIES });
  const snapshot = new SnapshotHolder({ ...lists, directory: { members: new Map(), byIp: new Map(), groups: new Map() }, grants: new Map() }).current;
  const urls = ['http://www.blocked-porn.test/x', 'http://example.org/"quoted"\\path?q=fuck', 'http://casino.test/', 'ftp://bad/', 'http://example.org/', 'http://example.org/', 'http://bücher.de/ü'];
  for (const url of urls) {
    for (const member of [undefined, 'alice']) {
      const result = evaluateUrl(url, snapshot, member, 0);
      assert.equal(classifyLineJson(result), JSON.stringify(toClassifyLine(result)), `${url} ${member}`);
    }
  }
});
