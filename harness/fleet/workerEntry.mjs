// Worker-thread entry for the embedded fleet (embedded.ts): worker threads do not inherit the tsx loader
// that bin/smets.js registers programmatically, so register it here before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./threadWorker.ts');
