/**
 * publish-import: where an import is written and how it replaces the
 * previous one, so that a reader (the proxy reloading, `wardgate classify`)
 * only ever sees a complete import, the old one or the new one.
 *
 *   <versionsDir>/.<name>.lock              held while an import of <name> runs
 *   <versionsDir>/.<name>.partial-<rand>/   the import being written
 *   <versionsDir>/<name>@<time>-<rand>/     a complete import (the current one, and the one before)
 *   <into>  →  symlink to the current version (relative, so the data dir can move)
 *
 * Publishing renames the finished folder into place, then replaces the
 * `<into>` link with rename(2), which swaps a symlink atomically: there is
 * no moment without lists. If `<into>` is a real folder (made by hand, or by
 * something else), it is first moved aside, then removed: only in that case
 * is there a moment, between two renames, without that import.
 *
 * The version before the current one is kept (to go back by hand, relink
 * `<into>`); older ones and any leftovers of interrupted imports are removed.
 * By default `versionsDir` is `<dataDir>/lists/versions`, outside the
 * imported folder the proxy watches, so writing an import triggers no reload
 * until the link changes.
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WfError } from '../errors.ts';

export interface ImportPlace {
  /** The import's name (its folder name below the imported root). */
  readonly name: string;
  /** The path readers use: replaced by a symlink to the current version. */
  readonly into: string;
  /** Where versions and work in progress live. */
  readonly versionsDir: string;
}

/** The versions folder for `into`: `<dataDir>/lists/versions` for the default place, else `.wardgate-versions` beside it. */
export function defaultVersionsDir(into: string, importedDir: string): string {
  const parent = path.dirname(path.resolve(into));
  return parent === path.resolve(importedDir) ? path.join(path.dirname(parent), 'versions') : path.join(parent, '.wardgate-versions');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock for `place.name`; resolves to its release function. Throws
 * WF_ERR_CONFLICT while another live process holds it; a lock left by a
 * process that no longer runs is taken over.
 */
export async function lockImport(place: ImportPlace): Promise<() => Promise<void>> {
  await mkdir(place.versionsDir, { recursive: true });
  const file = path.join(place.versionsDir, `.${place.name}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return () => unlink(file).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storeError(`cannot create the lock file ${file}`, err);
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new WfError('WF_ERR_CONFLICT', `another import of "${place.name}" is running (process ${pid}); wait for it to finish, or remove ${file} if it is not running`);
      }
      await unlink(file).catch(() => undefined);
    }
  }
  throw new WfError('WF_ERR_CONFLICT', `cannot take the lock ${file}: another import of "${place.name}" keeps taking it`);
}

function storeError(message: string, err: unknown): WfError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new WfError('WF_ERR_STORE', `${message} (${code})`, { cause: err });
}

/** A fresh folder to write the import into (call with the lock held). */
export async function createStaging(place: ImportPlace): Promise<string> {
  try {
    const staging = await mkdtemp(path.join(place.versionsDir, `.${place.name}.partial-`));
    // mkdtemp makes it private; the proxy may run as another user than the importer, and the lists are public data.
    await chmod(staging, 0o755);
    return staging;
  } catch (err) {
    throw storeError(`cannot create a folder in ${place.versionsDir}`, err);
  }
}

/** The absolute folder `link` points to, or null when it is not a symlink. */
async function linkTarget(link: string): Promise<string | null> {
  try {
    return path.resolve(path.dirname(link), await readlink(link));
  } catch {
    return null;
  }
}

function stamp(now: Date): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Makes `staging` the current import at `place.into` (call with the lock
 * held). Resolves to the version folder it now points to.
 */
export async function publishImport(place: ImportPlace, staging: string, now: Date): Promise<string> {
  const version = path.join(place.versionsDir, `${place.name}@${stamp(now)}`);
  const parent = path.dirname(place.into);
  try {
    await rename(staging, version);
    await mkdir(parent, { recursive: true });
    const tmpLink = path.join(parent, `.${path.basename(place.into)}.link-${randomBytes(4).toString('hex')}`);
    await symlink(path.relative(parent, version), tmpLink, 'dir');
    const existing = await lstat(place.into).catch(() => null);
    if (existing !== null && !existing.isSymbolicLink()) {
      if (!existing.isDirectory()) throw new WfError('WF_ERR_INVALID_INPUT', `${place.into} exists and is not a folder: move it away first`);
      const aside = path.join(parent, `.${path.basename(place.into)}.replaced-${randomBytes(4).toString('hex')}`);
      await rename(place.into, aside);
      await rename(tmpLink, place.into);
      await rm(aside, { recursive: true, force: true });
    } else {
      await rename(tmpLink, place.into);
    }
  } catch (err) {
    if (err instanceof WfError) throw err;
    throw storeError(`cannot put the new lists in place at ${place.into}; the previous ones are still there`, err);
  }
  return version;
}

/** Removes versions of this import other than `keep`, and leftovers of interrupted imports. */
export async function pruneVersions(place: ImportPlace, keep: readonly (string | null)[]): Promise<void> {
  const kept = new Set(keep.filter((k): k is string => k !== null).map((k) => path.resolve(k)));
  const entries = await readdir(place.versionsDir).catch(() => [] as string[]);
  for (const name of entries) {
    const ours = name.startsWith(`${place.name}@`) || name.startsWith(`.${place.name}.partial-`) || name.startsWith(`.${place.name}.download-`);
    const full = path.join(place.versionsDir, name);
    if (ours && !kept.has(path.resolve(full))) await rm(full, { recursive: true, force: true });
  }
}

/** The version the link points to now (null when there is none, or it is not a link). */
export function currentVersion(place: ImportPlace): Promise<string | null> {
  return linkTarget(place.into);
}
