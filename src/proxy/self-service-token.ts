/**
 * CSRF tokens for the member's "Ask for access" form. A token is an HMAC, with
 * a secret only this wardgate knows, over the member it was shown to, the
 * blocked address the form is about, and an expiry:
 *
 *   v1.<expires, epoch seconds>.<base64url HMAC-SHA256("ask\n" member "\n" expires "\n" url)>
 *
 * A cross-site page cannot read the block page (it is served under another
 * origin), so it cannot forge a token; binding the token to the address means
 * that even a token read by a same-origin page (a URL-prefix block leaves the
 * rest of the site reachable) can only ask, for that member, about that one
 * address. Stateless, so nothing is stored per form and a restart keeps
 * forms valid.
 *
 * The secret is 32 random bytes in `<dataDir>/self-service.key`, created on
 * first use with mode 0600 (and tightened to 0600 if found looser).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { WfError } from '../errors.ts';

export const SECRET_FILE = 'self-service.key';
/** How long a block page's form stays usable: a working day, so a member can take their time writing. */
export const TOKEN_TTL_MS = 12 * 60 * 60_000;
const SECRET_BYTES = 32;

export interface TokenSigner {
  mint(memberId: string, url: string, now: number): string;
  /** True only for an unexpired token minted for exactly this member and address. */
  verify(token: string, memberId: string, url: string, now: number): boolean;
}

/** Reads, or creates on first use, the secret; reports a mode it had to tighten through `onLooseMode`. */
export function loadSecret(dataDir: string, onLooseMode: (file: string) => void = () => {}): Buffer {
  const file = join(dataDir, SECRET_FILE);
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(SECRET_BYTES).toString('hex') + '\n');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new WfError('WF_ERR_STORE', `cannot create the self-service secret ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    chmodSync(file, 0o600);
    onLooseMode(file);
  }
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (secret.length < 16) {
    throw new WfError('WF_ERR_STORE', `the self-service secret ${file} is not 32 bytes of hex: delete it and wardgate will make a new one (open forms stop working)`);
  }
  return secret;
}

export function createTokenSigner(secret: Buffer, ttlMs: number = TOKEN_TTL_MS): TokenSigner {
  const mac = (memberId: string, expires: string, url: string) =>
    createHmac('sha256', secret).update(`ask\n${memberId}\n${expires}\n${url}`).digest();
  return {
    mint(memberId, url, now) {
      const expires = String(Math.floor((now + ttlMs) / 1000));
      return `v1.${expires}.${mac(memberId, expires, url).toString('base64url')}`;
    },
    verify(token, memberId, url, now) {
      const match = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (match === null) return false;
      const expires = match[1]!;
      if (Number(expires) * 1000 <= now) return false;
      const given = Buffer.from(match[2]!, 'base64url');
      const expected = mac(memberId, expires, url);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
