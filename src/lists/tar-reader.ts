/**
 * tar-reader: a streaming reader for tar archives (POSIX ustar, with the GNU
 * long-name and pax extended headers that GNU tar and bsdtar write), enough
 * to read the UT1 `blacklists.tar.gz` without unpacking it to disk and
 * without a dependency.
 *
 * The archive is read once, front to back: each entry is yielded with a
 * `body` that streams its data. A consumer that does not read a body (or
 * stops early) loses nothing: the rest is skipped before the next header.
 * Bodies must be read before asking for the next entry.
 *
 * Every header's checksum is verified, and an archive that ends inside a
 * header or a body is an error (WF_ERR_LIST_INVALID): a cut-short download
 * must never pass as a smaller list. Entry paths are returned as written;
 * nothing here touches the file system, and callers must not use them as
 * paths on disk without checking them.
 */
import { WfError } from '../errors.ts';

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  readonly path: string;
  readonly type: TarEntryType;
  /** Bytes of data in the body. */
  readonly size: number;
  /** Target of a symlink or hard link ("" otherwise). */
  readonly linkName: string;
  readonly body: AsyncIterable<Buffer>;
}

const BLOCK = 512;
const EMPTY = Buffer.alloc(0);

function corrupt(message: string): WfError {
  return new WfError('WF_ERR_LIST_INVALID', message);
}

/** Pulls exact byte counts out of a stream of chunks without copying where it can. */
class ByteReader {
  #iterator: AsyncIterator<unknown>;
  #chunk: Buffer = EMPTY;
  #pos = 0;
  #done = false;

  constructor(input: AsyncIterable<unknown>) {
    this.#iterator = input[Symbol.asyncIterator]();
  }

  async #fill(): Promise<boolean> {
    while (this.#pos >= this.#chunk.length) {
      if (this.#done) return false;
      const next = await this.#iterator.next();
      if (next.done === true) {
        this.#done = true;
        return false;
      }
      const value = next.value;
      this.#chunk = Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
      this.#pos = 0;
    }
    return true;
  }

  /** Exactly `n` bytes; null at a clean end (no byte left); throws `truncated` when the end cuts them short. */
  async read(n: number, truncated: () => WfError): Promise<Buffer | null> {
    if (!(await this.#fill())) return null;
    if (this.#chunk.length - this.#pos >= n) {
      const out = this.#chunk.subarray(this.#pos, this.#pos + n);
      this.#pos += n;
      return out;
    }
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0) {
      if (!(await this.#fill())) throw truncated();
      const take = Math.min(need, this.#chunk.length - this.#pos);
      parts.push(this.#chunk.subarray(this.#pos, this.#pos + take));
      this.#pos += take;
      need -= take;
    }
    return Buffer.concat(parts, n);
  }

  /** Yields the next `n` bytes in chunks, counting them in `progress.read`. */
  async *stream(n: number, progress: { read: number }, truncated: () => WfError): AsyncGenerator<Buffer> {
    while (progress.read < n) {
      if (!(await this.#fill())) throw truncated();
      const take = Math.min(n - progress.read, this.#chunk.length - this.#pos);
      const out = this.#chunk.subarray(this.#pos, this.#pos + take);
      this.#pos += take;
      progress.read += take;
      yield out;
    }
  }

  async skip(n: number, truncated: () => WfError): Promise<void> {
    const progress = { read: 0 };
    for await (const chunk of this.stream(n, progress, truncated)) void chunk;
  }
}

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? field.length : nul).toString('utf8');
}

/** A numeric header field: octal text, or GNU base-256 when the top bit of the first byte is set. */
function number(block: Buffer, start: number, length: number): number {
  if ((block[start]! & 0x80) !== 0) {
    let value = block[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    return value;
  }
  const digits = text(block, start, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) return NaN;
  return parseInt(digits, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = number(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === stored;
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** `len key=value\n` records of a pax extended header. */
function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const length = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isSafeInteger(length) || length <= 0 || pos + length > data.length) break;
    const record = data.subarray(space + 1, pos + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += length;
  }
  return out;
}

function typeOf(flag: number): TarEntryType {
  switch (flag) {
    case 0: // NUL: pre-POSIX regular file
    case 0x30: // '0'
    case 0x37: // '7' contiguous file
      return 'file';
    case 0x35:
      return 'directory';
    case 0x32:
      return 'symlink';
    case 0x31:
      return 'hardlink';
    default:
      return 'other';
  }
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/** Is this 512-byte block a tar header (ustar magic, or at least a valid checksum)? */
export function looksLikeTar(firstBlock: Buffer): boolean {
  if (firstBlock.length < BLOCK) return false;
  return firstBlock.subarray(257, 262).toString('latin1') === 'ustar' || (!isZeroBlock(firstBlock) && checksumOk(firstBlock));
}

/** Streams the entries of a tar archive (already decompressed). */
export async function* readTar(input: AsyncIterable<unknown>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(input);
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  let index = 0;
  for (;;) {
    const where = () => (index === 0 ? 'at its start' : `after entry ${index}`);
    const header = await reader.read(BLOCK, () => corrupt(`the archive ends in the middle of a header ${where()} (cut short?)`));
    // A missing end-of-archive marker is tolerated: some writers omit it, and a gzip layer already checks length.
    if (header === null || isZeroBlock(header)) return;
    if (!checksumOk(header)) throw corrupt(`the archive is corrupt: bad header checksum ${where()} (is it really a tar archive?)`);
    const size = number(header, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) throw corrupt(`the archive is corrupt: bad size field ${where()}`);
    const flag = header[156]!;
    const entryNumber = index + 1;
    const truncated = () => corrupt(`the archive ends in the middle of entry ${entryNumber} (cut short?)`);

    if (flag === 0x4c /* L */ || flag === 0x4b /* K */ || flag === 0x78 /* x */ || flag === 0x67 /* g */) {
      const data = (await reader.read(size + padding(size), truncated)) ?? EMPTY;
      const body = data.subarray(0, size);
      if (flag === 0x4c) longName = text(body, 0, body.length);
      else if (flag === 0x4b) longLink = text(body, 0, body.length);
      else if (flag === 0x78) pax = parsePax(body);
      continue;
    }

    const ustar = header.subarray(257, 262).toString('latin1') === 'ustar';
    const prefix = ustar ? text(header, 345, 155) : '';
    const name = text(header, 0, 100);
    const path = pax.get('path') ?? longName ?? (prefix === '' ? name : `${prefix}/${name}`);
    const linkName = pax.get('linkpath') ?? longLink ?? text(header, 157, 100);
    const paxSize = pax.has('size') ? Number(pax.get('size')) : size;
    const dataSize = Number.isSafeInteger(paxSize) && paxSize >= 0 ? paxSize : size;
    longName = undefined;
    longLink = undefined;
    pax = new Map();
    index++;

    const progress = { read: 0 };
    const type = typeOf(flag);
    const hasData = type === 'file' || type === 'other';
    const length = hasData ? dataSize : 0;
    yield { path, type, size: length, linkName, body: reader.stream(length, progress, truncated) };
    // Whatever the consumer left unread, then the padding to the next block.
    await reader.skip(length - progress.read + padding(length), truncated);
  }
}
