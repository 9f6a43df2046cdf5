/** Builds decision-log lines for report tests, in pino's layout and sealed into a chain like the real writer's. */
import { GENESIS, sealLine, type ChainHead } from '../../src/log/chain.ts';

export const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export interface DecisionFields {
  time?: number;
  member?: string | null;
  group?: string | null;
  decision?: 'allow' | 'block' | 'allow-by-grant' | 'refuse';
  host?: string;
  categories?: string[];
  grants?: string[];
  bytesIn?: number;
  bytesOut?: number;
}

export function decisionJson(f: DecisionFields = {}): string {
  const decision = f.decision ?? 'allow';
  const host = f.host ?? 'example.org';
  return JSON.stringify({
    level: 'info',
    time: f.time ?? T0,
    v: 1,
    id: 'req-1',
    kind: 'http',
    member: f.member === undefined ? 'alice' : f.member,
    group: f.group === undefined ? 'labour' : f.group,
    via: 'password',
    client: '127.0.0.1',
    method: 'GET',
    target: `http://${host}/`,
    host,
    decision,
    reason: decision === 'block' ? 'category' : 'uncategorised',
    categories: f.categories ?? [],
    rule: null,
    grants: f.grants ?? [],
    status: decision === 'block' ? 403 : 200,
    bytesIn: f.bytesIn ?? 0,
    bytesOut: f.bytesOut ?? 0,
    durationMs: 3,
    cache: 'miss',
    snapshot: 1,
    error: null,
  });
}

export interface StaffFields {
  time?: number;
  action?: string;
  grant?: string;
  member?: string;
  group?: string | null;
  scope?: string;
  before?: string | null;
  after?: string;
}

export function staffJson(f: StaffFields = {}): string {
  return JSON.stringify({
    level: 'info',
    time: f.time ?? T0,
    v: 1,
    type: 'staff',
    event: 1,
    action: f.action ?? 'approve',
    actor: 'staff:gsm-labour',
    role: 'gsm',
    via: 'cli',
    client: null,
    grant: f.grant ?? 'g_1',
    member: f.member ?? 'alice',
    group: f.group === undefined ? 'labour' : f.group,
    scope: f.scope ?? 'domain:casino.test',
    before: f.before === undefined ? 'pending' : f.before,
    after: f.after ?? 'approved',
    expires: null,
  });
}

/** Seals JSON lines into one chain (with `\n`), starting after `head`. */
export function seal(jsons: readonly string[], head: ChainHead = { seq: 0, hash: GENESIS }): { text: string; head: ChainHead; lines: string[] } {
  const lines: string[] = [];
  for (const json of jsons) {
    const sealed = sealLine(json, head);
    head = sealed.head;
    lines.push(sealed.line.slice(0, -1));
  }
  return { text: lines.map((l) => `${l}\n`).join(''), head, lines };
}
