/**
 * Reading real files: plain and gzip alike, lines split across read chunks,
 * UTF-8 across chunk boundaries, a last line cut short, files skipped by
 * their date, and clear errors for files that cannot be read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isWfError } from '../../src/errors.ts';
import { buildReport } from '../../src/report/build-report.ts';
import { readLogText } from '../../src/report/read-log-text.ts';
import { buildReportFilter, NO_FILTER } from '../../src/report/report-filter.ts';
import { DAY, decisionJson, seal, T0 } from './log-lines.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardgate-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function linesOf(path: string): Promise<[string, number, boolean][]> {
  const out: [string, number, boolean][] = [];
  await readLogText(path, (text, n, terminated) => out.push([text, n, terminated]));
  return out;
}

test('readLogText: the same lines from plain and gzip files, numbered, with an unterminated last line flagged', async (t) => {
  const dir = tempDir(t);
  const text = 'one\n\nthree é ünïcödé\nlast-without-newline';
  writeFileSync(join(dir, 'a.log'), text);
  writeFileSync(join(dir, 'a.log.gz'), gzipSync(text));
  const expected = [['one', 1, true], ['', 2, true], ['three é ünïcödé', 3, true], ['last-without-newline', 4, false]];
  assert.deepEqual(await linesOf(join(dir, 'a.log')), expected);
  assert.deepEqual(await linesOf(join(dir, 'a.log.gz')), expected);
  writeFileSync(join(dir, 'empty.log'), '');
  assert.deepEqual(await linesOf(join(dir, 'empty.log')), []);
});

test('readLogText: lines longer than a read chunk and multi-byte characters across chunk boundaries arrive whole', async (t) => {
  const dir = tempDir(t);
  // 1 MiB chunks: a 2.5 MiB line of 3-byte characters straddles them at every possible offset.
  const long = '€'.repeat(900_000);
  const lines = ['short', long, `x${long}`, 'end'];
  writeFileSync(join(dir, 'big.log'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'big.log.gz'), gzipSync(`${lines.join('\n')}\n`));
  for (const name of ['big.log', 'big.log.gz']) {
    const got = await linesOf(join(dir, name));
    assert.deepEqual(got.map(([text, n, term]) => [text.length, n, term]), lines.map((l, i) => [l.length, i + 1, true]), name);
    assert.ok(got[1]![0] === long && got[2]![0] === `x${long}`, `${name}: content intact`);
  }
});

test('buildReport: the data dir’s files, plain and gzip, in chain order, one consecutive chain across them', async (t) => {
  const dir = tempDir(t);
  const day1 = seal([decisionJson({ decision: 'block', categories: ['chat'], host: 'chat.test' }), decisionJson({ time: T0 + 1 })]);
  const day2 = seal([decisionJson({ time: T0 + DAY, decision: 'block', categories: ['chat'], host: 'chat.test' })], day1.head);
  writeFileSync(join(dir, 'decisions-2026-11-20.1.log.gz'), gzipSync(day1.text));
  writeFileSync(join(dir, 'decisions-2026-11-21.1.log'), day2.text);
  writeFileSync(join(dir, 'not-a-log.txt'), 'ignored');
  const report = await buildReport({ logDir: dir, filter: NO_FILTER });
  assert.deepEqual(report.input.files.map((f) => f.slice(dir.length + 1)), ['decisions-2026-11-20.1.log.gz', 'decisions-2026-11-21.1.log']);
  assert.deepEqual([report.summary.decisions, report.summary.block, report.summary.allow], [3, 2, 1]);
  assert.deepEqual(report.chains.map((c) => [c.chain, c.complete, c.firstSeq, c.lastSeq]), [['main', true, 1, 3]]);

  // The gzip file of day 1 named alone, and a file missing in the middle of a chain shows as a gap.
  const day3 = seal([decisionJson({ time: T0 + 2 * DAY })], seal([decisionJson()], day2.head).head);
  writeFileSync(join(dir, 'decisions-2026-11-22.1.log'), day3.text);
  const gap = await buildReport({ logDir: dir, filter: NO_FILTER });
  assert.deepEqual(gap.chains[0]!.gaps.map((g) => [g.file.slice(dir.length + 1), g.line, g.missing]), [['decisions-2026-11-22.1.log', 1, 1]]);
});

test('buildReport: files whose name dates them outside --from/--to are not read', async (t) => {
  const dir = tempDir(t);
  let head;
  for (let d = 0; d < 10; d += 1) {
    const sealed = seal([decisionJson({ time: T0 + d * DAY })], head);
    head = sealed.head;
    writeFileSync(join(dir, `decisions-2026-11-${20 + d}.1.log`), sealed.text);
  }
  const report = await buildReport({ logDir: dir, filter: buildReportFilter({ from: '2026-11-24', to: '2026-11-25' }) });
  assert.equal(report.summary.decisions, 2);
  // A day's slack each side: the files of the 23rd to the 26th are read, the other six skipped.
  assert.equal(report.input.filesSkipped, 6);
  assert.equal(report.input.files.length, 4);
  assert.equal(report.chains[0]!.complete, true, 'a chain read from the middle is not a gap');
});

test('buildReport: files that cannot be read are clear errors naming the file', async (t) => {
  const dir = tempDir(t);
  const missing = join(dir, 'decisions-2026-11-20.1.log');
  await assert.rejects(buildReport({ files: [missing], filter: NO_FILTER }), (e) => isWfError(e, 'WF_ERR_NOT_FOUND') && e.message === `cannot read ${missing}: no such file`);
  const corrupt = join(dir, 'decisions-2026-11-21.1.log.gz');
  writeFileSync(corrupt, 'this is not gzip');
  await assert.rejects(buildReport({ files: [corrupt], filter: NO_FILTER }), (e) => isWfError(e, 'WF_ERR_INVALID_INPUT') && e.message.startsWith(`cannot read ${corrupt}: not a valid gzip file`));
  const truncated = join(dir, 'decisions-2026-11-22.1.log.gz');
  writeFileSync(truncated, gzipSync(seal([decisionJson(), decisionJson()]).text).subarray(0, 40));
  await assert.rejects(buildReport({ files: [truncated], filter: NO_FILTER }), (e) => isWfError(e, 'WF_ERR_INVALID_INPUT') && e.message.includes(truncated));
  const folder = join(dir, 'folder.log');
  mkdirSync(folder);
  await assert.rejects(buildReport({ files: [folder], filter: NO_FILTER }), (e) => isWfError(e, 'WF_ERR_INVALID_INPUT') && /not a file/.test(e.message));
  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'decisions-2026-11-23.1.log');
    writeFileSync(locked, seal([decisionJson()]).text);
    chmodSync(locked, 0o000);
    await assert.rejects(buildReport({ files: [locked], filter: NO_FILTER }), (e) => isWfError(e, 'WF_ERR_INVALID_INPUT') && /permission denied/.test(e.message));
  }
  await assert.rejects(buildReport({ logDir: join(dir, 'nothing-here'), filter: NO_FILTER }), (e) => isWfError(e, 'WF_ERR_NOT_FOUND') && /no decision log files in/.test(e.message));
});

test('buildReport: bad and cut-short lines in a file are counted and reported with file:line, the rest still counted', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'decisions-2026-11-20.1.log');
  const { lines } = seal([decisionJson(), decisionJson({ decision: 'block', categories: ['chat'] }), decisionJson()]);
  writeFileSync(file, `${lines[0]}\n{oops\n${lines[1]}\n${lines[2]!.slice(0, 50)}`);
  const report = await buildReport({ files: [file], filter: NO_FILTER });
  assert.deepEqual([report.summary.allow, report.summary.block], [1, 1]);
  assert.equal(report.input.badLines, 2);
  assert.deepEqual(report.input.badSamples, [
    { file, line: 2, reason: 'not JSON' },
    { file, line: 4, reason: 'incomplete last line (a write cut short)' },
  ]);
  assert.equal(report.chains[0]!.complete, false);
});
