import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { mergeConfig, parseConfig, parseConfigLayer } from '../../src/config/parse-config.ts';
import { isWfError } from '../../src/errors.ts';

function problemsOf(raw: unknown): readonly string[] {
  return parseConfigLayer(raw, 'test.json').problems;
}

function assertFrozenDeep(value: unknown, where = 'config'): void {
  if (typeof value !== 'object' || value === null) return;
  assert.ok(Object.isFrozen(value), `${where} is not frozen`);
  for (const [key, child] of Object.entries(value)) assertFrozenDeep(child, `${where}.${key}`);
}

test('an empty or absent source returns the shared DEFAULTS object', () => {
  assert.equal(parseConfig({}, 'test.json'), DEFAULTS);
  assert.equal(parseConfig(undefined, 'test.json'), DEFAULTS);
  assert.deepEqual(DEFAULTS.listen, { host: '127.0.0.1', port: 3128 });
});

test('listen and parentProxy accept HOST:PORT strings and {host, port} objects', () => {
  const cases: [unknown, { host: string; port: number }][] = [
    ['localhost:8080', { host: 'localhost', port: 8080 }],
    ['Proxy.Example.ORG.:3128', { host: 'proxy.example.org', port: 3128 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['[::1]:3128', { host: '::1', port: 3128 }],
    ['[2001:DB8::1]:65535', { host: '2001:db8::1', port: 65535 }],
    ['bücher.example:80', { host: 'xn--bcher-kva.example', port: 80 }],
    [{ host: '::1', port: 0 }, { host: '::1', port: 0 }],
    [{ host: '[::1]', port: 1 }, { host: '::1', port: 1 }],
    [{ host: 'Local.Host', port: 9 }, { host: 'local.host', port: 9 }],
  ];
  for (const [listen, expected] of cases) {
    assert.deepEqual(parseConfig({ listen }, 'test.json').listen, expected, JSON.stringify(listen));
  }
  assert.deepEqual(parseConfig({ parentProxy: 'squid.internal:3128' }, 'x').parentProxy, { host: 'squid.internal', port: 3128 });
  assert.deepEqual(parseConfig({ parentProxy: { host: '10.0.0.1', port: 8080 } }, 'x').parentProxy, { host: '10.0.0.1', port: 8080 });
  assert.equal(parseConfig({ parentProxy: null }, 'x').parentProxy, null);
});

test('resolve entries are HOST:ADDR with the host normalised and IPv6 bare or bracketed', () => {
  const config = parseConfig({ resolve: ['Example.COM.:192.0.2.10', 'v6.example:2001:DB8::1', 'b.example:[::1]', 'under_score.example:10.0.0.1'] }, 'x');
  assert.deepEqual(config.resolve, [
    { host: 'example.com', address: '192.0.2.10' },
    { host: 'v6.example', address: '2001:db8::1' },
    { host: 'b.example', address: '::1' },
    { host: 'under_score.example', address: '10.0.0.1' },
  ]);
});

test('limits, log and categories merge key by key over the base', () => {
  const first = parseConfig({ limits: { maxHeaderBytes: 2048 }, categories: { gambling: { enforced: true } } }, 'a.json');
  assert.deepEqual(first.limits, { ...DEFAULTS.limits, maxHeaderBytes: 2048 });
  assert.deepEqual(first.log, DEFAULTS.log);

  const second = parseConfig(
    { limits: { idleTimeoutMs: 1000 }, log: { level: 'debug' }, categories: { gambling: { grantable: false }, chat: { enforced: false } } },
    'b.json',
    { base: first },
  );
  assert.deepEqual(second.limits, { ...DEFAULTS.limits, maxHeaderBytes: 2048, idleTimeoutMs: 1000 });
  assert.deepEqual(second.log, { level: 'debug', decisionsToStdout: false, decisionLog: DEFAULTS.log.decisionLog });
  assert.deepEqual(second.categories, { gambling: { enforced: true, grantable: false }, chat: { enforced: false } });
  assert.equal(second.listen, DEFAULTS.listen);
});

test('lists replace the base list rather than appending', () => {
  const base = parseConfig({ resolve: ['a.example:10.0.0.1'], connectPorts: [443, 8443] }, 'a.json');
  const next = parseConfig({ resolve: [], connectPorts: [443] }, 'b.json', { base });
  assert.deepEqual(next.resolve, []);
  assert.deepEqual(next.connectPorts, [443]);
});

test('relative paths resolve against baseDir when given, and are kept as written otherwise', () => {
  const withBase = parseConfig({ dataDir: 'data', categoriesDir: '../lists' }, 'x', { baseDir: '/etc/wardgate' });
  assert.equal(withBase.dataDir, '/etc/wardgate/data');
  assert.equal(withBase.categoriesDir, '/etc/lists');
  assert.equal(parseConfig({ dataDir: '/var/lib/wardgate' }, 'x', { baseDir: '/etc' }).dataDir, '/var/lib/wardgate');
  assert.equal(parseConfig({ dataDir: 'data' }, 'x').dataDir, 'data');
});

test('the result is deep-frozen and shares nothing mutable with the input', () => {
  const raw = { listen: { host: 'localhost', port: 1 }, resolve: ['a.example:10.0.0.1'], connectPorts: [443], categories: { chat: { enforced: false } } };
  const config = parseConfig(raw, 'x');
  assertFrozenDeep(config);
  assert.ok(!Object.isFrozen(raw.connectPorts) && !Object.isFrozen(raw.categories.chat));
  assert.throws(() => {
    (config.limits as { maxHeaderBytes: number }).maxHeaderBytes = 1;
  }, TypeError);
});

test('mergeConfig with an empty layer returns the base itself', () => {
  assert.equal(mergeConfig(DEFAULTS, {}), DEFAULTS);
});

test('bounds are inclusive', () => {
  assert.equal(parseConfig({ limits: { maxHeaderBytes: 1024 } }, 'x').limits.maxHeaderBytes, 1024);
  assert.equal(parseConfig({ limits: { maxHeaderBytes: 1048576 } }, 'x').limits.maxHeaderBytes, 1048576);
  assert.equal(parseConfig({ listen: 'h.example:65535' }, 'x').listen.port, 65535);
  assert.equal(parseConfig({ connectPorts: [1, 65535] }, 'x').connectPorts.length, 2);
});

const REJECTIONS: [string, unknown, string[]][] = [
  // ports
  ['port above range', { listen: 'localhost:70000' }, ['test.json: listen: port must be an integer from 0 to 65535, got "70000"']],
  ['parent proxy port 0', { parentProxy: 'p.example:0' }, ['test.json: parentProxy: port must be an integer from 1 to 65535, got "0"']],
  ['non-numeric port', { listen: 'localhost:http' }, ['test.json: listen: port must be an integer from 0 to 65535, got "http"']],
  ['empty port', { listen: 'localhost:' }, ['test.json: listen: port must be an integer from 0 to 65535, got ""']],
  ['object port', { listen: { host: 'a.example', port: 65536 } }, ['test.json: listen.port: must be an integer from 0 to 65535, got 65536']],
  ['object port as string', { listen: { host: 'a.example', port: '80' } }, ['test.json: listen.port: must be an integer from 0 to 65535, got "80"']],
  // host:port shape
  ['no port', { listen: 'localhost' }, ['test.json: listen: expected HOST:PORT (e.g. 127.0.0.1:3128 or [::1]:3128), got "localhost"']],
  ['no host', { listen: ':3128' }, ['test.json: listen: expected HOST:PORT (e.g. 127.0.0.1:3128 or [::1]:3128), got ":3128"']],
  ['bare IPv6', { parentProxy: '::1:3128' }, ['test.json: parentProxy: an IPv6 address must be in brackets, e.g. [::1]:3128, got "::1:3128"']],
  ['scheme', { parentProxy: 'http://squid:3128' }, ['test.json: parentProxy: expected HOST:PORT without a scheme, got "http://squid:3128"']],
  ['credentials, not echoed', { parentProxy: 'http://user:secret@squid:3128' }, ['test.json: parentProxy: expected HOST:PORT; credentials (USER:PASSWORD@) are not supported']],
  ['bad bracket', { listen: '[nope]:80' }, ['test.json: listen: "[nope]" is not a bracketed IPv6 address']],
  ['bad IPv4-looking name', { listen: '10.0.0.300:80' }, ['test.json: listen: "10.0.0.300" is not a valid host name or IP address']],
  ['bad label', { listen: 'bad-.example:80' }, ['test.json: listen: "bad-.example" is not a valid host name or IP address']],
  ['wrong type', { listen: 3128 }, ['test.json: listen: expected a "HOST:PORT" string or a {host, port} object, got 3128']],
  ['unknown key in listen', { listen: { host: 'a', port: 1, tls: true } }, ['test.json: listen.tls: unknown key; known keys: host, port']],
  // resolve
  ['resolve without ADDR', { resolve: ['example.com'] }, ['test.json: resolve[0]: expected HOST:ADDR (e.g. example.com:192.0.2.10), got "example.com"']],
  ['resolve ADDR not an IP', { resolve: ['example.com:backend'] }, ['test.json: resolve[0]: "example.com:backend": "backend" is not an IP address']],
  ['resolve curl form', { resolve: ['example.com:443:192.0.2.1'] }, ['test.json: resolve[0]: "example.com:443:192.0.2.1": write HOST:ADDR without a port (an override applies to every port)']],
  ['resolve IP host', { resolve: ['192.0.2.1:192.0.2.2'] }, ['test.json: resolve[0]: "192.0.2.1:192.0.2.2": HOST must be a host name, not an IP address']],
  ['resolve bad host', { resolve: ['bad host:192.0.2.2'] }, ['test.json: resolve[0]: "bad host:192.0.2.2": "bad host" is not a valid host name']],
  ['resolve duplicate host', { resolve: ['a.example:10.0.0.1', 'A.Example.:10.0.0.2'] }, ['test.json: resolve[1]: duplicate host a.example (first at index 0)']],
  ['resolve not a list', { resolve: 'a.example:10.0.0.1' }, ['test.json: resolve: expected an array, got "a.example:10.0.0.1"']],
  ['resolve entry type', { resolve: [42] }, ['test.json: resolve[0]: expected a string, got 42']],
  // categories
  ['unknown category, near', { categories: { gambleing: { enforced: true } } }, ['test.json: categories.gambleing: unknown category id "gambleing" (did you mean gambling?)']],
  [
    'unknown category, far',
    { categories: { shopping: {} } },
    ['test.json: categories.shopping: unknown category id "shopping"; known ids: adults-only, chat, drugs, hate, illegal, murder-suicide, personal-info, pornography, profanity, school-cheating, sex, tasteless, violence, weapons, gambling, piracy, software-downloads'],
  ],
  ['category setting type', { categories: { chat: { enforced: 'yes' } } }, ['test.json: categories.chat.enforced: expected a boolean, got "yes"']],
  ['category setting key', { categories: { chat: { enforce: true } } }, ['test.json: categories.chat.enforce: unknown key (did you mean categories.chat.enforced?)']],
  ['categories as list', { categories: ['chat'] }, ['test.json: categories: expected a record, got an array']],
  // limits and scalars
  ['limit below range', { limits: { maxHeaderBytes: 1023 } }, ['test.json: limits.maxHeaderBytes: must be an integer from 1024 to 1048576 bytes, got 1023']],
  ['limit above range', { limits: { maxHeaderBytes: 1048577 } }, ['test.json: limits.maxHeaderBytes: must be an integer from 1024 to 1048576 bytes, got 1048577']],
  ['limit not integer', { limits: { connectTimeoutMs: 1.5 } }, ['test.json: limits.connectTimeoutMs: must be an integer from 1 to 300000 ms, got 1.5']],
  ['limit zero', { limits: { idleTimeoutMs: 0 } }, ['test.json: limits.idleTimeoutMs: must be an integer from 1 to 86400000 ms, got 0']],
  ['limit as string', { limits: { headersTimeoutMs: '20s' } }, ['test.json: limits.headersTimeoutMs: must be an integer from 1 to 600000 ms, got "20s"']],
  ['limits not an object', { limits: 5 }, ['test.json: limits: expected an object, got 5']],
  ['cache size', { classifyCacheSize: 0 }, ['test.json: classifyCacheSize: must be an integer from 1 to 10000000 entries, got 0']],
  ['connect port', { connectPorts: [443, 0] }, ['test.json: connectPorts[1]: must be an integer from 1 to 65535, got 0']],
  ['duplicate connect port', { connectPorts: [443, 443] }, ['test.json: connectPorts[1]: duplicate port 443 (first at index 0)']],
  ['empty path', { dataDir: '' }, ['test.json: dataDir: must be a non-empty path']],
  ['path type', { categoriesDir: null }, ['test.json: categoriesDir: expected a string, got null']],
  ['log level', { log: { level: 'verbose' } }, ['test.json: log.level: must be one of fatal, error, warn, info, debug, trace, got "verbose"']],
  ['log flag type', { log: { decisionsToStdout: 'true' } }, ['test.json: log.decisionsToStdout: expected a boolean, got "true"']],
  // unknown keys
  ['unknown limits key', { limits: { headerTimeout: 5 } }, ['test.json: limits.headerTimeout: unknown key (did you mean limits.headersTimeoutMs?)']],
  ['misspelt top-level key', { data_dir: 'x' }, ['test.json: data_dir: unknown key (did you mean dataDir?)']],
  ['limits key at top level', { maxHeaderBytes: 2048 }, ['test.json: maxHeaderBytes: unknown key (did you mean limits.maxHeaderBytes?)']],
  ['moved key', { logLevel: 'debug' }, ['test.json: logLevel: unknown key (did you mean log.level?)']],
  [
    'unrelated key',
    { colour: 'blue' },
    ['test.json: colour: unknown key; known keys: listen, admin, adminTls, adminSession, dataDir, categoriesDir, parentProxy, resolve, connectPorts, categories, classifyCacheSize, limits, log, lists, grants, selfService, notifications'],
  ],
  ['transposed key', { log: { levle: 'info' } }, ['test.json: log.levle: unknown key (did you mean log.level?)']],
  ['short unknown key', { log: { lvl: 'info' } }, ['test.json: log.lvl: unknown key; known keys: level, decisionsToStdout, decisionLog']],
  // root
  ['root array', [], ['test.json: (top level): expected an object, got an array']],
  ['root null', null, ['test.json: (top level): expected an object, got null']],
];

for (const [name, raw, expected] of REJECTIONS) {
  test(`rejects: ${name}`, () => {
    assert.deepEqual(problemsOf(raw), expected);
  });
}

test('every problem is reported together in one WF_ERR_CONFIG_INVALID', () => {
  const raw = {
    listen: 'localhost:99999',
    resolve: ['nope'],
    categories: { chatt: {} },
    limits: { maxHeaderBytes: 10, headerTimeout: 1 },
    log: { level: 'loud' },
    extra: true,
  };
  assert.throws(
    () => parseConfig(raw, '/etc/wardgate.json'),
    (err: unknown) => {
      assert.ok(isWfError(err, 'WF_ERR_CONFIG_INVALID'));
      const lines = err.message.split('\n');
      assert.equal(lines[0], 'configuration is invalid (7 problems):');
      assert.deepEqual(lines.slice(1).sort(), [
        '/etc/wardgate.json: categories.chatt: unknown category id "chatt" (did you mean chat?)',
        '/etc/wardgate.json: extra: unknown key; known keys: listen, admin, adminTls, adminSession, dataDir, categoriesDir, parentProxy, resolve, connectPorts, categories, classifyCacheSize, limits, log, lists, grants, selfService, notifications',
        '/etc/wardgate.json: limits.headerTimeout: unknown key (did you mean limits.headersTimeoutMs?)',
        '/etc/wardgate.json: limits.maxHeaderBytes: must be an integer from 1024 to 1048576 bytes, got 10',
        '/etc/wardgate.json: listen: port must be an integer from 0 to 65535, got "99999"',
        '/etc/wardgate.json: log.level: must be one of fatal, error, warn, info, debug, trace, got "loud"',
        '/etc/wardgate.json: resolve[0]: expected HOST:ADDR (e.g. example.com:192.0.2.10), got "nope"',
      ]);
      return true;
    },
  );
});

test('a single problem says "1 problem"', () => {
  assert.throws(() => parseConfig({ listen: 'x' }, 'o'), /^WfError: configuration is invalid \(1 problem\):\no: listen: /);
});

test('log.decisionLog: defaults, overrides merged key by key, and every rejection named', () => {
  assert.equal(DEFAULTS.log.decisionLog.privacy, 'no-query');
  const set = parseConfig({ log: { decisionLog: { retentionDays: 365, privacy: 'host' } } }, 'test.json');
  assert.equal(set.log.decisionLog.retentionDays, 365);
  assert.equal(set.log.decisionLog.privacy, 'host');
  assert.equal(set.log.decisionLog.chain, true, 'unset keys keep their defaults');
  assert.throws(
    () => parseConfig({ log: { decisionLog: { privacy: 'everything', retentionDays: -1, rotateByte: 5 } } }, 'test.json'),
    (error: Error) =>
      /log\.decisionLog\.privacy: must be one of full, no-query, host/.test(error.message) &&
      /log\.decisionLog\.retentionDays: must be an integer from 0/.test(error.message) &&
      /log\.decisionLog\.rotateByte: unknown key \(did you mean log\.decisionLog\.rotateBytes\?\)/.test(error.message),
  );
});

test('grants expiry limits: defaults 90/365, whole days 1..3650, the default never above the maximum (also across sources)', async () => {
  assert.deepEqual(DEFAULTS.grants, { defaultExpiryDays: 90, maxExpiryDays: 365 });
  assert.deepEqual(parseConfig({ grants: { maxExpiryDays: 180 } }, 'test.json').grants, { defaultExpiryDays: 90, maxExpiryDays: 180 });
  assert.throws(() => parseConfig({ grants: { defaultExpiryDays: 0 } }, 'test.json'), /grants\.defaultExpiryDays: must be an integer from 1 to 3650 days, got 0/);
  assert.throws(() => parseConfig({ grants: { defaultExpiryDays: 60, maxExpiryDays: 30 } }, 'test.json'), /grants\.defaultExpiryDays: must not be more than grants\.maxExpiryDays \(30\), got 60/);
  // A maximum below the built-in default of 90 is caught on the merged result.
  assert.throws(() => parseConfig({ grants: { maxExpiryDays: 30 } }, 'test.json'), /test\.json: grants\.defaultExpiryDays: must not be more than grants\.maxExpiryDays \(30\), got 90/);
});
