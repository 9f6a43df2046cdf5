/**
 * What a CLI command may touch (CliIO: streams and environment, injected so
 * tests drive commands with in-memory streams) and the plumbing shared by
 * the directory commands: flag parsing that turns mistakes into usage errors,
 * the exit-code convention, stdin reading, and plain-text tables.
 *
 * Exit codes: 0 success, 1 an expected failure (WfError: "wardgate: <message>",
 * never a stack trace), 2 a usage mistake (the problem, then the usage text).
 * Anything else is a bug and is rethrown for the top level to report.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type ConfigFlags } from '../config/load-config.ts';
import { checkNewPassword } from '../directory/password.ts';
import { isWfError, WfError } from '../errors.ts';
import { openDatabase, type Database } from '../store/database.ts';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

/** `parseArgs`, with its own errors (unknown option, missing value) turned into WF_ERR_USAGE. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw new WfError('WF_ERR_USAGE', usageMessage(code, (error as Error).message), { cause: error });
    }
    throw error;
  }
}

function usageMessage(code: string, message: string): string {
  // Node's text for this one goes on about '--' and positionals, which only confuses here.
  const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '([^']+)'/.exec(message) : null;
  return unknown === null ? message : `unknown option ${unknown[1]}`;
}

/** Refuses options that `command` does not take (they were parsed against every subcommand's options). */
export function rejectOptionsOutside(values: object, allowed: readonly string[], command: string): void {
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && !allowed.includes(name)) {
      throw new WfError('WF_ERR_USAGE', `"${command}" does not take --${name}`);
    }
  }
}

/** Checks the positional arguments are exactly `names` (e.g. ['ID']) and returns them. */
export function expectPositionals(positionals: readonly string[], names: readonly string[], command: string): string[] {
  if (positionals.length < names.length) {
    throw new WfError('WF_ERR_USAGE', `"${command}" needs ${names.slice(positionals.length).join(' ')}`);
  }
  if (positionals.length > names.length) {
    throw new WfError('WF_ERR_USAGE', `"${command}": unexpected argument "${positionals[names.length]}"`);
  }
  return [...positionals];
}

/**
 * Runs a command body under the exit-code convention. `name` prefixes usage
 * errors (e.g. "wardgate members"), `usage` follows them.
 */
export async function runWithExitCodes(name: string, usage: string, io: CliIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (isWfError(error, 'WF_ERR_USAGE')) {
      io.stderr.write(`${name}: ${error.message}\n\n${usage}`);
      return 2;
    }
    if (isWfError(error)) {
      io.stderr.write(`wardgate: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** One subcommand of a `wardgate <command>`: the options it accepts, its positional arguments, what it does. */
export interface Subcommand<V> {
  readonly options: readonly string[];
  readonly positionals: readonly string[];
  run(args: readonly string[], values: V, io: CliIO): void | Promise<void>;
}

/**
 * Runs `wardgate <command> <subcommand> …` the same way for every command:
 * --help, an unknown or missing subcommand, options the subcommand does not
 * take and missing positionals are all usage errors (exit 2) naming the problem.
 */
export function runSubcommands<V extends { readonly help?: boolean | undefined }>(
  command: string,
  usage: string,
  io: CliIO,
  parse: () => { values: V; positionals: string[] },
  subcommands: Readonly<Record<string, Subcommand<V>>>,
): Promise<number> {
  return runWithExitCodes(`wardgate ${command}`, usage, io, async () => {
    const { values, positionals } = parse();
    if (values.help === true) {
      io.stdout.write(usage);
      return 0;
    }
    const [name, ...rest] = positionals;
    const subcommand = name === undefined ? undefined : subcommands[name];
    if (subcommand === undefined) {
      throw new WfError('WF_ERR_USAGE', name === undefined ? 'name a subcommand' : `unknown subcommand "${name}"`);
    }
    rejectOptionsOutside(values, subcommand.options, `${command} ${name}`);
    await subcommand.run(expectPositionals(rest, subcommand.positionals, `${command} ${name}`), values, io);
    return 0;
  });
}

/** The data directory the configuration names (flags, then WARDGATE_* env, then config file, then default). */
export function resolveDataDir(flags: { dataDir?: string | undefined; config?: string | undefined }, env: NodeJS.ProcessEnv): string {
  const configFlags: ConfigFlags = {
    ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
    ...(flags.config === undefined ? {} : { config: flags.config }),
  };
  return loadConfig(configFlags, env).dataDir;
}

export function isInteractive(stream: NodeJS.ReadableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Reads stdin to its end as UTF-8; refuses more than `maxBytes` (a wrong file piped in, not a value). */
export async function readAllStdin(stdin: NodeJS.ReadableStream, maxBytes = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
    total += buffer.length;
    if (total > maxBytes) {
      throw new WfError('WF_ERR_INVALID_INPUT', `standard input is longer than ${maxBytes} bytes: was the right thing piped in?`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes one JSON document per line (NDJSON). */
export function writeJsonLines(out: NodeJS.WritableStream, values: Iterable<unknown>): void {
  for (const value of values) out.write(`${JSON.stringify(value)}\n`);
}

/**
 * Writes a left-aligned table with a header row, columns two spaces apart.
 * Control characters in cells are shown as '?', so stored text cannot move
 * the cursor or fake extra rows on the administrator's terminal.
 */
export function printTable(out: NodeJS.WritableStream, rows: readonly (readonly string[])[], headers: readonly string[]): void {
  const clean = [headers, ...rows].map((row) => headers.map((_, i) => sanitiseCell(row[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(...clean.map((row) => [...row[i]!].length)));
  for (const row of clean) {
    const line = row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length)));
    out.write(`${line.join('  ').trimEnd()}\n`);
  }
}

function sanitiseCell(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Opens the store in the data dir the flags name (--data-dir, --config, environment), runs `action`, and always closes it. */
export function withDatabase<T>(
  flags: { readonly 'data-dir'?: string | undefined; readonly config?: string | undefined },
  env: NodeJS.ProcessEnv,
  action: (db: Database) => T,
): T {
  const db = openDatabase(resolveDataDir({ dataDir: flags['data-dir'], config: flags.config }, env));
  try {
    return action(db);
  } finally {
    db.close();
  }
}

/**
 * A new password from standard input (never the command line): one line, its
 * trailing newline removed, checked for length. `passwdCommand` names the
 * command shown in the hint, e.g. `wardgate members passwd ID`.
 */
export async function readNewPassword(io: CliIO, passwdCommand: string): Promise<string> {
  if (isInteractive(io.stdin)) {
    // Typing at a terminal would echo the password; insist on a pipe or a file.
    throw new WfError(
      'WF_ERR_USAGE',
      'the password is read from standard input, which is a terminal here: pipe it in or redirect it from a file ' +
        `(for example: read -rs PW && printf '%s\\n' "$PW" | ${passwdCommand})`,
    );
  }
  const text = (await readAllStdin(io.stdin, 16 * 1024)).replace(/\r?\n$/, '');
  if (text.length === 0) throw new WfError('WF_ERR_INVALID_INPUT', 'no password on standard input');
  checkNewPassword(text);
  return text;
}
