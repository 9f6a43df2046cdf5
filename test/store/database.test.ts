import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync } from 'node:child_process';
import BetterSqlite3 from 'better-sqlite3';
import { isWfError } from '../../src/errors.ts';
import { watchDatabase } from '../../src/store/change-watcher.ts';
import { databasePath, openDatabase } from '../../src/store/database.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/store/migrations.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wardgate-db-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

test('creates the data directory and opens in WAL mode with foreign keys and a busy timeout', (t) => {
  const dataDir = path.join(tempDir(t), 'nested', 'data');
  const db = openDatabase(dataDir);
  t.after(() => db.close());
  assert.ok(fs.existsSync(databasePath(dataDir)));
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
});

test('applies every migration once, and reopening is a no-op that keeps the data', (t) => {
  const dataDir = tempDir(t);
  const first = openDatabase(dataDir);
  first.prepare("INSERT INTO groups (id, name) VALUES ('labour', 'Labour')").run();
  first.close();
  const again = openDatabase(dataDir);
  t.after(() => again.close());
  const applied = again.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
  assert.deepEqual(
    applied,
    MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
  );
  assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS.length);
  assert.deepEqual(again.prepare('SELECT id FROM groups').all(), [{ id: 'labour' }]);
});

test('migration versions are 1..n in order', () => {
  MIGRATIONS.forEach((m, i) => assert.equal(m.version, i + 1));
});

test('migration 1 creates the directory tables with cascading addresses', (t) => {
  const db = openDatabase(tempDir(t));
  t.after(() => db.close());
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
  const names = tables.map((r) => (r as { name: string }).name);
  for (const table of ['groups', 'members', 'member_ips', 'schema_migrations']) assert.ok(names.includes(table), table);
  db.exec(`INSERT INTO groups (id, name) VALUES ('g', 'G');
           INSERT INTO members (id, name, group_id) VALUES ('m', 'M', 'g');
           INSERT INTO member_ips (address, member_id) VALUES ('192.0.2.1', 'm');
           DELETE FROM members WHERE id = 'm';`);
  assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM member_ips').get(), { n: 0 });
  assert.throws(() => db.prepare("INSERT INTO members (id, name, group_id) VALUES ('x', 'X', 'nope')").run(), /FOREIGN KEY/);
});

test('refuses a database written by a newer wardgate', (t) => {
  const dataDir = tempDir(t);
  openDatabase(dataDir).close();
  const raw = new BetterSqlite3(databasePath(dataDir));
  raw.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'from-the-future');
  raw.close();
  assert.throws(
    () => openDatabase(dataDir),
    (error: unknown) =>
      isWfError(error, 'WF_ERR_STORE') &&
      error.message.includes(databasePath(dataDir)) &&
      error.message.includes(`schema version ${LATEST_SCHEMA_VERSION + 1}`) &&
      /newer wardgate/.test(error.message),
  );
});

test('a migration that fails leaves nothing applied and names the database', (t) => {
  const dataDir = tempDir(t);
  const raw = new BetterSqlite3(databasePath(dataDir));
  raw.exec("CREATE TABLE groups (id TEXT); INSERT INTO groups VALUES ('squatter')");
  raw.close();
  assert.throws(
    () => openDatabase(dataDir),
    (error: unknown) => isWfError(error, 'WF_ERR_STORE') && error.message.includes('schema version 1'),
  );
  const check = new BetterSqlite3(databasePath(dataDir), { readonly: true });
  t.after(() => check.close());
  assert.deepEqual(check.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get(), { n: 0 });
  assert.equal(check.prepare("SELECT name FROM sqlite_master WHERE name = 'members'").get(), undefined);
});

test('a file that is not a database is WF_ERR_STORE naming the path', (t) => {
  const dataDir = tempDir(t);
  fs.writeFileSync(databasePath(dataDir), 'this is not sqlite, just text that is long enough to look like a header '.repeat(20));
  assert.throws(
    () => openDatabase(dataDir),
    (error: unknown) => isWfError(error, 'WF_ERR_STORE') && error.message.includes(databasePath(dataDir)),
  );
});

test('a data directory that cannot be created is WF_ERR_STORE naming it', (t) => {
  const blocker = path.join(tempDir(t), 'a-file');
  fs.writeFileSync(blocker, '');
  const dataDir = path.join(blocker, 'data');
  assert.throws(
    () => openDatabase(dataDir),
    (error: unknown) => isWfError(error, 'WF_ERR_STORE') && error.message.includes(dataDir),
  );
});

test('read-only: refuses a missing file, reads an existing one, cannot write', (t) => {
  const dataDir = tempDir(t);
  assert.throws(() => openDatabase(dataDir, { readonly: true }), (error: unknown) => isWfError(error, 'WF_ERR_STORE'));
  assert.equal(fs.existsSync(databasePath(dataDir)), false);
  openDatabase(dataDir).close();
  const db = openDatabase(dataDir, { readonly: true });
  t.after(() => db.close());
  assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM groups').get(), { n: 0 });
  assert.throws(() => db.prepare("INSERT INTO groups (id, name) VALUES ('g', 'G')").run(), /readonly/);
});

test('change watcher fires when another connection commits, and not otherwise', async (t) => {
  const dataDir = tempDir(t);
  const watched = openDatabase(dataDir);
  const other = openDatabase(dataDir);
  t.after(() => {
    watched.close();
    other.close();
  });
  let changes = 0;
  const watcher = watchDatabase(watched, 10, () => changes++);
  t.after(() => watcher.stop());

  await sleep(80);
  assert.equal(changes, 0, 'no commits, no calls');
  watched.prepare("INSERT INTO groups (id, name) VALUES ('own', 'Own')").run();
  await sleep(80);
  assert.equal(changes, 0, "the watched connection's own commits do not count");

  other.prepare("INSERT INTO groups (id, name) VALUES ('labour', 'Labour')").run();
  await waitFor(() => changes === 1);
  await sleep(50);
  assert.equal(changes, 1, 'one commit, one call');

  other.prepare("INSERT INTO groups (id, name) VALUES ('green', 'Green')").run();
  await waitFor(() => changes === 2);
});

test('change watcher stops on stop() and once the database is closed', async (t) => {
  const dataDir = tempDir(t);
  const watched = openDatabase(dataDir);
  const other = openDatabase(dataDir);
  t.after(() => other.close());
  let changes = 0;
  const watcher = watchDatabase(watched, 10, () => changes++);
  watcher.stop();
  other.prepare("INSERT INTO groups (id, name) VALUES ('a', 'A')").run();
  await sleep(60);
  assert.equal(changes, 0);

  const errors: unknown[] = [];
  watchDatabase(watched, 10, () => changes++, (error) => errors.push(error));
  watched.close();
  other.prepare("INSERT INTO groups (id, name) VALUES ('b', 'B')").run();
  await sleep(60);
  assert.equal(changes, 0);
  assert.deepEqual(errors, []);
});

test('change watcher hands errors from onChange to onError', async (t) => {
  const dataDir = tempDir(t);
  const watched = openDatabase(dataDir);
  const other = openDatabase(dataDir);
  t.after(() => {
    watched.close();
    other.close();
  });
  const errors: unknown[] = [];
  const watcher = watchDatabase(
    watched,
    10,
    () => {
      throw new Error('rebuild failed');
    },
    (error) => errors.push(error),
  );
  t.after(() => watcher.stop());
  other.prepare("INSERT INTO groups (id, name) VALUES ('a', 'A')").run();
  await waitFor(() => errors.length === 1);
  assert.match((errors[0] as Error).message, /rebuild failed/);
});

test('change watcher refuses a non-positive interval', (t) => {
  const db = openDatabase(tempDir(t));
  t.after(() => db.close());
  assert.throws(() => watchDatabase(db, 0, () => {}), RangeError);
});

test('change watcher sees a commit made by another process', async (t) => {
  const dataDir = tempDir(t);
  const watched = openDatabase(dataDir);
  t.after(() => watched.close());
  let changes = 0;
  const watcher = watchDatabase(watched, 10, () => changes++);
  t.after(() => watcher.stop());
  const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]);
    db.pragma('busy_timeout = 5000'); db.prepare("INSERT INTO groups (id, name) VALUES ('x', 'X')").run(); db.close();`;
  execFileSync(process.execPath, ['-e', script, databasePath(dataDir)], { cwd: process.cwd() });
  await waitFor(() => changes === 1);
});
