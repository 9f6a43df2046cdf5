/**
 * Checks decision log files against their hash chain (chain.ts) and explains
 * every break in one line naming the file and line: an edited line (its hash
 * no longer matches), a removed one (seq jumps), an inserted one (not sealed,
 * or repeating a seq), lines swapped (seq goes back), a file whose start was
 * cut, a write cut short by a crash. After a break it re-synchronises on the
 * next good line, so one tampering gives one or two explanations, not a
 * cascade down the rest of the file.
 *
 * Files are grouped into chains by name (one per worker label) and each chain
 * is checked in write order (date, index). The first line of a chain may
 * continue from files no longer present (retention): that is a note, not a
 * break. What a chain alone cannot show is lines cut from the end of the
 * newest file, or a rewrite that recomputed every hash after an edit: an
 * `anchor` (a head hash recorded earlier, e.g. in the auditors' file) that is
 * no longer found catches both.
 */
import { basename } from 'node:path';
import { GENESIS, openLine, sha256, type ChainHead } from './chain.ts';
import { chainName, compareLogFiles, parseLogFileName, type LogFileName } from './log-files.ts';
import { readLogLines } from './read-lines.ts';

export interface ChainBreak {
  /** The file as it was named to the verifier; null for a break not tied to a line (a missing anchor). */
  readonly file: string | null;
  readonly line: number | null;
  /** Last line of a run of like breaks (unsealed lines are reported as one range). */
  readonly toLine?: number;
  readonly message: string;
}

export interface ChainSummary {
  /** `main`, `w<label>` for a worker's files, or `given` for files whose names are not decision log names. */
  readonly chain: string;
  readonly files: readonly string[];
  readonly lines: number;
  /** seq of the first and last sealed lines checked (0 when none). */
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** Hash of the last sealed line: record it to anchor a later verification. */
  readonly head: string;
  /** True when the chain starts at its very first line (seq 1 after GENESIS). */
  readonly fromGenesis: boolean;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly breaks: readonly ChainBreak[];
  readonly chains: readonly ChainSummary[];
  /** Facts worth knowing that are not breaks (a chain continuing from files removed under retention). */
  readonly notes: readonly string[];
}

export interface VerifyOptions {
  /** Hashes that must still be present (heads recorded by earlier verifications). */
  readonly anchors?: readonly string[];
}

interface ChainFiles {
  readonly name: string;
  readonly files: string[];
}

/**
 * Groups paths into chains in write order. Paths with decision log names are
 * grouped by worker and sorted; any others form one chain, in the order given.
 * When both `x.log` and `x.log.gz` are named, the plain file is used.
 */
export function groupIntoChains(paths: readonly string[]): ChainFiles[] {
  const named = new Map<string, { path: string; parsed: LogFileName }[]>();
  const others: string[] = [];
  const given = new Set(paths);
  for (const path of new Set(paths)) {
    const parsed = parseLogFileName(basename(path));
    if (parsed === null) {
      others.push(path);
      continue;
    }
    if (parsed.compressed && given.has(path.slice(0, -3))) continue;
    const name = chainName(parsed.worker);
    const list = named.get(name) ?? [];
    list.push({ path, parsed });
    named.set(name, list);
  }
  const chains = [...named.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, list]) => ({ name, files: list.sort((a, b) => compareLogFiles(a.parsed, b.parsed)).map((f) => f.path) }));
  if (others.length > 0) chains.push({ name: 'given', files: others });
  return chains;
}

export async function verifyDecisionLogs(paths: readonly string[], options: VerifyOptions = {}): Promise<VerifyResult> {
  const anchors = new Set((options.anchors ?? []).map((a) => a.toLowerCase()));
  const breaks: ChainBreak[] = [];
  const notes: string[] = [];
  const chains: ChainSummary[] = [];
  for (const chain of groupIntoChains(paths)) {
    chains.push(await verifyChain(chain, anchors, breaks, notes));
  }
  for (const anchor of anchors) {
    breaks.push({ file: null, line: null, message: `anchor ${anchor} is not the hash of any line: the lines up to it were removed or rewritten` });
  }
  return { ok: breaks.length === 0, breaks, chains, notes };
}

interface Position {
  readonly file: string;
  readonly line: number;
}

async function verifyChain(chain: ChainFiles, anchors: Set<string>, breaks: ChainBreak[], notes: string[]): Promise<ChainSummary> {
  /** The last line accepted into the chain. */
  let last: (ChainHead & Position) | null = null;
  /** What an edited line claimed to be: the line after it still chains to that claim. */
  let suspect: ChainHead | null = null;
  /** The last sealed line read when it was out of order: the lines of a moved block follow it without a new break each. */
  let moved: ChainHead | null = null;
  let firstSeq = 0;
  let fromGenesis = false;
  let lines = 0;
  /** A run of unsealed lines being collected into one break. */
  let unsealed: { file: string; from: number; to: number } | null = null;

  const report = (file: string, line: number, message: string): void => {
    breaks.push({ file, line, message });
  };
  const endUnsealedRun = (): void => {
    if (unsealed === null) return;
    const count = unsealed.to - unsealed.from + 1;
    breaks.push({
      file: unsealed.file,
      line: unsealed.from,
      ...(count > 1 ? { toLine: unsealed.to } : {}),
      message: `${count === 1 ? 'line is' : `${count} lines are`} not part of the chain (no valid seq/prev/hash): inserted, altered, or written with chaining off`,
    });
    unsealed = null;
  };

  for (const file of chain.files) {
    let previousFile: string | null = last?.file ?? null;
    for await (const { text, number, terminated } of readLogLines(file)) {
      lines += 1;
      if (!terminated) {
        endUnsealedRun();
        report(file, number, 'the last line is incomplete (no line end): a write was cut short, so lines were lost here');
        continue;
      }
      const opened = openLine(text);
      if (opened === null) {
        if (unsealed !== null && unsealed.file === file && unsealed.to === number - 1) unsealed.to = number;
        else {
          endUnsealedRun();
          unsealed = { file, from: number, to: number };
        }
        continue;
      }
      endUnsealedRun();
      if (sha256(opened.sealed) !== opened.hash) {
        report(file, number, `edited: the line's content does not match its hash (seq ${opened.seq})`);
        suspect = { seq: opened.seq, hash: opened.hash };
        continue;
      }
      anchors.delete(opened.hash);
      const isHeader = opened.sealed.startsWith('{"type":"file"');
      let linked = true;
      if (number === 1 && !isHeader) {
        report(file, number, 'the file does not begin with its header line: lines were removed from the start of this file');
        linked = false;
      } else if (number > 1 && isHeader) {
        report(file, number, 'a file header in the middle of a file: files were joined, or lines inserted');
        linked = false;
      }
      if (last === null) {
        firstSeq = opened.seq;
        fromGenesis = opened.seq === 1 && opened.prev === GENESIS;
        if (!fromGenesis && linked) {
          notes.push(
            `chain ${chain.name} starts at seq ${opened.seq} in ${file}: the lines before it are in files not checked ` +
              '(removed under the retention policy, or not named)',
          );
        }
      } else if (linked && !(opened.prev === last.hash && opened.seq === last.seq + 1)) {
        const continuesEdited = suspect !== null && opened.prev === suspect.hash && opened.seq === suspect.seq + 1;
        if (!continuesEdited) {
          if (opened.seq <= last.seq) {
            const sameBlock = moved !== null && opened.prev === moved.hash && opened.seq === moved.seq + 1;
            if (!sameBlock) report(file, number, `out of order: seq ${opened.seq} after seq ${last.seq} (lines swapped, moved or repeated)`);
            moved = { seq: opened.seq, hash: opened.hash };
            continue; // keep chaining from the furthest line, so the lines after a moved block still check
          }
          const missing = opened.seq - last.seq - 1;
          if (missing > 0) {
            const where = number === 1 && previousFile !== null ? ` (removed from the end of ${previousFile}, or a whole file is missing)` : '';
            report(file, number, `${missing} line${missing === 1 ? '' : 's'} missing or moved before this line: seq jumps from ${last.seq} to ${opened.seq}${where}`);
          } else {
            report(file, number, "does not chain to the line before (prev is not that line's hash): the line before was replaced, or this one");
          }
        }
      }
      last = { seq: opened.seq, hash: opened.hash, file, line: number };
      suspect = null;
      moved = null;
      previousFile = null;
    }
    endUnsealedRun();
  }
  return { chain: chain.name, files: chain.files, lines, firstSeq, lastSeq: last?.seq ?? 0, head: last?.hash ?? GENESIS, fromGenesis };
}
