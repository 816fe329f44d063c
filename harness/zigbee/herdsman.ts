/**
 * A zigbee-herdsman Controller as the hub's coordinator and trust centre on the emulated radio: an
 * EmulatedRcp on the given SimulatedAir, the `zoh` adapter over tcp://127.0.0.1:PORT, the coordinator's
 * EUI-64 set to the hub's (zigbee-on-host reads it from zoh_config.json beside the backup) and the
 * Extended PAN ID = the hub's IEEE address (HAN-FACTS; herdsman takes that array little-endian).
 * A real dongle would use another adapter and a serial path instead of the RCP (not here yet). @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller } from 'zigbee-herdsman';
import type { SimulatedAir } from './radio/air.ts';
import { EmulatedRcp } from './radio/rcp.ts';

export interface HerdsmanHubOptions {
  /** the simulated air for the emulated RCP; ignored when `transport` names a real radio */
  air: SimulatedAir;
  /**
   * A real radio instead of the emulated one: herdsman's transport (`path`: a serial device or
   * tcp://host:port; `adapter`: 'ember' | 'zstack' | 'deconz' | 'zigate' | 'zboss' | 'zoh'). With
   * `adapter` alone, that adapter is pointed at the emulated RCP (only 'zoh' speaks its Spinel).
   */
  transport?: { path?: string; adapter: 'ember' | 'zstack' | 'deconz' | 'zigate' | 'zboss' | 'zoh' };
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
