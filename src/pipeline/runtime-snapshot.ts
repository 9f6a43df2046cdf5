/**
 * RuntimeSnapshot: everything a request is decided against, captured once
 * when the request (or tunnel) starts and never changed under it. A reload
 * (lists, directory, grants) builds a new snapshot and swaps the reference in
 * one assignment; requests in flight keep the one they started with.
 */
import type { Classifier } from '../classify/classifier.ts';
import type { DirectorySnapshot } from '../directory/directory-snapshot.ts';
import type { Grant } from '../policy/grants.ts';
import type { Policy } from '../policy/policy-model.ts';

export interface RuntimeSnapshot {
  /** Increases by one on every swap; logged with each decision. */
  readonly version: number;
  readonly classifier: Classifier;
  readonly policy: Policy;
  readonly directory: DirectorySnapshot;
  /** Approved grants by member id (empty until the grants workflow lands). */
  readonly grants: ReadonlyMap<string, readonly Grant[]>;
}

export type SnapshotParts = Omit<RuntimeSnapshot, 'version'>;

export class SnapshotHolder {
  #current: RuntimeSnapshot;

  constructor(parts: SnapshotParts) {
    this.#current = Object.freeze({ ...parts, version: 1 });
  }

  get current(): RuntimeSnapshot {
    return this.#current;
  }

  /** Replaces some parts; the rest carry over from the current snapshot. */
  update(parts: Partial<SnapshotParts>): RuntimeSnapshot {
    this.#current = Object.freeze({ ...this.#current, ...parts, version: this.#current.version + 1 });
    return this.#current;
  }
}
