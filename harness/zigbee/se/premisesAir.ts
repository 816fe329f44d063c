/**
 * The premises' HAN on the air (`smets lab --bearer zigbee --scenario scenarios/premises.json`): the lab's
 * Premises (harness/lab/premisesLab.ts) reaches its GSME, PPMID and IHD through the ZigBee bearer, each
 * commissioned like the ESME (CCS01 install code -> join -> CBKE -> tunnel):
 *   - the GSME (sleepy): the GPF's side of its tunnel (gpfTunnel.ts) and its wakes (zigbeeGsme.ts);
 *   - the PPMID and IHD: their HAN requests up their tunnels and the answers down, and the PPMID's GBCS
 *     to the GSME (PCS01) up its tunnel, the GSME's answer down it (hanTunnel.ts).
 * Node only. @module
 */
import type { HanRequest } from '../../../device/pairing/hanRequests.ts';
import type { PremisesAir } from '../../lab/premisesLab.ts';
import { serveGsme } from './gpfTunnel.ts';
import type { GpfTunnelStats } from './gpfTunnel.ts';
import { sendGbcs, serveHanRequests } from './hanTunnel.ts';
import type { ZigbeeBearer } from './zigbeeBearer.ts';

export interface PremisesAirStats {
  gpf?: GpfTunnelStats;
  han: Record<string, { requests: number; puts: number; malformed: number; sendFailures: number }>;
}

/** The premises' air over `bearer`, on which the GSME (`'gsme'`), the PPMID and the IHD (`'han'`) are enrolled. */
export function premisesAir(bearer: ZigbeeBearer, euis: { gsme: string; ppmid: string; ihd: string }): PremisesAir & { stats: PremisesAirStats } {
  const gsmeEui = euis.gsme.toLowerCase();
  const stats: PremisesAirStats = { han: {} };
  let gpf: ReturnType<typeof serveGsme> | undefined;
  let pending: Promise<void> = Promise.resolve();
  // after CCS02 the hub removed the device from the network (Mgmt_Leave): it cannot send at all
  const removed = (eui: string) => (bearer.hub.onLog(eui) ? undefined : { ok: false as const, reason: 'not-on-log', detail: 'off the CHF Device Log, removed from the ZigBee network' });
  return {
    stats,
    serveGsme(o) {
      gpf = serveGsme(bearer.hub, gsmeEui, o);
      stats.gpf = gpf.stats;
    },
    async wakeGsme(device) {
      // the devices join at their han-join steps: the GSME is on the bearer (and herdsman knows it) by its first wake
      const gsme = bearer.gsmes[gsmeEui];
      if (!gsme || !gsme.radio.joined) return { delivered: 0, answered: 0, stopped: 'not-on-the-air', ms: 0 };
      gpf?.attach();
      return gsme.wake(device, { answerMs: Math.max(8000, bearer.answerWindowMs) });
    },
    serveHanRequests(handle, put) {
      for (const e of [euis.ppmid, euis.ihd]) {
        const eui = e.toLowerCase();
        const from = Uint8Array.from(Buffer.from(eui, 'hex'));
        stats.han[eui] = serveHanRequests(bearer.hub, eui, (r: HanRequest) => handle(from, r), (f) => put(from, f));
      }
    },
    async hanPut(from, frame) {
      const eui = from.toLowerCase();
      const d = bearer.hanDevices[eui];
      if (!d) return { ok: false, reason: 'not-on-the-air' };
      if (!d.radio.joined) return removed(eui) ?? { ok: false, reason: 'not-on-the-air', detail: 'not on the ZigBee network' };
      const before = bearer.hub.refusals.length;
      const r = await d.put(frame);
      if (r === 'acked') return { ok: true };
      const why = bearer.hub.refusals.slice(before).filter((x) => x.eui === eui).map((x) => x.reason);
      if (r === 'refused' && why.length) return { ok: false, reason: why[why.length - 1], detail: 'its frame refused by the hub (Default Response NOT_AUTHORIZED)' };
      return removed(eui) ?? { ok: false, reason: r === 'refused' ? 'refused' : 'no-answer' };
    },
    hanLink(eui, received) {
      const e = eui.toLowerCase();
      return {
        send(frame) {
          const sent = sendGbcs(bearer.hub, e, frame).then(() => {
            const d = bearer.hanDevices[e];
            if (d) for (const f of d.inbox.splice(0)) received(f);
          });
          pending = pending.then(() => sent);
        },
      };
    },
    settled() {
      return pending;
    },
    async hanRequest(from, request) {
      const eui = from.toLowerCase();
      const d = bearer.hanDevices[eui];
      if (!d) return { ok: false, reason: 'not-on-the-air' };
      const hub = bearer.hub;
      if (!d.radio.joined) return removed(eui) ?? { ok: false, reason: 'not-on-the-air', detail: 'not on the ZigBee network' };
      const before = hub.refusals.length;
      const r = await d.request(request, Math.max(8000, bearer.answerWindowMs));
      if (r.ok) return { ok: true, answer: r.answer };
      // the hub's reason for refusing the frame (ZigbeeHub: not-on-log, no-tunnel), when it gave one
      const why = hub.refusals.slice(before).filter((x) => x.eui === eui).map((x) => x.reason);
      if (r.reason === 'refused' && why.length) return { ok: false, reason: why[why.length - 1], detail: 'its frame refused by the hub (Default Response NOT_AUTHORIZED)' };
      return removed(eui) ?? { ok: false, reason: r.reason };
    },
  };
}
