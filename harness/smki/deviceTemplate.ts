/**
 * The lean device-certificate path: a precomputed DER template of the device TBSCertificate for one
 * Issuing DCA, with holes at fixed offsets for serial, notBefore, public key, keyUsage bits, subject
 * key id and EUI. Why: a batch is up to 49,999 certificates (seed ¶87) and the target is >= 60% of
 * OpenSSL's raw verify+sign bound; building each TBS from nested DER objects costs several times the
 * copy-and-patch done here. Every device TBS has the same length (16-byte serial, 13-byte UTCTime,
 * 65-byte point, 8-byte ids and EUI, both keyUsage values are 2 content bytes), so the holes never move.
 * Output is byte-identical to profiles.deviceTbs (tested) and checked by pkijs and openssl in tests.
 * @module
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { TAG } from './der.ts';
import { deviceTbs, ECDSA_SHA256, KEY_USAGE_VALUE, randomSerial, type KeyUsageName } from './profiles.ts';

export interface DeviceTemplate {
  tbs: Buffer;
  serialAt: number;
  notBeforeAt: number;
  pointAt: number;
  keyUsageAt: number;
  skiAt: number;
  euiAt: number;
}

function findOnce(hay: Buffer, needle: Buffer, what: string): number {
  const at = hay.indexOf(needle);
  if (at < 0 || hay.indexOf(needle, at + 1) >= 0) throw new Error(`deviceTemplate: ${what} placeholder not unique`);
  return at;
}

/** Builds the template for an Issuing DCA (its name and key id) and a policy. */
export function makeDeviceTemplate(issuerName: Buffer, issuerKeyId: Uint8Array, policy: string): DeviceTemplate {
  const serial = randomSerial();
  const point = Buffer.concat([Buffer.from([4]), randomSerial(), randomSerial(), randomSerial(), randomSerial()]);
  const ski = randomSerial().subarray(0, 8);
  const eui = randomSerial().subarray(8, 16);
  const spki = Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'), point]);
  const notBefore = new Date(Date.UTC(2001, 0, 1, 0, 0, 0));
  const tbs = deviceTbs({ serial, issuerName, issuerKeyId, spki, subjectKeyId: ski, eui, keyUsage: 'digitalSignature', policy, notBefore });
  const kuExt = Buffer.concat([Buffer.from('0603551d0f0101ff0404', 'hex'), KEY_USAGE_VALUE.digitalSignature]);
  const nb = findOnce(tbs, Buffer.from([TAG.UTC_TIME, 13, ...Buffer.from('010101000000Z', 'latin1')]), 'notBefore');
  return {
    tbs,
    serialAt: findOnce(tbs, serial, 'serial'),
    notBeforeAt: nb + 2,
    pointAt: findOnce(tbs, point, 'point'),
    keyUsageAt: findOnce(tbs, kuExt, 'keyUsage') + kuExt.length - 2,
    skiAt: findOnce(tbs, ski, 'ski'),
    euiAt: findOnce(tbs, eui, 'eui'),
  };
}

/** UTCTime content "YYMMDDHHMMSSZ" for 1950..2049 (RFC 5280 §4.1.2.5.1). */
export function utcTimeText(d: Date): string {
  const y = d.getUTCFullYear();
  if (y < 1950 || y >= 2050) throw new RangeError(`utcTimeText: year ${y} needs GeneralizedTime`);
  const p = (n: number) => (n < 10 ? '0' : '') + n;
  return p(y % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes()) + p(d.getUTCSeconds()) + 'Z';
}

/** RFC 5280 §4.2.1.2 method (2) key id, written straight into `out` at `at`. */
function writeKeyId(point: Uint8Array, out: Buffer, at: number): void {
  const h = createHash('sha1').update(point).digest();
  h.copy(out, at, 12, 20);
  out[at] = 0x40 | (out[at]! & 0x0f);
}

/** Largest certificate a template makes: the TBS, the algorithm and a BIT STRING of at most 72 signature bytes. */
export function maxCertificateLength(t: DeviceTemplate): number {
  return 4 + t.tbs.length + ECDSA_SHA256.length + 3 + 72;
}

/**
 * Fills the template for one device into `tbs` (a scratch copy of t.tbs: every hole is overwritten, so
 * it is reused from one certificate to the next), signs it and writes the certificate DER into `out`
 * at `at`; returns its length. `random` holds the serial's 16 random bytes (its first byte is folded
 * to 01..7f: positive, 16 bytes, as profiles.randomSerial), `point` is the 65-byte uncompressed key
 * from the CSR, `eui` its 8 bytes, `notBeforeText` from utcTimeText (shared by a whole batch).
 */
export function signInto(
  t: DeviceTemplate, signingKey: KeyObject, tbs: Buffer, random: Uint8Array,
  point: Uint8Array, eui: Uint8Array, keyUsage: KeyUsageName, notBeforeText: string, out: Buffer, at: number,
): number {
  tbs.set(random.subarray(0, 16), t.serialAt);
  tbs[t.serialAt] = 1 + (tbs[t.serialAt]! % 0x7f);
  tbs.write(notBeforeText, t.notBeforeAt, 'latin1');
  tbs.set(point, t.pointAt);
  const ku = KEY_USAGE_VALUE[keyUsage];
  tbs[t.keyUsageAt] = ku[2]!;
  tbs[t.keyUsageAt + 1] = ku[3]!;
  writeKeyId(point, tbs, t.skiAt);
  tbs.set(eui, t.euiAt);
  const sig = sign('sha256', tbs, signingKey);
  // Certificate ::= SEQUENCE { tbs, algId, BIT STRING (00 || sig) }; the total is 256..65535 bytes.
  const inner = tbs.length + ECDSA_SHA256.length + 2 + 1 + sig.length;
  const start = at;
  out[at++] = TAG.SEQUENCE; out[at++] = 0x82; out[at++] = inner >> 8; out[at++] = inner & 0xff;
  at += tbs.copy(out, at);
  at += ECDSA_SHA256.copy(out, at);
  out[at++] = TAG.BIT_STRING; out[at++] = sig.length + 1; out[at++] = 0;
  at += sig.copy(out, at);
  return at - start;
}

/** One device certificate (single requests): returns the certificate DER and its serial (hex). */
export function issueFromTemplate(
  t: DeviceTemplate, signingKey: KeyObject, point: Uint8Array, eui: Uint8Array, keyUsage: KeyUsageName, notBeforeText: string,
): { der: Buffer; serial: string } {
  const out = Buffer.allocUnsafe(maxCertificateLength(t));
  const n = signInto(t, signingKey, Buffer.from(t.tbs), randomSerial(), point, eui, keyUsage, notBeforeText, out, 0);
  const der = out.subarray(0, n);
  return { der, serial: der.toString('hex', 4 + t.serialAt, 4 + t.serialAt + 16) };
}
