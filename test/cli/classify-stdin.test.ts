/**
 * `classify --stdin` against the same URLs given one by one as arguments:
 * the same bytes for every format, however standard input is cut into
 * chunks (bad lines, CRLF, blank lines, a line longer than a chunk,
 * non-UTF-8 bytes, a character split across chunks, no final newline);
 * every line also equals JSON.stringify of its object (the reference the
 * hand-written line writer must match). And a reader that goes away early
 * (`| head`) ends the command quietly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough, Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli.ts';
import { loadEvaluationSnapshot, toClassifyLine } from '../../src/cli/classify-command.ts';
import { evaluateUrl } from '../../src/cli/url-evaluation.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { CliIO } from '../../src/cli/cli-io.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { FIXTURE_CATEGORIES } from '../helpers/wardgate-harness.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LONG_PATH = `/${'a'.repeat(150_000)}`;

/** Input lines as bytes: each case a reason the stream reader could go wrong. */
const INPUT = Buffer.concat([
  Buffer.from('http://WWW.Blocked-Porn.test./x\n'),
  Buffer.from('ftp://nope/\n'), // bad scheme: an error line, the stream goes on
  Buffer.from('not a url at all\n'),
  Buffer.from('http://casino.test/\r\n'), // CRLF
  Buffer.from('\n\n   \n\t\r\n'), // blank lines: skipped
  Buffer.from('  http://chat-room.test/a?b=1  \n'), // surrounding spaces: trimmed
  Buffer.from(`http://long.example${LONG_PATH}\n`), // longer than any chunk
  Buffer.from('http://fine.example/search?q=porn+videos\n'), // keyword
  Buffer.from('http://www.scunthorpe.gov.uk/\n'), // exception word
  Buffer.from('http://never-grant.test/\n'), // non-grantable sub-list
  Buffer.from('http://sub.trusted.test/porn\n'), // trusted host
  Buffer.from('http://127.0.0.9/\n'), // listed IP
  Buffer.from('http://fine.example/a"b\\c\n'), // JSON escapes in the input
  Buffer.from('http://bücher.example/é\n'), // non-ASCII, split across chunks below
  Buffer.from([0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x78, 0xff, 0xfe, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x2f, 0x0a]), // http://x<ff><fe>.test/
  Buffer.from([0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x79, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x2f, 0xc3, 0x0a]), // a lone lead byte before the newline
  Buffer.from('http://casino.test/last-line-without-newline'),
]);

/** The lines `--stdin` should see: split on \n, trimmed, blank ones dropped (decoded whole, as UTF-8). */
const URLS = INPUT.toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');

function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

function io(stdin: Readable): CliIO & { out(): Buffer } {
  const stdout = new PassThrough();
  const parts: Buffer[] = [];
  stdout.on('data', (c: Buffer) => parts.push(Buffer.from(c)));
  return { stdout, stderr: new PassThrough(), stdin, env: {}, out: () => Buffer.concat(parts) };
}

for (const format of ['json', 'compact'] as const) {
  test(`classify --stdin (${format}) prints exactly what classify prints for each URL, however stdin is chunked`, async () => {
    const perUrl = memoryIO();
    const code = await runCli(['classify', '--format', format, '--categories', FIXTURE_CATEGORIES, ...URLS], perUrl);
    assert.equal(code, 1, 'bad URLs make the exit code 1');
    const expected = perUrl.out();
    assert.equal(expected.split('\n').length, URLS.length + 1);
    // 1 byte, a size that splits 'é' and 'ü', 64 KiB (the long line spans chunks), all at once.
    for (const size of [1, 5, 17, 65_536, INPUT.length]) {
      const streamed = io(chunked(INPUT, size));
      assert.equal(await runCli(['classify', '--stdin', '--format', format, '--categories', FIXTURE_CATEGORIES], streamed), 1);
      const out = streamed.out().toString('utf8');
      assert.equal(out, expected, `chunks of ${size} bytes`);
    }
  });
}

test('every classify line is JSON.stringify of its object (json) or of the compact fields', async () => {
  const config = loadConfig({ categories: FIXTURE_CATEGORIES }, {});
  const snapshot = await loadEvaluationSnapshot(config, undefined, memoryIO());
  const perUrl = memoryIO();
  await runCli(['classify', '--categories', FIXTURE_CATEGORIES, ...URLS], perUrl);
  const compact = memoryIO();
  await runCli(['classify', '--format', 'compact', '--categories', FIXTURE_CATEGORIES, ...URLS], compact);
  const jsonLines = perUrl.out().split('\n');
  const compactLines = compact.out().split('\n');
  URLS.forEach((url, i) => {
    const result = evaluateUrl(url, snapshot, undefined);
    assert.equal(jsonLines[i], JSON.stringify(toClassifyLine(result)), url.slice(0, 80));
    const reference =
      'error' in result
        ? { input: result.input, error: result.error }
        : {
            input: result.input,
            host: result.target.host,
            decision: result.evaluation.decision.action,
            reason: result.evaluation.decision.reason,
            categories: result.evaluation.decision.categories,
            rule: result.evaluation.decision.rule === undefined ? null : { list: result.evaluation.decision.rule.list, kind: result.evaluation.decision.rule.kind, entry: result.evaluation.decision.rule.entry },
            grants: result.evaluation.decision.grantIds,
          };
    assert.equal(compactLines[i], JSON.stringify(reference), url.slice(0, 80));
  });
  // The cases above exercise what they claim to.
  const parsed = jsonLines.slice(0, -1).map((l) => JSON.parse(l) as { decision?: string; error?: string; rule?: { grantable?: boolean }; trusted?: boolean });
  assert.ok(parsed.filter((p) => p.error !== undefined).length >= 2);
  assert.ok(parsed.some((p) => p.rule?.grantable === false));
  assert.ok(parsed.some((p) => p.trusted === true));
  assert.ok(URLS.some((u) => u.includes('\ufffd')));
});

for (const jobs of ['1', '2']) {
test(`a slow reader gets every line (the command waits for it to drain), --jobs ${jobs}`, async () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => `http://host${i % 500}.example/p${i}`);
  const received: Buffer[] = [];
  let writes = 0;
  const stdout = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, done) {
      received.push(Buffer.from(chunk));
      writes++;
      setImmediate(done);
    },
  });
  const cli: CliIO = { stdout, stderr: new PassThrough(), stdin: Readable.from([Buffer.from(lines.join('\n'))]), env: {} };
  assert.equal(await runCli(['classify', '--stdin', '--jobs', jobs, '--format', 'compact', '--categories', FIXTURE_CATEGORIES], cli), 0);
  await new Promise<void>((resolve) => stdout.end(resolve));
  const out = Buffer.concat(received).toString('utf8').trim().split('\n');
  assert.equal(out.length, lines.length);
  assert.equal((JSON.parse(out.at(-1)!) as { input: string }).input, lines.at(-1));
  assert.ok(writes > 1);
});
}

for (const command of [['classify', '--stdin', '--jobs', '1'], ['classify', '--stdin', '--jobs', '2'], ['lists', 'test', '--stdin'], ['lists', 'test', '--json', '--stdin']]) {
  test(`${command.join(' ')} ends quietly when its reader goes away (| head)`, { skip: !existsSync(`${ROOT}dist/cli.js`) && 'dist/ not built (npm run build)', timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, ['bin/wardgate.js', ...command, '--categories', FIXTURE_CATEGORIES], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.on('error', () => undefined); // the child may stop reading before we stop writing
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // Plenty of input, written while the child runs; stdout closed after the first bytes.
  const line = Buffer.from('http://fine.example/page\n'.repeat(4_000));
  let written = 0;
  const feed = (): void => {
    while (written < 200 && child.stdin.writable) {
      written++;
      if (!child.stdin.write(line)) return void child.stdin.once('drain', feed);
    }
    if (child.stdin.writable) child.stdin.end();
  };
  feed();
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy();
  const code = await exited;
  // Only the fixture's list diagnostics: no stack trace, no EPIPE message.
  assert.doesNotMatch(stderr, /EPIPE|Error|unexpected|\n\s+at /);
  for (const l of stderr.split('\n').filter(Boolean)) assert.match(l, /^wardgate: category lists: /);
  assert.equal(code, 0);
  });
}
