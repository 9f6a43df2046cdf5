import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../../src/cli.ts';
import { memoryIO } from '../helpers/memory-io.ts';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardgate-lists-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tiny UT1 folder and a hosts file, invented hosts only. */
function sources(dir: string): void {
  mkdirSync(join(dir, 'src/blacklists/chat'), { recursive: true });
  mkdirSync(join(dir, 'src/blacklists/adult'), { recursive: true });
  mkdirSync(join(dir, 'src/blacklists/press'), { recursive: true });
  writeFileSync(join(dir, 'src/blacklists/chat/domains'), 'chat-room.test\n');
  writeFileSync(join(dir, 'src/blacklists/adult/domains'), gzipSync('adult-site.test\nbad line here\nnew.council.gov.uk\n'));
  writeFileSync(join(dir, 'src/blacklists/press/domains'), 'news.test\n');
  writeFileSync(join(dir, 'gore-hosts'), '0.0.0.0 gore.test\n');
}

test('lists import prints what went where, what was skipped and the bad lines', async (t) => {
  const dir = tempDir(t);
  sources(dir);
  const io = memoryIO();
  assert.equal(await runCli(['lists', 'import', join(dir, 'src'), '--data-dir', join(dir, 'data')], io), 0, io.err());
  const out = io.out();
  assert.match(out, /^imported "ut1" \(map: .*ut1-map\.json\)$/m);
  assert.match(out, /^ {2}adult +pornography +2 +1$/m);
  assert.match(out, /^ {2}chat +chat +1 +0$/m);
  assert.match(out, /^skipped press: An ordinary topic/m);
  assert.match(out, /^ {2}src\/blacklists\/adult\/domains:2: "bad line here": one entry per line$/m);
  assert.match(out, /3 entries in .*lists\/imported\/ut1 \(version ut1@/);
  assert.match(out, /loads them by itself/);

  const hosts = memoryIO();
  const code = await runCli(['lists', 'import', join(dir, 'gore-hosts'), '--category', 'murder-suicide,violence', '--data-dir', join(dir, 'data')], hosts);
  assert.equal(code, 0, hosts.err());
  assert.match(hosts.out(), /^imported "gore-hosts"/m);
  assert.match(hosts.out(), /gore-hosts +murder-suicide, violence +1/);
});

test('lists test shows every match, the one that decided and the decision; --json gives classify lines', async (t) => {
  const dir = tempDir(t);
  sources(dir);
  const data = join(dir, 'data');
  assert.equal(await runCli(['lists', 'import', join(dir, 'src'), '--data-dir', data], memoryIO()), 0);

  const io = memoryIO();
  assert.equal(await runCli(['lists', 'test', '--data-dir', data, 'http://www.chat-room.test/x', 'https://new.council.gov.uk/', 'http://discord.com/'], io), 0, io.err());
  const [chat, council, local] = io.out().trim().split('\n\n');
  assert.match(chat!, /^http:\/\/www\.chat-room\.test\/x\n {2}decision: {3}block: chat$/m);
  assert.match(chat!, /decided by: domain chat-room\.test in ut1\/chat\/chat\/domains:3 \(imported list ut1:chat\/chat\)/);
  assert.match(chat!, /^ {4}\* +domain +chat-room\.test +chat +ut1\/chat\/chat\/domains:3 +imported +ut1:chat\/chat$/m);
  assert.match(council!, /decision: {3}allow: no list matched/);
  assert.match(council!, /trusted: {4}yes/);
  assert.match(local!, /decided by: domain discord\.com in chat\/domains:\d+ \(council list chat\)/);

  const json = memoryIO();
  assert.equal(await runCli(['lists', 'test', '--json', '--data-dir', data, 'chat-room.test'], json), 0);
  const line = JSON.parse(json.out()) as { decision: string; rule: { source: string; list: string; file: string } };
  assert.equal(line.decision, 'block');
  assert.deepEqual([line.rule.source, line.rule.list, line.rule.file], ['imported', 'ut1:chat/chat', 'ut1/chat/chat/domains']);

  const bad = memoryIO();
  assert.equal(await runCli(['lists', 'test', '--data-dir', data, 'ftp://nope/'], bad), 1);
  assert.match(bad.out(), /error: +invalid request target/);
});

test('lists update is quiet when it works, says why and exits 1 when a source fails, and keeps the old lists', async (t) => {
  const dir = tempDir(t);
  sources(dir);
  const config = join(dir, 'wardgate.json');
  // Relative paths in the config file are relative to the file.
  writeFileSync(config, JSON.stringify({
    dataDir: 'data',
    lists: { sources: [{ name: 'ut1', source: 'src' }, { name: 'gore', source: 'gore-hosts', format: 'hosts', categories: ['murder-suicide'] }] },
  }));
  const ok = memoryIO();
  assert.equal(await runCli(['lists', 'update', '--config', config], ok), 0, ok.err());
  assert.equal(ok.out(), '');
  assert.equal(ok.err(), '');

  writeFileSync(join(dir, 'src/blacklists/chat/domains'), gzipSync('chat-room.test\n').subarray(0, 12));
  writeFileSync(join(dir, 'gore-hosts'), '0.0.0.0 gore-two.test\n');
  const failed = memoryIO();
  assert.equal(await runCli(['lists', 'update', '--config', config], failed), 1);
  assert.match(failed.err(), /^wardgate: lists update: import "ut1" failed: .*chat\/domains is not a complete gzip file: it ends too soon .*; the lists imported before stay in use$/m);
  assert.equal(failed.out(), '');

  const check = memoryIO();
  await runCli(['lists', 'test', '--json', '--config', config, 'chat-room.test', 'gore-two.test'], check);
  const [chat, gore] = check.out().trim().split('\n').map((l) => JSON.parse(l) as { decision: string; rule: { list: string } | null });
  assert.equal(chat!.rule?.list, 'ut1:chat/chat', 'the old ut1 import still serves');
  assert.equal(gore!.rule?.list, 'gore:murder-suicide/gore-hosts', 'the other source was updated');

  const verbose = memoryIO();
  assert.equal(await runCli(['lists', 'update', 'gore', '--verbose', '--config', config], verbose), 0);
  assert.match(verbose.out(), /imported "gore"/);
  assert.match(verbose.out(), /updated 1 of 1 list sources/);
});

test('lists usage errors exit 2; update without configured sources exits 1', async (t) => {
  const dir = tempDir(t);
  const cases: [string[], RegExp][] = [
    [['lists'], /name a subcommand/],
    [['lists', 'frobnicate'], /unknown subcommand "frobnicate"/],
    [['lists', 'import'], /needs at least one SOURCE/],
    [['lists', 'import', 'x', '--json'], /"lists import" does not take --json/],
    [['lists', 'import', 'x', '--format', 'csv'], /--format must be one of ut1, squidguard, hosts, plain/],
    [['lists', 'test'], /needs at least one URL/],
    [['lists', 'update', '--bogus'], /unknown option --bogus/],
  ];
  for (const [argv, message] of cases) {
    const io = memoryIO();
    assert.equal(await runCli([...argv, '--data-dir', dir], io), 2, argv.join(' '));
    assert.match(io.err(), message);
    assert.match(io.err(), /Usage: wardgate lists import/);
  }
  const none = memoryIO();
  assert.equal(await runCli(['lists', 'update', '--config', '', '--data-dir', dir], none), 1);
  assert.match(none.err(), /no list sources are configured/);
  const help = memoryIO();
  assert.equal(await runCli(['lists', '--help'], help), 0);
  assert.match(help.out(), /wardgate lists update/);
  const top = memoryIO();
  await runCli(['help'], top);
  assert.match(top.out(), /wardgate lists import SOURCE/);
});
