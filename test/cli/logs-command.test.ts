import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLogsCommand } from '../../src/cli/logs-command.ts';
import { listDecisionLogFiles } from '../../src/log/log-files.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { fakeClock, openLog, record, rewriteLines, tempDataDir } from '../log/decision-log-helpers.ts';

/** A data dir whose logs/ holds two days of chained decisions. */
async function loggedDataDir(t: TestContext): Promise<{ dataDir: string; files: string[] }> {
  const dataDir = tempDataDir(t);
  const clock = fakeClock('2026-11-23T23:59:00.000Z');
  const log = openLog(t, dataDir, clock);
  for (let i = 0; i < 6; i += 1) {
    if (i === 3) clock.advance(120_000);
    log.logger.info(record(i));
  }
  await log.destination.close();
  return { dataDir, files: listDecisionLogFiles(log.dir).map((f) => f.path) };
}

test('logs verify: intact logs in the data dir exit 0 with a summary and the head hash', async (t) => {
  const { dataDir } = await loggedDataDir(t);
  const io = memoryIO();
  const code = await runLogsCommand(['verify', '--data-dir', dataDir], io);
  assert.equal(code, 0, io.err());
  assert.match(io.out(), /^chain main: 2 files, 8 lines, seq 1–8, head [0-9a-f]{64}$/m);
  assert.match(io.out(), /decision log intact: 2 files verified\n$/);
  assert.equal(io.err(), '');
});

test('logs verify: a tampered line exits 1, naming file and line, one line per break', async (t) => {
  const { dataDir, files } = await loggedDataDir(t);
  rewriteLines(files[0]!, (lines) => lines.map((l, i) => (i === 2 ? l.replace('cllr-smith', 'cllr-other') : l)));
  rewriteLines(files[1]!, (lines) => lines.filter((_, i) => i !== 1));
  const io = memoryIO('', { WARDGATE_DATA_DIR: dataDir });
  const code = await runLogsCommand(['verify'], io);
  assert.equal(code, 1);
  const breaks = io.out().split('\n').filter((l) => l.startsWith('/'));
  assert.deepEqual(
    breaks.map((l) => l.split(': ')[0]),
    [`${files[0]}:3`, `${files[1]}:2`],
  );
  assert.match(breaks[0]!, /edited/);
  assert.match(breaks[1]!, /1 line missing/);
  assert.equal(io.err(), 'wardgate: the decision log is NOT intact: 2 breaks (listed above)\n');
});

test('logs verify FILE…: checks just the files named, without reading any configuration', async (t) => {
  const { files } = await loggedDataDir(t);
  const io = memoryIO('', { WARDGATE_CONFIG: '/nonexistent/config.json' });
  const code = await runLogsCommand(['verify', files[1]!], io);
  assert.equal(code, 0, io.err());
  assert.match(io.out(), /note: chain main starts at seq 5/);
});

test('logs verify --anchor: a head recorded earlier must still be there', async (t) => {
  const { dataDir, files } = await loggedDataDir(t);
  const first = memoryIO();
  await runLogsCommand(['verify', '--data-dir', dataDir], first);
  const head = /head ([0-9a-f]{64})/.exec(first.out())![1]!;
  assert.equal(await runLogsCommand(['verify', '--data-dir', dataDir, '--anchor', head], memoryIO()), 0);
  rewriteLines(files[1]!, (lines) => lines.slice(0, -1));
  const io = memoryIO();
  assert.equal(await runLogsCommand(['verify', '--data-dir', dataDir, '--anchor', head], io), 1);
  assert.match(io.out(), new RegExp(`^anchor ${head} is not the hash of any line`, 'm'));
});

test('logs: usage mistakes exit 2; no log files or an unreadable file exit 1 with one line', async (t) => {
  const usage = [['show'], [], ['verify', '--anchor', 'abc'], ['verify', '--member', 'x']];
  for (const argv of usage) {
    const io = memoryIO();
    assert.equal(await runLogsCommand(argv, io), 2, argv.join(' '));
    assert.match(io.err(), /Usage: wardgate logs verify/);
  }
  const empty = tempDataDir(t);
  mkdirSync(join(empty, 'logs'));
  writeFileSync(join(empty, 'logs', 'notes.txt'), 'not a log');
  const none = memoryIO();
  assert.equal(await runLogsCommand(['verify', '--data-dir', empty], none), 1);
  assert.equal(none.err(), `wardgate: no decision log files in ${join(empty, 'logs')}\n`);
  const missing = memoryIO();
  assert.equal(await runLogsCommand(['verify', join(empty, 'decisions-2026-01-01.1.log')], missing), 1);
  assert.match(missing.err(), /^wardgate: cannot read .*decisions-2026-01-01\.1\.log/);
  const help = memoryIO();
  assert.equal(await runLogsCommand(['--help'], help), 0);
  assert.match(help.out(), /Usage: wardgate logs verify/);
});
