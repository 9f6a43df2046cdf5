/**
 * list-source: a local import source (a folder, a tar or tar.gz archive, or
 * a single list file, any of them gzipped or not) → a stream of its files,
 * each body already decompressed. Nothing is unpacked to disk and nothing is
 * read that the caller does not ask for: a file's body opens (or, in an
 * archive, is read) only when iterated.
 *
 * What a source is comes from its content, not its name: gzip by its magic
 * bytes, tar by its header, so a downloaded `blacklists.tar.gz` saved under
 * any name, or a `domains` file that happens to be gzipped, is read right.
 * Symbolic links inside a folder or an archive are aliases (UT1's archive
 * has `porn -> adult`): they are reported and skipped, never followed, so
 * nothing is imported twice and nothing outside the source is read.
 *
 * A folder's file paths start with the folder's own name (`blacklists/adult/domains`),
 * like the paths inside UT1's archive.
 *
 * Every decompressed byte counts against `maxBytes` (a gzip bomb stops with
 * an error, not a full disk). A corrupt or cut-short gzip or tar stream is a
 * WF_ERR_LIST_INVALID naming the source and what is wrong with it.
 */
import { createReadStream, type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { isWfError, WfError } from '../errors.ts';
import { looksLikeTar, readTar } from './tar-reader.ts';

export type SourceKind = 'folder' | 'archive' | 'file';

export interface SourceFile {
  /** Path inside the source, `/`-separated: from the folder's own name, as stored in an archive, or a single file's name. */
  readonly path: string;
  /** The file's bytes, decompressed when it was gzipped. */
  readonly body: AsyncIterable<Buffer>;
}

export interface OpenedSource {
  readonly kind: SourceKind;
  readonly files: AsyncIterable<SourceFile>;
  /** Filled while `files` is read: aliases skipped, and the like. */
  readonly notes: string[];
}

export interface OpenSourceOptions {
  /** How the source is named in messages (the URL it was downloaded from, say). */
  readonly label: string;
  /** Most decompressed bytes read from the whole source. */
  readonly maxBytes: number;
}

/** Deepest folder level walked: UT1 is `blacklists/<list>/<file>`. */
const MAX_DEPTH = 4;

function listInvalid(message: string, cause?: unknown): WfError {
  return new WfError('WF_ERR_LIST_INVALID', message, cause === undefined ? {} : { cause });
}

/** Reads up to `n` bytes ahead; `rest` yields everything, those bytes included. */
async function peek(input: AsyncIterable<unknown>, n: number): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const iterator = input[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let total = 0;
  let done = false;
  while (total < n) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
    seen.push(chunk);
    total += chunk.length;
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield* seen;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
    }
  }
  return { head: Buffer.concat(seen, total), rest: rest() };
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Decompresses a gzip stream, turning zlib's errors into a message about `label`. */
async function* gunzip(input: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  // The callback form returns the last stream, which then errors with the first failure anywhere.
  const out = pipeline(Readable.from(input), createGunzip(), () => undefined);
  try {
    for await (const chunk of out) yield chunk as Buffer;
  } catch (err) {
    if (isWfError(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'Z_BUF_ERROR' ? 'it ends too soon (a cut-short download?)' : `it is corrupt (${(err as Error).message})`;
    throw listInvalid(`${label} is not a complete gzip file: ${why}`, err);
  } finally {
    out.destroy();
  }
}

/** Counts bytes against the shared budget. */
async function* limited(input: AsyncIterable<Buffer>, budget: { left: number; max: number }, label: string): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    budget.left -= chunk.length;
    if (budget.left < 0) {
      throw listInvalid(`${label} is larger than ${Math.round(budget.max / 2 ** 20)} MiB uncompressed: refusing it (a wrong file, or a compression bomb?)`);
    }
    yield chunk;
  }
}

/**
 * A body that gunzips itself when its first bytes say gzip. `countPlain`:
 * whether bytes that were not compressed count against the budget (not for
 * an archive's members: the archive's own bytes were counted already).
 */
async function* maybeGunzip(input: AsyncIterable<unknown>, label: string, budget: { left: number; max: number }, countPlain: boolean): AsyncGenerator<Buffer> {
  const { head, rest } = await peek(input, 2);
  if (isGzip(head)) yield* limited(gunzip(rest, label), budget, label);
  else yield* countPlain ? limited(rest, budget, label) : rest;
}

/** A file body that is opened only when first read. */
function lazyFile(file: string, label: string, budget: { left: number; max: number }): AsyncIterable<Buffer> {
  return { [Symbol.asyncIterator]: () => maybeGunzip(createReadStream(file), label, budget, true) };
}

function sortByName(entries: Dirent[]): Dirent[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function* walkFolder(root: string, rel: string, depth: number, ctx: { label: string; budget: { left: number; max: number }; notes: string[] }): AsyncGenerator<SourceFile> {
  let entries: Dirent[];
  try {
    entries = sortByName(await readdir(path.join(root, rel), { withFileTypes: true }));
  } catch (err) {
    throw listInvalid(`cannot read folder ${path.join(root, rel)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isSymbolicLink()) {
      ctx.notes.push(`${child}: a symbolic link (an alias of another list): skipped`);
    } else if (entry.isDirectory()) {
      if (depth < MAX_DEPTH) yield* walkFolder(root, child, depth + 1, ctx);
    } else if (entry.isFile()) {
      yield { path: child, body: lazyFile(path.join(root, child), `${ctx.label}: ${child}`, ctx.budget) };
    }
  }
}

async function* archiveFiles(input: AsyncIterable<Buffer>, ctx: { label: string; budget: { left: number; max: number }; notes: string[] }): AsyncGenerator<SourceFile> {
  try {
    for await (const entry of readTar(input)) {
      if (entry.type === 'symlink' || entry.type === 'hardlink') {
        ctx.notes.push(`${entry.path}: a link to ${entry.linkName} (an alias of another list): skipped`);
      } else if (entry.type === 'file') {
        yield { path: entry.path, body: maybeGunzip(entry.body, `${ctx.label}: ${entry.path}`, ctx.budget, false) };
      }
    }
  } catch (err) {
    // The tar reader knows what is wrong but not which source it is reading.
    if (isWfError(err, 'WF_ERR_LIST_INVALID') && !err.message.startsWith(ctx.label)) throw listInvalid(`${ctx.label}: ${err.message}`, err);
    throw err;
  }
}

/**
 * Opens a local source. Throws WF_ERR_LIST_INVALID when it does not exist or
 * cannot be read; problems inside it surface while `files` is iterated.
 */
export async function openSource(file: string, options: OpenSourceOptions): Promise<OpenedSource> {
  const { label } = options;
  const budget = { left: options.maxBytes, max: options.maxBytes };
  const notes: string[] = [];
  const ctx = { label, budget, notes };
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw listInvalid(code === 'ENOENT' ? `${label} does not exist` : `cannot read ${label} (${code ?? String(err)})`, err);
  }
  // Paths start with the folder's own name, so a single UT1 list folder (`…/ut1/chat/`) still says which list it is.
  if (info.isDirectory()) return { kind: 'folder', files: walkFolder(path.dirname(path.resolve(file)), path.basename(path.resolve(file)), 1, ctx), notes };
  if (!info.isFile()) throw listInvalid(`${label} is neither a file nor a folder`);

  // Decompress once if needed, then look for a tar header in the first block.
  const { head, rest } = await peek(createReadStream(file), 2);
  const bytes = limited(isGzip(head) ? gunzip(rest, label) : rest, budget, label);
  const { head: block, rest: content } = await peek(bytes, 512);
  if (looksLikeTar(block)) return { kind: 'archive', files: archiveFiles(content, ctx), notes };
  const name = path.basename(file);
  return { kind: 'file', files: (async function* () { yield { path: name, body: content }; })(), notes };
}
