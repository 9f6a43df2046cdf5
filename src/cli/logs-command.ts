/**
 * `wardgate logs verify [FILE…]`: the auditors' check that the decision log
 * is complete and unaltered since it was written (docs/decision-log.md,
 * "Verifying"). With no FILE it checks every decision log file in the data
 * dir's `logs/` folder, each worker's chain in write order.
 *
 * Output: one `file:line: explanation` line per break on stdout, notes and a
 * summary per chain (with the head hash to record as an anchor), then exit 0
 * when intact and 1 (WF_ERR_LOG_TAMPERED) when not.
 */
import { WfError } from '../errors.ts';
import { decisionLogDir, listDecisionLogFiles } from '../log/log-files.ts';
import { verifyDecisionLogs, type ChainBreak } from '../log/verify-chain.ts';
import { parseCommandArgs, rejectOptionsOutside, resolveDataDir, runWithExitCodes, type CliIO } from './cli-io.ts';

export const LOGS_USAGE = `Usage: wardgate logs verify [FILE...] [--anchor HASH]...
  Checks the decision log's hash chain: every file in DATA_DIR/logs when no FILE is given.
  Exit 0 when intact, 1 with one line per break (file:line: what is wrong).
  --anchor HASH   a head hash printed by an earlier verify; fails if that line is gone or rewritten
Also takes --data-dir DIR and --config FILE.
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  anchor: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

const HASH = /^[0-9a-fA-F]{64}$/;

/** Runs `wardgate logs <argv…>`; resolves to the process exit code. */
export function runLogsCommand(argv: string[], io: CliIO): Promise<number> {
  return runWithExitCodes('wardgate logs', LOGS_USAGE, io, async () => {
    const { values, positionals } = parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.help === true) {
      io.stdout.write(LOGS_USAGE);
      return 0;
    }
    const [name, ...files] = positionals;
    if (name !== 'verify') {
      throw new WfError('WF_ERR_USAGE', name === undefined ? 'name a subcommand' : `unknown subcommand "${name}"`);
    }
    rejectOptionsOutside(values, ['data-dir', 'config', 'anchor'], 'logs verify');
    const anchors = values.anchor ?? [];
    for (const anchor of anchors) {
      if (!HASH.test(anchor)) throw new WfError('WF_ERR_USAGE', `--anchor takes a 64-digit hex hash, not "${anchor}"`);
    }
    return verify(files, { dataDir: values['data-dir'], config: values.config }, anchors, io);
  });
}

async function verify(
  named: readonly string[],
  flags: { dataDir: string | undefined; config: string | undefined },
  anchors: readonly string[],
  io: CliIO,
): Promise<number> {
  let files = [...named];
  if (files.length === 0) {
    const dir = decisionLogDir(resolveDataDir(flags, io.env));
    files = listDecisionLogFiles(dir).map((f) => f.path);
    if (files.length === 0) throw new WfError('WF_ERR_NOT_FOUND', `no decision log files in ${dir}`);
  }
  let result;
  try {
    result = await verifyDecisionLogs(files, { anchors });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'Z_DATA_ERROR') {
      throw new WfError('WF_ERR_NOT_FOUND', `cannot read ${(error as NodeJS.ErrnoException).path ?? 'a log file'}: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
  for (const item of result.breaks) io.stdout.write(`${describe(item)}\n`);
  for (const note of result.notes) io.stdout.write(`note: ${note}\n`);
  for (const chain of result.chains) {
    const seqs = chain.lastSeq === 0 ? 'no sealed lines' : `seq ${chain.firstSeq}–${chain.lastSeq}`;
    io.stdout.write(`chain ${chain.chain}: ${chain.files.length} file${chain.files.length === 1 ? '' : 's'}, ${chain.lines} lines, ${seqs}, head ${chain.head}\n`);
  }
  if (!result.ok) {
    const n = result.breaks.length;
    throw new WfError('WF_ERR_LOG_TAMPERED', `the decision log is NOT intact: ${n} break${n === 1 ? '' : 's'} (listed above)`);
  }
  io.stdout.write(`decision log intact: ${files.length} file${files.length === 1 ? '' : 's'} verified\n`);
  return 0;
}

function describe(item: ChainBreak): string {
  if (item.file === null) return item.message;
  const lines = item.toLine === undefined ? `${item.line}` : `${item.line}-${item.toLine}`;
  return `${item.file}:${lines}: ${item.message}`;
}
