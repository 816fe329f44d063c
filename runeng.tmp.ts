import { runOnEspruino, runOnJerry } from '/work/wt-pairing/flash-scripts/hostEngines.ts';
const which = process.argv[2];
const bundle = process.argv[3];
const r = which === 'jerry'
  ? await runOnJerry('/work/wt-pairing/.engines/jerry', `/work/wt-pairing/dist/jerryscript/${bundle}.js`, true)
  : await runOnEspruino('/work/wt-pairing/.engines/espruino', `/work/wt-pairing/dist/espruino/${bundle}.js`);
console.log(which, bundle, 'code', r.code, (r.ms / 1000).toFixed(1) + ' s', (r as any).loadedFrom ?? '');
console.log(r.output.split('\n').filter((l) => /FAIL|passed|memory|Peak|rror/.test(l)).join('\n'));
