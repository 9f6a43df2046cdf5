/**
 * Import boundaries (STYLE.md §11.3): the pure cores never do I/O and never
 * reach into the proxy, stores or admin; the proxy never reaches into policy
 * internals or stores. Reads every src file's import lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*import\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => ({ spec: m[2]!, typeOnly: m[1] !== undefined }));
}

/** The src area an import points at (`classify`, `proxy`, …) or the bare package / node: module. */
function areaOf(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const resolved = relative(SRC, join(dirname(file), spec));
  return resolved.includes('/') ? resolved.split('/')[0]! : resolved.replace(/\.ts$/, '');
}

const RULES: Record<string, { forbidden: RegExp; typesAllowed?: RegExp }> = {
  classify: { forbidden: /^(node:(?!url$)|pino|better-sqlite3|undici|proxy|policy|pipeline|store|grants|directory|admin|lists|log|config|main|cli)/ },
  policy: { forbidden: /^(node:|pino|lru-cache|better-sqlite3|undici|proxy|pipeline|store|grants|directory|admin|lists|log|main|cli)/, typesAllowed: /^config$/ },
  pipeline: { forbidden: /^(node:|pino|better-sqlite3|undici|proxy|store|admin|log|main|cli)/, typesAllowed: /^directory$/ },
  lists: { forbidden: /^(proxy|pipeline|store|grants|directory|admin|main|cli|undici|better-sqlite3)/ },
  proxy: { forbidden: /^(policy|store|grants|lists|admin|main|cli|better-sqlite3)/, typesAllowed: /^(policy|config)$/ },
  // Grants need canonical scopes and the classifier (non-grantable check), never the proxy or the pipeline.
  grants: { forbidden: /^(proxy|pipeline|admin|lists|log|main|cli|undici|node:http|node:net)/ },
};

test('each src area imports only what its boundary allows', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const area = relative(SRC, file).split('/')[0]!;
    const rule = RULES[area];
    if (rule === undefined) continue;
    for (const { spec, typeOnly } of importsOf(file)) {
      const target = areaOf(file, spec);
      if (target === area) continue;
      if (typeOnly && rule.typesAllowed?.test(target)) continue;
      if (rule.forbidden.test(target)) violations.push(`${relative(SRC, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(violations, []);
});
