/** `wardgate report` on the command line: flags, formats, --out, and every mistake a clear message with the right exit code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { DAY, decisionJson, seal, staffJson, T0 } from './log-lines.ts';

function dataDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardgate-report-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'logs'));
  const { text } = seal([
    staffJson({ grant: 'g_1', scope: 'category:gambling', time: T0 - 1 }),
    decisionJson({ decision: 'block', host: 'casino.test', categories: ['gambling'] }),
    decisionJson({ decision: 'allow-by-grant', host: 'casino.test', categories: ['gambling'], grants: ['g_1'], bytesOut: 1024 }),
    decisionJson({ decision: 'allow', member: 'bob', group: 'green', time: T0 + DAY, bytesOut: 10 }),
  ]);
  writeFileSync(join(dir, 'logs', 'decisions-2026-11-20.1.log'), text);
  return dir;
}

async function report(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO();
  const code = await runCli(['report', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

test('default: a table of the data dir’s logs on stdout, nothing on stderr when it is not a terminal', async (t) => {
  const dir = dataDir(t);
  const r = await report(['--data-dir', dir]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  assert.match(r.out, /^wardgate report, generated /);
  assert.match(r.out, /\nblocked\s+1\n/);
  assert.match(r.out, /\nGRANTS USED\ngrant\s+member\s+group\s+scope\s+requests\s+bytes in\s+bytes out\ng_1\s+alice\s+labour\s+category:gambling\s+1\s+0 B\s+1.0 KiB\n/);
  assert.match(r.out, /main\s+seq 1–4, 4 sealed lines in 1 file: consecutive, nothing missing/);
});

test('filters and formats: --member with --format json; --out picks the format from the extension and writes atomically', async (t) => {
  const dir = dataDir(t);
  const json = await report(['--data-dir', dir, '--member', 'bob', '--format', 'json']);
  assert.equal(json.code, 0, json.err);
  const parsed = JSON.parse(json.out) as { summary: { decisions: number; allow: number }; filter: { members: string[] } };
  assert.deepEqual([parsed.summary.decisions, parsed.summary.allow], [1, 1]);
  assert.deepEqual(parsed.filter.members, ['bob']);

  for (const [name, check] of [
    ['r.csv', (s: string) => s.startsWith('section,metric,')],
    ['r.html', (s: string) => s.startsWith('<!DOCTYPE html>')],
    ['r.json', (s: string) => JSON.parse(s).v === 1],
    ['r.txt', (s: string) => s.startsWith('wardgate report')],
  ] as const) {
    const out = join(dir, name);
    const r = await report(['--data-dir', dir, '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '', 'nothing on stdout with --out');
    assert.ok(check(readFileSync(out, 'utf8')), name);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');

  const decisions = JSON.parse((await report(['--data-dir', dir, '--decision', 'block,allow-by-grant', '--format', 'json', '--from', '2026-11-20', '--to', '2026-11-20'])).out) as { summary: { decisions: number } };
  assert.equal(decisions.summary.decisions, 2);
});

test('FILE arguments are read instead of the data dir', async (t) => {
  const dir = dataDir(t);
  const r = await report([join(dir, 'logs', 'decisions-2026-11-20.1.log'), '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { summary: { decisions: number } }).summary.decisions, 3);
});

test('mistakes: usage errors exit 2 with the usage text, unreadable input exits 1, never a stack trace', async (t) => {
  const dir = dataDir(t);
  const cases: [string[], number, RegExp][] = [
    [['--from', 'last tuesday'], 2, /--from "last tuesday" is not a date: use YYYY-MM-DD/],
    [['--from', '2026-11-31'], 2, /--from "2026-11-31" is not a calendar date/],
    [['--from', '2026-11-22', '--to', '2026-11-21'], 2, /--from 2026-11-22 is not before --to 2026-11-21/],
    [['--format', 'pdf'], 2, /--format "pdf" is not one of table, csv, json, html/],
    [['--decision', 'denied'], 2, /--decision "denied" is not one of/],
    [['--top', '0'], 2, /--top "0" must be a whole number from 1 to 1000/],
    [['--colour'], 2, /unknown option --colour/],
    [[join(dir, 'nope.log')], 1, /cannot read .*nope\.log: no such file/],
    [['--out', join(dir, 'no-such-folder', 'r.html')], 1, /cannot write the report to .*no-such-folder/],
  ];
  for (const [args, code, message] of cases) {
    const r = await report(['--data-dir', dir, ...args]);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    if (code === 2) assert.match(r.err, /Usage: wardgate report/);
  }
  const empty = mkdtempSync(join(tmpdir(), 'wardgate-report-empty-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const none = await report(['--data-dir', empty]);
  assert.equal(none.code, 1);
  assert.match(none.err, /no decision log files in .*logs/);
  assert.ok(!existsSync(join(dir, 'no-such-folder')));
});

test('--help prints the usage and `wardgate help` lists the command', async () => {
  const r = await report(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /--format F\s+table \(default\), csv, json or html/);
  const io = memoryIO();
  await runCli(['help'], io);
  assert.match(io.out(), /wardgate report \[FILE\.\.\.\]/);
});
