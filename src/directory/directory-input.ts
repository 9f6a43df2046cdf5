/**
 * Checks and canonical forms for what the member directory stores: ids,
 * names, password hashes and client addresses. Pure functions shared by
 * DirectoryStore (which applies them to every write) and the staff store
 * (the same id and name rules), and by the proxy, which looks client
 * addresses up in the same canonical spelling the directory stores.
 */
import { isIP, isIPv4 } from 'node:net';
import { WfError } from '../errors.ts';
import { isPasswordHash } from './password.ts';

export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MAX_NAME_LENGTH = 200; // characters

const IPV4_MAPPED_PREFIX = '::ffff:';

/**
 * One spelling per client address, so the address a member registers and
 * the one the proxy sees on its socket compare equal: IPv4-mapped IPv6
 * (`::ffff:1.2.3.4`, what dual-stack sockets report) becomes `1.2.3.4`, IPv6
 * is lower-cased and compressed (RFC 5952). Anything that is not an address is
 * returned trimmed and unchanged, so a lookup with it simply finds nobody.
 */
export function canonicalClientAddress(address: string): string {
  const text = address.trim();
  // Fast path for the common socket cases; this runs on every proxied connection.
  if (isIPv4(text)) return text;
  if (text.startsWith(IPV4_MAPPED_PREFIX) && isIPv4(text.slice(IPV4_MAPPED_PREFIX.length))) {
    return text.slice(IPV4_MAPPED_PREFIX.length);
  }
  const zoneAt = text.indexOf('%');
  const bare = zoneAt === -1 ? text : text.slice(0, zoneAt);
  if (isIP(bare) !== 6) return text;
  const compressed = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (mapped !== null) return hexPairToDottedQuad(mapped[1]!, mapped[2]!);
  return zoneAt === -1 ? compressed : compressed + text.slice(zoneAt);
}

function hexPairToDottedQuad(high: string, low: string): string {
  const h = parseInt(high, 16);
  const l = parseInt(low, 16);
  return `${h >> 8}.${h & 0xff}.${l >> 8}.${l & 0xff}`;
}

export function checkId(kind: 'member' | 'group', id: string): string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new WfError(
      'WF_ERR_INVALID_INPUT',
      `${kind} id "${String(id)}" is not valid: use 1 to 64 characters from a-z, 0-9, '.', '_' and '-', ` +
        'starting with a letter or digit (lower case only)',
    );
  }
  return id;
}

export function checkName(kind: 'member' | 'group', name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length === 0) throw new WfError('WF_ERR_INVALID_INPUT', `the ${kind} name must not be empty`);
  if ([...trimmed].length > MAX_NAME_LENGTH) {
    throw new WfError('WF_ERR_INVALID_INPUT', `the ${kind} name is too long: use at most ${MAX_NAME_LENGTH} characters`);
  }
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new WfError('WF_ERR_INVALID_INPUT', `the ${kind} name must be one line of printable text`);
  }
  return trimmed;
}

export function checkHash(hash: string | null): string | null {
  if (hash !== null && !isPasswordHash(hash)) {
    // Refuses plain text handed in by mistake: only hashPassword() output is ever stored.
    throw new WfError('WF_ERR_INVALID_INPUT', 'the password hash is not in the scrypt format made by hashPassword()');
  }
  return hash;
}

/** Validates, canonicalises and de-duplicates, keeping a stable sorted order. */
export function canonicalAddresses(ips: readonly string[]): string[] {
  const out = new Set<string>();
  for (const ip of ips) {
    const text = typeof ip === 'string' ? ip.trim() : '';
    const bare = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
    if (isIP(bare) === 0) {
      throw new WfError(
        'WF_ERR_INVALID_INPUT',
        `"${String(ip)}" is not an IP address: give single addresses like 192.0.2.10 or 2001:db8::10 (ranges are not supported)`,
      );
    }
    out.add(canonicalClientAddress(text));
  }
  return [...out].sort();
}
