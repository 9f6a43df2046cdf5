/**
 * Validates one configuration source (a JSON file, one environment variable,
 * one flag) into a ConfigLayer, then merges layers over a base Config.
 *
 * Invariants: nothing here reads the environment, the clock or the file system
 * (load-config.ts does that). Every problem in a source is reported, each as
 * `<origin>: <path>: <problem>`, never just the first. Unknown keys are errors,
 * with a "did you mean" when a known key is close. A merged Config is
 * deep-frozen, and merging an empty layer returns the base object itself.
 *
 * The JSON shape is friendlier than Config: `listen`/`admin`/`parentProxy` are
 * "HOST:PORT" strings (or {host, port}), `resolve` is "HOST:ADDR" strings,
 * `limits` and `log` are partial, `categories` is keyed by known category id.
 *
 * Longer than the ~300-line guide because host/port/resolve text parsing and
 * the problem formatter (paths, "did you mean") live here too; they exist only
 * to serve this schema. Split host parsing out if anything else needs it.
 */
import { isIP } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import type { AdminSessionConfig, AdminTlsConfig, CategorySetting, Config, DecisionLogSettings, GrantsConfig, HostPort, LimitsConfig, ListsConfig, LogConfig, NotificationsConfig, ResolveOverride, SelfServiceConfig, SmtpSettings } from './config.ts';
import { DEFAULTS } from './defaults.ts';
import { ALL_CATEGORY_IDS, isCategoryId } from '../policy/categories.ts';
import { WfError } from '../errors.ts';

/** One source's validated, normalised settings: only the keys it set. */
export interface ConfigLayer {
  readonly listen?: HostPort;
  readonly admin?: HostPort | null;
  readonly adminTls?: Partial<AdminTlsConfig>;
  readonly adminSession?: Partial<AdminSessionConfig>;
  readonly dataDir?: string;
  readonly categoriesDir?: string;
  readonly parentProxy?: HostPort | null;
  readonly resolve?: readonly ResolveOverride[];
  readonly connectPorts?: readonly number[];
  readonly categories?: Readonly<Record<string, CategorySetting>>;
  readonly classifyCacheSize?: number;
  readonly limits?: Partial<LimitsConfig>;
  readonly log?: Partial<Omit<LogConfig, 'decisionLog'>> & { readonly decisionLog?: Partial<DecisionLogSettings> };
  readonly lists?: Partial<ListsConfig>;
  readonly grants?: Partial<GrantsConfig>;
  readonly selfService?: Partial<SelfServiceConfig>;
  readonly notifications?: Partial<NotificationsConfig>;
}

export interface ParsedLayer {
  readonly layer: ConfigLayer;
  /** Each formatted `<origin>: <path>: <problem>`; empty when the source is valid. */
  readonly problems: readonly string[];
}

export interface ParseOptions {
  /** Relative `dataDir`/`categoriesDir` resolve against this; left as written when absent. */
  readonly baseDir?: string;
}

// ── host and port text ──────────────────────────────────────────────────────

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** Lower-case ASCII (punycode) host name without trailing dot, or null when not a valid name. */
function normaliseHostName(text: string): string | null {
  const bare = text.endsWith('.') ? text.slice(0, -1) : text;
  // domainToASCII also lower-cases, and returns '' for names it cannot encode.
  const host = /^[\x21-\x7e]*$/.test(bare) ? bare.toLowerCase() : domainToASCII(bare);
  if (host === '' || host.length > 253) return null;
  const labels = host.split('.');
  if (!labels.every((label) => LABEL.test(label))) return null;
  // URL parsers read an all-digit last label as IPv4, so "10.0.0.300" must not pass as a name.
  return /^\d+$/.test(labels[labels.length - 1]!) ? null : host;
}

/** A host as listen/parentProxy take it: name, IPv4, or IPv6 (bracketed or, in object form, bare). */
function parseHost(text: string): string | { problem: string } {
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : null;
  if (inner !== null) return isIP(inner) === 6 ? inner.toLowerCase() : { problem: `${q(text)} is not a bracketed IPv6 address` };
  const family = isIP(text);
  if (family !== 0) return family === 6 ? text.toLowerCase() : text;
  return normaliseHostName(text) ?? { problem: `${q(text)} is not a valid host name or IP address` };
}

function parsePort(text: string, minPort: number): number | { problem: string } {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  return port >= minPort && port <= 65535 ? port : { problem: `port must be an integer from ${minPort} to 65535, got ${q(text)}` };
}

function parseHostPort(text: string, minPort: number): HostPort | { problem: string } {
  // Not echoed: the text may hold a password, and this message ends up in logs.
  if (text.includes('@')) return { problem: 'expected HOST:PORT; credentials (USER:PASSWORD@) are not supported' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { problem: `expected HOST:PORT without a scheme, got ${q(text)}` };
  const colon = text.startsWith('[') ? text.indexOf(']') + 1 : text.lastIndexOf(':');
  if (colon <= 0 || text[colon] !== ':') return { problem: `expected HOST:PORT (e.g. 127.0.0.1:3128 or [::1]:3128), got ${q(text)}` };
  const hostText = text.slice(0, colon);
  if (hostText.includes(':') && !hostText.startsWith('[')) {
    return { problem: `an IPv6 address must be in brackets, e.g. [::1]:3128, got ${q(text)}` };
  }
  const host = parseHost(hostText);
  const port = parsePort(text.slice(colon + 1), minPort);
  if (typeof host !== 'string') return host;
  return typeof port === 'number' ? { host, port } : port;
}

function parseResolveEntry(text: string): ResolveOverride | { problem: string } {
  const colon = text.indexOf(':');
  if (colon < 0) return { problem: `expected HOST:ADDR (e.g. example.com:192.0.2.10), got ${q(text)}` };
  const hostText = text.slice(0, colon);
  const written = text.slice(colon + 1);
  const address = written.startsWith('[') && written.endsWith(']') ? written.slice(1, -1) : written;
  if (isIP(address) === 0) {
    // curl's --resolve takes HOST:PORT:ADDR; ours applies to every port, so say so rather than "not an IP".
    if (/^\d+:/.test(address) && isIP(address.slice(address.indexOf(':') + 1).replace(/^\[(.*)\]$/, '$1')) !== 0) {
      return { problem: `${q(text)}: write HOST:ADDR without a port (an override applies to every port)` };
    }
    return { problem: `${q(text)}: ${q(written)} is not an IP address` };
  }
  if (isIP(hostText) !== 0 || hostText.startsWith('[')) return { problem: `${q(text)}: HOST must be a host name, not an IP address` };
  const host = normaliseHostName(hostText);
  if (host === null) return { problem: `${q(text)}: ${q(hostText)} is not a valid host name` };
  return { host, address: address.toLowerCase() };
}

// ── schema ──────────────────────────────────────────────────────────────────

/** Lifts a `T | { problem }` parser into a zod string transform. */
function textOf<T>(parse: (text: string) => T | { problem: string }) {
  return z.string().transform((text, ctx) => {
    const result = parse(text);
    if (typeof result === 'object' && result !== null && 'problem' in result) {
      ctx.addIssue({ code: 'custom', message: result.problem });
      return z.NEVER;
    }
    return result as T;
  });
}

function integer(min: number, max: number, unit = '') {
  const error = (issue: { input?: unknown }) => `must be an integer from ${min} to ${max}${unit}, got ${describe(issue.input)}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

function hostPort(minPort: number) {
  return z.union(
    [
      textOf((text) => parseHostPort(text, minPort)),
      z.strictObject({ host: textOf(parseHost), port: integer(minPort, 65535) }),
    ],
    { error: (issue) => `expected a "HOST:PORT" string or a {host, port} object, got ${describe(issue.input)}` },
  );
}

/** The admin server: "HOST:PORT" (port 0 = ephemeral, for tests), or false / "off" / null for none. */
function adminSetting() {
  return z.union(
    [
      z.null(),
      z
        .boolean()
        .refine((on) => !on, { error: 'true is not an address: give "HOST:PORT", or false for no admin server' })
        .transform(() => null),
      textOf((text) => (text === 'off' ? null : parseHostPort(text, 0))),
      z.strictObject({ host: textOf(parseHost), port: integer(0, 65535) }),
    ],
    { error: (issue) => `expected a "HOST:PORT" string, a {host, port} object, or false/"off"/null for none, got ${describe(issue.input)}` },
  );
}

const path = z.string().min(1, { error: 'must be a non-empty path' });

const limitsShape = {
  headersTimeoutMs: integer(1, 600_000, ' ms').optional(), // up to 10 min
  keepAliveTimeoutMs: integer(1, 3_600_000, ' ms').optional(), // up to 1 h
  maxHeaderBytes: integer(1024, 1024 * 1024, ' bytes').optional(), // 1 KiB .. 1 MiB
  maxHeadersCount: integer(1, 10_000).optional(),
  connectTimeoutMs: integer(1, 300_000, ' ms').optional(), // up to 5 min
  responseTimeoutMs: integer(1, 3_600_000, ' ms').optional(), // up to 1 h
  idleTimeoutMs: integer(1, 86_400_000, ' ms').optional(), // up to 24 h
  shutdownGraceMs: integer(1, 300_000, ' ms').optional(), // up to 5 min
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
const PRIVACY_MODES = ['full', 'no-query', 'host'] as const;
const decisionLogShape = {
  rotateBytes: integer(0, 100 * 1024 ** 3, ' bytes').optional(), // 0 = no size limit, up to 100 GiB
  rotateDaily: z.boolean().optional(),
  retentionDays: integer(0, 36_500, ' days').optional(), // 0 = keep everything, up to 100 years
  privacy: z.enum(PRIVACY_MODES, { error: (i) => `must be one of ${PRIVACY_MODES.join(', ')}, got ${describe(i.input)}` }).optional(),
  chain: z.boolean().optional(),
  compress: z.boolean().optional(),
};
const logShape = {
  level: z.enum(LOG_LEVELS, { error: (i) => `must be one of ${LOG_LEVELS.join(', ')}, got ${describe(i.input)}` }).optional(),
  decisionsToStdout: z.boolean().optional(),
  decisionLog: z.strictObject(decisionLogShape).optional(),
};

const categorySettingShape = { enforced: z.boolean().optional(), grantable: z.boolean().optional() };
const categoryId = z.string().refine(isCategoryId, { error: (i) => unknownCategory(String(i.input)) });

// The same rule as IMPORT_NAME_RE in src/lists/load-all-lists.ts (kept here so config stays a leaf module).
const IMPORT_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const LIST_FORMATS = ['ut1', 'squidguard', 'hosts', 'plain'] as const;
const URL_SOURCE_RE = /^https?:\/\//i;

const listSourceShape = {
  name: z.string().regex(IMPORT_NAME_RE, {
    error: (i) => `must be lower-case letters, digits, ".", "_" and "-" (up to 64, starting with a letter or digit), got ${describe(i.input)}`,
  }),
  source: z.string().min(1, { error: 'must be a URL, a folder, an archive or a list file' }).refine((text) => !URL_SOURCE_RE.test(text) || URL.canParse(text), {
    error: (i) => `${describe(i.input)} is not a valid URL`,
  }),
  format: z.enum(LIST_FORMATS, { error: (i) => `must be one of ${LIST_FORMATS.join(', ')}, got ${describe(i.input)}` }).optional(),
  map: path.optional(),
  categories: z.array(categoryId).min(1, { error: 'name at least one category, or leave the key out' }).optional(),
};
const listSourceSchema = z.strictObject(listSourceShape).superRefine((source, ctx) => {
  if (source.map !== undefined && source.categories !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['categories'], message: 'give map or categories, not both' });
  }
  if ((source.format === 'hosts' || source.format === 'plain') && source.map === undefined && source.categories === undefined) {
    ctx.addIssue({ code: 'custom', path: ['categories'], message: `a ${source.format} list needs categories (the council categories its entries block) or a map` });
  }
});
const WHEN_UNAVAILABLE = ['refuse-start', 'block-all'] as const;
const listsShape = {
  sources: z.array(listSourceSchema).superRefine(rejectDuplicates((s: { name: string }) => s.name, 'name')).optional(),
  whenUnavailable: z.enum(WHEN_UNAVAILABLE, { error: (i) => `must be one of ${WHEN_UNAVAILABLE.join(', ')}, got ${describe(i.input)}` }).optional(),
};

const grantsShape = {
  defaultExpiryDays: integer(1, 3650, ' days').optional(),
  maxExpiryDays: integer(1, 3650, ' days').optional(),
};

function checkExpiryOrder(grants: { defaultExpiryDays?: number | undefined; maxExpiryDays?: number | undefined }, ctx: z.RefinementCtx): void {
  const { defaultExpiryDays, maxExpiryDays } = grants;
  if (defaultExpiryDays !== undefined && maxExpiryDays !== undefined && defaultExpiryDays > maxExpiryDays) {
    ctx.addIssue({ code: 'custom', path: ['defaultExpiryDays'], message: `must not be more than grants.maxExpiryDays (${maxExpiryDays}), got ${defaultExpiryDays}` });
  }
}

const adminTlsShape = {
  cert: path.nullable().optional(), // PEM certificate (chain) file
  key: path.nullable().optional(), // PEM private key file
};

const adminSessionShape = {
  idleMinutes: integer(1, 1440, ' minutes').optional(), // up to 24 h
  absoluteHours: integer(1, 168, ' hours').optional(), // up to 7 days
};

/** The reserved self-service host: a host name (not an IP, which could be a real server), or "off" / null / false. */
const selfServiceShape = {
  host: z.union(
    [
      z.null(),
      z
        .boolean()
        .refine((on) => !on, { error: 'true is not a host name: give one, or false for no self-service pages' })
        .transform(() => null),
      textOf((text) => {
        if (text === 'off') return null;
        const host = isIP(text) === 0 ? normaliseHostName(text) : null;
        return host ?? { problem: `must be a host name such as "wardgate.invalid", or "off", got ${q(text)}` };
      }),
    ],
    { error: (issue) => `expected a host name, or "off"/null/false for none, got ${describe(issue.input)}` },
  ).optional(),
};

// An address with nothing a header could be split on; the full check is src/directory/email.ts (not imported: config stays a leaf).
const SIMPLE_EMAIL_RE = /^[^\s@<>,;:"]{1,64}@[a-z0-9.-]{1,253}\.[a-z0-9-]{2,63}$/i;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const smtpShape = {
  host: textOf(parseHost),
  port: integer(1, 65535).optional(), // default: 465 when secure, else 587
  secure: z.boolean().optional(),
  user: z.string().min(1, { error: 'must be a non-empty user name, or leave the key out' }).optional(),
  passwordFile: path.optional(),
  passwordEnv: z.string().regex(ENV_NAME_RE, { error: (i) => `must be an environment variable name, got ${describe(i.input)}` }).optional(),
  from: z.string().regex(SIMPLE_EMAIL_RE, { error: (i) => `must be one email address like wardgate@council.example.gov.uk, got ${describe(i.input)}` }),
};
const smtpSchema = z
  .strictObject(smtpShape)
  .superRefine((smtp, ctx) => {
    if (smtp.passwordFile !== undefined && smtp.passwordEnv !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['passwordEnv'], message: 'give passwordFile or passwordEnv, not both' });
    }
    if ((smtp.passwordFile !== undefined || smtp.passwordEnv !== undefined) && smtp.user === undefined) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'a password needs the user it belongs to' });
    }
  })
  .transform(
    (smtp): SmtpSettings => ({
      host: smtp.host,
      port: smtp.port ?? (smtp.secure === true ? 465 : 587),
      secure: smtp.secure ?? false,
      user: smtp.user ?? null,
      passwordFile: smtp.passwordFile ?? null,
      passwordEnv: smtp.passwordEnv ?? null,
      from: smtp.from,
    }),
  );
const notificationsShape = {
  smtp: smtpSchema.nullable().optional(), // null: no emails
  maxAttempts: integer(1, 100, ' attempts').optional(),
  retryDelayMs: integer(100, 3_600_000, ' ms').optional(), // 0.1 s .. 1 h
};

const layerShape = {
  listen: hostPort(0).optional(), // port 0 = ephemeral, for tests
  admin: adminSetting().optional(), // "HOST:PORT", or false / "off" / null for no admin server
  adminTls: z.strictObject(adminTlsShape).optional(),
  adminSession: z.strictObject(adminSessionShape).optional(),
  dataDir: path.optional(),
  categoriesDir: path.optional(),
  parentProxy: hostPort(1).nullable().optional(),
  resolve: z.array(textOf(parseResolveEntry)).superRefine(rejectDuplicates((o) => o.host, 'host')).optional(),
  connectPorts: z.array(integer(1, 65535)).superRefine(rejectDuplicates((p) => p, 'port')).optional(),
  categories: z.record(categoryId, z.strictObject(categorySettingShape)).optional(),
  classifyCacheSize: integer(1, 10_000_000, ' entries').optional(),
  limits: z.strictObject(limitsShape).optional(),
  log: z.strictObject(logShape).optional(),
  lists: z.strictObject(listsShape).optional(),
  grants: z.strictObject(grantsShape).superRefine(checkExpiryOrder).optional(),
  selfService: z.strictObject(selfServiceShape).optional(),
  notifications: z.strictObject(notificationsShape).optional(),
};
const layerSchema = z.strictObject(layerShape);

function rejectDuplicates<T>(keyOf: (item: T) => unknown, noun: string) {
  return (items: readonly T[], ctx: z.RefinementCtx) => {
    const seen = new Map<unknown, number>();
    items.forEach((item, index) => {
      const first = seen.get(keyOf(item));
      if (first === undefined) seen.set(keyOf(item), index);
      else ctx.addIssue({ code: 'custom', path: [index], message: `duplicate ${noun} ${String(keyOf(item))} (first at index ${first})` });
    });
  };
}

// ── problems ────────────────────────────────────────────────────────────────

type Path = readonly PropertyKey[];

function formatPath(p: Path): string {
  if (p.length === 0) return '(top level)';
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : /^[\w$-]+$/.test(String(k)) ? `${i ? '.' : ''}${String(k)}` : `[${q(String(k))}]`)).join('');
}

function toProblems(issues: readonly z.core.$ZodIssue[], at: Path, out: { path: Path; message: string }[]): void {
  for (const issue of issues) {
    const p = [...at, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...p, key], message: `unknown key${didYouMean(p, key)}` });
    } else if (issue.code === 'invalid_key') {
      toProblems(issue.issues, p, out);
    } else if (issue.code === 'invalid_union') {
      // Report the branch matching the value's type ("a:b" is a bad HOST:PORT, not "a bad object").
      const typed = issue.errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (typed.length === 1) toProblems(typed[0]!, p, out);
      else out.push({ path: p, message: issue.message });
    } else {
      out.push({ path: p, message: issue.message });
    }
  }
}

/** Messages for issues no schema customised: only type mismatches reach here in practice. */
function genericMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  const article = /^[aeiou]/.test(issue.expected) ? 'an' : 'a';
  return `expected ${article} ${issue.expected}, got ${describe(issue.input)}`;
}

const MOVED: Readonly<Record<string, string>> = { logLevel: 'log.level', port: 'listen', upstreamProxy: 'parentProxy' };

function didYouMean(at: Path, key: string): string {
  const known = at.length === 0 ? Object.keys(layerShape)
    : at[0] === 'limits' ? Object.keys(limitsShape)
    : at[0] === 'log' ? Object.keys(at.length === 1 ? logShape : decisionLogShape)
    : at[0] === 'categories' ? Object.keys(categorySettingShape)
    : at[0] === 'grants' ? Object.keys(grantsShape)
    : at[0] === 'adminTls' ? Object.keys(adminTlsShape)
    : at[0] === 'adminSession' ? Object.keys(adminSessionShape)
    : at[0] === 'selfService' ? Object.keys(selfServiceShape)
    : at[0] === 'notifications' ? Object.keys(at.length === 1 ? notificationsShape : smtpShape)
    : at[0] === 'lists' ? (at.length === 1 ? Object.keys(listsShape) : Object.keys(listSourceShape))
    : ['host', 'port'];
  const near = at.length === 0 ? MOVED[key] : undefined;
  const match = near ?? closest(key, known);
  if (match !== undefined) return ` (did you mean ${near ?? formatPath([...at, match])}?)`;
  if (at.length === 0) {
    // A limits/log key written at the top level.
    const nested = closest(key, [...Object.keys(limitsShape), ...Object.keys(logShape)]);
    if (nested !== undefined) return ` (did you mean ${nested in limitsShape ? 'limits' : 'log'}.${nested}?)`;
  }
  return `; known keys: ${known.join(', ')}`;
}

function unknownCategory(id: string): string {
  const near = closest(id, ALL_CATEGORY_IDS);
  return `unknown category id ${q(id)}` + (near ? ` (did you mean ${near}?)` : `; known ids: ${ALL_CATEGORY_IDS.join(', ')}`);
}

/** The candidate nearest by edit distance (ignoring case, "-" and "_"), or a unique prefix match. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const fold = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const w = fold(word);
  let best: string | undefined;
  let bestDistance = (w.length <= 3 ? 1 : Math.max(2, Math.floor(w.length / 3))) + 1;
  for (const c of candidates) {
    const d = editDistance(w, fold(c));
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const prefixed = candidates.filter((c) => fold(c).startsWith(w));
  return best ?? (w.length >= 3 && prefixed.length === 1 ? prefixed[0] : undefined);
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions ("levle" → "level" is 1). */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      next[j] = d;
    }
    [before, row] = [row, next];
  }
  return row[b.length]!;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return q(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return String(value);
}

function q(text: string): string {
  return JSON.stringify(text);
}

// ── API ─────────────────────────────────────────────────────────────────────

/** Validates one source without throwing; `undefined` counts as an empty source. */
export function parseConfigLayer(raw: unknown, origin: string, options: ParseOptions = {}): ParsedLayer {
  const parsed = layerSchema.safeParse(raw === undefined ? {} : raw, { error: genericMessage });
  if (!parsed.success) {
    const found: { path: Path; message: string }[] = [];
    toProblems(parsed.error.issues, [], found);
    return { layer: {}, problems: found.map((f) => `${origin}: ${formatPath(f.path)}: ${f.message}`) };
  }
  let layer: ConfigLayer = parsed.data;
  const { baseDir } = options;
  if (baseDir !== undefined) {
    if (layer.dataDir !== undefined) layer = { ...layer, dataDir: resolvePath(baseDir, layer.dataDir) };
    if (layer.categoriesDir !== undefined) layer = { ...layer, categoriesDir: resolvePath(baseDir, layer.categoriesDir) };
    if (layer.lists !== undefined) layer = { ...layer, lists: resolveListPaths(layer.lists, baseDir) };
    if (layer.adminTls !== undefined) layer = { ...layer, adminTls: resolveTlsPaths(layer.adminTls, baseDir) };
    const smtp = layer.notifications?.smtp;
    if (smtp !== undefined && smtp !== null && smtp.passwordFile !== null) {
      layer = { ...layer, notifications: { ...layer.notifications, smtp: { ...smtp, passwordFile: resolvePath(baseDir, smtp.passwordFile) } } };
    }
  }
  return { layer, problems: [] };
}

/** A list source's local paths (not URLs) taken relative to `baseDir`. */
function resolveListPaths(lists: Partial<ListsConfig>, baseDir: string): Partial<ListsConfig> {
  if (lists.sources === undefined) return lists;
  return {
    ...lists,
    sources: lists.sources.map((s) => ({
      ...s,
      source: URL_SOURCE_RE.test(s.source) ? s.source : resolvePath(baseDir, s.source),
      ...(s.map === undefined ? {} : { map: resolvePath(baseDir, s.map) }),
    })),
  };
}

function resolveTlsPaths(tls: Partial<AdminTlsConfig>, baseDir: string): Partial<AdminTlsConfig> {
  const at = (p: string | null | undefined) => (p === null || p === undefined ? p : resolvePath(baseDir, p));
  return { ...tls, ...(tls.cert === undefined ? {} : { cert: at(tls.cert) }), ...(tls.key === undefined ? {} : { key: at(tls.key) }) };
}

/** Layer over base: limits, log and each category's setting merge key by key; everything else replaces. */
export function mergeConfig(base: Config, layer: ConfigLayer): Config {
  const set = Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined)) as ConfigLayer;
  if (Object.keys(set).length === 0) return base;
  const categories: Record<string, CategorySetting> = { ...base.categories };
  for (const [id, setting] of Object.entries(set.categories ?? {})) categories[id] = { ...categories[id], ...setting };
  return deepFreeze({
    ...base,
    ...set,
    resolve: [...(set.resolve ?? base.resolve)],
    connectPorts: [...(set.connectPorts ?? base.connectPorts)],
    categories,
    limits: { ...base.limits, ...set.limits },
    log: { ...base.log, ...set.log, decisionLog: { ...base.log.decisionLog, ...set.log?.decisionLog } },
    lists: { ...base.lists, ...set.lists },
    grants: { ...base.grants, ...set.grants },
    adminTls: { ...base.adminTls, ...set.adminTls },
    adminSession: { ...base.adminSession, ...set.adminSession },
    selfService: { ...base.selfService, ...set.selfService },
    notifications: { ...base.notifications, ...set.notifications },
  });
}

/** The error for a list of problems from parseConfigLayer (or file reading), one per line. */
export function configError(problems: readonly string[]): WfError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new WfError('WF_ERR_CONFIG_INVALID', `configuration is invalid (${count}):\n${problems.join('\n')}`);
}

/**
 * Validates `raw` (a partial config in the JSON file shape) and merges it over
 * `base` (DEFAULTS unless given). Throws WF_ERR_CONFIG_INVALID listing every
 * problem as `<origin>: <path>: <problem>`. An empty source returns `base` itself.
 */
export function parseConfig(raw: unknown, origin: string, options: ParseOptions & { readonly base?: Config } = {}): Config {
  const { layer, problems } = parseConfigLayer(raw, origin, options);
  if (problems.length > 0) throw configError(problems);
  const config = mergeConfig(options.base ?? DEFAULTS, layer);
  const combined = checkCombined(config);
  if (combined.length > 0) throw configError(combined.map((p) => `${origin}: ${p}`));
  return config;
}

/** Rules across keys that may come from different sources, checked on the merged result. */
export function checkCombined(config: Config): string[] {
  const problems: string[] = [];
  const { defaultExpiryDays, maxExpiryDays } = config.grants;
  if (defaultExpiryDays > maxExpiryDays) {
    problems.push(`grants.defaultExpiryDays: must not be more than grants.maxExpiryDays (${maxExpiryDays}), got ${defaultExpiryDays}`);
  }
  const { cert, key } = config.adminTls;
  if ((cert === null) !== (key === null)) {
    problems.push(`adminTls: give both cert and key for HTTPS, or neither for plain HTTP (${cert === null ? 'key' : 'cert'} is set alone)`);
  }
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
