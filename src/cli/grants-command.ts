/**
 * `wardgate grants …`: the exclusion-grant workflow from the command line,
 * under exactly the rules the web pages apply (it calls the same GrantStore,
 * which runs src/grants/grant-rules.ts inside each transaction).
 *
 * `--by STAFF_ID` names the staff account a decision is made as, and every
 * rule is checked against that account (group, role, self-decision). The
 * command line does not ask for that account's password: whoever can run it
 * can already write the database file, so a password here would be theatre.
 * The operator is recorded too (`cli:<user>`) when a request is entered
 * without --by.
 *
 * `request` and `approve` load the category lists (the non-grantable check);
 * `list`, `decline` and `revoke` do not, so withdrawing access works even
 * when the lists cannot be loaded.
 */
import { loadListsSnapshot } from '../compose.ts';
import { loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/config.ts';
import { WfError } from '../errors.ts';
import { operatorActor, staffActor } from '../grants/actor.ts';
import { DEFAULT_EXPIRY_DAYS, formatScope, MAX_EXPIRY_DAYS, scopeFrom, type GrantPolicy } from '../grants/grant-rules.ts';
import { grantToJson, type GrantRecord, type GrantStore } from '../grants/grant-store.ts';
import { grantPolicyFromLists } from '../grants/non-grantable.ts';
import { SqliteGrantStore } from '../grants/sqlite-grant-store.ts';
import { parseDateInput, toIso } from '../grants/time.ts';
import type { GrantStatus } from '../policy/grants.ts';
import { openDatabase } from '../store/database.ts';
import { readOverrides } from '../category-overlay.ts';
import { CategorySettingsStore } from '../grants/category-settings-store.ts';
import { withCategoryOverrides } from '../policy/category-overrides.ts';
import {
  parseCommandArgs,
  printTable,
  resolveDataDir,
  runSubcommands,
  writeJsonLines,
  type CliIO,
  type Subcommand,
} from './cli-io.ts';
import { configFlags } from './config-options.ts';

export const GRANTS_USAGE = `Usage: wardgate grants list [--status S]... [--member ID] [--group G] [--json]
       wardgate grants request --member ID (--category C | --domain D | --url HOST/PATH) --reason TEXT [--days N] [--by STAFF_ID]
       wardgate grants approve ID --by STAFF_ID [--expires DATE | --days N] [--note TEXT]
       wardgate grants decline ID --by STAFF_ID [--note TEXT]
       wardgate grants revoke ID --by STAFF_ID [--note TEXT]
       wardgate grants history MEMBER_ID [--json]
Statuses: pending, approved, declined, revoked, expired. DATE: YYYY-MM-DD (through that day, UTC)
or a time with its zone (2026-12-31T17:00Z). An approval without --expires/--days lasts the days
the member asked for, else grants.defaultExpiryDays (${DEFAULT_EXPIRY_DAYS} unless configured);
at most grants.maxExpiryDays (${MAX_EXPIRY_DAYS} unless configured).
Every subcommand also takes --data-dir DIR and --config FILE; request and approve also --categories DIR.
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  categories: { type: 'string' },
  status: { type: 'string', multiple: true },
  member: { type: 'string' },
  group: { type: 'string' },
  category: { type: 'string' },
  domain: { type: 'string' },
  url: { type: 'string' },
  reason: { type: 'string' },
  days: { type: 'string' },
  expires: { type: 'string' },
  by: { type: 'string' },
  note: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

const COMMON = ['data-dir', 'config'];

const SUBCOMMANDS: Readonly<Record<string, Subcommand<Values>>> = {
  list: { options: [...COMMON, 'status', 'member', 'group', 'json'], positionals: [], run: listGrants },
  history: { options: [...COMMON, 'json'], positionals: ['MEMBER_ID'], run: memberHistory },
  request: { options: [...COMMON, 'categories', 'member', 'category', 'domain', 'url', 'reason', 'days', 'by'], positionals: [], run: requestGrant },
  approve: { options: [...COMMON, 'categories', 'by', 'expires', 'days', 'note'], positionals: ['ID'], run: approveGrant },
  decline: { options: [...COMMON, 'by', 'note'], positionals: ['ID'], run: declineGrant },
  revoke: { options: [...COMMON, 'by', 'note'], positionals: ['ID'], run: revokeGrant },
};

function parse(argv: string[]) {
  return parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** Runs `wardgate grants <argv…>`; resolves to the process exit code. */
export function runGrantsCommand(argv: string[], io: CliIO): Promise<number> {
  return runSubcommands('grants', GRANTS_USAGE, io, () => parse(argv), SUBCOMMANDS);
}

/** Stands in for the lists where a command never consults them (see the contract in grant-store.ts). */
function listsNotLoaded(): GrantPolicy {
  throw new WfError('WF_ERR_INTERNAL', 'this command does not load the category lists, yet the grant policy was asked for');
}

/**
 * Opens the store for one command. With `withLists`, loads the configuration
 * and the category lists first, so the non-grantable check sees exactly the
 * lists `serve` would load.
 */
async function withStore<T>(values: Values, io: CliIO, withLists: boolean, action: (store: GrantStore) => Promise<T>): Promise<T> {
  let dataDir: string;
  let policy: () => GrantPolicy = listsNotLoaded;
  let loaded: { lists: Awaited<ReturnType<typeof loadListsSnapshot>>; grants: Config['grants'] } | null = null;
  if (withLists) {
    const config = loadConfig(configFlags(values), io.env);
    loaded = { lists: await loadListsSnapshot(config), grants: config.grants };
    dataDir = config.dataDir;
  } else {
    dataDir = resolveDataDir({ dataDir: values['data-dir'], config: values.config }, io.env);
  }
  const db = openDatabase(dataDir);
  try {
    if (loaded !== null) {
      // The administrators' category overrides (admin web UI) apply here exactly as in `serve`.
      const served = withCategoryOverrides(loaded.lists.policy, readOverrides(new CategorySettingsStore(db)));
      const grantPolicy = grantPolicyFromLists(served, loaded.lists.classifier, loaded.grants);
      policy = () => grantPolicy;
    }
    return await action(new SqliteGrantStore(db, { policy }));
  } finally {
    db.close();
  }
}

function required(value: string | undefined, flag: string, command: string): string {
  if (value === undefined) throw new WfError('WF_ERR_USAGE', `"${command}" needs --${flag}`);
  return value;
}

function parseDays(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text.trim())) throw new WfError('WF_ERR_INVALID_INPUT', `--days "${text}" is not a whole number of days`);
  return Number(text.trim());
}

const STATUSES: readonly GrantStatus[] = ['pending', 'approved', 'declined', 'revoked', 'expired'];

function parseStatuses(values: readonly string[] | undefined): GrantStatus[] | undefined {
  if (values === undefined) return undefined;
  const out = values.flatMap((v) => v.split(',')).map((s) => s.trim().toLowerCase());
  for (const s of out) {
    if (!(STATUSES as readonly string[]).includes(s)) throw new WfError('WF_ERR_INVALID_INPUT', `"${s}" is not a grant status: use ${STATUSES.join(', ')}`);
  }
  return out as GrantStatus[];
}

async function listGrants(_args: readonly string[], values: Values, io: CliIO): Promise<void> {
  const filter = { status: parseStatuses(values.status), memberId: values.member, groupId: values.group };
  const grants = await withStore(values, io, false, (store) => store.list(filter));
  printGrants(grants, values, io, 'no grants match');
}

async function memberHistory([memberId]: readonly string[], values: Values, io: CliIO): Promise<void> {
  const grants = await withStore(values, io, false, (store) => store.history(memberId!));
  printGrants(grants, values, io, `member "${memberId}" has no grants or requests on record`);
}

function printGrants(grants: readonly GrantRecord[], values: Values, io: CliIO, none: string): void {
  if (values.json === true) {
    writeJsonLines(io.stdout, grants.map(grantToJson));
    return;
  }
  if (grants.length === 0) {
    io.stdout.write(`${none}\n`);
    return;
  }
  const now = Date.now();
  const rows = grants.map((g) => [
    g.id,
    g.memberId,
    formatScope(g.scope),
    // Stored status, plus what it means now: an approval past its expiry is no longer honoured.
    g.status === 'approved' && g.expiresAt !== null && g.expiresAt <= now ? 'approved (lapsed)' : g.status,
    g.expiresAt === null ? '-' : toIso(g.expiresAt),
    toIso(g.requestedAt),
    g.decidedBy ?? '-',
  ]);
  printTable(io.stdout, rows, ['ID', 'MEMBER', 'SCOPE', 'STATUS', 'EXPIRES', 'REQUESTED', 'DECIDED BY']);
}

async function requestGrant(_args: readonly string[], values: Values, io: CliIO): Promise<void> {
  const memberId = required(values.member, 'member ID', 'grants request');
  const reason = required(values.reason, 'reason TEXT', 'grants request');
  const given = (['category', 'domain', 'url'] as const).filter((kind) => values[kind] !== undefined);
  if (given.length !== 1) throw new WfError('WF_ERR_USAGE', '"grants request" needs exactly one of --category C, --domain D or --url HOST/PATH');
  const kind = given[0]!;
  const scope = scopeFrom(kind, values[kind]!);
  const requestedBy = values.by === undefined ? operatorActor(io.env) : staffActor(values.by);
  const grant = await withStore(values, io, true, (store) =>
    store.request({ memberId, scope, reason, requestedDays: parseDays(values.days), requestedBy }),
  );
  io.stdout.write(`requested ${grant.id} for member "${grant.memberId}": ${formatScope(grant.scope)} (pending: their Group Support Manager decides)\n`);
}

async function approveGrant([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  const by = required(values.by, 'by STAFF_ID', 'grants approve');
  const expiresAt = values.expires === undefined ? undefined : parseDateInput(values.expires, '--expires', { endOfDay: true });
  const grant = await withStore(values, io, true, (store) =>
    store.approve({ grantId: id!, by, expiresAt, days: parseDays(values.days), note: values.note }),
  );
  io.stdout.write(`approved ${grant.id} for member "${grant.memberId}": ${formatScope(grant.scope)} until ${toIso(grant.expiresAt!)}\n`);
}

async function declineGrant([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  const by = required(values.by, 'by STAFF_ID', 'grants decline');
  const grant = await withStore(values, io, false, (store) => store.decline({ grantId: id!, by, note: values.note }));
  io.stdout.write(`declined ${grant.id} for member "${grant.memberId}": ${formatScope(grant.scope)}\n`);
}

async function revokeGrant([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  const by = required(values.by, 'by STAFF_ID', 'grants revoke');
  const grant = await withStore(values, io, false, (store) => store.revoke({ grantId: id!, by, note: values.note }));
  io.stdout.write(`revoked ${grant.id} for member "${grant.memberId}": ${formatScope(grant.scope)}\n`);
}
