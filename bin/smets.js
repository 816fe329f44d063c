#!/usr/bin/env node
// The `smets` command: loads the TypeScript CLI through tsx (a runtime dependency), so that
// `npx smets` works straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
// `smets ... | head`: a reader that stops early is not an error.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
