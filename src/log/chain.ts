/**
 * The hash chain that makes the decision log tamper-evident. Every line ends
 * with three members appended by the writer:
 *
 *   {…record…,"seq":42,"prev":"<hash of line 41>","hash":"<sha256 of this line up to prev, closed>"}
 *
 * `hash` = sha256 (hex) of the line's exact text with `,"hash":"…"` removed,
 * i.e. everything up to and including `"prev":"…"` followed by `}`. Hashing
 * the bytes as written, rather than a re-serialised object, means the
 * verifier never has to agree with the writer on key order or number format.
 * `seq` counts the chain's lines from 1, so a break can say how many lines are
 * missing; `prev` of the very first line is GENESIS.
 *
 * Without a secret, anyone able to rewrite the files could recompute every
 * hash after an edit: the chain proves lines were not changed *since a known
 * hash*. docs/decision-log.md explains anchoring (recording the head hash).
 */
import { hash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export interface SealedLine {
  /** The full line, with its `\n`. */
  readonly line: string;
  readonly head: ChainHead;
}

export interface OpenedLine {
  /** The text the hash covers (the line without `,"hash":"…"`). */
  readonly sealed: string;
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
}

const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;
const LINK_SUFFIX = /"seq":(\d{1,15}),"prev":"([0-9a-f]{64})"\}$/;
/** `,"hash":"` + 64 hex + `"}` */
const HASH_SUFFIX_LENGTH = 75;

export function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * Appends seq/prev/hash to one JSON object line (with or without its
 * trailing `\n`) and returns the sealed line and the new chain head.
 */
export function sealLine(json: string, head: ChainHead): SealedLine {
  const end = json.endsWith('\n') ? json.length - 1 : json.length;
  let open = json.slice(0, end);
  if (!open.endsWith('}')) {
    // Not a JSON object (nothing in wardgate writes one): keep the text, as a string, rather than break the file's format.
    open = JSON.stringify({ type: 'text', text: open });
  }
  open = open.slice(0, -1);
  const separator = open.endsWith('{') ? '' : ',';
  const seq = head.seq + 1;
  const unsealed = `${open}${separator}"seq":${seq},"prev":"${head.hash}"}`;
  const digest = sha256(unsealed);
  return { line: `${unsealed.slice(0, -1)},"hash":"${digest}"}\n`, head: { seq, hash: digest } };
}

/** `,"seq":` + 16 digits + `,"prev":"` + 64 + `"` + `,"hash":"` + 64 + `"}` + `\n`, and the text wrapper, rounded up. */
const SEAL_OVERHEAD_MAX = 256;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACE = 0x7b;

/**
 * Bytes `sealLineInto` may need for `json`: a UTF-16 unit takes at most 3
 * bytes of UTF-8, or 6 once escaped (a line that is not a JSON object is
 * kept as an escaped string), plus seq/prev/hash and that wrapper.
 */
export function sealedLineMaxBytes(json: string): number {
  return json.length * 6 + SEAL_OVERHEAD_MAX;
}

/**
 * sealLine, written straight into `target` at `offset` (which must have
 * sealedLineMaxBytes(json) bytes free): the same bytes as
 * Buffer.from(sealLine(json, head).line), without the intermediate strings.
 * Returns the bytes written and the new chain head.
 *
 * Why (measured, bench/README.md "The decision log's cost"): sealing each
 * line as a string, then joining the batch and encoding it, cost 4–8 µs a
 * line in bursts of hundreds of lines (one large string a batch), against
 * 1.3–2.8 µs this way. At the ≈30 lines a batch of a busy proxy the two cost
 * about the same. The hash is taken over the bytes where they will be written.
 */
export function sealLineInto(json: string, head: ChainHead, target: Buffer, offset: number): { readonly bytes: number; readonly head: ChainHead } {
  let end = json.length;
  if (end > 0 && json.charCodeAt(end - 1) === 0x0a) end -= 1;
  if (end < 2 || json.charCodeAt(end - 1) !== CLOSE_BRACE) {
    const sealed = sealLine(json, head);
    return { bytes: target.write(sealed.line, offset, 'utf8'), head: sealed.head };
  }
  const separator = json.charCodeAt(end - 2) === OPEN_BRACE ? '' : ',';
  const seq = head.seq + 1;
  let at = offset + target.write(`${json.slice(0, end - 1)}${separator}"seq":${seq},"prev":"${head.hash}"}`, offset, 'utf8');
  const digest = hash('sha256', target.subarray(offset, at), 'hex');
  // The closing brace the hash covered gives way to the hash member.
  at += target.write(`,"hash":"${digest}"}\n`, at - 1, 'latin1') - 1;
  return { bytes: at - offset, head: { seq, hash: digest } };
}

/**
 * Splits a sealed line (without `\n`) into what the hash covers and its
 * chain members, or null when the line does not end in them. The hash is not
 * checked here: compare `sha256(opened.sealed)` with `opened.hash`.
 */
export function openLine(line: string): OpenedLine | null {
  if (line.length < HASH_SUFFIX_LENGTH + 20) return null;
  const hashMatch = HASH_SUFFIX.exec(line.slice(-HASH_SUFFIX_LENGTH - 1));
  if (hashMatch === null) return null;
  const sealed = `${line.slice(0, -HASH_SUFFIX_LENGTH)}}`;
  const link = LINK_SUFFIX.exec(sealed.slice(-100));
  if (link === null) return null;
  return { sealed, seq: Number(link[1]), prev: link[2]!, hash: hashMatch[1]! };
}
