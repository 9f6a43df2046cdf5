/**
 * `wardgate groups …`: the political groups members belong to (each has a
 * Group Support Manager who decides its members' exclusion requests).
 * A group must exist before members are added to it, and cannot be removed
 * while it has members. Every change is in the audit trail with the
 * operator (`cli:<user>`) as its actor (`wardgate audit events --subject group:ID`).
 */
import { DirectoryStore } from '../directory/directory-store.ts';
import { WfError } from '../errors.ts';
import { operatorActor } from '../grants/actor.ts';
import {
  parseCommandArgs,
  printTable,
  runSubcommands,
  withDatabase,
  writeJsonLines,
  type CliIO,
  type Subcommand,
} from './cli-io.ts';

export const GROUPS_USAGE = `Usage: wardgate groups add ID --name NAME
       wardgate groups list [--json]
       wardgate groups rename ID --name NAME
       wardgate groups remove ID
Every subcommand also takes --data-dir DIR and --config FILE.
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  name: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

const COMMON = ['data-dir', 'config'];

const SUBCOMMANDS: Readonly<Record<string, Subcommand<Values>>> = {
  add: { options: [...COMMON, 'name'], positionals: ['ID'], run: addGroup },
  list: { options: [...COMMON, 'json'], positionals: [], run: listGroups },
  rename: { options: [...COMMON, 'name'], positionals: ['ID'], run: renameGroup },
  remove: { options: COMMON, positionals: ['ID'], run: removeGroup },
};

function parse(argv: string[]) {
  return parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** Runs `wardgate groups <argv…>`; resolves to the process exit code. */
export function runGroupsCommand(argv: string[], io: CliIO): Promise<number> {
  return runSubcommands('groups', GROUPS_USAGE, io, () => parse(argv), SUBCOMMANDS);
}

function withStore<T>(values: Values, io: CliIO, action: (store: DirectoryStore) => T): T {
  return withDatabase(values, io.env, (db) => action(new DirectoryStore(db)));
}

function addGroup([id]: readonly string[], values: Values, io: CliIO): void {
  if (values.name === undefined) throw new WfError('WF_ERR_USAGE', '"groups add" needs --name NAME');
  const name = values.name;
  const group = withStore(values, io, (store) => store.addGroup({ id: id!, name }, operatorActor(io.env)));
  io.stdout.write(`added group "${group.id}" (${group.name})\n`);
}

function renameGroup([id]: readonly string[], values: Values, io: CliIO): void {
  if (values.name === undefined) throw new WfError('WF_ERR_USAGE', '"groups rename" needs --name NAME');
  const name = values.name;
  const group = withStore(values, io, (store) => store.renameGroup(id!, name, operatorActor(io.env)));
  io.stdout.write(`group "${group.id}" is now named ${group.name}\n`);
}

function listGroups(_args: readonly string[], values: Values, io: CliIO): void {
  const { groups, counts } = withStore(values, io, (store) => {
    const counts = new Map<string, number>();
    for (const member of store.listMembers()) counts.set(member.groupId, (counts.get(member.groupId) ?? 0) + 1);
    return { groups: store.listGroups(), counts };
  });
  if (values.json === true) {
    writeJsonLines(io.stdout, groups.map((g) => ({ id: g.id, name: g.name, members: counts.get(g.id) ?? 0 })));
    return;
  }
  if (groups.length === 0) {
    io.stdout.write('no groups yet: add one with "wardgate groups add"\n');
    return;
  }
  const rows = groups.map((g) => [g.id, g.name, String(counts.get(g.id) ?? 0)]);
  printTable(io.stdout, rows, ['ID', 'NAME', 'MEMBERS']);
}

function removeGroup([id]: readonly string[], values: Values, io: CliIO): void {
  withStore(values, io, (store) => store.removeGroup(id!, operatorActor(io.env)));
  io.stdout.write(`removed group "${id}"\n`);
}
