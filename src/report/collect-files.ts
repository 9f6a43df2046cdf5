/**
 * Reads decision log files, in the order given, into a ReportCollector: the
 * loop shared by a report read in one thread and each worker thread's share.
 * Turns the ways a file can fail to be read into WfErrors naming the file.
 */
import { WfError } from '../errors.ts';
import { readLogText } from './read-log-text.ts';
import type { ReportCollector } from './report-collector.ts';

export interface FileToRead {
  /** The chain the file belongs to (`main`, `w<label>`, `given`). */
  readonly chain: string;
  readonly path: string;
  /** Size on disk, for progress. */
  readonly bytes: number;
}

/** @param onProgress after each chunk: bytes of these files read so far (on disk), lines so far. */
export async function collectFiles(collector: ReportCollector, files: readonly FileToRead[], onProgress?: (bytesRead: number, lines: number) => void): Promise<void> {
  let bytesDone = 0;
  let lines = 0;
  for (const file of files) {
    const source = { chain: file.chain, file: file.path };
    collector.startFile(source);
    try {
      await readLogText(
        file.path,
        (text, number, terminated) => {
          lines += 1;
          collector.line(source, text, number, terminated);
        },
        (bytesRead) => onProgress?.(bytesDone + bytesRead, lines),
      );
    } catch (error) {
      throw unreadable(file.path, error);
    }
    bytesDone += file.bytes;
  }
}

export function unreadable(path: string, error: unknown): Error {
  if (error instanceof WfError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new WfError('WF_ERR_NOT_FOUND', `cannot read ${path}: no such file`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new WfError('WF_ERR_INVALID_INPUT', `cannot read ${path}: permission denied`, { cause: error });
  if (code === 'EISDIR') return new WfError('WF_ERR_INVALID_INPUT', `cannot read ${path}: it is a folder`, { cause: error });
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new WfError('WF_ERR_INVALID_INPUT', `cannot read ${path}: not a valid gzip file (${(error as Error).message})`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
