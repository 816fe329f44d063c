/**
 * The GPF's side of the GSME's SE tunnel: the pull flow of a sleepy GSME (HAN-FACTS "Sleepy GSME"; the
 * GSME's side is zigbeeGsme.ts). The hub never pushes to the GSME: every frame it sends the GSME answers
 * one of the GSME's own.
 *   - Read Attributes of Metering 0x0702 FunctionalNotificationFlags (client attribute 0x0000) from the
 *     GSME: answered with the GPF's flags (0x00200000 while a message waits: hub/gpf.ts). It opens a wake.
 *   - GET (TransferData `01`): if this wake already handed the GSME a message, that one has run: it is
 *     acknowledged on the GPF (removed, one commit: hub/gsmeMailbox.ts; refused 'storage-full' on a full
 *     medium, when the message stays and the answer is `02 00`, ending the wake). Then the oldest waiting message
 *     goes down as GET-RESPONSE `02 ‖ remaining` ‖ message (GBT blocks, each behind the header, where the
 *     frame would not fit: tunnelFraming.ts), or `02 00` alone when nothing waits. The message stays on the
 *     GPF until that next GET (ours, UNCONFIRMED: GBCS may let the hub drop it on delivery), so a GSME that
 *     took it and lost power before running it gets it again at its next wake.
 *   - PUT (TransferData `03` ‖ message): the GSME's response or alert, handed to `up` (the hub, the WAN).
 * Frames from a device off the CHF Device Log never get here (ZigbeeHub refuses them); the flags read is
 * refused the same way. Node only. @module
 */
import { Zcl } from 'zigbee-herdsman';
import type { Controller } from 'zigbee-herdsman';
import type { GsmeMailbox } from '../../../hub/index.ts';
import { FUNCTIONAL_NOTIFICATION_FLAGS, METERING_CLUSTER, TUNNEL_GET, TUNNEL_GET_RESPONSE, TUNNEL_PUT } from './zigbeeGsme.ts';
import { SE_PROFILE } from './zigbeeHub.ts';
import type { ZigbeeHub } from './zigbeeHub.ts';

export interface GpfTunnelOptions {
  mailbox: GsmeMailbox;
  /** how many messages wait on the GPF now (for the GET-RESPONSE's remaining count) */
  waitingCount(): number;
  /** a frame from the GSME, for the hub to send up (its response or alert) */
  up(frame: Uint8Array): void;
}

/** What the GPF side did, for the bearer's report and the tests. */
export interface GpfTunnelStats {
  flagReads: number;
  gets: number;
  /** GET-RESPONSEs with a message, and without */
  delivered: number;
  empty: number;
  acknowledged: number;
  /** acknowledgements the GPF refused (its medium full): the wake ended there */
  ackRefused: number;
  puts: number;
  sendFailures: number;
  /** frames from the GSME that were neither GET nor PUT */
  unknown: number;
}

type ReadFrame = { header: { transactionSequenceNumber: number }; cluster: { ID: number }; payload: { attrId: number }[] };

/**
 * Serves the GSME `eui` through its tunnel on `hub` from now on; `attach()` (again after each join: it is
 * idempotent) sets the flags read's answer on herdsman's record of the device, which exists once it joined.
 */
export function serveGsme(hub: ZigbeeHub, gsmeEui: string, o: GpfTunnelOptions): { stats: GpfTunnelStats; attach(): boolean } {
  const e = gsmeEui.toLowerCase();
  const stats: GpfTunnelStats = { flagReads: 0, gets: 0, delivered: 0, empty: 0, acknowledged: 0, ackRefused: 0, puts: 0, sendFailures: 0, unknown: 0 };
  /** the message handed to the GSME in this wake, not yet acknowledged */
  let handed: number | undefined;
  // one frame from the GSME at a time: a GET's answer is sent before the next frame is looked at
  let queue: Promise<unknown> = Promise.resolve();
  const onFrame = async (f: Uint8Array): Promise<void> => {
    if (f.length >= 1 && f[0] === TUNNEL_PUT) {
      stats.puts++;
      o.up(f.subarray(1));
      return;
    }
    if (f.length !== 1 || f[0] !== TUNNEL_GET) {
      stats.unknown++;
      return;
    }
    stats.gets++;
    if (handed !== undefined) {
      const ack = o.mailbox.acknowledge(handed);
      handed = undefined;
      if (ack.ok) stats.acknowledged++;
      else if (ack.reason === 'storage-full') {
        // the GPF could not record it (its medium is full): the message stays, and this wake ends here as
        // gsmeWake's does at a refused acknowledgement (the next wake brings it again; the counter check refuses it)
        stats.ackRefused++;
        const r = await hub.sendTunnelFrames(e, [Uint8Array.of(TUNNEL_GET_RESPONSE, 0)]);
        if (!r.ok) stats.sendFailures++;
        return;
      }
    }
    const m = o.mailbox.pull();
    if (!m) {
      stats.empty++;
      const r = await hub.sendTunnelFrames(e, [Uint8Array.of(TUNNEL_GET_RESPONSE, 0)]);
      if (!r.ok) stats.sendFailures++;
      return;
    }
    const remaining = Math.min(255, Math.max(0, o.waitingCount() - 1));
    handed = m.id;
    stats.delivered++;
    const r = await hub.sendTunnel(e, m.frame, Uint8Array.of(TUNNEL_GET_RESPONSE, remaining));
    if (!r.ok) stats.sendFailures++;
  };
  hub.hanLink(e).onFrame((f) => {
    queue = queue.then(() => onFrame(f)).catch(() => undefined);
  });
  // the flags read: herdsman answers reads to the coordinator itself (UNSUPPORTED_ATTRIBUTE) unless the
  // device has a custom read response; this one answers Metering's FunctionalNotificationFlags
  const attach = (): boolean => {
    const device = hub.controller.getDeviceByIeeeAddr('0x' + e);
    if (!device) return false;
    device.customReadResponse = (frame: unknown, endpoint: { ID: number }) => {
      const r = frame as ReadFrame;
      if (r.cluster.ID !== METERING_CLUSTER || !r.payload.some((a) => a.attrId === FUNCTIONAL_NOTIFICATION_FLAGS)) return false;
      stats.flagReads++;
      if (!hub.onLog(e)) {
        hub.refusals.push({ eui: e, at: 'tunnel', reason: 'not-on-log' });
        return true;
      }
      handed = undefined; // a new wake: what the last one took and did not confirm stays waiting
      const flags = o.mailbox.notificationFlags() >>> 0;
      void hub.controller.sendRaw({
        ieeeAddress: device.ieeeAddr, networkAddress: device.networkAddress, dstEndpoint: endpoint.ID, srcEndpoint: 1, profileId: SE_PROFILE,
        clusterKey: METERING_CLUSTER, disableResponse: true,
        zcl: {
          frameType: Zcl.FrameType.GLOBAL, direction: Zcl.Direction.CLIENT_TO_SERVER, disableDefaultResponse: true, tsn: r.header.transactionSequenceNumber, commandKey: 'readRsp',
          payload: [{ attrId: FUNCTIONAL_NOTIFICATION_FLAGS, status: 0, dataType: Zcl.DataType.BITMAP32, attrData: flags }],
        },
      } as Parameters<Controller['sendRaw']>[0]).catch(() => {
        stats.sendFailures++;
      });
      return true;
    };
    return true;
  };
  attach();
  return { stats, attach };
}
