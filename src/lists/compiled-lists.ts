/**
 * compiled-lists: every list the proxy serves (the council's categories/ and
 * the imported trees) compiled into one binary index file
 * (src/classify/index-file.ts) in `<dataDir>/lists/compiled.idx`, so that
 * `serve` starts with millions of domains in well under a second instead of
 * parsing and building for tens of seconds.
 *
 * The file's header carries a description of what it was built from: a
 * fingerprint of the source files (path, size and mtime of each), the
 * category metadata the policy is built from, and the list problems found
 * (so a proxy started from the file reports the same diagnostics). A file
 * whose fingerprint no longer matches the lists is stale and is rebuilt.
 */
import { createHash } from 'node:crypto';
import { open, readdir, rename, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { compileIndex, type CompiledIndex } from '../classify/compiled-index.ts';
import { CHECKSUM_FROM, ChecksumState, checkIndexBytes, loadIndex, readIndexHeader, serialiseIndex } from '../classify/index-file.ts';
import { isWfError } from '../errors.ts';
import { importedListsDir, loadAllLists } from './load-all-lists.ts';
import { loadCategories, type CategoryMeta, type ListDiagnostic } from './load-categories.ts';

export const COMPILED_INDEX_FILE = path.join('lists', 'compiled.idx');

/** Problems kept in the file's header; the count is always exact. */
const MAX_STORED_DIAGNOSTICS = 500;
/** Enough of the file to hold its header and description (categories + up to 500 problems). */
const HEADER_READ_BYTES = 1024 * 1024;

export interface ListsSources {
  readonly categoriesDir: string;
  /** `<dataDir>/lists/imported`, or null when only the council's folder is used. */
  readonly importedDir: string | null;
}

export interface SourceDescription {
  readonly fingerprint: string;
  readonly categories: readonly CategoryMeta[];
  readonly diagnostics: readonly ListDiagnostic[];
  readonly diagnosticCount: number;
}

export interface CompiledLists extends SourceDescription {
  readonly index: CompiledIndex;
}

export interface ReadIndexOptions {
  /** Read into shared memory (a SharedArrayBuffer) that worker threads can open too. */
  readonly shared?: boolean;
  /** Told why the file cannot be used, when the answer is null (so that `serve` can say why it compiles). */
  readonly onUnusable?: (problem: IndexFileProblem) => void;
}

/** Why an index file was not used. */
export interface IndexFileProblem {
  /** `missing`: no file yet; `stale`: the lists changed since it was built; `unusable`: unreadable, corrupt or from another format version. */
  readonly kind: 'missing' | 'stale' | 'unusable';
  readonly message: string;
}

const STALE: IndexFileProblem = Object.freeze({ kind: 'stale', message: 'the lists have changed since the index file was built' });

export function compiledIndexPath(dataDir: string): string {
  return path.join(dataDir, COMPILED_INDEX_FILE);
}

export function sourcesFor(config: { categoriesDir: string; dataDir?: string | undefined }): ListsSources {
  return { categoriesDir: config.categoriesDir, importedDir: config.dataDir === undefined ? null : importedListsDir(config.dataDir) };
}

async function collectFiles(root: string, label: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(root, entry.name);
    const info = await stat(full).catch(() => null);
    if (info === null) continue;
    // stat follows the imported tree's symlink, so a new import (a new target) changes the fingerprint.
    if (info.isDirectory()) await collectFiles(full, `${label}/${entry.name}`, out);
    else out.push(`${label}/${entry.name}\0${info.size}\0${info.mtimeMs}\0${info.ino}`);
  }
}

/** A hash of every source file's path, size, mtime and inode: changes whenever a list is edited or re-imported. */
export async function listsFingerprint(sources: ListsSources): Promise<string> {
  const files: string[] = [];
  await collectFiles(sources.categoriesDir, 'categories', files);
  if (sources.importedDir !== null) await collectFiles(sources.importedDir, 'imported', files);
  return createHash('sha256').update(`${sources.categoriesDir}\n${sources.importedDir ?? ''}\n${files.join('\n')}`).digest('hex');
}

/** Loads and compiles the lists (the slow part: run it in a worker where the request path matters). */
export async function compileLists(sources: ListsSources): Promise<CompiledLists> {
  const fingerprint = await listsFingerprint(sources);
  const loaded = sources.importedDir === null
    ? await loadCategories(sources.categoriesDir)
    : await loadAllLists(sources.categoriesDir, sources.importedDir);
  return {
    index: compileIndex(loaded.input),
    fingerprint,
    categories: loaded.categories,
    diagnostics: loaded.diagnostics.slice(0, MAX_STORED_DIAGNOSTICS),
    diagnosticCount: loaded.diagnostics.length,
  };
}

export function serialiseCompiledLists(lists: CompiledLists): Buffer {
  const description: SourceDescription = {
    fingerprint: lists.fingerprint,
    categories: lists.categories,
    diagnostics: lists.diagnostics,
    diagnosticCount: lists.diagnosticCount,
  };
  return serialiseIndex(lists.index, JSON.stringify(description));
}

function parseDescription(text: string): SourceDescription {
  const parsed = JSON.parse(text) as SourceDescription;
  if (typeof parsed.fingerprint !== 'string' || !Array.isArray(parsed.categories) || !Array.isArray(parsed.diagnostics)) {
    throw new Error('the index file does not describe its lists');
  }
  return parsed;
}

/**
 * Opens index file bytes (zero-copy views); throws WF_ERR_LIST_INVALID for a
 * corrupt file. `computedChecksum`: the checksum readIndexFile() computed
 * while reading (else it is computed here). `checked`: bytes the compile
 * worker has just built and checked (compileInWorker): neither checksum
 * nor structure is checked again.
 */
export function openCompiledLists(bytes: Uint8Array, computedChecksum?: number, { checked = false }: { checked?: boolean } = {}): CompiledLists {
  const loaded = loadIndex(bytes, checked ? { verifyChecksum: false, checkStructure: false } : computedChecksum === undefined ? {} : { computedChecksum });
  return { index: loaded.index, ...parseDescription(loaded.fingerprint) };
}

/** The description in an index file's header, or why there is none to use. */
async function describeIndexFile(file: string): Promise<{ description: SourceDescription } | { problem: IndexFileProblem }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? { kind: 'missing', message: `no index file at ${file} yet` } : { kind: 'unusable', message: `cannot open ${file} (${code ?? String(error)})` } };
  }
  try {
    const buffer = Buffer.alloc(HEADER_READ_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { description: parseDescription(readIndexHeader(buffer.subarray(0, bytesRead)).fingerprint) };
  } catch (error) {
    return { problem: { kind: 'unusable', message: (error as Error).message } };
  } finally {
    await handle.close();
  }
}

/** Writes the index file atomically (temporary file, then rename), so a reader never sees half of one. */
export async function writeCompiledLists(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, file);
}

/** Piece size for reading an index file: whole 16-byte checksum groups. */
const READ_PIECE_BYTES = 8 * 1024 * 1024;
/** Pieces read at once, each on its own libuv thread. */
const READS_AT_ONCE = 2;

/**
 * The whole index file, and its checksum (index-file.ts) computed piece by
 * piece in file order while later pieces are being read.
 *
 * Why this shape (measured on the 110 MB UT1 index, 2-core VM): almost all
 * of a read is the kernel faulting in the new buffer's pages and copying
 * into them (≈420 ms in one 8 MiB read at a time). Two reads at once, on
 * two of libuv's threads, took 233–239 ms against 408–425 ms with the same
 * CPU time, in three alternating runs of each on a quiet machine; four at
 * once were no faster than two. Hashing each piece while the next ones are
 * read hides the checksum (≈100–180 ms) behind the reads where a core is
 * free. `checksum` is undefined for a file too short or oddly sized to
 * have one, or one that shrank while being read (loadIndex then says what
 * is wrong with it). `shared`: into a SharedArrayBuffer, which worker
 * threads can open without a copy (classify --stdin --jobs).
 */
export async function readIndexFile(file: string, { shared = false }: ReadIndexOptions = {}): Promise<{ bytes: Buffer; checksum: number | undefined }> {
  const handle = await open(file, 'r');
  const reads: Promise<number>[] = [];
  try {
    const size = (await handle.stat()).size;
    const bytes = shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafeSlow(size);
    /** Reads [from, to) whole; resolves with where it stopped (short of `to` only when the file shrank). */
    const readPiece = async (from: number, to: number): Promise<number> => {
      let at = from;
      while (at < to) {
        const { bytesRead } = await handle.read(bytes, at, to - at, at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return at;
    };
    let asked = 0;
    const askNext = (): void => {
      if (asked >= size) return;
      const from = asked;
      asked = Math.min(size, from + READ_PIECE_BYTES);
      const reading = readPiece(from, asked);
      reading.catch(() => undefined); // awaited in order below
      reads.push(reading);
    };
    while (reads.length < READS_AT_ONCE && asked < size) askNext();
    const hashable = size >= CHECKSUM_FROM && (size - CHECKSUM_FROM) % 4 === 0;
    const state = new ChecksumState();
    let hashed = CHECKSUM_FROM;
    for (let done = 0; done < size; ) {
      const end = await reads.shift()!;
      const whole = end === Math.min(size, done + READ_PIECE_BYTES);
      if (!whole) return { bytes: bytes.subarray(0, end), checksum: undefined }; // shrank under us: loadIndex says truncated
      done = end;
      askNext();
      if (hashable && done - hashed >= 16) {
        const words = ((done - hashed) & ~15) >>> 2;
        state.update(new Uint32Array(bytes.buffer, bytes.byteOffset + hashed, words));
        hashed += words * 4;
      }
    }
    if (!hashable) return { bytes, checksum: undefined };
    return { bytes, checksum: state.finish(new Uint32Array(bytes.buffer, bytes.byteOffset + hashed, (size - hashed) >>> 2)) };
  } finally {
    // A read still out (after a shrink or an error) must finish before the handle closes.
    await Promise.allSettled(reads);
    await handle.close();
  }
}

/**
 * The index file's bytes when it matches the current sources and passes
 * checkIndexBytes (header, length, checksum), with its description; else
 * null (missing, stale, unreadable or corrupt: the caller rebuilds). The
 * file is read while the sources are fingerprinted (both mostly wait on the
 * file system); a stale file's bytes are dropped. Not opened: that is
 * openCompiledLists() (readFreshCompiledLists), or each worker thread's job
 * (classify --stdin --jobs).
 */
export async function readFreshIndexFile(
  file: string,
  sources: ListsSources,
  options: ReadIndexOptions = {},
): Promise<{ bytes: Uint8Array; checksum: number | undefined; description: SourceDescription } | null> {
  const read = await describeIndexFile(file);
  if ('problem' in read) return unusable(options, read.problem);
  const { description } = read;
  const reading = readIndexFile(file, options);
  reading.catch(() => undefined); // awaited below only when the file is current
  if (description.fingerprint !== (await listsFingerprint(sources))) return unusable(options, STALE);
  try {
    const { bytes, checksum } = await reading;
    checkIndexBytes(bytes, checksum === undefined ? {} : { computedChecksum: checksum });
    return { bytes, checksum, description };
  } catch (error) {
    if (isWfError(error, 'WF_ERR_LIST_INVALID')) return unusable(options, { kind: 'unusable', message: error.message });
    throw error;
  }
}

function unusable(options: ReadIndexOptions, problem: IndexFileProblem): null {
  options.onUnusable?.(problem);
  return null;
}

/** readFreshIndexFile(), opened: the compiled lists, or null when the caller must rebuild. */
export async function readFreshCompiledLists(file: string, sources: ListsSources, options: Pick<ReadIndexOptions, 'onUnusable'> = {}): Promise<CompiledLists | null> {
  const fresh = await readFreshIndexFile(file, sources, options);
  if (fresh === null) return null;
  try {
    return openCompiledLists(fresh.bytes, fresh.checksum);
  } catch (error) {
    if (isWfError(error, 'WF_ERR_LIST_INVALID')) return unusable(options, { kind: 'unusable', message: error.message });
    throw error;
  }
}
