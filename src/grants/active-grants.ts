/**
 * The grants part of the RuntimeSnapshot: approved, unexpired grants by
 * member id, frozen, built from the store and swapped whole (never edited)
 * when a grant changes.
 *
 * Expiry needs no rebuild to take effect: decide() checks isActive(grant,
 * now) on every request, so a grant stops being honoured at its expiry to the
 * millisecond even in a snapshot built before. Rebuilding on the expiry tick
 * only keeps the index small. Revocation, by contrast, only reaches the proxy
 * through a rebuild, which is why the store's changes must trigger one.
 */
import type { Grant } from '../policy/grants.ts';
import { isActive } from '../policy/grants.ts';
import type { GrantStore } from './grant-store.ts';

export type ActiveGrantIndex = ReadonlyMap<string, readonly Grant[]>;

export const EMPTY_GRANT_INDEX: ActiveGrantIndex = freezeMap(new Map<string, readonly Grant[]>());

/** Reads the store and returns the frozen index of grants honoured at `now`. */
export async function buildActiveGrants(store: Pick<GrantStore, 'activeGrants'>, now: number): Promise<ActiveGrantIndex> {
  return indexActiveGrants([...(await store.activeGrants(now)).values()].flat(), now);
}

/**
 * Pure: keeps the grants active at `now` (approved, not expired), groups them
 * by member and freezes each grant, each list and the map, so a snapshot
 * shared by every request cannot be changed under them.
 */
export function indexActiveGrants(grants: Iterable<Grant>, now: number): ActiveGrantIndex {
  const byMember = new Map<string, Grant[]>();
  for (const grant of grants) {
    if (!isActive(grant, now)) continue;
    const frozen = Object.isFrozen(grant) ? grant : Object.freeze({ ...grant, scope: Object.freeze({ ...grant.scope }) });
    const list = byMember.get(grant.memberId);
    if (list === undefined) byMember.set(grant.memberId, [frozen]);
    else list.push(frozen);
  }
  const index = new Map<string, readonly Grant[]>();
  for (const [memberId, list] of byMember) index.set(memberId, Object.freeze(list));
  return freezeMap(index);
}

/**
 * The earliest expiry in the index after `now`, or null: when the expiry
 * ticker next has something to do (a scheduler may sleep until then).
 */
export function nextExpiry(index: ActiveGrantIndex, now: number): number | null {
  let next: number | null = null;
  for (const list of index.values()) {
    for (const grant of list) if (grant.expiresAt > now && (next === null || grant.expiresAt < next)) next = grant.expiresAt;
  }
  return next;
}

/** A Map whose mutators throw: Object.freeze alone does not stop Map.set. */
function freezeMap<K, V>(map: Map<K, V>): ReadonlyMap<K, V> {
  const refuse = () => {
    throw new TypeError('the active-grant index is read-only: build a new one');
  };
  Object.defineProperties(map, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(map);
}
