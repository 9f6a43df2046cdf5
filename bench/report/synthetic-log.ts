/**
 * Writes a realistic decision log for the report bench (and the report's
 * larger tests): `lines` lines spread over `days` UTC days, one sealed chain
 * across daily files (`decisions-<day>.1.log`, each opening with its `file`
 * header), every file but the newest gzipped as rotation would leave them.
 * Seeded, so every run writes the same bytes.
 *
 * Mix (per decision line): ≈80 % allow, 14 % block, 3 % allow-by-grant, 3 %
 * refuse; 60 members in 5 groups; blocked hosts drawn from 20,000, skewed so
 * a few dominate as in real traffic; a staff line every ~5,000 lines.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GENESIS, sealLine, type ChainHead } from '../../src/log/chain.ts';
import { formatLogFileName } from '../../src/log/log-files.ts';
import { mulberry32 } from '../../test/helpers/prng.ts';

const CATEGORIES = ['adults-only', 'chat', 'drugs', 'hate', 'illegal', 'murder-suicide', 'personal-info', 'pornography', 'profanity', 'school-cheating', 'sex', 'tasteless', 'violence', 'weapons'];
const GROUPS = ['conservative', 'labour', 'libdem', 'green', 'independent'];
const DAY_MS = 86_400_000;

export interface SyntheticLogOptions {
  readonly dir: string;
  readonly lines: number;
  readonly days: number;
  /** First day, epoch ms at UTC midnight. */
  readonly start: number;
  readonly seed?: number;
  readonly gzip?: boolean;
}

export interface SyntheticLogResult {
  readonly files: string[];
  readonly bytes: number;
  readonly decisionLines: number;
  readonly expected: { allow: number; block: number; allowByGrant: number; refuse: number; staff: number };
}

export function writeSyntheticLog(options: SyntheticLogOptions): SyntheticLogResult {
  const random = mulberry32(options.seed ?? 42);
  mkdirSync(options.dir, { recursive: true });
  const perDay = Math.ceil(options.lines / options.days);
  const expected = { allow: 0, block: 0, allowByGrant: 0, refuse: 0, staff: 0 };
  let head: ChainHead = { seq: 0, hash: GENESIS };
  let written = 0;
  let bytes = 0;
  let decisionLines = 0;
  const files: string[] = [];
  for (let day = 0; day < options.days && written < options.lines; day += 1) {
    const dayStart = options.start + day * DAY_MS;
    const date = new Date(dayStart).toISOString().slice(0, 10);
    const name = formatLogFileName({ date, worker: null, index: 1 });
    const chunks: string[] = [];
    const seal = (json: string): void => {
      const sealed = sealLine(json, head);
      head = sealed.head;
      chunks.push(sealed.line);
      written += 1;
    };
    seal(JSON.stringify({ type: 'file', v: 1, time: dayStart, file: name, chain: 'main' }));
    const count = Math.min(perDay - 1, options.lines - written);
    for (let i = 0; i < count; i += 1) {
      const time = dayStart + Math.floor(((i + random()) / count) * DAY_MS);
      if (random() < 0.0002) {
        expected.staff += 1;
        seal(staffLine(time, random));
      } else {
        decisionLines += 1;
        seal(decisionLine(time, random, expected));
      }
    }
    const text = chunks.join('');
    const last = day === options.days - 1 || written >= options.lines;
    const path = join(options.dir, options.gzip !== false && !last ? `${name}.gz` : name);
    const data = options.gzip !== false && !last ? gzipSync(text, { level: 6 }) : Buffer.from(text);
    writeFileSync(path, data);
    bytes += data.length;
    files.push(path);
  }
  return { files, bytes, decisionLines, expected };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Skewed index in [0, n): small values far more often (roughly Zipf-like). */
function skewed(n: number, random: () => number): number {
  return Math.min(n - 1, Math.floor(n * random() ** 3));
}

function decisionLine(time: number, random: () => number, expected: SyntheticLogResult['expected']): string {
  const m = Math.floor(random() * 60);
  const member = `cllr-${m}`;
  const group = GROUPS[m % GROUPS.length]!;
  const r = random();
  const decision = r < 0.8 ? 'allow' : r < 0.94 ? 'block' : r < 0.97 ? 'allow-by-grant' : 'refuse';
  if (decision === 'allow') expected.allow += 1;
  else if (decision === 'block') expected.block += 1;
  else if (decision === 'allow-by-grant') expected.allowByGrant += 1;
  else expected.refuse += 1;
  const blockedHost = `www.blocked-${skewed(20_000, random)}.example`;
  const host = decision === 'block' || decision === 'allow-by-grant' ? blockedHost : `www.site-${Math.floor(random() * 5_000)}.example`;
  const category = pick(CATEGORIES, random);
  const listed = decision === 'block' || decision === 'allow-by-grant';
  const connect = random() < 0.7;
  const record = {
    level: 'info',
    time,
    v: 1,
    id: `${Math.floor(random() * 0xffffffff).toString(16)}-${Math.floor(random() * 0xffffffff).toString(16)}`,
    kind: connect ? 'connect' : 'http',
    member: decision === 'refuse' ? null : member,
    group: decision === 'refuse' ? null : group,
    via: decision === 'refuse' ? null : 'password',
    client: `10.20.${m}.${Math.floor(random() * 250)}`,
    method: connect ? 'CONNECT' : 'GET',
    target: connect ? `https://${host}:443` : `http://${host}/articles/${Math.floor(random() * 1e6)}`,
    host,
    decision,
    reason: decision === 'allow' ? 'uncategorised' : decision === 'refuse' ? 'no-credentials' : decision === 'block' ? 'category' : 'grant',
    categories: listed ? [category] : [],
    rule: listed ? { list: category, kind: 'domain', entry: host.slice(4), file: `${category}/domains`, line: 1 + Math.floor(random() * 9000) } : null,
    grants: decision === 'allow-by-grant' ? [`g_${(m * 7919).toString(16).padStart(16, '0')}`] : [],
    status: decision === 'block' ? 403 : decision === 'refuse' ? 407 : 200,
    bytesIn: decision === 'block' || decision === 'refuse' ? 0 : Math.floor(random() * 4000),
    bytesOut: decision === 'refuse' ? 0 : decision === 'block' ? 2900 : Math.floor(random() * 200_000),
    durationMs: Math.floor(random() * 900),
    cache: random() < 0.8 ? 'hit' : 'miss',
    snapshot: 3,
    error: null,
  };
  return JSON.stringify(record);
}

function staffLine(time: number, random: () => number): string {
  const m = Math.floor(random() * 60);
  return JSON.stringify({
    level: 'info',
    time,
    v: 1,
    type: 'staff',
    event: Math.floor(random() * 1e6),
    action: 'approve',
    actor: `staff:gsm-${GROUPS[m % GROUPS.length]}`,
    role: 'gsm',
    via: 'web',
    client: '10.20.0.15',
    grant: `g_${(m * 7919).toString(16).padStart(16, '0')}`,
    member: `cllr-${m}`,
    group: GROUPS[m % GROUPS.length],
    scope: `category:${pick(CATEGORIES, random)}`,
    before: 'pending',
    after: 'approved',
    expires: time + 90 * DAY_MS,
  });
}
