/**
 * Runs compile-worker.ts in a worker thread and resolves with the index file
 * bytes, already checked there (open them with openCompiledLists `checked`). The worker file is found next to this one, `.ts` under tsx (tests,
 * development) and `.js` in dist/ (production).
 */
import { startWorker, workerModuleUrl } from '../start-worker.ts';
import { WfError, type WfErrorCode } from '../errors.ts';
import type { ListsSources } from './compiled-lists.ts';

const WORKER_URL = workerModuleUrl('compile-worker', import.meta.url);

type WorkerReply = { ok: true; buffer: ArrayBuffer } | { ok: false; code: string | null; message: string };

export function compileInWorker(sources: ListsSources): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(WORKER_URL, { workerData: sources });
    let settled = false;
    worker.once('message', (reply: WorkerReply) => {
      settled = true;
      if (reply.ok) resolve(new Uint8Array(reply.buffer));
      else reject(new WfError(reply.code?.startsWith('WF_ERR_') ? (reply.code as WfErrorCode) : 'WF_ERR_LIST_INVALID', reply.message));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      if (!settled) reject(new WfError('WF_ERR_LIST_INVALID', `the list compiler failed: ${error.message}`, { cause: error }));
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new WfError('WF_ERR_LIST_INVALID', `the list compiler stopped (exit code ${code}) without a result`));
    });
  });
}
