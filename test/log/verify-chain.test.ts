import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLine, sealLine, sha256, GENESIS } from '../../src/log/chain.ts';
import { listDecisionLogFiles } from '../../src/log/log-files.ts';
import { groupIntoChains, verifyDecisionLogs, type VerifyResult } from '../../src/log/verify-chain.ts';
import { fakeClock, linesOf, openLog, record, rewriteLines, tempDataDir } from './decision-log-helpers.ts';

/** Two files of one chain: the first has a header and 6 records (lines 1–7), the second a header and 6 more. */
async function twoFiles(t: TestContext): Promise<{ first: string; second: string; dir: string }> {
  const clock = fakeClock('2026-11-23T23:00:00.000Z');
  const log = openLog(t, tempDataDir(t), clock);
  for (let i = 0; i < 12; i += 1) {
    if (i === 6) clock.advance(2 * 3_600_000); // into 24 Nov: a rotation between line 7 of the first file and the second file
    log.logger.info(record(i));
  }
  await log.destination.close();
  const files = listDecisionLogFiles(log.dir);
  assert.equal(files.length, 2);
  return { first: files[0]!.path, second: files[1]!.path, dir: log.dir };
}

async function verify(...paths: string[]): Promise<VerifyResult> {
  return verifyDecisionLogs(paths);
}

function where(result: VerifyResult): [string | null, number | null][] {
  return result.breaks.map((b) => [b.file, b.line]);
}

test('sealLine and openLine: the hash covers the line up to prev, and openLine gives back seq, prev and hash', () => {
  const sealed = sealLine('{"level":"info","id":"x"}\n', { seq: 41, hash: 'a'.repeat(64) });
  assert.equal(sealed.head.seq, 42);
  assert.match(sealed.line, /,"seq":42,"prev":"a{64}","hash":"[0-9a-f]{64}"\}\n$/);
  const opened = openLine(sealed.line.slice(0, -1))!;
  assert.equal(opened.seq, 42);
  assert.equal(opened.prev, 'a'.repeat(64));
  assert.equal(opened.hash, sealed.head.hash);
  assert.equal(sha256(opened.sealed), opened.hash);
  assert.equal(opened.sealed, `{"level":"info","id":"x","seq":42,"prev":"${'a'.repeat(64)}"}`);
  assert.deepEqual(JSON.parse(sealed.line), { level: 'info', id: 'x', seq: 42, prev: 'a'.repeat(64), hash: sealed.head.hash });
  assert.equal(openLine('{"level":"info"}'), null);
  assert.deepEqual(JSON.parse(sealLine('{}', { seq: 0, hash: GENESIS }).line).seq, 1);
});

test('untouched logs verify, with the head hash and the chain from GENESIS', async (t) => {
  const { first, second } = await twoFiles(t);
  const result = await verify(second, first); // any order: files are put in write order by name
  assert.deepEqual(result.breaks, []);
  assert.equal(result.ok, true);
  assert.equal(result.chains.length, 1);
  const chain = result.chains[0]!;
  assert.deepEqual(chain.files, [first, second]);
  assert.equal(chain.fromGenesis, true);
  assert.equal(chain.lines, 14);
  assert.deepEqual([chain.firstSeq, chain.lastSeq], [1, 14]);
  assert.equal(chain.head, JSON.parse(linesOf(second).at(-1)!).hash);
});

test('a deleted line is named: the line after the gap, with the count missing', async (t) => {
  const { first, second } = await twoFiles(t);
  rewriteLines(first, (lines) => lines.filter((_, i) => i !== 3)); // line 4
  const result = await verify(first, second);
  assert.deepEqual(where(result), [[first, 4]]);
  assert.match(result.breaks[0]!.message, /1 line missing or moved before this line: seq jumps from 3 to 5/);
});

test('an edited line is named, once', async (t) => {
  const { first, second } = await twoFiles(t);
  rewriteLines(first, (lines) => lines.map((l, i) => (i === 2 ? l.replace('"decision":"allow"', '"decision":"block"') : l)));
  const result = await verify(first, second);
  assert.deepEqual(where(result), [[first, 3]]);
  assert.match(result.breaks[0]!.message, /edited/);
});

test('an edited line whose hash was recomputed is caught at the next line, which no longer chains to it', async (t) => {
  const { first, second } = await twoFiles(t);
  rewriteLines(first, (lines) =>
    lines.map((l, i) => {
      if (i !== 2) return l;
      const opened = openLine(l)!;
      const forged = opened.sealed.replace('"decision":"allow"', '"decision":"block"');
      return `${forged.slice(0, -1)},"hash":"${sha256(forged)}"}`;
    }),
  );
  const result = await verify(first, second);
  assert.deepEqual(where(result), [[first, 4]]);
  assert.match(result.breaks[0]!.message, /does not chain to the line before/);
});

test('an inserted line is named: a made-up line, or a copy of a real one', async (t) => {
  const { first, second } = await twoFiles(t);
  rewriteLines(first, (lines) => [...lines.slice(0, 4), JSON.stringify(record(99)), ...lines.slice(4)]);
  const madeUp = await verify(first, second);
  assert.deepEqual(where(madeUp), [[first, 5]]);
  assert.match(madeUp.breaks[0]!.message, /not part of the chain/);

  const fresh = await twoFiles(t);
  rewriteLines(fresh.first, (lines) => [...lines.slice(0, 5), lines[2]!, ...lines.slice(5)]);
  const copied = await verify(fresh.first, fresh.second);
  assert.deepEqual(where(copied), [[fresh.first, 6]]);
  assert.match(copied.breaks[0]!.message, /out of order: seq 3 after seq 5/);
});

test('two swapped lines are named, the first where the order breaks', async (t) => {
  const { first, second } = await twoFiles(t);
  rewriteLines(first, (lines) => [...lines.slice(0, 2), lines[3]!, lines[2]!, ...lines.slice(4)]);
  const result = await verify(first, second);
  assert.deepEqual(where(result), [
    [first, 3],
    [first, 4],
  ]);
  assert.match(result.breaks[1]!.message, /out of order: seq 3 after seq 4/);
});

test('across a rotation: deleting the first line of the second file, or the last line of the first, is named', async (t) => {
  const a = await twoFiles(t);
  rewriteLines(a.second, (lines) => lines.slice(1));
  const headerGone = await verify(a.first, a.second);
  assert.deepEqual(where(headerGone), [[a.second, 1]]);
  assert.match(headerGone.breaks[0]!.message, /does not begin with its header/);

  const b = await twoFiles(t);
  rewriteLines(b.second, (lines) => [lines[0]!, ...lines.slice(2)]);
  assert.deepEqual(where(await verify(b.first, b.second)), [[b.second, 2]]);

  const c = await twoFiles(t);
  rewriteLines(c.first, (lines) => lines.slice(0, -1));
  const tailGone = await verify(c.first, c.second);
  assert.deepEqual(where(tailGone), [[c.second, 1]]);
  assert.match(tailGone.breaks[0]!.message, new RegExp(`removed from the end of ${c.first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
});

test('a whole missing file is named at the next file; a chain starting after retention is a note, not a break', async (t) => {
  const clock = fakeClock('2026-11-20T12:00:00.000Z');
  const log = openLog(t, tempDataDir(t), clock);
  for (let day = 0; day < 3; day += 1) {
    log.logger.info(record(day));
    log.logger.info(record(day + 10));
    clock.advance(86_400_000);
  }
  await log.destination.close();
  const [d20, d21, d22] = listDecisionLogFiles(log.dir).map((f) => f.path);
  const middleGone = await verify(d20!, d22!);
  assert.deepEqual(where(middleGone), [[d22!, 1]]);
  assert.match(middleGone.breaks[0]!.message, /3 lines missing/);
  const oldestGone = await verify(d21!, d22!);
  assert.deepEqual(oldestGone.breaks, []);
  assert.match(oldestGone.notes[0]!, /starts at seq 4/);
});

test('the first line of the oldest file cannot be removed unnoticed', async (t) => {
  const { first, second } = await twoFiles(t);
  rewriteLines(first, (lines) => lines.slice(1));
  assert.deepEqual(where(await verify(first, second)), [[first, 1]]);
});

test('a run of unsealed lines is one break naming the range', async (t) => {
  const { first, second } = await twoFiles(t);
  rewriteLines(first, (lines) => [...lines.slice(0, 3), 'x', 'y', '', ...lines.slice(3)]);
  const result = await verify(first, second);
  assert.deepEqual(result.breaks.map((b) => [b.line, b.toLine]), [[4, 6]]);
});

test('anchors: a recorded head that is gone is a break, even when the chain alone looks whole', async (t) => {
  const { first, second } = await twoFiles(t);
  const head = (await verify(first, second)).chains[0]!.head;
  assert.equal((await verifyDecisionLogs([first, second], { anchors: [head] })).ok, true);
  rewriteLines(second, (lines) => lines.slice(0, -1)); // the newest line, cut from the end
  const cut = await verifyDecisionLogs([first, second], { anchors: [head.toUpperCase()] });
  assert.deepEqual(where(cut), [[null, null]]);
  assert.match(cut.breaks[0]!.message, /anchor [0-9a-f]{64} is not the hash of any line/);
});

test('compressed and plain files verify together; a .log next to its .log.gz is read once', async (t) => {
  const log = openLog(t, tempDataDir(t), fakeClock(), { rotateBytes: 1_200, compress: true });
  for (let i = 0; i < 12; i += 1) log.logger.info(record(i));
  await log.destination.close();
  const files = listDecisionLogFiles(log.dir).map((f) => f.path);
  assert.ok(files.some((f) => f.endsWith('.gz')));
  assert.deepEqual((await verify(...files)).breaks, []);
  const gz = files.find((f) => f.endsWith('.gz'))!;
  const [chain] = groupIntoChains([...files, gz.slice(0, -3)]);
  assert.equal(chain!.files.length, files.length);
  assert.ok(chain!.files.includes(gz.slice(0, -3)) && !chain!.files.includes(gz));
});

test('files with other names are checked as one chain in the order given', async (t) => {
  const { first, second, dir } = await twoFiles(t);
  const copyA = join(dir, 'evidence-a.ndjson');
  const copyB = join(dir, 'evidence-b.ndjson');
  copyFileSync(first, copyA);
  copyFileSync(second, copyB);
  assert.deepEqual(groupIntoChains([copyA, copyB]), [{ name: 'given', files: [copyA, copyB] }]);
  assert.equal((await verify(copyA, copyB)).ok, true);
  assert.deepEqual(where(await verify(copyB, copyA)), [[copyA, 1]], 'given the wrong way round: one break where the moved block starts');
});
