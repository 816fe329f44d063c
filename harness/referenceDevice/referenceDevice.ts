/**
 * The reference device of the RTDS replay (Node only): device 00DB1234567890A0 as the DCC test data
 * knows it, built from a KEYDIR laid out like shared/vectors/rtds/keystore:
 * - its KA private key is the published `00db1234567890a0-ka.key`; its DS private key is not published, so
 *   it signs critical responses with a STAND-IN DS key (fixed, derived here): its signatures will not
 *   verify against the published device DS certificate;
 * - its trust anchors are the ZAZ1 organisation certificates of KEYDIR (recovery, supplier DS/KA/prepayment
 *   KA, network operator DS/KA, ACB DS/KA, WAN provider, TransCoS, load controller);
 * - the Root OCA certificate is not in KEYDIR: when a `*root*.pem` is absent, the root cell holds a
 *   STAND-IN: the Issuing OCA certificate taken from the certification path of a CS02b command in the
 *   folder (so certification paths are checked up to the issuing CA, not to the true root).
 * @module
 */
import { createHash, createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeBoard } from '../../boards/node/index.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import type { Medium } from '../../boards/board.ts';
import type { Board, Clock } from '../../boards/board.ts';
import { fromHex } from '../../lib/bytes.ts';
import { KEY_USAGE_DIGITAL_SIGNATURE as DS, KEY_USAGE_KEY_AGREEMENT as KA, KEY_USAGE_KEY_CERT_SIGN } from '../../gbcs/smki/certificate.ts';
import { manufactureDevice, openDevice, SmetsDevice } from '../../device/index.ts';
import type { AnchorSpec, ManufactureResult } from '../../device/index.ts';
import type { CellId } from '../../device/index.ts';

export const REFERENCE_EUI = '00db1234567890a0';

/** DER of the first certificate in a PEM file. */
export function pemToDer(text: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  if (!m) throw new Error('pemToDer: no certificate');
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/** The 32-byte scalar of a PKCS#8 / SEC1 PEM private key. */
export function privateScalar(pem: string): Uint8Array {
  const jwk = createPrivateKey(pem).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.d as string, 'base64url'));
}

/** The anchors a reference device gets from KEYDIR: file name (without .pem) -> cell. */
const ANCHOR_FILES: Array<[string, CellId]> = [
  ['90b3d51f30000001-ds', { role: 1, keyUsage: DS, cellUsage: 0 }],
  ['90b3d51f30010000-ds', { role: 2, keyUsage: DS, cellUsage: 0 }],
  ['90b3d51f30010000-ka', { role: 2, keyUsage: KA, cellUsage: 0 }],
  ['90b3d51f30010000-pp-ka', { role: 2, keyUsage: KA, cellUsage: 1 }],
  ['90b3d51f30020000-ds', { role: 3, keyUsage: DS, cellUsage: 0 }],
  ['90b3d51f30020000-ka', { role: 3, keyUsage: KA, cellUsage: 0 }],
  ['90b3d51f30000002-ds', { role: 4, keyUsage: DS, cellUsage: 0 }],
  ['90b3d51f30000002-ka', { role: 4, keyUsage: KA, cellUsage: 0 }],
  ['90b3d51f30000007-ds', { role: 6, keyUsage: DS, cellUsage: 0 }],
  ['90b3d51f30000004-ds', { role: 5, keyUsage: DS, cellUsage: 0 }],
  ['90b3d51f30010008-ds', { role: 8, keyUsage: DS, cellUsage: 0 }],
];

export const ROOT_CELL: CellId = { role: 0, keyUsage: KEY_USAGE_KEY_CERT_SIGN, cellUsage: 0 };

export interface ReferenceKeys {
  kaPrivate: Uint8Array;
  dsPrivate: Uint8Array;
  dsStandIn: boolean;
  anchors: AnchorSpec[];
  /** A root certificate from KEYDIR, if one is there. */
  root?: Uint8Array;
  missing: string[];
}

export function loadReferenceKeys(keyDir: string): ReferenceKeys | string {
  const kaFile = join(keyDir, REFERENCE_EUI + '-ka.key');
  if (!existsSync(kaFile)) return 'KEYDIR has no ' + REFERENCE_EUI + '-ka.key (the device KA private key)';
  const kaPrivate = privateScalar(readFileSync(kaFile, 'utf8'));
  const dsFile = join(keyDir, REFERENCE_EUI + '-ds.key');
  const dsStandIn = !existsSync(dsFile);
  const dsPrivate = dsStandIn ? new Uint8Array(createHash('sha256').update('smets stand-in DS key for ' + REFERENCE_EUI).digest()) : privateScalar(readFileSync(dsFile, 'utf8'));
  const anchors: AnchorSpec[] = [];
  const missing: string[] = [];
  for (const [name, cell] of ANCHOR_FILES) {
    const f = join(keyDir, name + '.pem');
    if (!existsSync(f)) {
      missing.push(name);
      continue;
    }
    anchors.push({ cell: cell, certificate: pemToDer(readFileSync(f, 'utf8')) });
  }
  const out: ReferenceKeys = { kaPrivate, dsPrivate, dsStandIn, anchors, missing };
  const rootName = readdirSync(keyDir).find((n) => /root.*\.pem$/i.test(n));
  if (rootName) out.root = pemToDer(readFileSync(join(keyDir, rootName), 'utf8'));
  return out;
}

/**
 * A fresh board carrying a manufactured reference device, powered on (`device` is undefined when
 * manufacture was refused: `made` says why). Its storage is `medium` (a fresh memory medium by default):
 * what the factory wrote can be read from it and flashed onto another board.
 */
export function referenceDevice(keys: ReferenceKeys, rootStandIn: Uint8Array | undefined, clock?: Clock, medium?: Medium): { board: Board; device: SmetsDevice | undefined; made: ManufactureResult } {
  const m = medium ?? memoryMedium();
  const board = nodeBoard(clock ? { medium: m, clock } : { medium: m });
  const anchors = keys.anchors.slice();
  const root = keys.root ?? rootStandIn;
  if (root) anchors.push({ cell: ROOT_CELL, certificate: root, standIn: !keys.root });
  const made = manufactureDevice(board, {
    eui: fromHex(REFERENCE_EUI)!,
    environment: 'test',
    dsPrivate: keys.dsPrivate,
    kaPrivate: keys.kaPrivate,
    anchors,
  });
  return { board, device: made.ok ? openDevice(board) : undefined, made };
}
