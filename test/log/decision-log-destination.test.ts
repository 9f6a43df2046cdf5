import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createDecisionLogDestination } from '../../src/log/decision-log-destination.ts';
import { GENESIS } from '../../src/log/chain.ts';
import { decisionLogDir, formatLogFileName, listDecisionLogFiles, utcDate } from '../../src/log/log-files.ts';
import { readLogLines } from '../../src/log/read-lines.ts';
import { verifyDecisionLogs } from '../../src/log/verify-chain.ts';
import { DAY, fakeClock, flushed, linesOf, namesIn, openLog, parsedLinesOf, record, tempDataDir } from './decision-log-helpers.ts';

async function verifyDir(dir: string) {
  return verifyDecisionLogs(listDecisionLogFiles(dir).map((f) => f.path));
}

function ids(dir: string): string[] {
  return listDecisionLogFiles(dir).flatMap((f) => parsedLinesOf(f.path).filter((l) => l.type === undefined).map((l) => String(l.id)));
}

test('size rotation: files stay under rotateBytes, are numbered in order, each starts with its header, and no line is lost', async (t) => {
  const clock = fakeClock();
  const log = openLog(t, tempDataDir(t), clock, { rotateBytes: 2_000 });
  for (let i = 0; i < 40; i += 1) log.logger.info(record(i));
  await log.destination.close();
  const files = listDecisionLogFiles(log.dir);
  assert.ok(files.length >= 5, `expected several files, got ${files.length}`);
  assert.deepEqual(
    files.map((f) => f.name),
    files.map((_, i) => `decisions-2026-11-23.${i + 1}.log`),
  );
  for (const file of files) {
    assert.ok(statSync(file.path).size <= 2_000, `${file.name} is ${statSync(file.path).size} bytes`);
    const [header] = parsedLinesOf(file.path);
    assert.equal(header!.type, 'file');
    assert.equal(header!.file, file.name);
  }
  assert.deepEqual(ids(log.dir), Array.from({ length: 40 }, (_, i) => `req-${i}`));
  assert.equal((await verifyDir(log.dir)).ok, true);
});

test('a single line bigger than rotateBytes is still written, alone in its file', async (t) => {
  const log = openLog(t, tempDataDir(t), fakeClock(), { rotateBytes: 300 });
  log.logger.info(record(1, { reason: 'x'.repeat(1_000) }));
  log.logger.info(record(2));
  await log.destination.close();
  assert.deepEqual(ids(log.dir), ['req-1', 'req-2']);
  assert.equal(listDecisionLogFiles(log.dir).length, 2);
});

test('daily rotation: a line goes to the file of its own UTC day, even when both days were written in one batch', async (t) => {
  const clock = fakeClock('2026-11-23T23:59:58.000Z');
  const log = openLog(t, tempDataDir(t), clock);
  log.logger.info(record(1));
  log.logger.info(record(2));
  clock.advance(3_000); // now 2026-11-24T00:00:01Z, with nothing flushed yet
  log.logger.info(record(3));
  await flushed(log.destination);
  clock.advance(DAY);
  log.logger.info(record(4));
  await log.destination.close();
  const files = listDecisionLogFiles(log.dir);
  assert.deepEqual(
    files.map((f) => f.name),
    ['decisions-2026-11-23.1.log', 'decisions-2026-11-24.1.log', 'decisions-2026-11-25.1.log'],
  );
  const perFile = files.map((f) => parsedLinesOf(f.path).filter((l) => l.type === undefined).map((l) => l.id));
  assert.deepEqual(perFile, [['req-1', 'req-2'], ['req-3'], ['req-4']]);
  assert.equal((await verifyDir(log.dir)).ok, true);
});

test('a clock stepping back never names a file before its predecessor', async (t) => {
  const clock = fakeClock('2026-11-24T00:00:05.000Z');
  const log = openLog(t, tempDataDir(t), clock, { rotateBytes: 600 });
  log.logger.info(record(1));
  clock.advance(-10_000);
  log.logger.info(record(2));
  log.logger.info(record(3));
  await log.destination.close();
  assert.ok(listDecisionLogFiles(log.dir).every((f) => f.date === '2026-11-24'));
  assert.deepEqual(ids(log.dir), ['req-1', 'req-2', 'req-3']);
  assert.equal((await verifyDir(log.dir)).ok, true);
});

test('retention deletes only files whose days are past the period, never other files nor a chain’s newest file', async (t) => {
  const dataDir = tempDataDir(t);
  const dir = decisionLogDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const old = [
    'decisions-2026-10-01.1.log',
    'decisions-2026-10-23.1.log.gz',
    'decisions-2026-10-23.2.log',
    'decisions-2026-10-02.w1.1.log',
  ];
  const kept = [
    'decisions-2026-10-24.1.log', // exactly 30 days before 2026-11-23: kept
    'decisions-2026-11-22.1.log',
    'decisions-2026-10-05.w1.1.log', // old, but worker 1's newest file: carries its chain head
    'decisions-2026-09-01.w2.1.log', // idem for worker 2
    'decisions.log',
    'notes.txt',
  ];
  for (const name of [...old, ...kept]) writeFileSync(join(dir, name), '');
  const log = openLog(t, dataDir, fakeClock('2026-11-23T08:00:00.000Z'), { retentionDays: 30 });
  await log.destination.idle();
  for (const name of old) assert.equal(existsSync(join(dir, name)), false, `${name} should be deleted`);
  for (const name of kept) assert.equal(existsSync(join(dir, name)), true, `${name} should be kept`);
});

test('retention runs again as the days roll over, and retentionDays 0 keeps everything', async (t) => {
  const clock = fakeClock('2026-11-20T12:00:00.000Z');
  const log = openLog(t, tempDataDir(t), clock, { retentionDays: 1 });
  for (let day = 0; day < 4; day += 1) {
    if (day > 0) clock.advance(DAY);
    log.logger.info(record(day));
    await flushed(log.destination);
    await log.destination.idle(); // the sweep reads the clock when it runs
  }
  // On the 23rd, with one day kept: the 22nd and the 23rd remain.
  assert.deepEqual(
    listDecisionLogFiles(log.dir).map((f) => f.date),
    ['2026-11-22', '2026-11-23'],
  );
  const result = await verifyDir(log.dir);
  assert.equal(result.ok, true, 'a chain cut by retention still verifies');
  assert.match(result.notes.join('\n'), /starts at seq \d+/);

  const keepAll = openLog(t, tempDataDir(t), fakeClock('2026-01-01T00:00:00.000Z'), { retentionDays: 0 });
  keepAll.logger.info(record(1));
  await keepAll.destination.close();
  assert.equal(listDecisionLogFiles(keepAll.dir).length, 1);
});

test('rotated files are gzipped in the background and read back line by line', async (t) => {
  const log = openLog(t, tempDataDir(t), fakeClock(), { rotateBytes: 1_500, compress: true });
  for (let i = 0; i < 20; i += 1) log.logger.info(record(i));
  await log.destination.close();
  const files = listDecisionLogFiles(log.dir);
  assert.ok(files.slice(0, -1).every((f) => f.compressed), 'every file but the current one is compressed');
  assert.equal(files.at(-1)!.compressed, false);
  assert.ok(!namesIn(log.dir).some((n) => n.endsWith('.tmp')));
  const read: string[] = [];
  for (const file of files) for await (const line of readLogLines(file.path)) read.push(line.text);
  assert.deepEqual(
    read.map((l) => JSON.parse(l) as { id?: string }).filter((l) => l.id !== undefined).map((l) => l.id),
    Array.from({ length: 20 }, (_, i) => `req-${i}`),
  );
  assert.equal((await verifyDir(log.dir)).ok, true);
});

test('a restart continues the newest file and its chain; a new day after a restart starts a file chained to the old one', async (t) => {
  const dataDir = tempDataDir(t);
  const clock = fakeClock();
  const first = openLog(t, dataDir, clock);
  for (let i = 0; i < 3; i += 1) first.logger.info(record(i));
  await first.destination.close();
  const head = first.destination.head;

  const second = openLog(t, dataDir, clock);
  assert.deepEqual(second.destination.head, head);
  for (let i = 3; i < 6; i += 1) second.logger.info(record(i));
  await second.destination.close();
  assert.deepEqual(namesIn(second.dir), ['decisions-2026-11-23.1.log']);
  const lines = parsedLinesOf(join(second.dir, 'decisions-2026-11-23.1.log'));
  assert.deepEqual(lines.map((l) => l.seq), [1, 2, 3, 4, 5, 6, 7]);

  clock.advance(DAY);
  const third = openLog(t, dataDir, clock);
  third.logger.info(record(6));
  await third.destination.close();
  const [header] = parsedLinesOf(join(third.dir, 'decisions-2026-11-24.1.log'));
  assert.equal(header!.prev, lines.at(-1)!.hash);
  const result = await verifyDir(third.dir);
  assert.deepEqual(result.breaks, []);
  assert.equal(result.chains[0]!.fromGenesis, true);
});

test('a restart whose newest file is compressed continues the chain from its last line (non-ASCII and all)', async (t) => {
  const dataDir = tempDataDir(t);
  const clock = fakeClock();
  const first = openLog(t, dataDir, clock);
  // Multi-byte characters in the last line: the tail is found in the bytes and decoded alone.
  for (let i = 0; i < 2_000; i += 1) first.logger.info(record(i, { reason: `Café ☕ ${i}` }));
  await first.destination.close();
  const path = join(first.dir, 'decisions-2026-11-23.1.log');
  writeFileSync(`${path}.gz`, gzipSync(readFileSync(path)));
  unlinkSync(path);

  const second = openLog(t, dataDir, clock);
  assert.deepEqual(second.destination.head, first.destination.head);
  second.logger.info(record(2_000));
  await second.destination.close();
  assert.deepEqual(namesIn(second.dir), ['decisions-2026-11-23.1.log.gz', 'decisions-2026-11-23.2.log']);
  assert.equal(parsedLinesOf(join(second.dir, 'decisions-2026-11-23.2.log'))[0]!.prev, first.destination.head.hash);
  assert.deepEqual((await verifyDir(second.dir)).breaks, []);
});

test('after a crash mid-line, a restart starts a new file chained to the last whole line, and verify reports the torn line', async (t) => {
  const dataDir = tempDataDir(t);
  const clock = fakeClock();
  const first = openLog(t, dataDir, clock);
  first.logger.info(record(1));
  await first.destination.close();
  const path = join(first.dir, 'decisions-2026-11-23.1.log');
  appendFileSync(path, '{"level":"info","time":17');

  const second = openLog(t, dataDir, clock);
  second.logger.info(record(2));
  await second.destination.close();
  assert.deepEqual(
    listDecisionLogFiles(second.dir).map((f) => f.name),
    ['decisions-2026-11-23.1.log', 'decisions-2026-11-23.2.log'],
  );
  assert.equal(parsedLinesOf(join(second.dir, 'decisions-2026-11-23.2.log'))[0]!.prev, first.destination.head.hash);
  const result = await verifyDir(second.dir);
  assert.deepEqual(
    result.breaks.map((b) => [b.file, b.line]),
    [[path, 3]],
  );
  assert.match(result.breaks[0]!.message, /incomplete/);
});

test('close() writes every line queued, however many, in order', async (t) => {
  const log = openLog(t, tempDataDir(t), fakeClock(), { rotateBytes: 0 });
  for (let i = 0; i < 5_000; i += 1) log.logger.info(record(i));
  await log.destination.close();
  assert.deepEqual(ids(log.dir), Array.from({ length: 5_000 }, (_, i) => `req-${i}`));
  assert.equal((await verifyDir(log.dir)).ok, true);
});

test('lines of every size, up to several times a write chunk, are written whole and in order, batch after batch', async (t) => {
  const log = openLog(t, tempDataDir(t), fakeClock(), { rotateBytes: 0 });
  const sizes = [0, 10, 1_000, 70_000, 300_000, 1_200_000, 5, 250_000, 0];
  const expected: string[] = [];
  for (let round = 0; round < 4; round += 1) {
    for (let i = 0; i < 400; i += 1) {
      const n = round * 1000 + i;
      const pad = i < sizes.length ? sizes[i]! : (n * 37) % 2000;
      // Non-ASCII text, so bytes and characters differ.
      log.logger.info(record(n, { note: `é€😀${'x'.repeat(pad)}` }));
      expected.push(`req-${n}`);
    }
    await flushed(log.destination); // the next round reuses the written chunks' buffers
  }
  await log.destination.close();
  assert.deepEqual(ids(log.dir), expected);
  const notes = listDecisionLogFiles(log.dir).flatMap((f) => parsedLinesOf(f.path).filter((l) => l.type === undefined).map((l) => String(l.note).length));
  assert.deepEqual(notes.slice(0, sizes.length), sizes.map((size) => size + 4));
  assert.equal((await verifyDir(log.dir)).ok, true);
});

test('a trickle of lines is gathered and written without any flush, and flush() writes what waits at once', async (t) => {
  const log = openLog(t, tempDataDir(t), fakeClock());
  log.logger.info(record(1));
  await new Promise((resolve) => setTimeout(resolve, 5));
  log.logger.info(record(2));
  const file = () => listDecisionLogFiles(log.dir)[0]?.path;
  const deadline = Date.now() + 2_000;
  while (Date.now() < deadline && (file() === undefined || !readFileSync(file()!, 'utf8').includes('req-2'))) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.deepEqual(ids(log.dir), ['req-1', 'req-2'], 'written by the gathering timer alone');
  log.logger.info(record(3));
  await flushed(log.destination);
  assert.deepEqual(ids(log.dir), ['req-1', 'req-2', 'req-3'], 'flush() did not wait for the gathering');
  assert.equal((await verifyDir(log.dir)).ok, true);
});

test('flushSync() at shutdown writes the batch in flight and the queue behind it, once each and in order', async (t) => {
  const log = openLog(t, tempDataDir(t), fakeClock(), { rotateBytes: 20_000 });
  for (let i = 0; i < 300; i += 1) log.logger.info(record(i));
  await nextTurn(); // the first batch is now being written asynchronously
  for (let i = 300; i < 600; i += 1) log.logger.info(record(i));
  log.destination.flushSync();
  assert.deepEqual(ids(log.dir), Array.from({ length: 600 }, (_, i) => `req-${i}`));
  assert.equal((await verifyDir(log.dir)).ok, true);
  await log.destination.close();
  assert.deepEqual(ids(log.dir), Array.from({ length: 600 }, (_, i) => `req-${i}`), 'the late async write changed nothing');
});

test('with chain off, lines are written as pino made them (no header, seq, prev or hash)', async (t) => {
  const log = openLog(t, tempDataDir(t), fakeClock(), { chain: false });
  log.logger.info(record(1));
  await log.destination.close();
  const [line] = parsedLinesOf(listDecisionLogFiles(log.dir)[0]!.path);
  assert.equal(line!.id, 'req-1');
  assert.equal('hash' in line!, false);
  assert.equal('seq' in line!, false);
});

test('the first line ever chains to GENESIS with seq 1', async (t) => {
  const log = openLog(t, tempDataDir(t), fakeClock());
  log.logger.info(record(1));
  await log.destination.close();
  const [header] = parsedLinesOf(listDecisionLogFiles(log.dir)[0]!.path);
  assert.equal(header!.seq, 1);
  assert.equal(header!.prev, GENESIS);
});

test('several workers: each writes its own files and chain, never interleaved, and each verifies', async (t) => {
  const dataDir = tempDataDir(t);
  const clock = fakeClock();
  const one = openLog(t, dataDir, clock, { rotateBytes: 3_000 }, '1');
  const two = openLog(t, dataDir, clock, { rotateBytes: 3_000 }, '2');
  for (let i = 0; i < 30; i += 1) (i % 2 === 0 ? one : two).logger.info(record(i));
  await Promise.all([one.destination.close(), two.destination.close()]);
  const files = listDecisionLogFiles(one.dir);
  assert.ok(files.some((f) => f.worker === '1') && files.some((f) => f.worker === '2'));
  for (const file of files) {
    const workerIds = parsedLinesOf(file.path).filter((l) => l.type === undefined).map((l) => Number(String(l.id).slice(4)) % 2);
    assert.ok(workerIds.every((parity) => parity === (file.worker === '1' ? 0 : 1)), `${file.name} holds only its worker's lines`);
  }
  const result = await verifyDir(one.dir);
  assert.deepEqual(result.breaks, []);
  assert.deepEqual(result.chains.map((c) => c.chain), ['w1', 'w2']);
});

test('a chain is written by one process only: a second writer is refused, a stale lock is taken over', async (t) => {
  const dataDir = tempDataDir(t);
  const clock = fakeClock();
  const first = openLog(t, dataDir, clock);
  assert.throws(() => openLog(t, dataDir, clock), { code: 'WF_ERR_LOG_WRITE' });
  assert.doesNotThrow(() => openLog(t, dataDir, clock, {}, '7'));
  await first.destination.close();
  // A lock left by a process that is gone (pid 2^22 + 1 is above Linux's pid_max default).
  writeFileSync(join(first.dir, 'decisions.lock'), '4194305\n');
  const again = openLog(t, dataDir, clock);
  assert.equal(readFileSync(join(first.dir, 'decisions.lock'), 'utf8'), `${process.pid}\n`);
  await again.destination.close();
  assert.equal(existsSync(join(first.dir, 'decisions.lock')), false, 'close() releases the lock');
});

test('bad settings are refused with every problem named', () => {
  assert.throws(
    () => createDecisionLogDestination({ dir: '/nonexistent', rotateBytes: -1, rotateDaily: true, retentionDays: 1.5, chain: true, compress: false }),
    (error: Error & { code?: string }) => error.code === 'WF_ERR_INVALID_INPUT' && /rotateBytes/.test(error.message) && /retentionDays/.test(error.message),
  );
  assert.throws(
    () => createDecisionLogDestination({ dir: '/nonexistent', rotateBytes: 0, rotateDaily: true, retentionDays: 0, chain: true, compress: false, worker: 'W 1' }),
    { code: 'WF_ERR_INVALID_INPUT' },
  );
});

test('lines pino writes in one call with several records are split and each sealed', async (t) => {
  const log = openLog(t, tempDataDir(t), fakeClock());
  log.destination.write('{"level":"info","time":1,"id":"a"}\n{"level":"info","time":1,"id":"b"}\n');
  await log.destination.close();
  const lines = linesOf(listDecisionLogFiles(log.dir)[0]!.path);
  assert.equal(lines.length, 3);
  assert.equal((await verifyDir(log.dir)).ok, true);
});

test('a newest file cut short before its first whole line: the chain continues from the file before', async (t) => {
  const dataDir = tempDataDir(t);
  const clock = fakeClock();
  const first = openLog(t, dataDir, clock);
  first.logger.info(record(1));
  await first.destination.close();
  writeFileSync(join(first.dir, 'decisions-2026-11-23.2.log'), '{"type":"file","v":1,"ti');
  const second = openLog(t, dataDir, clock);
  assert.deepEqual(second.destination.head, first.destination.head);
  second.logger.info(record(2));
  await second.destination.close();
  const result = await verifyDir(second.dir);
  assert.deepEqual(result.breaks.map((b) => [b.file, b.line]), [[join(first.dir, 'decisions-2026-11-23.2.log'), 1]]);
});

test('after close(), writes are refused and flush() answers at once', async (t) => {
  const log = openLog(t, tempDataDir(t), fakeClock());
  log.logger.info(record(1));
  await log.destination.close();
  assert.equal(log.destination.write('{"level":"info","time":1}\n'), false);
  await flushed(log.destination);
  assert.deepEqual(ids(log.dir), ['req-1']);
});

test('when the disk refuses writes: reported once, flushes fail, lines wait in memory up to maxPendingBytes and the rest are refused, close() fails at once and releases the lock', async (t) => {
  if (!existsSync('/dev/full')) {
    t.skip('needs /dev/full, whose writes always fail with ENOSPC');
    return;
  }
  const clock = fakeClock();
  const dir = decisionLogDir(tempDataDir(t));
  mkdirSync(dir, { recursive: true });
  // Today's newest file, which a start continues: every write to it fails as on a full disk.
  symlinkSync('/dev/full', join(dir, formatLogFileName({ date: utcDate(clock()), worker: null, index: 1 })));
  const destination = createDecisionLogDestination({ dir, rotateBytes: 0, rotateDaily: true, retentionDays: 0, chain: true, compress: false, clock, maxPendingBytes: 4096, retryMs: 20 });
  const errors: Error[] = [];
  destination.on('error', (error: Error) => errors.push(error));
  const line = (n: number) => `${JSON.stringify({ level: 'info', time: clock(), id: `req-${n}` })}\n`;
  for (let i = 0; i < 10; i += 1) assert.equal(destination.write(line(i)), true);
  await assert.rejects(flushed(destination), (error: Error & { code?: string }) => error.code === 'WF_ERR_LOG_WRITE' && /ENOSPC/.test(error.message));
  // While the first chunk is retried, new lines wait in memory until maxPendingBytes, then are refused.
  const accepted = Array.from({ length: 200 }, (_, i) => destination.write(line(10 + i)));
  assert.ok(accepted.includes(true) && accepted.includes(false), 'some lines kept, the rest refused');
  assert.equal(accepted.indexOf(false) > 0 && accepted.slice(accepted.indexOf(false)).every((ok) => !ok), true, 'once refused, refused until written');
  await new Promise((resolve) => setTimeout(resolve, 120)); // several retries
  assert.equal(errors.length, 1, 'one report per streak of failures, not one per retry');
  await assert.rejects(destination.close(), (error: Error & { code?: string }) => error.code === 'WF_ERR_LOG_WRITE');
  assert.equal(existsSync(join(dir, 'decisions.lock')), false, 'the lock is released even so');
  assert.equal(destination.write(line(999)), false, 'closed');
});
