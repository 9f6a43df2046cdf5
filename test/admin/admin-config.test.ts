/** The `admin` setting: HOST:PORT or off, from the file, WARDGATE_ADMIN and --admin. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { parseConfig, parseConfigLayer } from '../../src/config/parse-config.ts';
import { configFlags } from '../../src/cli/config-options.ts';

test('the admin server defaults to 127.0.0.1:3129', () => {
  assert.deepEqual(DEFAULTS.admin, { host: '127.0.0.1', port: 3129 });
  assert.deepEqual(loadConfig({}, {}, '/').admin, { host: '127.0.0.1', port: 3129 });
});

test('admin takes HOST:PORT, {host, port}, or false / "off" / null for none', () => {
  assert.deepEqual(parseConfig({ admin: '0.0.0.0:9000' }, 't.json').admin, { host: '0.0.0.0', port: 9000 });
  assert.deepEqual(parseConfig({ admin: '[::1]:0' }, 't.json').admin, { host: '::1', port: 0 });
  assert.deepEqual(parseConfig({ admin: { host: 'localhost', port: 3130 } }, 't.json').admin, { host: 'localhost', port: 3130 });
  for (const off of [false, 'off', null]) assert.equal(parseConfig({ admin: off }, 't.json').admin, null, String(off));
});

test('a bad admin value is reported, naming the key', () => {
  for (const bad of [true, 'on', 'localhost', 'localhost:99999', 3129, ['x']]) {
    const { problems } = parseConfigLayer({ admin: bad }, 't.json');
    assert.equal(problems.length, 1, JSON.stringify(bad));
    assert.match(problems[0]!, /^t\.json: admin: /, JSON.stringify(bad));
  }
});

test('--admin and WARDGATE_ADMIN set it (flag over variable), and "off" turns it off', () => {
  assert.deepEqual(loadConfig({}, { WARDGATE_ADMIN: '127.0.0.1:4000' }, '/').admin, { host: '127.0.0.1', port: 4000 });
  assert.equal(loadConfig({}, { WARDGATE_ADMIN: 'off' }, '/').admin, null);
  assert.deepEqual(loadConfig(configFlags({ admin: '127.0.0.1:5000' }), { WARDGATE_ADMIN: 'off' }, '/').admin, { host: '127.0.0.1', port: 5000 });
  assert.equal(loadConfig(configFlags({ admin: 'off' }), {}, '/').admin, null);
  assert.throws(() => loadConfig(configFlags({ admin: 'nowhere' }), {}, '/'), /flag --admin: admin: /);
});
