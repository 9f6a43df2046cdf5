/**
 * Worker-thread entry: compiles the lists off the main thread, checks the
 * serialised index as a file read from disk would be checked (checksum and
 * structure), and hands it back as a transferred ArrayBuffer (no copy), so
 * a rebuild of millions of domains never stalls a request. The main thread
 * opens it without repeating the checks (openCompiledLists `checked`):
 * with the UT1 index they are 90–210 ms that every request in flight
 * would otherwise wait for at the swap.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { loadIndex } from '../classify/index-file.ts';
import { compileLists, serialiseCompiledLists, type ListsSources } from './compiled-lists.ts';

/**
 * Niceness this thread adds to its own. Linux keeps a nice value per thread
 * and os.setPriority() without a pid names the calling thread, so this
 * lowers the compiler alone: on a 2-core machine the proxy's main thread
 * then wins the CPU while requests wait, and the compile takes what is left.
 * 10, not 19: under full load the compile must still finish.
 */
const NICE_INCREMENT = 10;

function lowerOwnPriority(): void {
  try {
    os.setPriority(Math.min(19, os.getPriority() + NICE_INCREMENT));
  } catch {
    // Not permitted or not supported here: compile at the usual priority.
  }
}

/**
 * An ArrayBuffer holding exactly `bytes`, to transfer. serialiseIndex's
 * Buffer.alloc gives the file its own ArrayBuffer, so that is handed over
 * as it is: copying it cost 356–381 ms and 110 MB more memory with UT1.
 * Bytes that are a view into a larger buffer (a pooled Buffer, should the
 * serialiser ever make one) are copied, so nothing else is transferred away.
 */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer;
}

const sources = workerData as ListsSources;
lowerOwnPriority();
try {
  const bytes = serialiseCompiledLists(await compileLists(sources));
  loadIndex(bytes); // throws WF_ERR_LIST_INVALID: the previous lists keep serving
  const buffer = ownBuffer(bytes);
  parentPort!.postMessage({ ok: true, buffer }, [buffer]);
} catch (error) {
  const e = error as { code?: string; message?: string };
  parentPort!.postMessage({ ok: false, code: e.code ?? null, message: e.message ?? String(error) });
}
