/**
 * A zigbee-herdsman Controller as the hub's coordinator and trust centre on the emulated radio: an
 * EmulatedRcp on the given SimulatedAir, the `zoh` adapter over tcp://127.0.0.1:PORT, the coordinator's
 * EUI-64 set to the hub's (zigbee-on-host reads it from zoh_config.json beside the backup) and the
 * Extended PAN ID = the hub's IEEE address (HAN-FACTS; herdsman takes that array little-endian).
 * A real dongle: another adapter and a serial path instead of the RCP (`transport` below; `smets lab
 * --adapter A --zigbee-port PATH`). @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller } from 'zigbee-herdsman';
import type { SimulatedAir } from './radio/air.ts';
import { EmulatedRcp } from './radio/rcp.ts';

export const HERDSMAN_ADAPTERS = ['ember', 'zstack', 'deconz', 'zigate', 'zboss', 'zoh'] as const;
export type HerdsmanTransport = { path?: string; adapter: (typeof HERDSMAN_ADAPTERS)[number] };

export interface HerdsmanHubOptions {
  /** the simulated air for the emulated RCP; ignored when `transport` names a real radio */
  air: SimulatedAir;
  /**
   * A real radio instead of the emulated one: herdsman's transport (`path`: a serial device or
   * tcp://host:port; `adapter`: 'ember' | 'zstack' | 'deconz' | 'zigate' | 'zboss' | 'zoh'). With
   * `adapter` alone, that adapter is pointed at the emulated RCP (only 'zoh' speaks its Spinel).
   */
  transport?: HerdsmanTransport;
  /** a directory for herdsman's database and zigbee-on-host's state */
  dir: string;
  /** the hub's EUI-64, 16 hex digits */
  hubEui: string;
  panId: number;
  channel: number;
  networkKey: Uint8Array;
}

export interface HerdsmanHub {
  controller: Controller;
  rcp: EmulatedRcp;
  startMs: number;
  result: string;
  stop(): Promise<void>;
}

export async function startHerdsmanHub(o: HerdsmanHubOptions): Promise<HerdsmanHub> {
  const rcp = new EmulatedRcp(o.air);
  const port = o.transport?.path ? 0 : await rcp.listen();
  mkdirSync(o.dir, { recursive: true });
  writeFileSync(join(o.dir, 'zoh_config.json'), JSON.stringify({ eui64: '0x' + o.hubEui }));
  const controller = new Controller({
    network: {
      panID: o.panId,
      extendedPanID: Array.from(Buffer.from(o.hubEui, 'hex')).reverse(),
      channelList: [o.channel],
      networkKey: Array.from(o.networkKey),
    },
    transport: { path: o.transport?.path ?? 'tcp://127.0.0.1:' + port, adapter: o.transport?.adapter ?? 'zoh' },
    databasePath: join(o.dir, 'database.db'),
    databaseBackupPath: join(o.dir, 'database.db.backup'),
    backupPath: join(o.dir, 'coordinator_backup.json'),
    adapter: { disableLED: true, concurrent: 8 },
    acceptJoiningDeviceHandler: async () => true,
  });
  const t0 = performance.now();
  let result: string;
  try {
    result = await controller.start();
  } catch (e) {
    await rcp.close();
    throw e;
  }
  const startMs = performance.now() - t0;
  return {
    controller, rcp, startMs, result,
    async stop() {
      await controller.stop();
      await rcp.close();
    },
  };
}

/**
 * The well-known ZigBee trust-centre link key "ZigBeeAlliance09" (ZigBee spec 05-3474 §4.6.3.2.1;
 * zigbee-herdsman's zoh adapter sets it as zigbee-on-host's tcKey).
 */
export const WELL_KNOWN_TC_LINK_KEY = Uint8Array.from(Buffer.from('ZigBeeAlliance09', 'ascii'));

/**
 * WORKAROUND for zigbee-on-host 0.3.0 (found here, see harness/zigbee/README.md): its trust centre
 * keeps an install code's link key in a table but encrypts the joining device's APS Transport Key
 * with its one global TC link key (tcKey, by default ZigBeeAlliance09), so a device that knows only its
 * install-code key cannot open it. This sets that global key (and zigbee-on-host's pre-hashed copies,
 * with its own `makeKeyedHashByType`, as its stack-context does on load) to the given key, e.g. the
 * install-code key of the one device CCS01 is letting join. Limits: one key at a time for every
 * joining device, and APS frames later secured under another device's own link key do not open.
 */
export async function setTrustCentreLinkKey(hub: HerdsmanHub, key: Uint8Array): Promise<void> {
  if (key.length !== 16) throw new Error('setTrustCentreLinkKey: key must be 16 bytes, got ' + key.length);
  const z = await import('zigbee-on-host/dist/zigbee/zigbee.js');
  const ctx = (hub.controller as unknown as { adapter: { driver: { context: { netParams: { tcKey: Buffer; networkKey: Buffer } } } } }).adapter.driver.context;
  ctx.netParams.tcKey = Buffer.from(key);
  z.registerDefaultHashedKeys(
    z.makeKeyedHashByType(0, ctx.netParams.tcKey),
    z.makeKeyedHashByType(1, ctx.netParams.networkKey),
    z.makeKeyedHashByType(2, ctx.netParams.tcKey),
    z.makeKeyedHashByType(3, ctx.netParams.tcKey),
  );
}

type ZohDriver = {
  context: {
    netParams: { tcKey: Buffer; networkKey: Buffer; networkKeySequenceNumber: number; eui64: bigint };
    getAppLinkKey(a: bigint, b: bigint): Buffer | undefined;
    appLinkKeyTable: Map<string, { deviceA: bigint; deviceB: bigint }>;
    removeInstallCode(device64: bigint): void;
    deviceTable: Map<bigint, { address16: number }>;
    setPendingNetworkKey(key: Buffer, sequence: number): void;
    activatePendingNetworkKey(sequence: number): boolean;
    markNetworkKeyTransported(device64: bigint): void;
  };
  apsHandler: {
    sendTransportKeyNWK(dst16: number, key: Buffer, seq: number, dst64: bigint | undefined): Promise<unknown>;
    sendSwitchKey(dst16: number, seq: number): Promise<unknown>;
  };
};

function zohDriver(hub: HerdsmanHub): ZohDriver {
  return (hub.controller as unknown as { adapter: { driver: ZohDriver } }).adapter.driver;
}

/**
 * WORKAROUND for the same zigbee-on-host 0.3.0 limit, per device: while it sends a device the network
 * key (APS Transport Key, at join, rejoin or a key update), its TC link key is that device's install-code
 * key if one was added for it (`Controller.addInstallCode` keeps it in zoh's application link key table),
 * else the global key as set by `setTrustCentreLinkKey`. So several devices can hold open CCS01 windows at
 * once, each joining with its own install code. Installed once per Controller.
 */
export function useInstallCodeKeysAtJoin(hub: HerdsmanHub): void {
  const driver = zohDriver(hub);
  const aps = driver.apsHandler as ZohDriver['apsHandler'] & { smetsPerDeviceKeys?: boolean };
  if (aps.smetsPerDeviceKeys) return;
  aps.smetsPerDeviceKeys = true;
  const send = aps.sendTransportKeyNWK.bind(aps);
  aps.sendTransportKeyNWK = async (dst16, key, seq, dst64) => {
    const ctx = driver.context;
    const own = dst64 !== undefined ? ctx.getAppLinkKey(dst64, ctx.netParams.eui64) : undefined;
    if (!own) return send(dst16, key, seq, dst64);
    const global = ctx.netParams.tcKey;
    await setTrustCentreLinkKey(hub, own);
    try {
      return await send(dst16, key, seq, dst64);
    } finally {
      await setTrustCentreLinkKey(hub, global);
    }
  };
}

/**
 * CCS02 on zigbee-on-host 0.3.0: the device's install code and the link key derived from it leave the
 * trust centre (zoh's `removeInstallCode` keeps the key "for existing secure links"; a removed device
 * must not get a Transport Key under it again). herdsman has no call for either.
 */
export function forgetInstallCode(hub: HerdsmanHub, deviceEui: string): void {
  const ctx = zohDriver(hub).context;
  const d64 = BigInt('0x' + deviceEui);
  ctx.removeInstallCode(d64);
  for (const [id, entry] of ctx.appLinkKeyTable) if (entry.deviceA === d64 || entry.deviceB === d64) ctx.appLinkKeyTable.delete(id);
}

/**
 * A new network key for the devices that stay (ZigBee spec 05-3474 §4.6.3.4, the trust centre's key
 * update; HAN-FACTS: SE secures it per device): to each of `keep` that zoh knows, the new key in an APS
 * Transport Key under that device's own link key (useInstallCodeKeysAtJoin), then an APS Switch Key
 * (NWK-secured under the old key), then zoh switches itself (its `activatePendingNetworkKey`). A device
 * left out (removed by CCS02) keeps only the old key: its frames no longer open, its secured rejoin goes
 * unanswered. herdsman 11.1.1 has no call for this (it forms a new network when its configured key
 * differs at start: the lab starts fresh each run). Not tried with a sleepy device (both frames would wait
 * for its polls, built under the old key).
 */
export async function changeNetworkKey(hub: HerdsmanHub, key: Uint8Array, keep: string[]): Promise<{ sequence: number; sentTo: string[] }> {
  if (key.length !== 16) throw new Error('changeNetworkKey: key must be 16 bytes, got ' + key.length);
  const d = zohDriver(hub);
  const ctx = d.context;
  const sequence = (ctx.netParams.networkKeySequenceNumber + 1) & 0xff;
  const targets: { d64: bigint; d16: number; eui: string }[] = [];
  for (const e of keep) {
    const d64 = BigInt('0x' + e);
    const entry = ctx.deviceTable.get(d64);
    if (entry) targets.push({ d64, d16: entry.address16, eui: e });
  }
  for (const t of targets) await d.apsHandler.sendTransportKeyNWK(t.d16, Buffer.from(key), sequence, t.d64);
  ctx.setPendingNetworkKey(Buffer.from(key), sequence);
  for (const t of targets) await d.apsHandler.sendSwitchKey(t.d16, sequence);
  if (!ctx.activatePendingNetworkKey(sequence)) throw new Error('changeNetworkKey: zigbee-on-host did not take the new key');
  for (const t of targets) ctx.markNetworkKeyTransported(t.d64);
  return { sequence, sentTo: targets.map((t) => t.eui) };
}
