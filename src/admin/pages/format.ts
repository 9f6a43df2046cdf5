/** Small display helpers shared by the admin pages. */
import type { GrantRecord } from '../../grants/grant-store.ts';
import { DEFAULT_EXPIRY_DAYS } from '../../grants/grant-rules.ts';

/** An instant as people read it on these pages: `2026-11-23 19:40 UTC` (always UTC, like the audit trail). */
export function formatTime(ms: number | null): string {
  if (ms === null) return '—';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The stored status, and what it means now: an approval past its expiry is no longer honoured. */
export function statusText(grant: GrantRecord, now: number): string {
  if (grant.status === 'approved' && grant.expiresAt !== null && grant.expiresAt <= now) return 'approved (lapsed)';
  return grant.status;
}

export function isActive(grant: GrantRecord, now: number): boolean {
  return grant.status === 'approved' && grant.expiresAt !== null && grant.expiresAt > now;
}

export const DEFAULT_DAYS_HINT = DEFAULT_EXPIRY_DAYS;
