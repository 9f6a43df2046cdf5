import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as undici from 'undici';
import { Agent, Pool, buildConnector, kParser } from '../../src/proxy/undici-dispatchers.ts';

test('the Agent, Pool and connector factory loaded from their own files are the ones undici exports', () => {
  assert.equal(Agent, undici.Agent);
  assert.equal(Pool, undici.Pool);
  assert.equal(buildConnector, undici.buildConnector);
  const agent = new Agent();
  assert.ok(agent instanceof undici.Dispatcher);
  void agent.close();
});

test("undici's parser symbol is found (without it pooled HTTP read buffers are never reused)", () => {
  assert.equal(typeof kParser, 'symbol');
  assert.equal(kParser?.description, 'parser');
});
