/**
 * Builders the composition roots (src/main.ts for `serve`, the CLI commands)
 * share, so that `wardgate classify` runs exactly the classifier and policy
 * the proxy runs.
 */
import { createClassifier, type Classifier } from './classify/classifier.ts';
import type { Config } from './config/config.ts';
import { importedListsDir, loadAllLists } from './lists/load-all-lists.ts';
import { loadCategories, type ListDiagnostic } from './lists/load-categories.ts';
import { buildPolicy } from './policy/build-policy.ts';
import type { Policy } from './policy/policy-model.ts';

export interface ListsSnapshot {
  readonly classifier: Classifier;
  readonly policy: Policy;
  readonly diagnostics: readonly ListDiagnostic[];
}

/**
 * Loads the category folders, plus the imported lists in
 * `<dataDir>/lists/imported` when `dataDir` is given, and compiles them. Bad
 * lines are skipped and returned as diagnostics; a missing categories root
 * throws WF_ERR_NO_INDEX (fail closed: the proxy never runs without lists),
 * while a missing imported folder just means nothing was imported.
 */
export async function loadListsSnapshot(
  config: Pick<Config, 'categoriesDir' | 'categories' | 'classifyCacheSize'> & Partial<Pick<Config, 'dataDir'>>,
): Promise<ListsSnapshot> {
  const loaded = config.dataDir === undefined
    ? await loadCategories(config.categoriesDir)
    : await loadAllLists(config.categoriesDir, importedListsDir(config.dataDir));
  const classifier = createClassifier(loaded.input, { cacheSize: config.classifyCacheSize });
  const policy = buildPolicy(loaded.categories, config.categories);
  return { classifier, policy, diagnostics: loaded.diagnostics };
}

export function formatDiagnostic(d: ListDiagnostic): string {
  return d.line > 0 ? `${d.file}:${d.line}: ${d.message}` : `${d.file}: ${d.message}`;
}
