/**
 * `wardgate audit events`: the append-only audit trail of the grants
 * workflow, staff accounts, category settings and the member directory (who,
 * when, what, before and after), filtered by subject (a grant id,
 * `staff:ID`, `category:ID`, `member:ID` or `group:ID`), actor, action and time. A table for
 * people (one line per event, with what changed), or JSON lines with the full
 * before/after for scripts and auditors.
 */
import { WfError } from '../errors.ts';
import { describePasswordChange } from '../directory/directory-audit.ts';
import { AUDIT_ACTIONS, type AuditAction, type AuditEvent } from '../grants/grant-store.ts';
import { queryAuditEvents } from '../grants/sqlite-audit.ts';
import { parseDateInput, toIso } from '../grants/time.ts';
import { openDatabase } from '../store/database.ts';
import {
  expectPositionals,
  parseCommandArgs,
  printTable,
  rejectOptionsOutside,
  resolveDataDir,
  runWithExitCodes,
  writeJsonLines,
  type CliIO,
} from './cli-io.ts';

export const AUDIT_USAGE = `Usage: wardgate audit events [--subject ID] [--actor ACTOR] [--action ACTION] [--from DATE] [--to DATE] [--limit N] [--json]
SUBJECT: a grant id (g_…), staff:ID, category:ID, member:ID or group:ID. ACTOR: member:ID, staff:ID, cli:USER or system.
ACTION: request, approve, decline, revoke, expire, edit, staff-add, staff-remove, staff-passwd,
staff-disable, staff-enable, staff-locked, token-issue, token-revoke, category-setting, member-add,
member-edit, member-passwd, member-ips, member-remove, group-add, group-rename, group-remove.
DATE: YYYY-MM-DD (UTC; --to includes that day) or a time with its zone. --limit keeps the latest N
(default 10000). Oldest first.
Also takes --data-dir DIR and --config FILE.
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  subject: { type: 'string' },
  actor: { type: 'string' },
  action: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `wardgate audit <argv…>`; resolves to the process exit code. */
export function runAuditCommand(argv: string[], io: CliIO): Promise<number> {
  return runWithExitCodes('wardgate audit', AUDIT_USAGE, io, async () => {
    const { values, positionals } = parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.help === true) {
      io.stdout.write(AUDIT_USAGE);
      return 0;
    }
    const [name, ...rest] = positionals;
    if (name !== 'events') throw new WfError('WF_ERR_USAGE', name === undefined ? 'name a subcommand' : `unknown subcommand "${name}"`);
    rejectOptionsOutside(values, Object.keys(OPTIONS), 'audit events');
    expectPositionals(rest, [], 'audit events');
    if (values.action !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(values.action)) {
      throw new WfError('WF_ERR_INVALID_INPUT', `"${values.action}" is not an audit action: use ${AUDIT_ACTIONS.join(', ')}`);
    }
    if (values.limit !== undefined && !/^[1-9]\d{0,6}$/.test(values.limit)) {
      throw new WfError('WF_ERR_INVALID_INPUT', `--limit "${values.limit}" is not a positive whole number`);
    }
    const filter = {
      subject: values.subject,
      actor: values.actor,
      action: values.action as AuditAction | undefined,
      from: values.from === undefined ? undefined : parseDateInput(values.from, '--from'),
      to: values.to === undefined ? undefined : parseDateInput(values.to, '--to', { endOfDay: true }),
      limit: values.limit === undefined ? undefined : Number(values.limit),
    };
    const db = openDatabase(resolveDataDir({ dataDir: values['data-dir'], config: values.config }, io.env));
    let events: AuditEvent[];
    try {
      events = queryAuditEvents(db, filter);
    } finally {
      db.close();
    }
    if (values.json === true) {
      writeJsonLines(io.stdout, events.map((e) => ({ ...e, at: toIso(e.at) })));
    } else if (events.length === 0) {
      io.stdout.write('no audit events match\n');
    } else {
      const rows = events.map((e) => [String(e.id), toIso(e.at), e.actor, e.action, e.subject, describeChange(e)]);
      printTable(io.stdout, rows, ['ID', 'AT', 'ACTOR', 'ACTION', 'SUBJECT', 'CHANGE']);
    }
    return 0;
  });
}

/** What changed, in one line: `status: pending → approved; expiresAt: - → 2026-…`. */
export function describeChange(event: Pick<AuditEvent, 'action' | 'before' | 'after'>): string {
  // Hashes are never in the trail, so the one change a password makes is invisible in before/after.
  if (event.action === 'staff-passwd') return 'password changed';
  if (event.action === 'member-passwd') return describePasswordChange(event.before, event.after);
  if (event.before === null) return 'created';
  if (event.after === null) return 'removed';
  const before = event.before as Record<string, unknown>;
  const after = event.after as Record<string, unknown>;
  const changes: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    // Every change moves updatedAt; listing it would only add noise.
    if (key === 'updatedAt' || JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    changes.push(`${key}: ${show(before[key])} → ${show(after[key])}`);
  }
  return changes.length === 0 ? 'no visible change' : changes.join('; ');
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '-';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
