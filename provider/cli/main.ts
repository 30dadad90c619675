#!/usr/bin/env node
/**
 * The `pulumi-atlas-org-invitations` command (package.json `bin`). Only wiring: everything else is
 * in run.ts and generate.ts, which tests run in-process. `process.exitCode` rather than
 * `process.exit()`, so stdout is flushed to a pipe before the process ends.
 */
import { run } from "./run";

void run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
