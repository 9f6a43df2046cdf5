import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createProgressBar, isTerminal } from '../../src/report/progress-bar.ts';

test('the progress bar redraws one line at most ten times a second and erases itself', () => {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (c: Buffer) => (written += c.toString()));
  let now = 1_000;
  const bar = createProgressBar(stream, () => now);
  bar.update({ bytesRead: 512 * 1024, bytesTotal: 2 * 1024 * 1024, linesRead: 12_345 });
  now += 50;
  bar.update({ bytesRead: 1024 * 1024, bytesTotal: 2 * 1024 * 1024, linesRead: 20_000 });
  now += 100;
  bar.update({ bytesRead: 2 * 1024 * 1024, bytesTotal: 2 * 1024 * 1024, linesRead: 40_000 });
  bar.done();
  stream.end();
  const frames = written.split('\r').filter((f) => f !== '');
  assert.equal(frames.length, 3, 'two drawings (one skipped as too soon) and the erase');
  assert.match(frames[0]!, /^\[#{8} {22}\] 25%  512\.0 KiB of 2\.0 MiB, 12,345 lines\u001b\[K$/);
  assert.match(frames[1]!, /^\[#{30}\] 100%  2\.0 MiB of 2\.0 MiB, 40,000 lines/);
  assert.equal(frames[2], '\u001b[K');
});

test('nothing is drawn or erased when no update came; only terminals count as terminals', () => {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (c: Buffer) => (written += c.toString()));
  createProgressBar(stream).done();
  assert.equal(written, '');
  assert.equal(isTerminal(stream), false);
  assert.equal(isTerminal(Object.assign(new PassThrough(), { isTTY: true })), true);
});
