import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/config.ts';
import { DEFAULTS, SHIPPED_CATEGORIES_DIR } from '../../src/config/defaults.ts';
import { ENV_VARS, loadConfig } from '../../src/config/load-config.ts';
import { ALL_CATEGORY_IDS, isOptionalCategory } from '../../src/policy/categories.ts';
import { isWfError } from '../../src/errors.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'config/example.json');

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'wardgate-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function writeJson(path: string, value: unknown): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

/** The problem lines of the WF_ERR_CONFIG_INVALID that `fn` throws. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(isWfError(err, 'WF_ERR_CONFIG_INVALID'), String(err));
    return err.message.split('\n').slice(1);
  }
  assert.fail('expected WF_ERR_CONFIG_INVALID');
}

function withoutPaths(config: Config): Omit<Config, 'dataDir' | 'categoriesDir'> {
  const { dataDir: _d, categoriesDir: _c, ...rest } = config;
  return rest;
}

test('defaults when nothing is given, with absolute paths', () => {
  const config = loadConfig({}, {}, '/srv/wardgate');
  assert.deepEqual(config.listen, { host: '127.0.0.1', port: 3128 });
  assert.equal(config.dataDir, '/srv/wardgate/data');
  assert.equal(config.categoriesDir, SHIPPED_CATEGORIES_DIR);
  assert.deepEqual(withoutPaths(config), withoutPaths(DEFAULTS));
});

test('cwd defaults to process.cwd()', () => {
  assert.equal(loadConfig({}, {}).dataDir, join(process.cwd(), 'data'));
});

test('the config file overrides defaults; relative paths resolve against its directory', (t) => {
  const dir = tempDir(t);
  const file = writeJson(join(dir, 'etc/wardgate.json'), {
    listen: '0.0.0.0:8080',
    dataDir: 'state',
    categoriesDir: '../lists',
    limits: { maxHeaderBytes: 4096 },
  });
  const config = loadConfig({ config: file }, {}, '/elsewhere');
  assert.deepEqual(config.listen, { host: '0.0.0.0', port: 8080 });
  assert.equal(config.dataDir, join(dir, 'etc/state'));
  assert.equal(config.categoriesDir, join(dir, 'lists'));
  assert.equal(config.limits.maxHeaderBytes, 4096);
  assert.equal(config.limits.idleTimeoutMs, DEFAULTS.limits.idleTimeoutMs);
});

test('the file comes from WARDGATE_CONFIG (relative to cwd) unless --config names one', (t) => {
  const dir = tempDir(t);
  writeJson(join(dir, 'env.json'), { listen: 'localhost:1001' });
  const flagFile = writeJson(join(dir, 'flag.json'), { listen: 'localhost:1002' });
  assert.equal(loadConfig({}, { WARDGATE_CONFIG: 'env.json' }, dir).listen.port, 1001);
  assert.equal(loadConfig({ config: flagFile }, { WARDGATE_CONFIG: 'env.json' }, dir).listen.port, 1002);
  // --config '' means "no file", even when the environment names one.
  assert.equal(loadConfig({ config: '' }, { WARDGATE_CONFIG: 'env.json' }, dir).listen.port, 3128);
});

test('environment overrides the file, flags override the environment', (t) => {
  const dir = tempDir(t);
  const file = writeJson(join(dir, 'c.json'), {
    listen: 'localhost:1000',
    dataDir: '/from/file',
    categoriesDir: '/from/file/categories',
    parentProxy: 'file-proxy.example:3128',
    resolve: ['file.example:10.0.0.1'],
    log: { level: 'warn', decisionsToStdout: true },
  });
  const env = {
    WARDGATE_LISTEN: 'localhost:2000',
    WARDGATE_DATA_DIR: '/from/env',
    WARDGATE_CATEGORIES: '/from/env/categories',
    WARDGATE_PARENT_PROXY: 'env-proxy.example:3128',
    WARDGATE_RESOLVE: 'env.example:10.0.0.2, env2.example:10.0.0.3',
    WARDGATE_LOG_LEVEL: 'debug',
  };
  const fromEnv = loadConfig({ config: file }, env, dir);
  assert.deepEqual(fromEnv.listen, { host: 'localhost', port: 2000 });
  assert.equal(fromEnv.dataDir, '/from/env');
  assert.equal(fromEnv.categoriesDir, '/from/env/categories');
  assert.deepEqual(fromEnv.parentProxy, { host: 'env-proxy.example', port: 3128 });
  assert.deepEqual(fromEnv.resolve, [
    { host: 'env.example', address: '10.0.0.2' },
    { host: 'env2.example', address: '10.0.0.3' },
  ]);
  assert.deepEqual(fromEnv.log, { level: 'debug', decisionsToStdout: true, decisionLog: DEFAULTS.log.decisionLog });

  const flags = {
    config: file,
    listen: 'localhost:3000',
    dataDir: '/from/flag',
    categories: '/from/flag/categories',
    parentProxy: 'flag-proxy.example:8080',
    resolve: ['flag.example:10.0.0.4', 'flag2.example:10.0.0.5,flag3.example:::1'],
  };
  const fromFlags = loadConfig(flags, env, dir);
  assert.deepEqual(fromFlags.listen, { host: 'localhost', port: 3000 });
  assert.equal(fromFlags.dataDir, '/from/flag');
  assert.equal(fromFlags.categoriesDir, '/from/flag/categories');
  assert.deepEqual(fromFlags.parentProxy, { host: 'flag-proxy.example', port: 8080 });
  assert.deepEqual(fromFlags.resolve.map((r) => r.host), ['flag.example', 'flag2.example', 'flag3.example']);
  assert.equal(fromFlags.resolve[2]?.address, '::1');
  assert.equal(fromFlags.log.level, 'debug');
});

test('relative paths from the environment and flags resolve against cwd', () => {
  assert.equal(loadConfig({}, { WARDGATE_DATA_DIR: 'var' }, '/srv').dataDir, '/srv/var');
  assert.equal(loadConfig({ categories: '../cats' }, {}, '/srv/app').categoriesDir, '/srv/cats');
});

test('an empty parent proxy or resolve list means none; other empty variables are ignored', (t) => {
  const dir = tempDir(t);
  const file = writeJson(join(dir, 'c.json'), { listen: 'localhost:1000', parentProxy: 'p.example:3128', resolve: ['a.example:10.0.0.1'] });
  const config = loadConfig({ config: file }, { WARDGATE_PARENT_PROXY: '', WARDGATE_RESOLVE: '', WARDGATE_LISTEN: '', WARDGATE_LOG_LEVEL: '' }, dir);
  assert.equal(config.parentProxy, null);
  assert.deepEqual(config.resolve, []);
  assert.equal(config.listen.port, 1000);
  assert.equal(config.log.level, 'info');

  const flagged = loadConfig({ config: file, parentProxy: '', resolve: [] }, {}, dir);
  assert.equal(flagged.parentProxy, null);
  assert.deepEqual(flagged.resolve, [{ host: 'a.example', address: '10.0.0.1' }], '--resolve given no entries changes nothing');
});

test('the result is deep-frozen', (t) => {
  const dir = tempDir(t);
  const file = writeJson(join(dir, 'c.json'), { resolve: ['a.example:10.0.0.1'], categories: { chat: { enforced: false } } });
  const freezeCheck = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    assert.ok(Object.isFrozen(value));
    Object.values(value).forEach(freezeCheck);
  };
  freezeCheck(loadConfig({ config: file, listen: 'localhost:0' }, { WARDGATE_LOG_LEVEL: 'warn' }, dir));
});

test('config/example.json loads and equals DEFAULTS apart from paths and the spelt-out categories', () => {
  const config = loadConfig({ config: EXAMPLE }, {}, '/anywhere');
  assert.equal(config.dataDir, join(ROOT, 'data'));
  assert.equal(config.categoriesDir, SHIPPED_CATEGORIES_DIR);
  const { categories, ...rest } = withoutPaths(config);
  const { categories: _none, ...defaults } = withoutPaths(DEFAULTS);
  assert.deepEqual(rest, defaults);
  // Each category is listed with the behaviour it has when unconfigured.
  assert.deepEqual(Object.keys(categories).sort(), [...ALL_CATEGORY_IDS].sort());
  for (const id of ALL_CATEGORY_IDS) {
    assert.deepEqual(categories[id], { enforced: !isOptionalCategory(id), grantable: true }, id);
  }
});

test('config/README.md documents every key and environment variable', () => {
  const readme = readFileSync(join(ROOT, 'config/README.md'), 'utf8');
  const keys = [
    ...Object.keys(DEFAULTS),
    ...Object.keys(DEFAULTS.limits).map((k) => `limits.${k}`),
    ...Object.keys(DEFAULTS.log).map((k) => `log.${k}`),
    ...Object.keys(DEFAULTS.log.decisionLog).map((k) => `log.decisionLog.${k}`),
    ...Object.keys(DEFAULTS.grants).map((k) => `grants.${k}`),
    ...Object.keys(DEFAULTS.adminTls).map((k) => `adminTls.${k}`),
    ...Object.keys(DEFAULTS.adminSession).map((k) => `adminSession.${k}`),
  ];
  for (const name of [...keys, ...Object.keys(ENV_VARS)]) assert.ok(readme.includes(`\`${name}\``), `${name} missing from config/README.md`);
});

test('a missing or unreadable file is named', (t) => {
  const dir = tempDir(t);
  assert.deepEqual(problems(() => loadConfig({ config: 'nope.json' }, {}, dir)), [
    `${join(dir, 'nope.json')}: cannot read config file: no such file (ENOENT)`,
  ]);
  assert.deepEqual(problems(() => loadConfig({ config: dir }, {}, '/')), [`${dir}: cannot read config file: is a directory (EISDIR)`]);
});

test('invalid JSON is reported with its line and column', (t) => {
  const dir = tempDir(t);
  const cases: [string, string][] = [
    ['{\n  "listen": }', 'invalid JSON at line 2, column 13: Unexpected token \'}\''],
    ['{\n  "listen": "a:1",\n}', 'invalid JSON at line 3, column 1: Expected double-quoted property name'],
    ['{"log": {"decisionsToStdout": tru }}', 'invalid JSON at line 1, column 34: Unexpected token \' \''],
    ['{} {}', 'invalid JSON at line 1, column 4: Unexpected non-whitespace character after JSON'],
    ['', 'invalid JSON at line 1, column 1: Unexpected end of JSON input'],
  ];
  for (const [text, problem] of cases) {
    const file = writeJson(join(dir, 'bad.json'), text);
    assert.deepEqual(problems(() => loadConfig({ config: file }, {}, dir)), [`${file}: ${problem}`], JSON.stringify(text));
  }
});

test('a UTF-8 byte-order mark is tolerated', (t) => {
  const file = writeJson(join(tempDir(t), 'bom.json'), '\uFEFF{"listen": "localhost:1"}');
  assert.equal(loadConfig({ config: file }, {}, '/').listen.port, 1);
});

test('problems from the file, the environment and flags are reported together, each naming its source', (t) => {
  const dir = tempDir(t);
  const file = writeJson(join(dir, 'c.json'), { listen: 'localhost:99999', limits: { headerTimeout: 1 } });
  const env = { WARDGATE_PARENT_PROXY: 'proxy', WARDGATE_LOG_LEVEL: 'loud', WARDGATE_RESOLVE: 'a.example:1.2.3.4,b.example:nope' };
  const flags = { config: file, listen: '::1:80', dataDir: '', resolve: ['c.example'] };
  assert.deepEqual(problems(() => loadConfig(flags, env, dir)), [
    `${file}: listen: port must be an integer from 0 to 65535, got "99999"`,
    `${file}: limits.headerTimeout: unknown key (did you mean limits.headersTimeoutMs?)`,
    'env WARDGATE_PARENT_PROXY: parentProxy: expected HOST:PORT (e.g. 127.0.0.1:3128 or [::1]:3128), got "proxy"',
    'env WARDGATE_RESOLVE: resolve[1]: "b.example:nope": "nope" is not an IP address',
    'env WARDGATE_LOG_LEVEL: log.level: must be one of fatal, error, warn, info, debug, trace, got "loud"',
    'flag --listen: listen: an IPv6 address must be in brackets, e.g. [::1]:3128, got "::1:80"',
    'flag --data-dir: dataDir: must be a non-empty path',
    'flag --resolve: resolve[0]: expected HOST:ADDR (e.g. example.com:192.0.2.10), got "c.example"',
  ]);
});

test('a broken file does not hide problems in the environment', (t) => {
  const file = writeJson(join(tempDir(t), 'c.json'), '{');
  const lines = problems(() => loadConfig({ config: file }, { WARDGATE_LISTEN: 'x' }, '/'));
  assert.equal(lines.length, 2);
  assert.match(lines[1]!, /^env WARDGATE_LISTEN: listen: /);
});
