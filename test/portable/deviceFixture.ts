/**
 * A reference device for the portable device suites, built from the declared vectors: device
 * 00DB1234567890A0 with its published KA key, a fixed stand-in DS key (the real one is not published) and
 * the ZAZ1 organisation certificates of rtds/keystore as trust anchors; the root cell holds the Issuing
 * OCA certificate from a CS02b certification path as a stand-in (the Root OCA certificate is not among
 * the vectors). Portable: PEM keys through ./pemKeys.ts (no Buffer on the engines).
 * @module
 */
import type { Board, Medium } from '../../boards/board.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { fromHex } from '../../lib/bytes.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import { readCs02bCommand } from '../../gbcs/contents/cs02b.ts';
import { manufactureDevice, SmetsDevice } from '../../device/index.ts';
import type { AnchorSpec } from '../../device/index.ts';
import { pemBytes, pemPrivateKey } from './pemKeys.ts';
import type { SelfTestContext } from './selftest.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';

export const KEYSTORE = 'rtds/keystore/';
export const RTDS = 'rtds/RTDS-4.5.0/';
export const ANCHORS: Array<[string, number, number, number]> = [
  ['90b3d51f30010000-ds', 2, 0x80, 0],
  ['90b3d51f30010000-ka', 2, 0x08, 0],
  ['90b3d51f30020000-ds', 3, 0x80, 0],
  ['90b3d51f30020000-ka', 3, 0x08, 0],
  ['90b3d51f30000002-ds', 4, 0x80, 0],
  ['90b3d51f30000002-ka', 4, 0x08, 0],
];
export const DEVICE_KA_KEY = KEYSTORE + '00db1234567890a0-ka.key';
export const ECS52 = RTDS + '11.2_ECS52/ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX';
export const ECS52_ERROR = RTDS + '11.2_ECS52/ECS52_11.2_ERROR_COMMAND_GBCS.HEX';
export const CS02B = RTDS + '6.15.1_CS02bNOByNO/CS02bNOByNO_6.15.1_SUCCESS_COMMAND_GBCS.HEX';

export function fixtureVectors(): string[] {
  const v = [DEVICE_KA_KEY, ECS52, ECS52_ERROR, CS02B];
  for (let i = 0; i < ANCHORS.length; i++) v.push(KEYSTORE + ANCHORS[i][0] + '.pem');
  return v;
}

export function vectorBytes(ctx: SelfTestContext, path: string): Uint8Array {
  const b = fromHex(ctx.vector(path));
  if (!b) throw new Error('not hex: ' + path);
  return b;
}

/** The stand-in root: the Issuing OCA certificate carried by the CS02b vector. */
export function rootStandIn(ctx: SelfTestContext): Uint8Array {
  const m = decodeMessage(vectorBytes(ctx, CS02B));
  if (!m.ok) throw new Error('CS02b vector does not decode');
  const c = readCs02bCommand(m.content);
  if (!c) throw new Error('CS02b vector content does not parse');
  return new Uint8Array(c.path[0]);
}

const STAND_IN_DS = fromHex('6b7a2d3c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a41') as Uint8Array;

let cache: SharedSecrets | undefined;

/**
 * One ECDH secret cache for every device the suites make (they all hold the same keys): a restarted
 * device would recompute the same Z, and on Espruino each ECDH costs ~18 s (see SmetsDevice).
 */
export function suiteSecrets(board: Board): SharedSecrets {
  if (!cache) cache = sharedSecrets(board.crypto.ecdh, 32);
  return cache;
}

/** The device on `board` (manufactured), with the suites' shared secret cache. */
export function deviceOn(board: Board): SmetsDevice {
  return new SmetsDevice(board, suiteSecrets(board));
}

/** The reference device's trust anchors: the ZAZ1 organisation certificates and the root stand-in. */
export function referenceAnchors(ctx: SelfTestContext): AnchorSpec[] {
  const anchors: AnchorSpec[] = [];
  for (let i = 0; i < ANCHORS.length; i++) {
    const a = ANCHORS[i];
    anchors.push({ cell: { role: a[1], keyUsage: a[2], cellUsage: a[3] }, certificate: pemBytes(ctx.vector(KEYSTORE + a[0] + '.pem')) });
  }
  anchors.push({ cell: { role: 0, keyUsage: 0x04, cellUsage: 0 }, certificate: rootStandIn(ctx), standIn: true });
  return anchors;
}

/** A fresh board with the reference device manufactured on it. */
export function referenceBoard(ctx: SelfTestContext, medium?: Medium): { board: Board; device: SmetsDevice } {
  const board = ctx.newBoard(medium || memoryMedium());
  const anchors = referenceAnchors(ctx);
  const made = manufactureDevice(board, {
    eui: fromHex('00db1234567890a0') as Uint8Array,
    environment: 'test',
    dsPrivate: STAND_IN_DS,
    kaPrivate: pemPrivateKey(ctx.vector(DEVICE_KA_KEY)),
    anchors: anchors,
  });
  if (!made.ok) throw new Error('manufacture refused: ' + made.reason + ' ' + (made.cell || ''));
  return { board: board, device: deviceOn(board) };
}

/**
 * Every stored key outside the security log, hex, joined: a byte-for-byte state fingerprint. With
 * `withoutDeviceCounter`, the device counter (`dc`, advanced by a refused command's security alert) is
 * left out too; callers check it on its own.
 */
export function stateFingerprint(board: Board, withoutDeviceCounter?: boolean): string {
  const keys = board.storage.keys();
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    if (keys[i].indexOf('log.') === 0) continue;
    if (withoutDeviceCounter && keys[i] === 'dc') continue;
    const v = board.storage.read(keys[i]) as Uint8Array;
    let h = '';
    for (let j = 0; j < v.length; j++) h += (v[j] < 16 ? '0' : '') + v[j].toString(16);
    out += keys[i] + '=' + h + ';';
  }
  return out;
}
