#!/usr/bin/env node
// Entry point for the `wardgate` command (package.json "bin"). Runs the
// compiled CLI from dist/, which `npm install` builds (the "prepare" script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('wardgate: dist/cli.js is missing; run `npm install` (or `npm run build`) in the wardgate folder first\n');
  process.exit(1);
}
const { runCli } = await import(cli.href);
const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
process.exitCode = await runCli(process.argv.slice(2), io);
