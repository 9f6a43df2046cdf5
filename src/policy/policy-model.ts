/**
 * The policy the proxy enforces: per category, whether it blocks and whether
 * a Group Support Manager may grant an exclusion for it. Built once per
 * snapshot from categories/<id>/meta.json and the configuration.
 */
export interface CategoryPolicy {
  readonly id: string;
  /** Council's name for the category, e.g. "Hate / Discrimination". */
  readonly title: string;
  /** Council's definition, shown on the block page. */
  readonly definition: string;
  /** A match in this category blocks (optional categories are off unless configured). */
  readonly enforced: boolean;
  /** False: no grant can ever unlock this category (sub-lists can be non-grantable on their own). */
  readonly grantable: boolean;
  /**
   * meta.json's grantable: false means nothing (configuration or admin
   * override) can make the category grantable. Absent: true.
   */
  readonly listGrantable?: boolean;
  readonly optional: boolean;
}

export interface Policy {
  readonly categories: ReadonlyMap<string, CategoryPolicy>;
}

/** A member of the council as the proxy sees them once identified. */
export interface Member {
  readonly id: string;
  readonly name: string;
  readonly groupId: string;
}
