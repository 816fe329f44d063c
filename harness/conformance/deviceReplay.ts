/**
 * `smets conformance DIR --keys KEYDIR --device`: replays every COMMAND file addressed to a reference
 * device (00DB1234567890A0 ESME, …A2 CHF, …A3 GPF, …A4-A6 HAN devices; harness/referenceDevice/) through a
 * simulated device of its kind (harness/referenceDevice/replay.ts): accepted, answered with
 * the RESPONSE file's message code / counter / originator / recipient, refused when replayed, and every
 * single-byte mutation refused with stored state unchanged. Each command file starts from a freshly
 * manufactured reference device (its use case's starting state); a folder is replayed when its first file
 * is checked and the per-file results are reported as checks; the totals print when the run ends, per device:
 * replayed, matched (accepted with the expected response, replay refused, no mutation accepted or
 * changing state), content identical to the RESPONSE file, mutations tried and accepted (must be 0).
 * KEYDIR is the `--keys` value (read from the command line, since `--device` is a flag).
 * @module
 */
import { dirname } from 'node:path';
import { registerConformanceExtension } from './extensions.ts';
import type { CheckResult, ConformanceCheck, FileUnderTest } from './checks.ts';
import { loadReferenceKeys, REFERENCE_DEVICES } from '../referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../referenceDevice/referenceDevice.ts';
import { findIssuingCa, replayFolder } from '../referenceDevice/replay.ts';
import type { CommandReplay } from '../referenceDevice/replay.ts';

function keyDirFromArgs(): string | undefined {
  const i = process.argv.indexOf('--keys');
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function deviceChecks(): ConformanceCheck[] | string {
  const keyDir = keyDirFromArgs();
  if (!keyDir) return '--device needs --keys KEYDIR (the reference device\'s KA key and the organisation certificates)';
  const all: ReferenceKeys[] = [];
  for (const d of REFERENCE_DEVICES) {
    const k = loadReferenceKeys(keyDir, d.eui, d.kind);
    if (typeof k === 'string') return k;
    all.push(k);
    console.log('device: ' + d.kind + ' ' + d.eui + ': ' + (k.kaStandIn ? 'KA private key not published: its ECDH secrets taken from the parties\' side (' + (k.parties ?? []).join(', ') + ')' : 'KA key from KEYDIR') + '; ' + (k.dsStandIn ? 'DS private key not published: critical responses signed with a STAND-IN DS key' : 'DS key from KEYDIR'));
  }
  const keys = all[0];
  const folders: Record<string, Record<string, CommandReplay>> = {};
  let rootStandIn: Uint8Array | undefined;
  let rootSearched = false;
  const totals = { commands: 0, accepted: 0, skipped: 0, tried: 0, mutationsAccepted: 0, changed: 0 };
  const perDevice: Record<string, { kind: string; replayed: number; matched: number; identical: number; tried: number; accepted: number; changed: number; skipped: number }> = {};
  for (const k of all) perDevice[k.eui] = { kind: k.kind, replayed: 0, matched: 0, identical: 0, tried: 0, accepted: 0, changed: 0, skipped: 0 };
  if (keys.missing.length) console.log('device: no trust anchor for ' + keys.missing.join(', '));
  process.on('exit', () => {
    for (const eui of Object.keys(perDevice)) {
      const d = perDevice[eui];
      console.log('device: ' + d.kind + ' ' + eui + ': replayed ' + d.replayed + ', matched ' + d.matched + ', content identical ' + d.identical + (d.skipped ? ', skipped ' + d.skipped : '') + '; mutations ' + d.tried + ', accepted ' + d.accepted + ', state changed ' + d.changed);
    }
    console.log('device: ' + totals.accepted + ' of ' + (totals.commands - totals.skipped) + ' commands accepted with the expected response' + (totals.skipped ? ' (' + totals.skipped + ' skipped: their keys are not in KEYDIR)' : '') + '; mutations tried ' + totals.tried + ', accepted ' + totals.mutationsAccepted + ', state changed by a rejected mutation ' + totals.changed);
  });
  const check: ConformanceCheck = {
    name: 'device',
    run(f: FileUnderTest): CheckResult {
      if (f.file.kind !== 'COMMAND' || !f.message) return { name: 'device', ok: true, detail: 'not replayed (not a command)' };
      const useCase = f.file.useCase;
      if (!rootSearched) {
        rootSearched = true;
        const top = f.file.absolutePath.substring(0, f.file.absolutePath.length - f.file.path.length - 1);
        if (!keys.root) {
          rootStandIn = findIssuingCa(top);
          console.log('device: no Root OCA certificate in KEYDIR: the root cell holds a STAND-IN, the Issuing OCA certificate from a CS02b certification path' + (rootStandIn ? '' : ' (none found: CS02b path checks will fail)'));
        }
      }
      if (!folders[useCase]) {
        folders[useCase] = {};
        for (const r of replayFolder(dirname(f.file.absolutePath) + '/..', useCase, all, rootStandIn, true)) {
          folders[useCase][r.path] = r;
          const d = perDevice[r.device];
          totals.commands++;
          d.replayed++;
          if (r.skipped) {
            totals.skipped++;
            d.skipped++;
          }
          totals.tried += r.mutationsTried;
          totals.mutationsAccepted += r.mutationsAccepted;
          totals.changed += r.mutationsChangedState;
          d.tried += r.mutationsTried;
          d.accepted += r.mutationsAccepted;
          d.changed += r.mutationsChangedState;
          if (r.contentIdentical) d.identical++;
          if (r.accepted && r.responseMatches && r.replayRefused && r.mutationsAccepted === 0 && r.mutationsChangedState === 0) {
            totals.accepted++;
            d.matched++;
          }
        }
      }
      const r = folders[useCase][f.file.path];
      if (!r) return { name: 'device', ok: true, detail: 'not replayed (not addressed to a reference device)' };
      if (r.skipped) return { name: 'device', ok: true, detail: 'skipped (' + r.skipped + ')' };
      const problems: string[] = [];
      if (!r.accepted) problems.push('refused: ' + r.rejection);
      if (!r.responseMatches) problems.push(r.responseDetail);
      if (!r.replayRefused) problems.push('replay not refused');
      if (r.mutationsAccepted) problems.push(r.mutationsAccepted + ' mutations accepted');
      if (r.mutationsChangedState) problems.push(r.mutationsChangedState + ' rejected mutations changed state');
      const detail = r.responseDetail + '; mutations ' + r.mutationsTried + ' tried, ' + r.mutationsAccepted + ' accepted';
      return { name: 'device', ok: problems.length === 0, detail: problems.length ? problems.join('; ') : detail };
    },
  };
  return [check];
}

registerConformanceExtension({
  option: '--device',
  help: 'replay each command to the reference device it addresses (ESME …A0, CHF …A2, GPF …A3, HAN devices …A4-A6) through a simulated device of its kind (needs --keys KEYDIR)',
  checks: () => deviceChecks(),
});
