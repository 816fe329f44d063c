/**
 * The reference GSME of the RTDS replay (Node only): device 00DB1234567890A1 as the DCC test data knows it.
 * - Its private keys are not published (only its certificates, `00db1234567890a1-ds.pem` / `-ka.pem`).
 *   The replay gives it STAND-IN private keys and takes each ECDH secret it needs from the other side
 *   (HAN-FACTS: ECDH(party private, device public) = ECDH(device private, party public)): the ACB's KA
 *   key for command MACs, the Supplier's for response MACs; both are published in KEYDIR. Its critical
 *   responses are signed with the stand-in DS key (they will not verify against its published certificate).
 * - Its trust anchors are the ESME reference device's (referenceDevice.ts), its clock is the time RTDS's
 *   responses carry (2015-01-01T00:00:00Z: the date-time field `07df0101ff000000008000ff`).
 * - Its factory data (the ZCL attributes it reports before any command) is what the RTDS 4.5.0 SUCCESS
 *   responses of the reference GSME show it reporting (folder named per value; GCS13b's and GCS14's are
 *   encrypted there and were read with the Supplier's published KA key): transcribed here as data, not
 *   read from the folder, so the replay checks the GSME's read path (and its encryption) against
 *   independent bytes.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeBoard } from '../../boards/node/index.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import type { Board, Clock } from '../../boards/board.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { readCertificate } from '../../gbcs/smki/certificate.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { carryGsme, manufactureDevice, SmetsDevice } from '../../device/index.ts';
import type { ManufactureResult, ZclAttributeValue } from '../../device/index.ts';
import { pemToDer, privateScalar, ROOT_CELL } from './referenceDevice.ts';
import { counterFromNumber } from '../../gbcs/counter64.ts';
import { signedBytesOf } from '../../gbcs/generalSigning.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';
import { wrapWithMac } from '../../gbcs/protection/protection.ts';
import { DEVICE_PPMID, encodeJoinCommand, MESSAGE_CODE_CS03C, METHOD_C } from '../../gbcs/contents/join.ts';
import type { ReferenceKeys } from './referenceDevice.ts';

carryGsme();

export const REFERENCE_GSME_EUI = '00db1234567890a1';

/** 2015-01-01T00:00:00Z, the time of the RTDS responses. */
export const RTDS_TIME_SEC = 1420070400;

/** [cluster, attribute, ZCL type, value bytes as on the wire] — RTDS 4.5.0 folder each comes from. */
const FACTORY_ATTRIBUTES: Array<[number, number, number, string]> = [
  [0x0000, 0x0003, 0x20, '01'], // 6.2.4_GCS21e Basic HWVersion
  [0x0000, 0x0004, 0x42, '11437269746963616c20536f667477617265'], // 6.2.4_GCS21e ManufacturerName
  [0x0000, 0x0005, 0x42, '10474649202020202000db1234567890a1'], // 6.2.4_GCS21e ModelIdentifier
  [0x0700, 0x0100, 0x25, 'a08601000000'], // 4.11.1_GCS21f Price: block thresholds
  [0x0700, 0x0101, 0x25, '400d03000000'], // 4.11.1_GCS21f
  [0x0700, 0x0102, 0x25, 'e09304000000'], // 4.11.1_GCS21f
  [0x0700, 0x0202, 0x22, '010000'], // 4.11.1_GCS21f
  [0x0700, 0x0203, 0x22, 'e80300'], // 4.11.1_GCS21f
  [0x0700, 0x0301, 0x23, 'c1570000'], // 4.11.1_GCS21f
  [0x0700, 0x0302, 0x23, '24000000'], // 6.2.8_GCS21a
  [0x0700, 0x0303, 0x18, '01'], // 6.2.8_GCS21a
  [0x0700, 0x0304, 0x23, '37020000'], // 6.2.8_GCS21a
  [0x0700, 0x0305, 0x30, '01'], // 6.2.8_GCS21a
  [0x0700, 0x0306, 0x18, '00'], // 6.2.8_GCS21a
  [0x0700, 0x0400, 0x23, '68290000'], // 4.11.1_GCS21f Price: block prices
  [0x0700, 0x0401, 0x23, 'c02b0000'], // 4.11.1_GCS21f
  [0x0700, 0x0402, 0x23, 'e62d0000'], // 4.11.1_GCS21f
  [0x0700, 0x0403, 0x23, 'e02e0000'], // 4.11.1_GCS21f
  [0x0700, 0x0410, 0x23, '80250000'], // 4.11.1_GCS21f
  [0x0700, 0x0420, 0x23, 'd8270000'], // 4.11.1_GCS21f
  [0x0700, 0x0430, 0x23, 'fe290000'], // 4.11.1_GCS21f
  [0x0700, 0x0440, 0x23, 'f82a0000'], // 4.11.1_GCS21f
  [0x0700, 0x0615, 0x30, '00'], // 4.11.1_GCS21f
  [0x0700, 0x0616, 0x21, '3a03'], // 4.11.1_GCS21f, 4.3_GCS14
  [0x0700, 0x0617, 0x18, '50'], // 4.11.1_GCS21f, 4.3_GCS14
  [0x0702, 0x0014, 0x30, '02'], // 7.4_GCS33 Metering SupplyStatus (valve open)
  [0x0702, 0x0300, 0x30, '01'], // 4.1.4_GCS13b (encrypted in RTDS: decrypted with the Supplier's KA key)
  [0x0702, 0x0301, 0x22, '010000'], // 4.1.4_GCS13b
  [0x0702, 0x0302, 0x22, 'e80300'], // 4.1.4_GCS13b
  [0x0702, 0x0700, 0x25, '000000000000'], // 4.1.4_GCS13b block counters
  [0x0702, 0x0701, 0x25, '010000000000'], // 4.1.4_GCS13b
  [0x0702, 0x0702, 0x25, '020000000000'], // 4.1.4_GCS13b
  [0x0702, 0x0703, 0x25, '030000000000'], // 4.1.4_GCS13b
  [0x0702, 0x0205, 0x21, '6400'], // 7.4_GCS33
  [0x0702, 0x0206, 0x41, '040123abcd'], // 11.2_GCS38 firmware version
  [0x0702, 0x0607, 0x30, '03'], // 6.2.4_GCS21e
  [0x0702, 0x0608, 0x30, '03'], // 6.2.4_GCS21e
  [0x0702, 0x0a00, 0x23, 'e0673500'], // 4.18_GCS60
  [0x0702, 0x0b10, 0x21, 'c800'], // 6.2.8_GCS21a
  [0x0702, 0x0b11, 0x30, '01'], // 6.2.8_GCS21a
  [0x0702, 0x0b12, 0x21, '0100'], // 6.2.8_GCS21a
  [0x0702, 0x0b13, 0x21, '0100'], // 6.2.8_GCS21a
  [0x0702, 0x0b14, 0x20, '0a'], // 6.2.8_GCS21a
  [0x0702, 0x0b15, 0x21, '100e'], // 6.2.8_GCS21a
  [0x0705, 0x0000, 0x19, '970c'], // 6.2.9_GCS21j Prepayment PaymentControlConfiguration
  [0x0705, 0x0001, 0x2b, 'a0252600'], // 4.18_GCS60 CreditRemaining
  [0x0705, 0x0002, 0x2b, '20a10700'], // 4.3_GCS14 (encrypted in RTDS)
  [0x0705, 0x0005, 0x2b, 'a0252600'], // 4.3_GCS14
  [0x0705, 0x0006, 0x2b, '40420f00'], // 4.13_GCS21b OverallDebtCap
  [0x0705, 0x0010, 0x23, '40420f00'], // 4.13_GCS21b EmergencyCreditLimit
  [0x0705, 0x0011, 0x23, '400d0300'], // 4.13_GCS21b EmergencyCreditThreshold
  [0x0705, 0x0021, 0x23, '80969800'], // 4.13_GCS21b MaxCreditLimit
  [0x0705, 0x0022, 0x23, '404b4c00'], // 4.13_GCS21b MaxCreditPerTopUp
  [0x0705, 0x0031, 0x23, '20a10700'], // 4.13_GCS21b LowCreditWarningLevel
  [0x0705, 0x0040, 0x2b, 'c0b4b3ff'], // 4.13_GCS21b
  [0x0705, 0x0216, 0x30, '01'], // 4.13_GCS21b
  [0x0705, 0x0217, 0x23, '20a10700'], // 4.13_GCS21b
  [0x0705, 0x0226, 0x30, '01'], // 4.13_GCS21b
  [0x0705, 0x0227, 0x23, '400d0300'], // 4.13_GCS21b
  [0x0705, 0x0211, 0x23, '88130000'], // 4.3_GCS14
  [0x0705, 0x0221, 0x23, '88130000'], // 4.3_GCS14
  [0x0705, 0x0231, 0x23, '88130000'], // 4.3_GCS14
  [0x0705, 0x0239, 0x21, 'e803'], // 4.13_GCS21b
];

/**
 * Where an RTDS folder was taken with the reference GSME in another state than the one above, that folder's
 * starting values. 2.2_CS01b: its SUCCESS RESPONSE answers a top-up of 1,250,000 (the UTRN's 1,250 pennies)
 * with credit remaining 25,144,000, so the GSME held 23,894,000 before it (derived from that RESPONSE
 * file: its content check then checks the result, the top-up value and the layout, not the balance).
 */
const USE_CASE_ATTRIBUTES: Record<string, Array<[number, number, number, string]>> = {
  '2.2_CS01b': [[0x0705, 0x0001, 0x2b, 'f0976c01']],
};

/** The factory data, with the starting values of `useCase` (an RTDS folder name) where it has its own. */
export function gsmeFactoryAttributes(useCase?: string): ZclAttributeValue[] {
  const own = (useCase && USE_CASE_ATTRIBUTES[useCase]) || [];
  const rows = FACTORY_ATTRIBUTES.map((r) => own.find((o) => o[0] === r[0] && o[1] === r[1]) ?? r);
  return rows.map(([cluster, attribute, type, value]) => ({ cluster, attribute, type, value: fromHex(value)! }));
}

function standIn(what: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update('smets stand-in ' + what + ' key for ' + REFERENCE_GSME_EUI).digest());
}

export interface GsmeKeys {
  /** The device's published KA public key (from its certificate). */
  kaPublic: Uint8Array;
  /** Stand-in private keys (the real ones are not published). */
  kaPrivate: Uint8Array;
  dsPrivate: Uint8Array;
  /** KA private keys of the parties in KEYDIR, by their public key's hex. */
  parties: Record<string, Uint8Array>;
}

/** The reference GSME's keys from KEYDIR, or why they cannot be had. */
export function loadGsmeKeys(keyDir: string): GsmeKeys | string {
  const kaCert = join(keyDir, REFERENCE_GSME_EUI + '-ka.pem');
  if (!existsSync(kaCert)) return 'KEYDIR has no ' + REFERENCE_GSME_EUI + '-ka.pem (the GSME KA certificate)';
  const cert = readCertificate(pemToDer(readFileSync(kaCert, 'utf8')));
  if (!cert.ok) return REFERENCE_GSME_EUI + '-ka.pem: ' + cert.reason;
  const parties: Record<string, Uint8Array> = {};
  for (const name of readdirSync(keyDir)) {
    const m = /^([0-9a-f]{16}(?:-pp)?-ka)\.key$/.exec(name);
    if (!m || !existsSync(join(keyDir, m[1] + '.pem'))) continue;
    const pc = readCertificate(pemToDer(readFileSync(join(keyDir, m[1] + '.pem'), 'utf8')));
    if (pc.ok) parties[toHex(pc.certificate.publicKey)] = privateScalar(readFileSync(join(keyDir, name), 'utf8'));
  }
  return { kaPublic: cert.certificate.publicKey, kaPrivate: standIn('KA'), dsPrivate: standIn('DS'), parties };
}

/**
 * The GSME's ECDH cache: with its stand-in KA key and a party whose KA private key is in KEYDIR, Z is
 * computed from the party's side (party private x the GSME's published KA public key).
 */
export function gsmeSecrets(board: Board, keys: GsmeKeys): SharedSecrets {
  const inner = sharedSecrets(board.crypto.ecdh);
  return {
    agree(privateKey, publicKey) {
      const party = keys.parties[toHex(publicKey)];
      if (party && toHex(privateKey) === toHex(keys.kaPrivate)) return inner.agree(party, keys.kaPublic);
      return inner.agree(privateKey, publicKey);
    },
  };
}

/** A fresh board carrying the manufactured reference GSME, powered on at the RTDS time (or on `clock`), in the starting state of `useCase`. */
export function referenceGsme(keys: ReferenceKeys, gsme: GsmeKeys, rootStandIn: Uint8Array | undefined, clock?: Clock, useCase?: string): { board: Board; device: SmetsDevice | undefined; made: ManufactureResult } {
  const board = nodeBoard({ medium: memoryMedium(), clock: clock ?? { nowSec: () => RTDS_TIME_SEC } });
  const anchors = keys.anchors.slice();
  const root = keys.root ?? rootStandIn;
  if (root) anchors.push({ cell: ROOT_CELL, certificate: root, standIn: !keys.root });
  const made = manufactureDevice(board, {
    eui: fromHex(REFERENCE_GSME_EUI)!,
    environment: 'test',
    kind: 'GSME',
    dsPrivate: gsme.dsPrivate,
    kaPrivate: gsme.kaPrivate,
    anchors,
    attributes: gsmeFactoryAttributes(useCase),
  });
  if (!made.ok) return { board, device: undefined, made };
  const device = new SmetsDevice(board, gsmeSecrets(board, gsme));
  device.powerOn();
  return { board, device, made };
}

/**
 * Joins the PPMID `ppmid` to the reference GSME by CS03C (Method C), as RTDS 8.7.1_CS03CCritical does for
 * ...98: the Supplier's signed command (its published DS key), MAC'ed by the ACB (its published KA key over
 * the GSME's published KA key), carrying the PPMID's published KA certificate `<ppmid>-ka.pem`, through the
 * GSME's pipeline. Undefined when joined, else why not.
 */
export function joinPpmidByCs03c(keyDir: string, gsme: GsmeKeys, board: Board, device: SmetsDevice, ppmid: string): string | undefined {
  const need = ['90b3d51f30010000-ds.key', '90b3d51f30000002-ka.key', ppmid + '-ka.pem'];
  for (const f of need) if (!existsSync(join(keyDir, f))) return 'KEYDIR has no ' + f;
  const f = {
    cra: 1, counter: counterFromNumber(1), originator: fromHex('90b3d51f30010000')!, recipient: fromHex(REFERENCE_GSME_EUI)!, messageCode: MESSAGE_CODE_CS03C,
    content: encodeJoinCommand({ method: METHOD_C, other: fromHex(ppmid)!, otherType: DEVICE_PPMID, certificate: pemToDer(readFileSync(join(keyDir, ppmid + '-ka.pem'), 'utf8')) }),
    signatureForm: 'ecdsa' as const, signature: undefined as Uint8Array | undefined,
  };
  f.signature = board.crypto.p256Sign(privateScalar(readFileSync(join(keyDir, need[0]), 'utf8')), signedBytesOf(f));
  const frame = wrapWithMac(board.crypto, sharedSecrets(board.crypto.ecdh), privateScalar(readFileSync(join(keyDir, need[1]), 'utf8')), gsme.kaPublic, encodeMessage({ wrapper: 'signed', gs: f }));
  if (!frame) return 'CS03C: no MAC';
  const a = device.receive(frame);
  if (!a.outcome.ok) return 'CS03C refused: ' + a.outcome.reason + (a.outcome.detail ? ' (' + a.outcome.detail + ')' : '');
  const r = a.response ? decodeMessage(a.response) : undefined;
  const code = r && r.ok ? toHex(r.content) : 'no response';
  return code === '020100' ? undefined : 'CS03C answered ' + code + ' (020100 is success)';
}
