/**
 * `wardgate users …`: staff accounts for the grants workflow: Group Support
 * Managers (`gsm`, one group each), ICT administrators (`admin`) and
 * auditors (`auditor`, read-only).
 *
 * As with members, passwords are only ever read from standard input and
 * stored as scrypt hashes; no output shows one. Every change is an audit
 * event with the operator (`cli:<user>`) as its actor.
 */
import { hashPassword } from '../directory/password.ts';
import { WfError } from '../errors.ts';
import { operatorActor } from '../grants/actor.ts';
import type { StaffRole } from '../grants/grant-rules.ts';
import { StaffStore, staffToJson, type StaffRecord } from '../grants/staff-store.ts';
import { ApiTokenStore, tokenToJson, type ApiTokenRecord } from '../grants/api-token-store.ts';
import {
  parseCommandArgs,
  printTable,
  readNewPassword,
  runSubcommands,
  withDatabase,
  writeJsonLines,
  type CliIO,
  type Subcommand,
} from './cli-io.ts';

export const USERS_USAGE = `Usage: wardgate users add ID --role gsm|admin|auditor [--group GROUP] [--name NAME] [--member MEMBER_ID] [--email ADDRESS] --password-stdin
       wardgate users list [--json]
       wardgate users remove ID                 (accounts that decided grants are disabled instead)
       wardgate users passwd ID                 (reads the new password from standard input)
       wardgate users disable ID | enable ID    (enable also lifts a sign-in lockout)
       wardgate users token ID [--name NAME] [--expires-days N]   (prints a new API token once)
       wardgate users tokens ID [--json]        (the account's API tokens, never the secrets)
       wardgate users revoke-token TOKEN_ID     (t_…, from "users tokens")
A gsm account needs --group (the group it decides for); --member links the account to the
member the person also is, so they can never decide their own request. --email: where a gsm is
told of their members' new requests (when notifications.smtp is configured).
Every subcommand also takes --data-dir DIR and --config FILE.
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  role: { type: 'string' },
  group: { type: 'string' },
  name: { type: 'string' },
  member: { type: 'string' },
  email: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
  'expires-days': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

const COMMON = ['data-dir', 'config'];

const SUBCOMMANDS: Readonly<Record<string, Subcommand<Values>>> = {
  add: { options: [...COMMON, 'role', 'group', 'name', 'member', 'email', 'password-stdin'], positionals: ['ID'], run: addUser },
  list: { options: [...COMMON, 'json'], positionals: [], run: listUsers },
  remove: { options: COMMON, positionals: ['ID'], run: removeUser },
  passwd: { options: COMMON, positionals: ['ID'], run: changePassword },
  disable: { options: COMMON, positionals: ['ID'], run: (args, values, io) => setDisabled(args, values, io, true) },
  enable: { options: COMMON, positionals: ['ID'], run: (args, values, io) => setDisabled(args, values, io, false) },
  token: { options: [...COMMON, 'name', 'expires-days'], positionals: ['ID'], run: issueToken },
  tokens: { options: [...COMMON, 'json'], positionals: ['ID'], run: listTokens },
  'revoke-token': { options: COMMON, positionals: ['TOKEN_ID'], run: revokeToken },
};

function parse(argv: string[]) {
  return parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** Runs `wardgate users <argv…>`; resolves to the process exit code. */
export function runUsersCommand(argv: string[], io: CliIO): Promise<number> {
  return runSubcommands('users', USERS_USAGE, io, () => parse(argv), SUBCOMMANDS);
}

function withStore<T>(values: Values, io: CliIO, action: (store: StaffStore) => T): T {
  return withDatabase(values, io.env, (db) => action(new StaffStore(db)));
}

async function addUser([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  if (values.role === undefined) throw new WfError('WF_ERR_USAGE', '"users add" needs --role gsm|admin|auditor');
  if (values['password-stdin'] !== true) {
    // Staff sign in to the admin pages: an account without a password would be useless, and a default one unsafe.
    throw new WfError('WF_ERR_USAGE', '"users add" needs --password-stdin (the password is read from standard input, never the command line)');
  }
  const role = values.role as StaffRole;
  const passwordHash = await hashPassword(await readNewPassword(io, 'wardgate users passwd ID'));
  const record = withStore(values, io, (store) =>
    store.add({ id: id!, name: values.name, role, groupId: values.group ?? null, memberId: values.member ?? null, email: values.email ?? null, passwordHash }, operatorActor(io.env)),
  );
  io.stdout.write(`added ${describe(record)}\n`);
}

async function listUsers(_args: readonly string[], values: Values, io: CliIO): Promise<void> {
  const users = withStore(values, io, (store) => store.list());
  if (values.json === true) {
    writeJsonLines(io.stdout, users.map(staffToJson));
    return;
  }
  if (users.length === 0) {
    io.stdout.write('no staff accounts yet: add an administrator with "wardgate users add ID --role admin --password-stdin"\n');
    return;
  }
  const now = Date.now();
  const rows = users.map((u) => [u.id, u.name, u.role, u.groupId ?? '-', u.memberId ?? '-', u.email ?? '-', state(u, now)]);
  printTable(io.stdout, rows, ['ID', 'NAME', 'ROLE', 'GROUP', 'MEMBER', 'EMAIL', 'STATE']);
}

async function removeUser([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  withStore(values, io, (store) => store.remove(id!, operatorActor(io.env)));
  io.stdout.write(`removed staff account "${id}"\n`);
}

async function changePassword([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  // Fail before asking for a password the store would then refuse.
  if (withStore(values, io, (store) => store.get(id!)) === null) {
    throw new WfError('WF_ERR_NOT_FOUND', `staff account "${id}" does not exist (see "wardgate users list")`);
  }
  const hash = await hashPassword(await readNewPassword(io, 'wardgate users passwd ID'));
  withStore(values, io, (store) => store.setPassword(id!, hash, operatorActor(io.env)));
  io.stdout.write(`changed the password of staff account "${id}"\n`);
}

async function setDisabled([id]: readonly string[], values: Values, io: CliIO, disabled: boolean): Promise<void> {
  withStore(values, io, (store) => store.setDisabled(id!, disabled, operatorActor(io.env)));
  io.stdout.write(`${disabled ? 'disabled' : 'enabled'} staff account "${id}"\n`);
}

async function issueToken([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  const text = values['expires-days'];
  if (text !== undefined && !/^\d{1,5}$/.test(text)) throw new WfError('WF_ERR_USAGE', `--expires-days must be a whole number of days, got "${text}"`);
  const { token, record } = withDatabase(values, io.env, (db) =>
    new ApiTokenStore(db).issue({ staffId: id!, name: values.name, expiresDays: text === undefined ? undefined : Number(text), actor: operatorActor(io.env) }),
  );
  // The only time the secret is shown: stdout carries just the token, so `$(wardgate users token ID)` captures it.
  io.stdout.write(`${token}\n`);
  io.stderr.write(`issued API token ${record.id} ("${record.name}") for staff account "${id}"${record.expiresAt === null ? ', no expiry' : `, expires ${new Date(record.expiresAt).toISOString()}`}: store it now, it is not shown again\n`);
}

async function listTokens([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  const list = withDatabase(values, io.env, (db) => {
    if (new StaffStore(db).get(id!) === null) throw new WfError('WF_ERR_NOT_FOUND', `staff account "${id}" does not exist (see "wardgate users list")`);
    return new ApiTokenStore(db).list(id!);
  });
  if (values.json === true) {
    writeJsonLines(io.stdout, list.map(tokenToJson));
    return;
  }
  if (list.length === 0) {
    io.stdout.write(`staff account "${id}" has no API tokens: issue one with "wardgate users token ${id}"\n`);
    return;
  }
  const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
  const now = Date.now();
  const rows = list.map((t) => [t.id, t.name, iso(t.createdAt), iso(t.expiresAt), iso(t.lastUsedAt), tokenState(t, now)]);
  printTable(io.stdout, rows, ['ID', 'NAME', 'CREATED', 'EXPIRES', 'LAST USED', 'STATE']);
}

async function revokeToken([tokenId]: readonly string[], values: Values, io: CliIO): Promise<void> {
  const record = withDatabase(values, io.env, (db) => new ApiTokenStore(db).revoke(tokenId!, operatorActor(io.env)));
  io.stdout.write(`revoked API token ${record.id} ("${record.name}") of staff account "${record.staffId}"\n`);
}

function tokenState(t: ApiTokenRecord, now: number): string {
  if (t.revokedAt !== null) return 'revoked';
  if (t.expiresAt !== null && now >= t.expiresAt) return 'expired';
  return 'active';
}

function describe(u: StaffRecord): string {
  const scope = u.role === 'gsm' ? `Group Support Manager of group "${u.groupId}"` : u.role === 'admin' ? 'administrator' : 'auditor (read-only)';
  return `staff account "${u.id}" (${u.name}): ${scope}${u.memberId === null ? '' : `; also member "${u.memberId}"`}${u.email === null ? '' : `; email ${u.email}`}`;
}

function state(u: StaffRecord, now: number): string {
  if (u.disabled) return 'disabled';
  if (u.lockedUntil !== null && now < u.lockedUntil) return `locked until ${new Date(u.lockedUntil).toISOString()}`;
  return 'enabled';
}

