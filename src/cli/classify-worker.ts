/**
 * One worker thread of `classify --stdin --jobs N` (classify-in-workers.ts).
 * It starts before the main thread has read the index, so that loading
 * this code overlaps the read; then it is sent the index (in shared memory),
 * builds its own classifier and policy over it exactly as the one-thread
 * command does, and turns each piece of input into the bytes of its output
 * lines, posted back with the piece's number so that the main thread
 * writes them in order.
 */
import { parentPort } from 'node:worker_threads';
import { snapshotOf } from '../compose.ts';
import { openCompiledLists } from '../lists/compiled-lists.ts';
import type { RuntimeSnapshot } from '../pipeline/runtime-snapshot.ts';
import { ByteSink, ChunkCollector } from './byte-sink.ts';
import { evaluateUrl, evaluationSnapshot } from './url-evaluation.ts';
import type { ClassifyPiece, ClassifySetup, FromClassifyWorker, ToClassifyWorker } from './classify-in-workers.ts';
import { writeClassifyLine } from './classify-line.ts';
import { completeLines } from './line-batches.ts';

const port = parentPort!;
const post = (message: FromClassifyWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const collector = new ChunkCollector();
const sink = new ByteSink(collector);
let setup: ClassifySetup | null = null;
let snapshot: RuntimeSnapshot | null = null;

function classifyPiece(piece: ClassifyPiece): void {
  if (setup === null || snapshot === null) throw new Error('a piece arrived before the lists');
  const urls = piece.urls ?? completeLines(piece.text ?? '');
  let failures = 0;
  for (const raw of urls) {
    const result = evaluateUrl(raw, snapshot, setup.memberId);
    if ('error' in result) failures++;
    writeClassifyLine(sink, result, setup.format);
  }
  sink.flush();
  const chunks = collector.take();
  // Each chunk has a buffer of its own: hand the memory over (the main thread gives it back once written).
  post({ type: 'lines', seq: piece.seq, chunks, failures }, chunks.map((c) => c.buffer as ArrayBuffer));
}

port.on('message', (message: ToClassifyWorker) => {
  try {
    switch (message.type) {
      case 'setup':
        setup = message;
        snapshot = evaluationSnapshot(snapshotOf(openCompiledLists(message.bytes, message.checksum), message.config, 'index-file'), message.directory);
        break;
      case 'piece':
        classifyPiece(message);
        break;
      case 'written':
        collector.give(message.buffers);
        break;
    }
  } catch (error) {
    post({ type: 'error', message: (error as Error).message });
  }
});
