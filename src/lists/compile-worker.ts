/**
 * Worker-thread entry: compiles the lists off the main thread and hands the
 * serialised index back as a transferred ArrayBuffer (no copy), so a rebuild
 * of millions of domains never stalls a request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileLists, serialiseCompiledLists, type ListsSources } from './compiled-lists.ts';

const sources = workerData as ListsSources;
try {
  const bytes = serialiseCompiledLists(await compileLists(sources));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  parentPort!.postMessage({ ok: true, buffer }, [buffer as ArrayBuffer]);
} catch (error) {
  const e = error as { code?: string; message?: string };
  parentPort!.postMessage({ ok: false, code: e.code ?? null, message: e.message ?? String(error) });
}
