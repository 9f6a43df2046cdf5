import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as undici from 'undici';
import { Agent, Pool } from '../../src/proxy/undici-dispatchers.ts';

test('the Agent and Pool loaded from their own files are the classes undici exports', () => {
  assert.equal(Agent, undici.Agent);
  assert.equal(Pool, undici.Pool);
  const agent = new Agent();
  assert.ok(agent instanceof undici.Dispatcher);
  void agent.close();
});
