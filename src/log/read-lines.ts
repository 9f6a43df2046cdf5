/**
 * Streams the lines of a decision log file, plain or gzip (`.gz`), without
 * loading it whole: the verifier and the report tool read months of logs.
 * Each line says whether it ended with `\n`, because a missing line end on
 * the last line is how a write cut short by a crash shows.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

export interface LogLine {
  /** The line without its `\n`. */
  readonly text: string;
  /** 1-based line number in the file. */
  readonly number: number;
  /** False only for a last line that has no `\n`. */
  readonly terminated: boolean;
}

export async function* readLogLines(path: string): AsyncGenerator<LogLine> {
  const source = createReadStream(path);
  let input: NodeJS.ReadableStream = source;
  if (path.endsWith('.gz')) {
    const gunzip = createGunzip();
    // pipe() does not forward the source's errors; without this a read error would hang the loop.
    source.on('error', (error) => gunzip.destroy(error));
    input = source.pipe(gunzip);
  }
  input.setEncoding('utf8');
  let rest = '';
  let number = 0;
  for await (const chunk of input as AsyncIterable<string>) {
    let start = 0;
    let text = rest + chunk;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      number += 1;
      yield { text: text.slice(start, end), number, terminated: true };
      start = end + 1;
    }
    rest = text.slice(start);
    text = '';
  }
  if (rest !== '') yield { text: rest, number: number + 1, terminated: false };
}
