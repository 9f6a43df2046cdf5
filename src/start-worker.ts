/**
 * Starts a wardgate worker thread from a module next to the caller: `.ts`
 * under tsx (tests, development), `.js` in dist/ (production). Under tsx the
 * parent's loader hooks do not reach a worker thread on Node 20, so the
 * worker registers tsx itself before importing the TypeScript entry.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The URL of worker module `name` (no extension) beside the module at `callerUrl` (its import.meta.url). */
export function workerModuleUrl(name: string, callerUrl: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl);
}

export function startWorker(url: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
