#!/usr/bin/env node
// The `smets` command: loads the TypeScript CLI through tsx (a runtime dependency), so that
// `npx smets` works straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
