/**
 * `wardgate members …`: the ICT administrator's tool for the member
 * directory (add, list, remove, change password, set client addresses).
 *
 * Passwords are only ever read from standard input, never from argv (which
 * other users can see in the process list and which lands in shell history),
 * and are stored only as scrypt hashes; no output ever shows a hash. A
 * running proxy picks changes up by itself (store/change-watcher.ts). Every
 * change is in the audit trail with the operator (`cli:<user>`) as its actor
 * (`wardgate audit events --subject member:ID`).
 */
import { DirectoryStore } from '../directory/directory-store.ts';
import type { MemberRecord } from '../directory/directory-snapshot.ts';
import { hashPassword } from '../directory/password.ts';
import { WfError } from '../errors.ts';
import { operatorActor } from '../grants/actor.ts';
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

export const MEMBERS_USAGE = `Usage: wardgate members add ID --name NAME --group GROUP [--password-stdin] [--ip ADDR]... [--email ADDRESS]
       wardgate members list [--json]
       wardgate members remove ID
       wardgate members passwd ID                (reads the new password from standard input)
       wardgate members set-ips ID --ip ADDR... | --clear
       wardgate members set-email ID --email ADDRESS | --clear   (where decisions on their requests are emailed)
Every subcommand also takes --data-dir DIR and --config FILE.
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  name: { type: 'string' },
  group: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  ip: { type: 'string', multiple: true },
  clear: { type: 'boolean' },
  email: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

const COMMON = ['data-dir', 'config'];

const SUBCOMMANDS: Readonly<Record<string, Subcommand<Values>>> = {
  add: { options: [...COMMON, 'name', 'group', 'password-stdin', 'ip', 'email'], positionals: ['ID'], run: addMember },
  list: { options: [...COMMON, 'json'], positionals: [], run: listMembers },
  remove: { options: COMMON, positionals: ['ID'], run: removeMember },
  passwd: { options: COMMON, positionals: ['ID'], run: changePassword },
  'set-ips': { options: [...COMMON, 'ip', 'clear'], positionals: ['ID'], run: setAddresses },
  'set-email': { options: [...COMMON, 'email', 'clear'], positionals: ['ID'], run: setEmail },
};

function parse(argv: string[]) {
  return parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** Runs `wardgate members <argv…>`; resolves to the process exit code. */
export function runMembersCommand(argv: string[], io: CliIO): Promise<number> {
  return runSubcommands('members', MEMBERS_USAGE, io, () => parse(argv), SUBCOMMANDS);
}

function withStore<T>(values: Values, io: CliIO, action: (store: DirectoryStore) => T): T {
  return withDatabase(values, io.env, (db) => action(new DirectoryStore(db)));
}

function required(value: string | undefined, flag: string, command: string): string {
  if (value === undefined) throw new WfError('WF_ERR_USAGE', `"${command}" needs --${flag}`);
  return value;
}

async function addMember([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  const name = required(values.name, 'name NAME', 'members add');
  const groupId = required(values.group, 'group GROUP', 'members add');
  const passwordHash = values['password-stdin'] === true ? await hashPassword(await readNewPassword(io, 'wardgate members passwd ID')) : null;
  const member = withStore(values, io, (store) =>
    store.addMember({ id: id!, name, groupId, passwordHash, ips: values.ip ?? [], email: values.email ?? null }, operatorActor(io.env)),
  );
  io.stdout.write(
    `added member "${member.id}" (${member.name}) to group "${member.groupId}"; ` +
      `password: ${member.passwordHash === null ? 'none' : 'set'}; addresses: ${describeIps(member.ips)}${member.email ? `; email: ${member.email}` : ''}\n`,
  );
}

async function listMembers(_args: readonly string[], values: Values, io: CliIO): Promise<void> {
  const members = withStore(values, io, (store) => store.listMembers());
  if (values.json === true) {
    writeJsonLines(io.stdout, members.map(publicView));
    return;
  }
  if (members.length === 0) {
    io.stdout.write('no members yet: add one with "wardgate members add"\n');
    return;
  }
  const rows = members.map((m) => [m.id, m.name, m.groupId, m.passwordHash === null ? 'no' : 'yes', describeIps(m.ips), m.email ?? '-']);
  printTable(io.stdout, rows, ['ID', 'NAME', 'GROUP', 'PASSWORD', 'ADDRESSES', 'EMAIL']);
}

async function removeMember([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  withStore(values, io, (store) => store.removeMember(id!, operatorActor(io.env)));
  io.stdout.write(`removed member "${id}"\n`);
}

async function changePassword([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  // Fail before asking for a password the store would then refuse.
  if (withStore(values, io, (store) => store.getMember(id!)) === null) {
    throw new WfError('WF_ERR_NOT_FOUND', `member "${id}" does not exist`);
  }
  const hash = await hashPassword(await readNewPassword(io, 'wardgate members passwd ID'));
  withStore(values, io, (store) => store.setPassword(id!, hash, operatorActor(io.env)));
  io.stdout.write(`changed the password of member "${id}"\n`);
}

async function setAddresses([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  const ips = values.ip ?? [];
  if (ips.length === 0 && values.clear !== true) {
    throw new WfError('WF_ERR_USAGE', '"members set-ips" needs at least one --ip ADDR, or --clear to remove them all');
  }
  if (ips.length > 0 && values.clear === true) {
    throw new WfError('WF_ERR_USAGE', '"members set-ips" takes --ip or --clear, not both');
  }
  const stored = withStore(values, io, (store) => store.setIps(id!, ips, operatorActor(io.env)));
  io.stdout.write(`member "${id}" now has addresses: ${describeIps(stored)}\n`);
}

async function setEmail([id]: readonly string[], values: Values, io: CliIO): Promise<void> {
  if ((values.email === undefined) === (values.clear !== true)) {
    throw new WfError('WF_ERR_USAGE', '"members set-email" takes --email ADDRESS, or --clear to remove the address (not both)');
  }
  const stored = withStore(values, io, (store) => store.setEmail(id!, values.email ?? null, operatorActor(io.env)));
  io.stdout.write(stored === null ? `member "${id}" now has no email address\n` : `member "${id}" now has email ${stored}\n`);
}

function describeIps(ips: readonly string[]): string {
  return ips.length === 0 ? 'none' : ips.join(', ');
}

function publicView(member: MemberRecord): object {
  return {
    id: member.id,
    name: member.name,
    groupId: member.groupId,
    hasPassword: member.passwordHash !== null,
    ips: member.ips,
    email: member.email ?? null,
  };
}
