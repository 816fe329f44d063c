/**
 * `dist/<board>/firmware.js` is the meter: the firmware bundle, booted inside the Espruino and JerryScript
 * host engines on a board whose flash holds a manufactured reference device (00DB1234567890A0, written by
 * the factory before the first boot: flash-scripts/hostBoard.ts), answers the RTDS ECS52 (read firmware
 * version) command waiting on its link with a Response the DCC's checks accept (harness/dcc/responseCheck.ts:
 * from the device, to the Supplier, counter and message code echoed, MAC valid with the Supplier's KA key)
 * carrying the version it runs. A board with nothing manufactured says so and sends nothing.
 * Espruino cost: two ECDH (the command's MAC with the ACB, the response's with the Supplier), ~20 s each
 * from RAM on the host build.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryMedium } from '../boards/journaledStorage.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { bundleFor, describeFailure } from '../build/bundle.ts';
import type { EngineTarget } from '../build/engineCompat.ts';
import { ENGINES_DIR, VECTORS } from '../build/paths.ts';
import { FIRMWARE_VERSION } from '../device/firmwareVersion.ts';
import { bootOnEspruino, bootOnJerry } from '../flash-scripts/hostBoard.ts';
import type { HostBoot, HostBootRun } from '../flash-scripts/hostBoard.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { read } from '../harness/dcc/dccPlayer.ts';
import { checkResponse } from '../harness/dcc/responseCheck.ts';
import { loadReferenceKeys, privateScalar, referenceDevice } from '../harness/referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { findIssuingCa } from '../harness/referenceDevice/replay.ts';

const RTDS = join(VECTORS, 'rtds/RTDS-4.5.0');
const KEYS = join(VECTORS, 'rtds/keystore');
const ECS52 = new Uint8Array(Buffer.from(readFileSync(join(RTDS, '11.2_ECS52/ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX'), 'utf8').replace(/\s+/g, ''), 'hex'));
const SUPPLIER_KA = privateScalar(readFileSync(join(KEYS, '90b3d51f30010000-ka.key'), 'utf8'));
const crypto = nodeCrypto();

/** The factory: the reference device manufactured on a Node board; its medium's blobs are the flash image. */
function factoryImage(): { flash: Record<string, Uint8Array>; kaPublic: Uint8Array } {
  const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
  const medium = memoryMedium();
  const { made } = referenceDevice(keys, findIssuingCa(RTDS), undefined, medium);
  assert.ok(made.ok, 'manufactured');
  return { flash: medium.snapshot(), kaPublic: crypto.p256PublicKey(keys.kaPrivate) };
}

async function firmwareFor(board: EngineTarget): Promise<string> {
  const b = await bundleFor(board, { file: `boards/${board}/firmware.ts` });
  assert.ok(b.ok, describeFailure(board, 'firmware.js', b).join('\n'));
  const path = join(mkdtempSync(join(tmpdir(), 'smets-fw-')), 'firmware.js');
  writeFileSync(path, b.code);
  return path;
}

function engine(name: string): string {
  const binary = join(ENGINES_DIR, name);
  assert.ok(existsSync(binary), binary + ' is missing: run `npm run engines`');
  return binary;
}

function checkAnswer(r: HostBootRun, kaPublic: Uint8Array, board: string): void {
  assert.is(r.code, 0, r.output);
  assert.match(r.output, 'smets ESME 00db1234567890a0 on ' + board + ', firmware ' + FIRMWARE_VERSION + ': serving GBCS on the link');
  assert.is(r.tx.length, 1, 'one frame sent: ' + r.output);
  const cmd = decodeMessage(ECS52);
  assert.ok(cmd.ok);
  if (!cmd.ok) return;
  const v = checkResponse(crypto, sharedSecrets(crypto.ecdh), r.tx[0], {
    device: cmd.gs.recipient, originator: cmd.gs.originator, counter: cmd.gs.counter, messageCode: cmd.gs.messageCode, critical: false,
    deviceDsPublic: new Uint8Array(65), deviceKaPublic: kaPublic, recipientKaPrivate: SUPPLIER_KA,
  });
  assert.ok(v.ok, JSON.stringify(v.checks));
  assert.ok(v.checks.some((c) => c.name === 'mac' && c.ok), 'the MAC was checked');
  assert.is(read(cmd.gs.messageCode, v.message!.content).firmwareVersion, FIRMWARE_VERSION);
}

const image = factoryImage();
const boot = (frames: Uint8Array[], flash = image.flash): HostBoot => ({ flash, rx: frames });

test('firmware.js on JerryScript: a manufactured board answers ECS52 on its link, MAC valid for the Supplier', async () => {
  const r = await bootOnJerry(engine('jerry'), await firmwareFor('jerryscript'), boot([ECS52]));
  checkAnswer(r, image.kaPublic, 'jerryscript');
});

test('firmware.js on JerryScript: an unmanufactured board says so and sends nothing', async () => {
  const r = await bootOnJerry(engine('jerry'), await firmwareFor('jerryscript'), boot([ECS52], {}));
  assert.is(r.code, 0, r.output);
  assert.match(r.output, 'smets ' + FIRMWARE_VERSION + ' on jerryscript: not manufactured, waiting');
  assert.is(r.tx.length, 0);
});

test('firmware.js on Espruino: a manufactured board answers ECS52 on its link, MAC valid for the Supplier', async () => {
  const r = await bootOnEspruino(engine('espruino'), await firmwareFor('espruino'), boot([ECS52]));
  console.log(`    espruino: ${(r.ms / 1000).toFixed(0)} s, firmware loaded from ${r.loadedFrom}`);
  checkAnswer(r, image.kaPublic, 'espruino');
});

test.run();
