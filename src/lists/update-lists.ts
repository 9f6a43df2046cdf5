/**
 * update-lists: `wardgate lists update` — re-imports every configured source
 * (config `lists.sources`), one after the other. Each source is its own
 * atomic import: one that fails keeps its previous lists and the others
 * still update. Nothing is printed here; the command decides what to say
 * (quiet for cron unless something failed).
 *
 * The running proxy watches `<dataDir>/lists/imported`, so a successful
 * update reaches it without a signal.
 */
import path from 'node:path';
import type { ListSourceSetting } from '../config/config.ts';
import { isWfError } from '../errors.ts';
import { importLists, type ImportResult } from './import-lists.ts';
import { importedListsDir } from './load-all-lists.ts';
import { defaultVersionsDir } from './publish-import.ts';

export type UpdateOutcome =
  | { readonly name: string; readonly ok: true; readonly result: ImportResult }
  | { readonly name: string; readonly ok: false; readonly error: Error };

export interface UpdateOptions {
  readonly dataDir: string;
  readonly download?: ((url: string, dest: string) => Promise<void>) | undefined;
  readonly maxBytes?: number | undefined;
  readonly now?: (() => Date) | undefined;
}

/** Imports each source in turn; resolves to one outcome per source, in order. Rethrows only faults that are not WfErrors. */
export async function updateLists(sources: readonly ListSourceSetting[], options: UpdateOptions): Promise<UpdateOutcome[]> {
  const importedDir = importedListsDir(options.dataDir);
  const outcomes: UpdateOutcome[] = [];
  for (const source of sources) {
    const into = path.join(importedDir, source.name);
    try {
      const result = await importLists({
        name: source.name,
        sources: [source.source],
        format: source.format,
        map: source.map,
        categories: source.categories,
        place: { name: source.name, into, versionsDir: defaultVersionsDir(into, importedDir) },
        download: options.download,
        maxBytes: options.maxBytes,
        now: options.now,
      });
      outcomes.push({ name: source.name, ok: true, result });
    } catch (error) {
      if (!isWfError(error)) throw error;
      outcomes.push({ name: source.name, ok: false, error });
    }
  }
  return outcomes;
}
