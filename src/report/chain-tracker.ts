/**
 * Completeness of what the report read: per chain (one per writing process),
 * are the sealed lines' `seq` numbers consecutive? A jump means lines are
 * missing; a step back means lines out of order (moved, or copied in). This
 * is the report's quick view; `wardgate logs verify` checks the hashes.
 * Pure: fed (chain, file, line number, seq) in read order.
 */
import type { ChainGap, ChainReport } from './report-model.ts';

/** Gaps listed per chain; beyond this they are only counted. */
const MAX_GAPS = 1_000;

/** One chain's state, structured-clonable (sent from a worker thread). */
export interface ChainState {
  readonly chain: string;
  readonly files: Set<string>;
  firstSeq: number | null;
  /** Where the first sealed line is, to name it if it does not follow on from lines read before it. */
  firstAt: { file: string; line: number } | null;
  lastSeq: number | null;
  sealed: number;
  unsealed: number;
  readonly gaps: ChainGap[];
  omitted: number;
  missing: number;
  lost: number;
}

export class ChainTracker {
  readonly #chains = new Map<string, ChainState>();
  // The state lines are going to: consecutive lines nearly always share chain and file.
  #current: ChainState | null = null;
  #currentFile = '';

  /** `seq` is NaN for a line without one. */
  line(chain: string, file: string, lineNumber: number, seq: number): void {
    const state = this.#state(chain, file);
    if (Number.isNaN(seq)) {
      state.unsealed += 1;
      return;
    }
    state.sealed += 1;
    const last = state.lastSeq;
    if (last === null) {
      state.firstSeq = seq;
      state.firstAt = { file, line: lineNumber };
      state.lastSeq = seq;
      return;
    }
    if (seq !== last + 1) addGap(state, { file, line: lineNumber, afterSeq: last, seq, missing: seq > last ? seq - last - 1 : 0 });
    // After a step back keep the highest seq, so lines after a moved one are not all reported.
    if (seq > last) state.lastSeq = seq;
  }

  states(): ChainState[] {
    return [...this.#chains.values()];
  }

  /**
   * Appends the states of lines read after this tracker's (another thread's
   * share of the files, in order). The join is checked like any two lines:
   * their first sealed line must follow on from our last. (Lines that go back
   * across the join are compared with the other share's own lines, not with
   * ours, so a block moved across it can be listed differently than in one
   * pass; `logs verify` is the authority on order.)
   */
  absorb(others: readonly ChainState[]): void {
    for (const other of others) {
      const mine = this.#chains.get(other.chain);
      if (mine === undefined) {
        this.#chains.set(other.chain, other);
        continue;
      }
      for (const file of other.files) mine.files.add(file);
      if (mine.lastSeq !== null && other.firstSeq !== null && other.firstAt !== null && other.firstSeq !== mine.lastSeq + 1) {
        const missing = other.firstSeq > mine.lastSeq ? other.firstSeq - mine.lastSeq - 1 : 0;
        addGap(mine, { file: other.firstAt.file, line: other.firstAt.line, afterSeq: mine.lastSeq, seq: other.firstSeq, missing });
      }
      // other.missing already counts its own gaps (listed or not).
      for (const gap of other.gaps) {
        if (mine.gaps.length < MAX_GAPS) mine.gaps.push(gap);
        else mine.omitted += 1;
      }
      mine.omitted += other.omitted;
      mine.missing += other.missing;
      mine.sealed += other.sealed;
      mine.unsealed += other.unsealed;
      mine.lost += other.lost;
      if (mine.firstSeq === null) {
        mine.firstSeq = other.firstSeq;
        mine.firstAt = other.firstAt;
      }
      if (other.lastSeq !== null && (mine.lastSeq === null || other.lastSeq > mine.lastSeq)) mine.lastSeq = other.lastSeq;
    }
    this.#current = null;
  }

  /** A `type: "lost"` line: the writer dropped `count` lines (disk refused writes). */
  lost(chain: string, file: string, count: number): void {
    this.#state(chain, file).lost += count;
  }

  /** Records that `file` belongs to `chain` even if it had no lines. */
  file(chain: string, file: string): void {
    this.#state(chain, file);
  }

  report(): ChainReport[] {
    return [...this.#chains.values()]
      .map((s) => ({
        chain: s.chain,
        files: s.files.size,
        firstSeq: s.firstSeq,
        lastSeq: s.lastSeq,
        sealedLines: s.sealed,
        unsealedLines: s.unsealed,
        gaps: s.gaps,
        gapsOmitted: s.omitted,
        missingLines: s.missing,
        lostLines: s.lost,
        complete: s.gaps.length === 0 && s.unsealed === 0 && s.lost === 0,
      }))
      .sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
  }

  #state(chain: string, file: string): ChainState {
    const current = this.#current;
    if (current !== null && current.chain === chain && this.#currentFile === file) return current;
    let state = this.#chains.get(chain);
    if (state === undefined) {
      state = { chain, files: new Set(), firstSeq: null, firstAt: null, lastSeq: null, sealed: 0, unsealed: 0, gaps: [], omitted: 0, missing: 0, lost: 0 };
      this.#chains.set(chain, state);
    }
    state.files.add(file);
    this.#current = state;
    this.#currentFile = file;
    return state;
  }
}

function addGap(state: ChainState, gap: ChainGap): void {
  state.missing += gap.missing;
  if (state.gaps.length < MAX_GAPS) state.gaps.push(gap);
  else state.omitted += 1;
}
