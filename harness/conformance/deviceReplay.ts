/**
 * `smets conformance DIR --keys KEYDIR --device`: replays every COMMAND file addressed to a reference
 * device — the ESME 00DB1234567890A0 (referenceDevice.ts), the GSME 00DB1234567890A1 (referenceGsme.ts)
 * and, behind the hub, the CHF …A2, the GPF …A3 and the HAN devices …A4-A6 (referenceHub.ts), one factory
 * per recipient in `targets` — through a simulated device
 * (harness/referenceDevice/replay.ts): accepted, answered with
 * the RESPONSE file's message code / counter / originator / recipient, refused when replayed, and every
 * single-byte mutation refused with stored state unchanged. Each command file starts from a freshly
 * manufactured reference device (its use case's starting state); a folder is replayed when its first file
 * is checked and the per-file results are reported as checks; the totals print when the run ends.
 * KEYDIR is the `--keys` value (read from the command line, since `--device` is a flag).
 * @module
 */
import { dirname } from 'node:path';
import { registerConformanceExtension } from './extensions.ts';
import type { CheckResult, ConformanceCheck, FileUnderTest } from './checks.ts';
import { loadReferenceKeys } from '../referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../referenceDevice/referenceDevice.ts';
import { esmeTarget, findIssuingCa, replayFolder } from '../referenceDevice/replay.ts';
import type { CommandReplay, ReferenceTarget } from '../referenceDevice/replay.ts';
import { joinPpmidByCs03c, loadGsmeKeys, REFERENCE_GSME_EUI, referenceGsme } from '../referenceDevice/referenceGsme.ts';
import type { Board } from '../../boards/board.ts';
import type { SmetsDevice } from '../../device/index.ts';
import { hubTargets } from '../referenceDevice/referenceHub.ts';

interface Totals { commands: number; accepted: number; skipped: number; unverifiable: number; tried: number; mutationsAccepted: number; changed: number; contentMatches: number }

/** The reference devices, one factory per recipient EUI (another device kind adds its line here). */
function targets(keyDir: string, keys: ReferenceKeys, rootStandIn: Uint8Array | undefined): ReferenceTarget[] {
  const out: ReferenceTarget[] = [esmeTarget(keys, rootStandIn)];
  const gsme = loadGsmeKeys(keyDir);
  if (typeof gsme === 'string') console.log('device: no reference GSME: ' + gsme);
  else {
    console.log('device: reference GSME ' + REFERENCE_GSME_EUI + ': its private keys are not published: STAND-IN KA and DS keys, its ECDH secrets taken from the parties\' side (' + Object.keys(gsme.parties).length + ' KA keys in KEYDIR); its clock at the RTDS time, 2015-01-01T00:00:00Z');
    out.push({
      eui: REFERENCE_GSME_EUI, label: 'GSME', make: (useCase) => referenceGsme(keys, gsme, rootStandIn, undefined, useCase),
      joinHan: (m, eui) => joinPpmidByCs03c(keyDir, gsme, m.board as Board, m.device as SmetsDevice, eui),
    });
  }
  for (const t of hubTargets(keyDir, keys, rootStandIn, (line) => console.log(line))) out.push(t);
  return out;
}

function keyDirFromArgs(): string | undefined {
  const i = process.argv.indexOf('--keys');
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function deviceChecks(): ConformanceCheck[] | string {
  const keyDir = keyDirFromArgs();
  if (!keyDir) return '--device needs --keys KEYDIR (the reference device\'s KA key and the organisation certificates)';
  const keys = loadReferenceKeys(keyDir);
  if (typeof keys === 'string') return keys;
  const folders: Record<string, Record<string, CommandReplay>> = {};
  let rootStandIn: Uint8Array | undefined;
  let rootSearched = false;
  const totals: Record<string, Totals> = {};
  let devices: ReferenceTarget[] | undefined;
  console.log('device: reference device 00db1234567890a0, KA key from KEYDIR; ' + (keys.dsStandIn ? 'its DS private key is not published: critical responses are signed with a STAND-IN DS key' : 'DS key from KEYDIR'));
  if (keys.missing.length) console.log('device: no trust anchor for ' + keys.missing.join(', '));
  process.on('exit', () => {
    for (const label of Object.keys(totals)) {
      const t = totals[label];
      console.log('device ' + label + ': ' + t.accepted + ' of ' + (t.commands - t.skipped - t.unverifiable) + ' commands accepted with the expected response' + (t.skipped ? ' (' + t.skipped + ' skipped)' : '') + (t.unverifiable ? ', ' + t.unverifiable + ' MAC unverifiable (neither KA private key published; counted apart)' : '') + ', content equal to the RESPONSE file ' + t.contentMatches + '; mutations tried ' + t.tried + ', accepted ' + t.mutationsAccepted + ', state changed by a rejected mutation ' + t.changed);
    }
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
      if (!devices) devices = targets(keyDir, keys as ReferenceKeys, rootStandIn);
      if (!folders[useCase]) {
        folders[useCase] = {};
        for (const target of devices) {
          const t = totals[target.label] ?? (totals[target.label] = { commands: 0, accepted: 0, skipped: 0, unverifiable: 0, tried: 0, mutationsAccepted: 0, changed: 0, contentMatches: 0 });
          for (const r of replayFolder(dirname(f.file.absolutePath) + '/..', useCase, keys as ReferenceKeys, rootStandIn, true, target)) {
            folders[useCase][r.path] = r;
            t.commands++;
            if (r.skipped) t.skipped++;
            if (r.unverifiable) t.unverifiable++;
            t.tried += r.mutationsTried;
            t.mutationsAccepted += r.mutationsAccepted;
            t.changed += r.mutationsChangedState;
            if (r.contentMatches) t.contentMatches++;
            if (r.accepted && r.responseMatches && r.replayRefused && r.mutationsAccepted === 0 && r.mutationsChangedState === 0) t.accepted++;
          }
        }
      }
      const r = folders[useCase][f.file.path];
      if (!r) return { name: 'device', ok: true, detail: 'not replayed (not addressed to a reference device: ' + devices.map((d) => d.label).join(', ') + ')' };
      if (r.skipped) return { name: 'device', ok: true, detail: 'skipped (' + r.skipped + ')' };
      if (r.unverifiable) {
        const clean = r.mutationsAccepted === 0 && r.mutationsChangedState === 0;
        return { name: 'device', ok: clean, detail: r.unverifiable + '; ' + r.decoded + '; mutations ' + r.mutationsTried + ' tried, ' + r.mutationsAccepted + ' accepted' + (clean ? '' : ', ' + r.mutationsChangedState + ' changed state') };
      }
      const problems: string[] = [];
      if (!r.accepted) problems.push('refused: ' + r.rejection);
      if (!r.responseMatches) problems.push(r.responseDetail);
      if (!r.replayRefused) problems.push('replay not refused');
      if (r.mutationsAccepted) problems.push(r.mutationsAccepted + ' mutations accepted');
      if (r.mutationsChangedState) problems.push(r.mutationsChangedState + ' rejected mutations changed state');
      const detail = r.responseDetail + (r.contentMatches ? ', content equal' : r.contentDetail ? ' (' + r.contentDetail + ')' : '') + '; mutations ' + r.mutationsTried + ' tried, ' + r.mutationsAccepted + ' accepted';
      return { name: 'device', ok: problems.length === 0, detail: problems.length ? problems.join('; ') : detail };
    },
  };
  return [check];
}

registerConformanceExtension({
  option: '--device',
  help: 'replay each command to the reference device it addresses (ESME …A0, GSME …A1, CHF …A2, GPF …A3, HAN devices …A4-A6) through a simulated device of its kind (needs --keys KEYDIR)',
  checks: () => deviceChecks(),
});
