/**
 * `wardgate grants request` from the CLI sees the administrators' category
 * overrides (admin web UI, category_settings) exactly as `serve` does: a
 * category set non-grantable there is refused here too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIO } from '../../src/cli/cli-io.ts';
import { runGrantsCommand } from '../../src/cli/grants-command.ts';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { CategorySettingsStore } from '../../src/grants/category-settings-store.ts';
import { openDatabase } from '../../src/store/database.ts';
import { memoryIO } from '../helpers/memory-io.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/proxy-categories', import.meta.url));

test('grants request: a category an administrator set non-grantable is refused; cleared → accepted', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wardgate-catset-cli-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const dataDir = path.join(root, 'data');
  const db = openDatabase(dataDir);
  const settings = new CategorySettingsStore(db);
  try {
    const directory = new DirectoryStore(db);
    directory.addGroup({ id: 'labour', name: 'labour' });
    directory.addMember({ id: 'alice', name: 'alice', groupId: 'labour' });
    settings.set('chat', { enforced: null, grantable: false }, 'staff:admin1');
  } finally {
    db.close();
  }
  const env: NodeJS.ProcessEnv = { USER: 'tester', WARDGATE_CATEGORIES: FIXTURES };
  const request = async () => {
    const io = memoryIO('', env);
    const code = await runGrantsCommand(['request', '--member', 'alice', '--category', 'chat', '--reason', 'residents chat', '--data-dir', dataDir], io as CliIO);
    return { code, stdout: io.out(), stderr: io.err() };
  };
  const refused = await request();
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, /"chat" \(Chat\) is marked non-grantable/);

  const db2 = openDatabase(dataDir);
  try {
    new CategorySettingsStore(db2).set('chat', { enforced: null, grantable: null }, 'staff:admin1');
  } finally {
    db2.close();
  }
  const accepted = await request();
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stdout, /requested g_/);
});
