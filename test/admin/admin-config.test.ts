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

test('adminTls: both paths or neither, relative to the config file; flags and variables set each', () => {
  assert.deepEqual(DEFAULTS.adminTls, { cert: null, key: null });
  const fromFile = parseConfig({ adminTls: { cert: 'tls/cert.pem', key: 'tls/key.pem' } }, '/etc/wardgate/c.json', { baseDir: '/etc/wardgate' });
  assert.deepEqual(fromFile.adminTls, { cert: '/etc/wardgate/tls/cert.pem', key: '/etc/wardgate/tls/key.pem' });
  assert.throws(() => parseConfig({ adminTls: { cert: '/c.pem' } }, 't.json'), /adminTls: give both cert and key/);
  assert.throws(() => parseConfig({ adminTls: { cert: '/c.pem', key: '/k.pem', ca: '/x' } }, 't.json'), /adminTls\.ca: unknown key/);
  const both = loadConfig(configFlags({ 'admin-tls-cert': 'c.pem' }), { WARDGATE_ADMIN_TLS_KEY: '/keys/k.pem' }, '/srv');
  assert.deepEqual(both.adminTls, { cert: '/srv/c.pem', key: '/keys/k.pem' });
  assert.throws(() => loadConfig(configFlags({ 'admin-tls-cert': 'c.pem' }), {}, '/srv'), /combined settings: adminTls: give both/);
});

test('adminSession: idle minutes and absolute hours, range-checked', () => {
  assert.deepEqual(DEFAULTS.adminSession, { idleMinutes: 30, absoluteHours: 12 });
  assert.deepEqual(parseConfig({ adminSession: { idleMinutes: 15 } }, 't.json').adminSession, { idleMinutes: 15, absoluteHours: 12 });
  const { problems } = parseConfigLayer({ adminSession: { idleMinutes: 0, absoluteHours: 1000, idle: 3 } }, 't.json');
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.ok(problems.some((p) => /adminSession\.idle: unknown key \(did you mean adminSession\.idleMinutes\?\)/.test(p)), problems.join('\n'));
});
