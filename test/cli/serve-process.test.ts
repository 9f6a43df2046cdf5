/**
 * `wardgate serve` as a real process, the way `npm start` runs it: it
 * listens, refuses unknown clients (never an open proxy), and exits 0 on
 * SIGTERM. Also checks the built `bin/wardgate.js` entry point when dist/ exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { viaProxy } from '../helpers/proxy-client.ts';
import { decisionLogDir, listDecisionLogFiles } from '../../src/log/log-files.ts';

const ROOT = new URL('../../', import.meta.url);

test('serve listens on its address, answers 407 to strangers, writes decisions to the data dir and exits 0 on SIGTERM', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-serve-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let port = 0;
  for await (const line of createInterface({ input: child.stdout! })) {
    const record = JSON.parse(line) as { msg?: string; address?: { port: number } };
    if (record.msg === 'wardgate listening') {
      port = record.address!.port;
      break;
    }
  }
  assert.ok(port > 0);
  const res = await viaProxy({ proxyPort: port, url: 'http://example.org/' });
  assert.equal(res.status, 407);
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
  assert.equal(existsSync(join(dataDir, 'wardgate.db')), true);
  const [file] = listDecisionLogFiles(decisionLogDir(dataDir));
  const decisions = readFileSync(file!.path, 'utf8').trim().split('\n');
  assert.equal((JSON.parse(decisions.at(-1)!) as { status: number }).status, 407, 'flushed before exit');
  const verify = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'logs', 'verify', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
});

test('a bad setting stops serve with a message naming it and exit code 1', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--listen', 'nowhere:99999'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /listen/);
  assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, 'no stack trace for a user error');
});

test('the built bin/wardgate.js runs the compiled CLI', { skip: !existsSync(new URL('dist/cli.js', ROOT)) && 'dist/ not built (npm install builds it)' }, () => {
  const result = spawnSync(process.execPath, ['bin/wardgate.js', 'version'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^wardgate \d+\.\d+\.\d+/);
});
