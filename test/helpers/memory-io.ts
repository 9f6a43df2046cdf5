/** In-memory CliIO for driving commands in-process. */
import { PassThrough, Readable } from 'node:stream';
import type { CliIO } from '../../src/cli/cli-io.ts';

export interface MemoryIO extends CliIO {
  out(): string;
  err(): string;
}

export function memoryIO(stdinText = '', env: NodeJS.ProcessEnv = {}): MemoryIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, stdin: Readable.from([stdinText]), env, out: () => out, err: () => err };
}
