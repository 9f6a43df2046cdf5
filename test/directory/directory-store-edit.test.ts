/**
 * DirectoryStore's in-place edits (used by the admin web UI): a member's
 * name, group and email in one step, and a group's new name; each validated
 * as addMember and addGroup validate, and refused without changing anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWfError, type WfErrorCode } from '../../src/errors.ts';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { tempDatabase } from '../helpers/temp-database.ts';

function openStore(t: { after(fn: () => void): void }): DirectoryStore {
  const db = tempDatabase(t, 'wardgate-dir-edit-');
  const store = new DirectoryStore(db);
  store.addGroup({ id: 'labour', name: 'Labour' });
  store.addGroup({ id: 'green', name: 'Green' });
  store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour', ips: ['192.0.2.1'], email: 'alice@council.example' });
  return store;
}

function fails(code: WfErrorCode, fragment: string) {
  return (error: unknown) => {
    assert.ok(isWfError(error, code), `expected ${code}, got ${String(error)}`);
    assert.ok(error.message.includes(fragment), `"${error.message}" lacks "${fragment}"`);
    return true;
  };
}

test('updateMember changes name, group and email together and keeps the addresses', (t) => {
  const store = openStore(t);
  const updated = store.updateMember('alice', { name: '  Alice Changed ', groupId: 'green', email: null });
  assert.deepEqual(updated, { id: 'alice', name: 'Alice Changed', groupId: 'green', passwordHash: null, ips: ['192.0.2.1'], email: null });
  assert.deepEqual(store.getMember('alice'), updated);
  assert.equal(store.updateMember('alice', { email: 'a@council.example' }).name, 'Alice Changed', 'absent fields stay as they are');
});

test('updateMember refuses an unknown member, an unknown group, a bad name or email, and changes nothing', (t) => {
  const store = openStore(t);
  const before = store.getMember('alice');
  assert.throws(() => store.updateMember('nobody', { name: 'X' }), fails('WF_ERR_NOT_FOUND', 'member "nobody" does not exist'));
  assert.throws(() => store.updateMember('alice', { name: 'Y', groupId: 'nosuch' }), fails('WF_ERR_NOT_FOUND', 'group "nosuch" does not exist'));
  assert.throws(() => store.updateMember('alice', { groupId: 'Bad!' }), fails('WF_ERR_INVALID_INPUT', 'group id "Bad!" is not valid'));
  assert.throws(() => store.updateMember('alice', { name: ' ' }), fails('WF_ERR_INVALID_INPUT', 'must not be empty'));
  assert.throws(() => store.updateMember('alice', { name: 'Z', email: 'not an email' }), (e) => isWfError(e, 'WF_ERR_INVALID_INPUT'));
  assert.deepEqual(store.getMember('alice'), before);
});

test('renameGroup renames, keeps the id and the members, and refuses a bad name or an unknown group', (t) => {
  const store = openStore(t);
  assert.deepEqual(store.renameGroup('labour', 'Labour and Co-operative'), { id: 'labour', name: 'Labour and Co-operative' });
  assert.deepEqual(store.listGroups(), [
    { id: 'green', name: 'Green' },
    { id: 'labour', name: 'Labour and Co-operative' },
  ]);
  assert.equal(store.getMember('alice')!.groupId, 'labour');
  assert.throws(() => store.renameGroup('nosuch', 'X'), fails('WF_ERR_NOT_FOUND', 'group "nosuch" does not exist'));
  assert.throws(() => store.renameGroup('green', 'two\nlines'), fails('WF_ERR_INVALID_INPUT', 'one line'));
  assert.equal(store.listGroups()[0]!.name, 'Green');
});
