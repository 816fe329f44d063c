/**
 * The CHF drives the ZigBee hub (issue 16): what the DCC's CCS01 and CCS02 do to the CHF Device Log
 * (hub/chf.ts, run by the CHF's own GBCS pipeline) is what opens and closes the HAN on the herdsman
 * Controller. The hub (`hub/`, portable) knows nothing of ZigBee: this module follows its Device Log
 * through `CommunicationsHub.onDeviceLogChange` and, for each device that
 *   - appeared on the log (CCS01, or CCS03's restore): `ZigbeeHub.ccs01` with the install code and
 *     join_timeout the log holds (install code into the Controller, permit join for the window);
 *   - left the log (CCS02): `ZigbeeHub.ccs02` (off the ZigBee hub's log, CBKE key and tunnel dropped,
 *     Mgmt_Leave, then a new network key for the devices that stay).
 * Those calls go one after another (the Controller is asynchronous, the hub's hook is not); `settled()`
 * waits for them. A device's join on the air (`hanJoin`) waits for them first. Node only. @module
 */
import type { CommunicationsHub } from '../../../hub/communicationsHub.ts';
import type { DeviceLogEntry } from '../../../hub/deviceLog.ts';
import { withCrc } from '../../../hub/installCode.ts';
import { toHex } from '../../../lib/bytes.ts';
import type { ZigbeeBearer } from './zigbeeBearer.ts';

export type HanJoinOutcome = { ok: true; detail: string } | { ok: false; reason: string; detail: string };

export interface ChfDriver {
  /** What the CHF's log changes did on the ZigBee hub, oldest first (for the report and the tests). */
  readonly events: string[];
  /** Resolves when every ZigBee hub call the log changes so far caused has finished. */
  settled(): Promise<void>;
  /**
   * An enrolled device (its simulated meter on the air) joins the HAN now, with whatever window its
   * CCS01 opened, then CBKE and its tunnel; undefined for a device that is not on ZigBee here.
   */
  hanJoin(eui: string): Promise<HanJoinOutcome | undefined>;
}

export function driveZigbeeHubFromChf(o: { chf: CommunicationsHub; bearer: ZigbeeBearer; progress: (line: string) => void }): ChfDriver {
  const zigbee = o.bearer.hub;
  const events: string[] = [];
  const note = (line: string) => {
    events.push(line);
    o.progress('zigbee: ' + line);
  };
  let known: Record<string, DeviceLogEntry> = {};
  let queue: Promise<unknown> = Promise.resolve();
  const then = (work: () => Promise<void>) => {
    queue = queue.then(work).catch((e) => note('ZigBee hub call failed: ' + (e as Error).message));
  };
  o.chf.onDeviceLogChange((log) => {
    const now: Record<string, DeviceLogEntry> = {};
    for (const entry of log) now[toHex(entry.ieeeAddress)] = entry;
    for (const eui of Object.keys(now)) {
      if (known[eui]) continue;
      const entry = now[eui];
      const code = toHex(withCrc(entry.installCode)).toUpperCase();
      then(async () => {
        const r = await zigbee.ccs01(eui, code, entry.joinTimeout);
        note('CHF Device Log + ' + eui.toUpperCase() + ' (CCS01): ' + (r.ok
          ? 'install code into the herdsman Controller, joining permitted for ' + Math.min(entry.joinTimeout, 254) + ' s (CCS01 window ' + entry.joinTimeout + ' s)'
          : 'the ZigBee hub refused the install code: ' + r.reason));
      });
    }
    for (const eui of Object.keys(known)) {
      if (now[eui]) continue;
      then(async () => {
        const r = await zigbee.ccs02(eui);
        note('CHF Device Log - ' + eui.toUpperCase() + ' (CCS02): ' + (r.removed ? 'removed from the ZigBee network (Mgmt_Leave)' : 'not on the ZigBee network') +
          (r.networkKey ? '; ' + r.networkKey : ''));
      });
    }
    known = now;
  });
  return {
    events,
    settled: () => queue.then(() => undefined),
    async hanJoin(eui) {
      const e = eui.toLowerCase();
      await queue;
      const meter = o.bearer.meters[e];
      if (!meter) return undefined;
      if (meter.radio.joined) return { ok: true, detail: 'already on the ZigBee network' };
      const r = await o.bearer.joinEnrolled(e);
      if (!r.ok) {
        note(e.toUpperCase() + ' did not get on the HAN: ' + r.at + ' ' + r.reason);
        return { ok: false, reason: 'zigbee ' + r.at + ' ' + r.reason, detail: 'over ZigBee: ' + r.at + ' failed: ' + r.reason };
      }
      const line = 'joined the herdsman network with its install code in ' + r.joinMs.toFixed(0) + ' ms, CBKE in ' + r.cbkeMs.toFixed(0) + ' ms, tunnel in ' + r.tunnelMs.toFixed(0) + ' ms';
      note(e.toUpperCase() + ' ' + line);
      return { ok: true, detail: 'over ZigBee: ' + line };
    },
  };
}
