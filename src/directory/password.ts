/**
 * Member passwords: hashing with scrypt (node:crypto, async so the proxy's
 * event loop keeps serving while a hash is computed) and checking a password
 * against a stored hash.
 *
 * Stored format, self-describing so the cost can be raised later without
 * breaking existing hashes:
 *
 *   scrypt$N=16384,r=8,p=1$<salt, base64>$<hash, base64>
 *
 * Passwords are Unicode-normalised (NFC) before hashing, so the same password
 * typed on two keyboards that compose "é" differently still matches.
 * verifyPassword never throws: a malformed or unsupported stored string, or
 * parameters beyond the limits below (which would let a tampered row burn CPU
 * and memory), simply does not match.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { WfError } from '../errors.ts';

export const MIN_PASSWORD_LENGTH = 8; // characters
export const MAX_PASSWORD_LENGTH = 1024; // characters; longer is a paste mistake, not a password

interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** About 16 MiB and a few tens of ms per hash: OWASP's minimum for scrypt. */
const DEFAULT_PARAMS: ScryptParams = Object.freeze({ N: 16_384, r: 8, p: 1 });
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Largest scrypt working memory (128·N·r bytes) a stored hash may ask for. */
const MAX_SCRYPT_MEMORY = 64 * 1024 * 1024;
const MAX_P = 16;

/** Throws WF_ERR_INVALID_INPUT unless `password` is acceptable as a new password. */
export function checkNewPassword(password: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new WfError('WF_ERR_INVALID_INPUT', `the password is too short: use at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new WfError('WF_ERR_INVALID_INPUT', `the password is too long: use at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  if (/[\r\n]/.test(password)) {
    throw new WfError('WF_ERR_INVALID_INPUT', 'the password must be a single line');
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, DEFAULT_PARAMS, KEY_BYTES);
  const { N, r, p } = DEFAULT_PARAMS;
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (parsed === null) return false;
  try {
    const key = await deriveKey(password, parsed.salt, parsed.params, parsed.hash.length);
    return timingSafeEqual(key, parsed.hash);
  } catch {
    return false;
  }
}

/** True when `stored` is a hash this module can check (never true for a plain password). */
export function isPasswordHash(stored: string): boolean {
  return parseStored(stored) !== null;
}

interface ParsedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function parseStored(stored: unknown): ParsedHash | null {
  if (typeof stored !== 'string') return null;
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== 'scrypt') return null;
  const params = parseParams(parts[1]!);
  const salt = decodeBase64(parts[2]!);
  const hash = decodeBase64(parts[3]!);
  if (params === null || salt === null || hash === null || hash.length < 16 || hash.length > 64) return null;
  return { params, salt, hash };
}

function parseParams(text: string): ScryptParams | null {
  const match = /^N=(\d{1,8}),r=(\d{1,3}),p=(\d{1,3})$/.exec(text);
  if (match === null) return null;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || r < 1 || p < 1 || p > MAX_P || 128 * N * r > MAX_SCRYPT_MEMORY) return null;
  return { N, r, p };
}

function decodeBase64(text: string): Buffer | null {
  if (text.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

function deriveKey(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  // scrypt needs about 128·N·r bytes; Node's default cap (32 MiB) would refuse a raised cost.
  const maxmem = 2 * MAX_SCRYPT_MEMORY;
  const input = password.normalize('NFC');
  return new Promise((resolve, reject) => {
    scrypt(input, salt, length, { ...params, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
