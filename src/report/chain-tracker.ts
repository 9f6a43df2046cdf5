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

interface ChainState {
  readonly chain: string;
  readonly files: Set<string>;
  firstSeq: number | null;
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
      state.lastSeq = seq;
      return;
    }
    if (seq !== last + 1) {
      const missing = seq > last ? seq - last - 1 : 0;
      state.missing += missing;
      if (state.gaps.length < MAX_GAPS) state.gaps.push({ file, line: lineNumber, afterSeq: last, seq, missing });
      else state.omitted += 1;
    }
    // After a step back keep the highest seq, so lines after a moved one are not all reported.
    if (seq > last) state.lastSeq = seq;
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
      state = { chain, files: new Set(), firstSeq: null, lastSeq: null, sealed: 0, unsealed: 0, gaps: [], omitted: 0, missing: 0, lost: 0 };
      this.#chains.set(chain, state);
    }
    state.files.add(file);
    this.#current = state;
    this.#currentFile = file;
    return state;
  }
}
