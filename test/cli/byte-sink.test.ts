import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ByteSink } from '../../src/cli/byte-sink.ts';

/** A sink over a collector, with `size`-byte buffers (tiny ones force a hand-over mid-string). */
function collect(size: number, write: (sink: ByteSink) => void): string {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  const sink = new ByteSink(out, size);
  write(sink);
  sink.flush();
  return Buffer.concat(chunks).toString('utf8');
}

const STRINGS = ['', 'plain', 'http://a.example/x?y=1', 'quote"', 'back\\slash', 'tab\t', '\u0000', '\u007f', 'é', 'bücher', '\ud800', 'a\ud83d\ude00b', '\u2028', 'x'.repeat(5000)];

test('jsonString writes exactly JSON.stringify, whatever the buffer size', () => {
  for (const size of [8, 64, 4096]) {
    assert.equal(collect(size, (sink) => STRINGS.forEach((s) => sink.jsonString(s))), STRINGS.map((s) => JSON.stringify(s)).join(''), `buffer ${size}`);
  }
});

test('number writes JSON.stringify(n)', () => {
  const numbers = [0, 7, 10, 99, 100, 123456, 0x7fffffff, 0x80000000, -1, 1.5, Number.NaN];
  assert.equal(collect(16, (sink) => numbers.forEach((n) => (sink.number(n), sink.byte(0x20)))), numbers.map((n) => `${JSON.stringify(n)} `).join(''));
});

test('copy repeats bytes still in the current buffer, and refuses once it was handed over', () => {
  const out = collect(64, (sink) => {
    const start = sink.position;
    const generation = sink.generation;
    sink.jsonString('abc');
    assert.equal(sink.copy(start, sink.position, generation), true);
    sink.jsonString('y'.repeat(80)); // does not fit: the buffer is handed over
    assert.equal(sink.copy(start, start + 5, generation), false);
  });
  assert.equal(out, `"abc""abc"${JSON.stringify('y'.repeat(80))}`);
});

test('a stream error is recorded, not thrown, and nothing more is written', async () => {
  const out = new PassThrough();
  const sink = new ByteSink(out, 16);
  out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal((sink.failed as NodeJS.ErrnoException | null)?.code, 'EPIPE');
  sink.jsonString('still fine to call');
  await sink.drained();
});
