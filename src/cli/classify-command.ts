/**
 * `wardgate classify [--member ID] URL…` (or `--stdin`, one URL a line):
 * one JSON line per URL with the canonical target, the decision, the
 * categories and every rule that matched. It calls evaluate(), the function
 * the proxy calls, on a snapshot built the way the proxy builds it.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { normaliseUrl } from '../classify/normalise-url.ts';
import { formatDiagnostic, loadListsSnapshot } from '../compose.ts';
import { loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/config.ts';
import type { DirectorySnapshot } from '../directory/directory-snapshot.ts';
import { DirectoryStore } from '../directory/directory-store.ts';
import { isWfError, WfError } from '../errors.ts';
import { evaluate } from '../pipeline/evaluate.ts';
import { SnapshotHolder, type RuntimeSnapshot } from '../pipeline/runtime-snapshot.ts';
import { openDatabase } from '../store/database.ts';
import type { CliIO } from './cli-io.ts';
import { CONFIG_OPTIONS, configFlags } from './config-options.ts';

export const CLASSIFY_USAGE = 'Usage: wardgate classify [--member ID] [--stdin] [--categories DIR] [--data-dir DIR] [--config FILE] URL...';

const EMPTY_DIRECTORY: DirectorySnapshot = { members: new Map(), byIp: new Map(), groups: new Map() };

function loadDirectory(config: Config, memberId: string | undefined): DirectorySnapshot {
  if (memberId === undefined) return EMPTY_DIRECTORY;
  const db = openDatabase(config.dataDir);
  try {
    return new DirectoryStore(db).snapshot();
  } finally {
    db.close();
  }
}

function classifyOne(raw: string, snapshot: RuntimeSnapshot, memberId: string | undefined): object {
  let target;
  try {
    target = normaliseUrl(raw, { assumeHttp: true });
  } catch (error) {
    if (isWfError(error, 'WF_ERR_BAD_TARGET')) return { input: raw, error: error.message };
    throw error;
  }
  const member = memberId === undefined ? undefined : snapshot.directory.members.get(memberId);
  const { classification, decision } = evaluate(target, member, snapshot, Date.now());
  return {
    input: raw,
    target: target.url,
    host: target.host,
    decision: decision.action,
    reason: decision.reason,
    categories: decision.categories,
    rule: decision.rule ?? null,
    grants: decision.grantIds,
    matches: classification.matches,
    trusted: classification.trusted,
    ...(memberId === undefined ? {} : { member: memberId }),
  };
}

export async function runClassifyCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...CONFIG_OPTIONS, member: { type: 'string' }, stdin: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0 && values.stdin !== true) throw new WfError('WF_ERR_USAGE', `name at least one URL, or use --stdin\n${CLASSIFY_USAGE}`);
  const config = loadConfig(configFlags(values), io.env);
  const lists = await loadListsSnapshot(config);
  for (const d of lists.diagnostics) io.stderr.write(`wardgate: category lists: ${formatDiagnostic(d)}\n`);
  const directory = loadDirectory(config, values.member);
  if (values.member !== undefined && !directory.members.has(values.member)) {
    throw new WfError('WF_ERR_NOT_FOUND', `no member "${values.member}" in ${config.dataDir} (see \`wardgate members list\`)`);
  }
  const snapshot = new SnapshotHolder({ classifier: lists.classifier, policy: lists.policy, directory, grants: new Map() }).current;
  let failures = 0;
  const emit = (raw: string) => {
    const line = classifyOne(raw, snapshot, values.member);
    if ('error' in line) failures++;
    io.stdout.write(`${JSON.stringify(line)}\n`);
  };
  for (const raw of positionals) emit(raw);
  if (values.stdin === true) {
    for await (const raw of createInterface({ input: io.stdin, crlfDelay: Infinity })) if (raw.trim() !== '') emit(raw.trim());
  }
  return failures === 0 ? 0 : 1;
}
