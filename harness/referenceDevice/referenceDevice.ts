/**
 * The reference devices of the RTDS replay (Node only): the devices of MANIFEST.tsv as the DCC test data
 * knows them — 00DB1234567890A0 ESME, …A2 CHF, …A3 GPF, …A4 PPMID, …A5 IHD, …A6 HCALCS (HAN-FACTS; which
 * of A4-A6 is which HAN device is ours, UNCONFIRMED) — each a kind of the one device runtime, built from a
 * KEYDIR laid out like shared/vectors/rtds/keystore:
 * - the ESME's KA private key is the published `00db1234567890a0-ka.key`. The others' are not published:
 *   such a device holds a STAND-IN KA private key, and its ECDH secrets are taken from the other side
 *   (HAN-FACTS: ECDH(party private, device public) = ECDH(device private, party public)), from the
 *   device's published KA certificate and every party KA private key in KEYDIR (`acbSideSecrets`);
 * - no device DS private key is published, so each signs critical responses with a STAND-IN DS key
 *   (fixed, derived here): its signatures will not verify against the published device DS certificate;
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
import { p256 } from '@noble/curves/nist.js';
import { nodeBoard } from '../../boards/node/index.ts';
import { bytesEqual } from '../../lib/bytes.ts';
import { readCertificate } from '../../gbcs/smki/certificate.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { chfUseCases } from '../../hub/chfUseCases.ts';
import { gpfUseCases } from '../../hub/gpfUseCases.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import type { Medium } from '../../boards/board.ts';
import type { Board, Clock } from '../../boards/board.ts';
import { fromHex } from '../../lib/bytes.ts';
import { KEY_USAGE_DIGITAL_SIGNATURE as DS, KEY_USAGE_KEY_AGREEMENT as KA, KEY_USAGE_KEY_CERT_SIGN } from '../../gbcs/smki/certificate.ts';
import { ESME_USE_CASES, hanUseCases, manufactureDevice, openDevice, SmetsDevice } from '../../device/index.ts';
import type { AnchorSpec, ManufactureResult, UseCaseTable } from '../../device/index.ts';
import type { CellId } from '../../device/index.ts';

export const REFERENCE_EUI = '00db1234567890a0';

/** The reference devices the replay builds, by EUI-64, and the kind of each. */
export const REFERENCE_DEVICES: Array<{ eui: string; kind: string }> = [
  { eui: '00db1234567890a0', kind: 'ESME' },
  { eui: '00db1234567890a2', kind: 'CHF' },
  { eui: '00db1234567890a3', kind: 'GPF' },
  { eui: '00db1234567890a4', kind: 'PPMID' },
  { eui: '00db1234567890a5', kind: 'IHD' },
  { eui: '00db1234567890a6', kind: 'HCALCS' },
];

/** A fresh use-case table for a reference device of kind `name` (a table may hold RAM state: one per device). */
export function useCasesOf(name: string): UseCaseTable {
  if (name === 'CHF') return chfUseCases();
  if (name === 'GPF') return gpfUseCases();
  if (name === 'PPMID' || name === 'IHD' || name === 'HCALCS') return hanUseCases(name);
  return ESME_USE_CASES;
}

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

/**
 * The starting state of a DCC-controlled device (RTDS 6.21 handovers): before the DCC hands the device to
 * its Supplier and Network Operator, their DS cells hold the ACB's DS certificate, which then authorises
 * the handover CS02b (device/credentials/updateSecurityCredentials.ts `authorisedBy`). The ESME's sample
 * has no 6.21 command; the GPF's two are replayed from this state.
 */
export function dccControlled(keys: ReferenceKeys): ReferenceKeys {
  const acbDs = keys.anchors.find((a) => a.cell.role === 4 && a.cell.keyUsage === DS);
  if (!acbDs) return keys;
  const anchors = keys.anchors.map((a) => ((a.cell.role === 2 || a.cell.role === 3) && a.cell.keyUsage === DS ? { cell: a.cell, certificate: acbDs.certificate, standIn: true } : a));
  return { ...keys, anchors };
}

export const ROOT_CELL: CellId = { role: 0, keyUsage: KEY_USAGE_KEY_CERT_SIGN, cellUsage: 0 };

export interface ReferenceKeys {
  eui: string;
  kind: string;
  kaPrivate: Uint8Array;
  /** The KA private key is a stand-in: the secrets come from the parties' side (`secrets`). */
  kaStandIn: boolean;
  /** For a stand-in KA key: the device's ECDH secrets, taken from the parties' side. */
  secrets?: SharedSecrets;
  /** Parties whose KA private key is in KEYDIR (the secrets `secrets` can give). */
  parties?: string[];
  dsPrivate: Uint8Array;
  dsStandIn: boolean;
  anchors: AnchorSpec[];
  /** A root certificate from KEYDIR, if one is there. */
  root?: Uint8Array;
  missing: string[];
}

/**
 * The device's ECDH secrets computed from the other side: asked for (stand-in private, party public), it
 * answers ECDH(party private, device public) when KEYDIR holds that party's KA private key, and nothing
 * otherwise (the device then cannot check that party's MAC: a 'mac-mismatch', as a real device without
 * the key would). Asked for any other pair, it computes it (e.g. a key a CS02c generated on the device).
 */
export function acbSideSecrets(standIn: Uint8Array, devicePublic: Uint8Array, parties: Array<{ publicKey: Uint8Array; privateKey: Uint8Array }>, ecdh: (priv: Uint8Array, pub: Uint8Array) => Uint8Array | undefined): SharedSecrets {
  const cache = sharedSecrets(ecdh);
  return {
    agree(privateKey, publicKey) {
      if (!bytesEqual(privateKey, standIn)) return cache.agree(privateKey, publicKey);
      for (const p of parties) if (bytesEqual(p.publicKey, publicKey)) return cache.agree(p.privateKey, devicePublic);
      return undefined;
    },
  };
}

function standInKey(what: string, eui: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update('smets stand-in ' + what + ' key for ' + eui).digest());
}

export function loadReferenceKeys(keyDir: string, eui?: string, kind?: string): ReferenceKeys | string {
  const id = eui ?? REFERENCE_EUI;
  const kaFile = join(keyDir, id + '-ka.key');
  const kaStandIn = !existsSync(kaFile);
  let kaPrivate: Uint8Array;
  let secrets: SharedSecrets | undefined;
  let parties: string[] | undefined;
  if (!kaStandIn) kaPrivate = privateScalar(readFileSync(kaFile, 'utf8'));
  else {
    const certFile = join(keyDir, id + '-ka.pem');
    if (!existsSync(certFile)) return 'KEYDIR has neither ' + id + '-ka.key (the device KA private key) nor ' + id + '-ka.pem (its KA certificate, to take the secrets from the parties\' side)';
    const cert = readCertificate(pemToDer(readFileSync(certFile, 'utf8')));
    if (!cert.ok) return id + '-ka.pem: not a device certificate (' + cert.reason + ')';
    kaPrivate = standInKey('KA', id);
    const keys: Array<{ publicKey: Uint8Array; privateKey: Uint8Array }> = [];
    parties = [];
    for (const name of readdirSync(keyDir).sort()) {
      if (!/^[0-9a-f]{16}(-pp)?-ka\.key$/.test(name) || name.startsWith('00db')) continue;
      const privateKey = privateScalar(readFileSync(join(keyDir, name), 'utf8'));
      keys.push({ privateKey, publicKey: p256.getPublicKey(privateKey, false) });
      parties.push(name.replace(/\.key$/, ''));
    }
    const ecdh = (priv: Uint8Array, pub: Uint8Array): Uint8Array | undefined => {
      try {
        return p256.getSharedSecret(priv, pub, true).subarray(1);
      } catch {
        return undefined;
      }
    };
    secrets = acbSideSecrets(kaPrivate, cert.certificate.publicKey, keys, ecdh);
  }
  const dsFile = join(keyDir, id + '-ds.key');
  const dsStandIn = !existsSync(dsFile);
  const dsPrivate = dsStandIn ? (id === REFERENCE_EUI ? new Uint8Array(createHash('sha256').update('smets stand-in DS key for ' + REFERENCE_EUI).digest()) : standInKey('DS', id)) : privateScalar(readFileSync(dsFile, 'utf8'));
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
  const out: ReferenceKeys = { eui: id, kind: kind ?? 'ESME', kaPrivate, kaStandIn, dsPrivate, dsStandIn, anchors, missing };
  if (secrets) out.secrets = secrets;
  if (parties) out.parties = parties;
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
    eui: fromHex(keys.eui)!,
    environment: 'test',
    dsPrivate: keys.dsPrivate,
    kaPrivate: keys.kaPrivate,
    anchors,
  });
  return { board, device: made.ok ? openDevice(board, keys.secrets, useCasesOf(keys.kind)) : undefined, made };
}
