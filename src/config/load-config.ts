/**
 * loadConfig: the only module that reads the environment and the config file.
 *
 * Sources, lowest precedence first: DEFAULTS, the JSON file (--config, else
 * $WARDGATE_CONFIG), WARDGATE_* environment variables, command-line flags.
 * Every source is validated even when an earlier one failed, so one
 * WF_ERR_CONFIG_INVALID lists every problem at once. Relative paths in the
 * file resolve against the file's directory; from defaults, environment and
 * flags against the working directory. The result holds absolute paths.
 * Synchronous I/O on purpose: this runs once, before the server starts.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { Config } from './config.ts';
import { DEFAULTS } from './defaults.ts';
import { checkCombined, configError, mergeConfig, parseConfigLayer } from './parse-config.ts';

/** Command-line settings, as the CLI parsed them; undefined means "not given". */
export interface ConfigFlags {
  /** --config: JSON config file (relative to the working directory); '' means none, ignoring WARDGATE_CONFIG. */
  readonly config?: string;
  /** --listen HOST:PORT */
  readonly listen?: string;
  /** --admin HOST:PORT, or `off` for no admin server */
  readonly admin?: string;
  /** --admin-tls-cert FILE: PEM certificate for the admin server */
  readonly adminTlsCert?: string;
  /** --admin-tls-key FILE: PEM private key for the admin server */
  readonly adminTlsKey?: string;
  /** --data-dir DIR */
  readonly dataDir?: string;
  /** --categories DIR: the category lists folder (Config.categoriesDir). */
  readonly categories?: string;
  /** --parent-proxy HOST:PORT; '' means connect directly. */
  readonly parentProxy?: string;
  /** --resolve HOST:ADDR, repeatable (each may also hold a comma-separated list); [] means not given. */
  readonly resolve?: readonly string[];
}

/** Every environment variable wardgate reads, for README and --help. */
export const ENV_VARS = {
  WARDGATE_CONFIG: 'JSON config file, relative to the working directory (same as --config)',
  WARDGATE_LISTEN: 'HOST:PORT the proxy listens on (listen)',
  WARDGATE_ADMIN: 'HOST:PORT of the admin server (health, readiness, metrics), or off (admin)',
  WARDGATE_ADMIN_TLS_CERT: 'PEM certificate file: serve the admin server over HTTPS (adminTls.cert)',
  WARDGATE_ADMIN_TLS_KEY: 'PEM private key file for the admin server (adminTls.key)',
  WARDGATE_DATA_DIR: 'directory for the store and decision logs (dataDir)',
  WARDGATE_CATEGORIES: 'directory holding the category lists (categoriesDir)',
  WARDGATE_PARENT_PROXY: 'parent proxy HOST:PORT; empty to connect directly (parentProxy)',
  WARDGATE_RESOLVE: 'comma-separated HOST:ADDR host overrides; empty for none (resolve)',
  WARDGATE_LOG_LEVEL: 'fatal, error, warn, info, debug or trace (log.level)',
} as const satisfies Record<string, string>;

interface Binding {
  readonly env: keyof typeof ENV_VARS;
  readonly flag?: { readonly key: Exclude<keyof ConfigFlags, 'config' | 'resolve'>; readonly name: string };
  /** An empty value sets "none" rather than being ignored as unset. */
  readonly emptyMeansNone?: true;
  readonly toRaw: (text: string) => object;
}

const BINDINGS: readonly Binding[] = [
  { env: 'WARDGATE_LISTEN', flag: { key: 'listen', name: '--listen' }, toRaw: (v) => ({ listen: v }) },
  { env: 'WARDGATE_ADMIN', flag: { key: 'admin', name: '--admin' }, toRaw: (v) => ({ admin: v }) },
  { env: 'WARDGATE_ADMIN_TLS_CERT', flag: { key: 'adminTlsCert', name: '--admin-tls-cert' }, toRaw: (v) => ({ adminTls: { cert: v } }) },
  { env: 'WARDGATE_ADMIN_TLS_KEY', flag: { key: 'adminTlsKey', name: '--admin-tls-key' }, toRaw: (v) => ({ adminTls: { key: v } }) },
  { env: 'WARDGATE_DATA_DIR', flag: { key: 'dataDir', name: '--data-dir' }, toRaw: (v) => ({ dataDir: v }) },
  { env: 'WARDGATE_CATEGORIES', flag: { key: 'categories', name: '--categories' }, toRaw: (v) => ({ categoriesDir: v }) },
  {
    env: 'WARDGATE_PARENT_PROXY',
    flag: { key: 'parentProxy', name: '--parent-proxy' },
    emptyMeansNone: true,
    toRaw: (v) => ({ parentProxy: v === '' ? null : v }),
  },
  { env: 'WARDGATE_RESOLVE', emptyMeansNone: true, toRaw: (v) => ({ resolve: splitList(v) }) },
  { env: 'WARDGATE_LOG_LEVEL', toRaw: (v) => ({ log: { level: v } }) },
];

/**
 * The effective configuration: DEFAULTS < config file < environment < flags.
 * `cwd` is for tests; it defaults to process.cwd().
 * @throws WfError WF_ERR_CONFIG_INVALID listing every problem, one per line.
 */
export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  let config = mergeConfig(DEFAULTS, {
    dataDir: resolvePath(cwd, DEFAULTS.dataDir),
    categoriesDir: resolvePath(cwd, DEFAULTS.categoriesDir),
  });
  const apply = (raw: unknown, origin: string, baseDir: string): void => {
    const parsed = parseConfigLayer(raw, origin, { baseDir });
    problems.push(...parsed.problems);
    config = mergeConfig(config, parsed.layer);
  };

  const file = flags.config ?? env.WARDGATE_CONFIG;
  if (file) {
    const path = resolvePath(cwd, file);
    const raw = readJsonFile(path, problems);
    if (raw !== undefined) apply(raw, path, dirname(path));
  }
  for (const b of BINDINGS) {
    const value = env[b.env];
    // An empty variable usually comes from a template (`X=${X:-}`), so it means unset.
    if (value !== undefined && (value !== '' || b.emptyMeansNone)) apply(b.toRaw(value), `env ${b.env}`, cwd);
  }
  for (const b of BINDINGS) {
    const value = b.flag && flags[b.flag.key];
    if (b.flag && value !== undefined) apply(b.toRaw(value), `flag ${b.flag.name}`, cwd);
  }
  if (flags.resolve !== undefined && flags.resolve.length > 0) {
    apply({ resolve: flags.resolve.flatMap(splitList) }, 'flag --resolve', cwd);
  }

  if (problems.length === 0) problems.push(...checkCombined(config).map((p) => `combined settings: ${p}`));
  if (problems.length > 0) throw configError(problems);
  return config;
}

function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** The parsed JSON, or undefined after pushing a problem naming the file. */
function readJsonFile(path: string, problems: string[]): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${path}: cannot read config file: ${fsReason(err)}`);
    return undefined;
  }
  // Editors on Windows may save a BOM, which JSON.parse rejects.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const { line, column } = lineAndColumn(text, jsonErrorOffset(text, message));
    const reason = message.replace(/,\s*(?:\.\.\.)?".*" is not valid JSON$/s, '').replace(/ (in JSON )?at position \d+.*$/s, '');
    problems.push(`${path}: invalid JSON at line ${line}, column ${column}: ${reason}`);
    return undefined;
  }
}

function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file (ENOENT)';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  if (code === 'EISDIR') return 'is a directory (EISDIR)';
  return (err as Error).message;
}

/** Offset of the first character JSON.parse rejects. */
function jsonErrorOffset(text: string, message: string): number {
  const named = /at position (\d+)/.exec(message);
  if (named) return Number(named[1]);
  if (message.includes('Unexpected end')) return text.length;
  // V8's "Unexpected token" names no position: find the shortest prefix that
  // fails for a reason other than ending too soon; it ends at the bad character.
  let lo = 0;
  let hi = text.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (failsWithin(text.slice(0, mid))) hi = mid;
    else lo = mid;
  }
  return hi - 1;
}

function failsWithin(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (err) {
    const message = (err as Error).message;
    const named = /at position (\d+)/.exec(message);
    return named ? Number(named[1]) < prefix.length : !message.includes('Unexpected end');
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastNewline };
}
