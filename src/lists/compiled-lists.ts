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
import { CHECKSUM_FROM, ChecksumState, loadIndex, readIndexHeader, serialiseIndex } from '../classify/index-file.ts';
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
 * while reading (else it is computed here).
 */
export function openCompiledLists(bytes: Uint8Array, computedChecksum?: number): CompiledLists {
  const loaded = loadIndex(bytes, computedChecksum === undefined ? {} : { computedChecksum });
  return { index: loaded.index, ...parseDescription(loaded.fingerprint) };
}

/** The description in an index file's header, or null when there is no readable file. */
export async function readCompiledDescription(file: string): Promise<SourceDescription | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.alloc(HEADER_READ_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return parseDescription(readIndexHeader(buffer.subarray(0, bytesRead)).fingerprint);
  } catch {
    return null;
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

/**
 * The whole index file, and its checksum (index-file.ts) computed piece by
 * piece while the next piece is being read: the read runs on libuv's thread
 * pool, so with a second core free the hashing (≈100–180 ms for the 110 MB
 * UT1 index) hides behind the read (≈430 ms, almost all of it the kernel
 * faulting in the new buffer's pages) instead of following it. Measured on
 * the UT1 index in six paired runs on the loaded shared machine: 8–13 % less
 * CPU than readFile + checksum (585–753 against 641–864 ms: 8 MiB reads
 * instead of readFile's 512 KiB ones), wall time not better there (no free
 * core to overlap on; 0.78–1.93 s against 0.84–1.18 s). `checksum` is
 * undefined for a file too short or oddly sized to have one (loadIndex then
 * says what is wrong with it).
 */
export async function readIndexFile(file: string): Promise<{ bytes: Buffer; checksum: number | undefined }> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const bytes = Buffer.allocUnsafeSlow(size);
    const hashable = size >= CHECKSUM_FROM && (size - CHECKSUM_FROM) % 4 === 0;
    const state = new ChecksumState();
    let hashed = CHECKSUM_FROM;
    const readAt = (at: number) => handle.read(bytes, at, Math.min(READ_PIECE_BYTES, size - at), at);
    let at = 0;
    let next = size > 0 ? readAt(0) : null;
    while (next !== null) {
      const { bytesRead } = await next;
      if (bytesRead === 0) return { bytes: bytes.subarray(0, at), checksum: undefined }; // shrank under us: loadIndex says truncated
      at += bytesRead;
      next = at < size ? readAt(at) : null; // ask for the next piece, then hash this one meanwhile
      if (hashable && at - hashed >= 16) {
        const words = ((at - hashed) & ~15) >>> 2;
        state.update(new Uint32Array(bytes.buffer, bytes.byteOffset + hashed, words));
        hashed += words * 4;
      }
    }
    if (!hashable) return { bytes, checksum: undefined };
    return { bytes, checksum: state.finish(new Uint32Array(bytes.buffer, bytes.byteOffset + hashed, (size - hashed) >>> 2)) };
  } finally {
    await handle.close();
  }
}

/**
 * The compiled lists from `file` when it matches the current sources, else
 * null (missing, stale or unreadable: the caller rebuilds). The file is
 * read while the sources are fingerprinted (both mostly wait on the file
 * system); a stale file's bytes are dropped.
 */
export async function readFreshCompiledLists(file: string, sources: ListsSources): Promise<CompiledLists | null> {
  const description = await readCompiledDescription(file);
  if (description === null) return null;
  const reading = readIndexFile(file);
  reading.catch(() => undefined); // awaited below only when the file is current
  if (description.fingerprint !== (await listsFingerprint(sources))) return null;
  try {
    const { bytes, checksum } = await reading;
    return openCompiledLists(bytes, checksum);
  } catch (error) {
    if (isWfError(error, 'WF_ERR_LIST_INVALID')) return null;
    throw error;
  }
}
