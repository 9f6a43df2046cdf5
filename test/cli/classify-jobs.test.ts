/**
 * `classify --stdin --jobs N` (worker threads over an index in shared
 * memory) writes exactly what one thread writes: the same bytes in the same
 * order, for the fresh index file and for lists compiled from the folders,
 * with arguments before standard input, with a member, and whatever the
 * chunking; and it says clearly what is wrong with a bad --jobs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli.ts';
import { defaultClassifyJobs, JOBS_FROM_BYTES } from '../../src/cli/classify-in-workers.ts';
import type { CliIO } from '../../src/cli/cli-io.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { FIXTURE_CATEGORIES, seedDirectory } from '../helpers/wardgate-harness.ts';

/** 3,000 lines over the fixture's blocked, trusted, keyword and unlisted hosts, with bad and blank lines among them. */
function input(): Buffer {
  const kinds = [
    (i: number) => `http://www${i % 7}.blocked-porn.test/p${i}`,
    (i: number) => `http://fine${i % 50}.example/search?q=porn+videos&i=${i}`,
    (i: number) => `https://casino.test/${i}`,
    (i: number) => `ftp://nope${i}/`, // unusable: an error line
    (i: number) => `  http://sub.trusted.test/porn/${i}\r`, // spaces and CR trimmed
    () => '',
    (i: number) => `http://bücher${i % 3}.example/é${i}`,
    (i: number) => `http://127.0.0.9/${i}`,
  ];
  const lines = Array.from({ length: 3000 }, (_, i) => kinds[i % kinds.length]!(i));
  return Buffer.from(`${lines.join('\n')}\nhttp://casino.test/last-without-newline`);
}

function chunkedIO(bytes: Buffer, size: number): CliIO & { out(): string; err(): string } {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(Buffer.from(c)));
  stderr.on('data', (c: Buffer) => err.push(Buffer.from(c)));
  return { stdout, stderr, stdin: Readable.from(chunks), env: {}, out: () => Buffer.concat(out).toString('utf8'), err: () => Buffer.concat(err).toString('utf8') };
}

async function classify(args: readonly string[], bytes: Buffer, chunkSize: number): Promise<{ code: number; out: string; err: string }> {
  const io = chunkedIO(bytes, chunkSize);
  const code = await runCli(['classify', '--stdin', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

test('--jobs 2 and 3 write the bytes --jobs 1 writes, for lists compiled from the folders', async () => {
  const bytes = input();
  for (const format of ['json', 'compact']) {
    const args = ['--categories', FIXTURE_CATEGORIES, '--format', format, 'http://first-argument.example/', 'ftp://bad-argument/'];
    const one = await classify([...args, '--jobs', '1'], bytes, 65_536);
    assert.equal(one.code, 1, 'bad URLs make the exit code 1');
    const lines = one.out.split('\n');
    assert.equal(lines.length, 1 + 2 + 3000 - 375 + 1, 'arguments, every non-blank line, the last line, and the final newline');
    assert.match(lines[0]!, /first-argument/);
    // One byte at a time makes a piece of every line: slow under tsx, so once.
    const runs = format === 'json' ? ([['2', 65_536], ['3', 997], ['2', 1]] as const) : ([['2', 997]] as const);
    for (const [jobs, size] of runs) {
      const many = await classify([...args, '--jobs', jobs], bytes, size);
      assert.equal(many.code, 1);
      assert.equal(many.out, one.out, `--jobs ${jobs}, chunks of ${size} bytes, ${format}`);
    }
  }
});

test('--jobs reads a fresh index file into shared memory and answers as one thread does, member included; a corrupt file is not used', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-jobs-'));
  try {
    await seedDirectory(dataDir);
    const compile = memoryIO();
    assert.equal(await runCli(['lists', 'compile', '--data-dir', dataDir, '--categories', FIXTURE_CATEGORIES], compile), 0, compile.err());
    const bytes = input();
    const args = ['--data-dir', dataDir, '--categories', FIXTURE_CATEGORIES, '--member', 'alice'];
    const one = await classify([...args, '--jobs', '1'], bytes, 4096);
    const two = await classify([...args, '--jobs', '2'], bytes, 4096);
    assert.equal(two.out, one.out);
    assert.equal(two.err, one.err, 'the same list problems, reported once');
    const first = JSON.parse(two.out.split('\n')[0]!) as { member?: string; decision?: string };
    assert.equal(first.member, 'alice');
    assert.equal(first.decision, 'block');
    // A corrupt index file is not handed to the workers: the lists are compiled from the folders instead, as with one thread.
    const indexFile = join(dataDir, 'lists', 'compiled.idx');
    const index = readFileSync(indexFile);
    index[index.length >> 1] = index[index.length >> 1]! ^ 0xff;
    writeFileSync(indexFile, index);
    const corrupt = await classify([...args, '--jobs', '2'], bytes, 4096);
    assert.equal(corrupt.out, one.out, 'same answers from the compiled folders');
    const missing = await classify(['--data-dir', dataDir, '--categories', FIXTURE_CATEGORIES, '--member', 'nobody', '--jobs', '2'], bytes, 4096);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no member "nobody"/);
    assert.equal(missing.out, '');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a bad --jobs is a usage error that names it', async () => {
  for (const bad of ['0', 'two', '1.5', '99']) {
    const io = memoryIO('http://a.example/\n');
    assert.equal(await runCli(['classify', '--stdin', '--jobs', bad, '--categories', FIXTURE_CATEGORIES], io), 2, bad);
    assert.match(io.err(), new RegExp(`--jobs must be a whole number.*"${bad.replace('.', '\\.')}"`));
  }
});

test('without --jobs: worker threads only for standard input that is a large file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wardgate-jobs-default-'));
  try {
    const small = join(dir, 'small.txt');
    writeFileSync(small, 'http://a.example/\n');
    const large = join(dir, 'large.txt');
    writeFileSync(large, '');
    truncateSync(large, JOBS_FROM_BYTES); // sparse: no 16 MiB written
    for (const [file, expected] of [[small, 1], [large, Math.min(4, availableParallelism())]] as const) {
      const fd = openSync(file, 'r');
      try {
        assert.equal(defaultClassifyJobs({ fd }), expected, file);
      } finally {
        closeSync(fd);
      }
    }
    assert.equal(defaultClassifyJobs(new PassThrough()), 1, 'a stream without a file descriptor');
    assert.equal(defaultClassifyJobs({ fd: 987_654 }), 1, 'a descriptor that cannot be examined');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
