/**
 * `wardgate serve --workers 2` as a real process: two workers share one
 * listening socket, both answer (allowed requests forwarded, blocked ones
 * blocked), each writes its own decision log chain (files labelled .w1 and
 * .w2, verified by `logs verify`), and SIGTERM to the primary stops them all
 * with exit code 0. A bad --workers value is a usage error naming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startOrigin } from '../helpers/origin.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { ALICE, basicAuth, FIXTURE_CATEGORIES, seedDirectory } from '../helpers/wardgate-harness.ts';
import { decisionLogDir, listDecisionLogFiles } from '../../src/log/log-files.ts';

const ROOT = new URL('../../', import.meta.url);

test('serve --workers 2: both workers serve one port, each logs its own chain, SIGTERM stops all with 0', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-workers-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  await seedDirectory(dataDir);
  const origin = await startOrigin();
  t.after(() => origin.close());
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'serve', '--workers', '2', '--listen', '127.0.0.1:0', '--admin', 'off', '--data-dir', dataDir, '--categories', FIXTURE_CATEGORIES, '--resolve', 'origin.test:127.0.0.1'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => child.kill('SIGKILL'));
  const ports: number[] = [];
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const record = JSON.parse(line) as { msg?: string; address?: { port: number } };
    if (record.msg === 'wardgate listening') ports.push(record.address!.port);
    if (ports.length === 2) break;
  }
  assert.equal(ports[0], ports[1], 'both workers listen on the same port');
  const auth = { 'proxy-authorization': basicAuth(ALICE.id, ALICE.password) };
  for (let i = 0; i < 12; i++) {
    // A new connection each time (agent: false), so the primary hands them out to both workers.
    const allowed = await viaProxy({ proxyPort: ports[0]!, url: `http://origin.test:${origin.port}/small`, headers: auth });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.body.length, 1024);
    const blocked = await viaProxy({ proxyPort: ports[0]!, url: 'http://blocked-porn.test/', headers: auth });
    assert.equal(blocked.status, 403);
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
  const workers = new Set(listDecisionLogFiles(decisionLogDir(dataDir)).map((f) => f.worker));
  assert.deepEqual([...workers].sort(), ['1', '2'], 'one decision log chain per worker, and both served requests');
  const verify = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'logs', 'verify', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
});

test('serve --workers with a bad value is a usage error naming the option', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--workers', 'lots', '--admin', 'off'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /--workers must be a whole number/);
});
