/**
 * CSRF protection for the admin web UI.
 *
 * - Signed in: a synchroniser token. Each session has its own random token
 *   (session-store.ts); every form carries it in a hidden `_csrf` field and
 *   every state-changing request must send it back, compared in constant time.
 * - The sign-in form itself (no session yet): a double-submit token, a random
 *   value set in a short-lived HttpOnly, SameSite=Strict cookie and repeated
 *   in the form, so another site cannot sign a browser in to an account of
 *   its choosing (login CSRF).
 *
 * SameSite=Strict cookies already keep cross-site requests unauthenticated;
 * the token is the second, independent guard the council's policy asks for.
 */
import { timingSafeEqual } from 'node:crypto';

export const CSRF_FIELD = '_csrf';

/** Whether `sent` equals `expected`, in time independent of where they differ. */
export function tokensMatch(expected: string, sent: unknown): boolean {
  if (typeof sent !== 'string' || sent.length === 0 || expected.length === 0) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(sent, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
