/**
 * CS02c -> CS02d -> CS02e on an engine (GBCS §12.2; device/credentials/deviceCredentials.ts): the supplier
 * (its published ZAZ1 DS key, MAC by the published ACB KA key) asks the reference device for a new DS key
 * pair; the request carries the device EUI and verifies with its own key (proof of possession); a stand-in
 * Issuing DCA made here (a fixed test key, self-signed, RFC 7229 test policy) issues the certificate; CS02d
 * installs it and CS02e reads it back. Refusals: a certificate for another key (5), from an issuer the
 * device does not hold (1). About 15 P-256 operations: Node and JerryScript only (Espruino: see the suite).
 * @module
 */
import type { Board, Medium } from '../../boards/board.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { cutAtEveryWrite, mediumFrom } from './powerCut.ts';
import { provisionRandomSeed } from '../../boards/portable/drbg.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { counterFromNumber } from '../../gbcs/counter64.ts';
import { derBitString, derGeneralizedTime, derOctetString, derOid, derSequence, derSmallInteger, derTlv, readChildren, readTlv } from '../../gbcs/der.ts';
import { signedBytesOf } from '../../gbcs/generalSigning.ts';
import type { GeneralSigningFields } from '../../gbcs/generalSigning.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';
import { p256Spki, signatureToDer, SMKI_DEVICE_HW_TYPE } from '../../device/credentials/deviceCredentials.ts';
import { keyUsageBitString } from '../../gbcs/smki/certificate.ts';
import { wrapWithMac } from '../../gbcs/protection/protection.ts';
import { readCertificate } from '../../gbcs/smki/certificate.ts';
import { TOOLKIT_TEST_DEVICE_POLICY } from '../../gbcs/smki/certificatePolicies.ts';
import { manufactureDevice } from '../../device/index.ts';
import { readDeviceCertificate, readPendingKey } from '../../device/state/identity.ts';
import { equal, ok } from './assert.ts';
import { ANCHORS, DEVICE_KA_KEY, deviceOn, KEYSTORE, referenceAnchors, stateFingerprint, suiteSecrets, CS02B } from './deviceFixture.ts';
import type { SelfTestContext, Suite } from './selftest.ts';
import { pemPrivateKey } from './pemKeys.ts';

const SUPPLIER_DS_KEY = KEYSTORE + '90b3d51f30010000-ds.key';
const ACB_KA_KEY = KEYSTORE + '90b3d51f30000002-ka.key';
const DEVICE = fromHex('00db1234567890a0') as Uint8Array;
const SUPPLIER = fromHex('90b3d51f30010000') as Uint8Array;
/** A fixed test Issuing DCA key (not a published key: this suite's own stand-in CA). */
const DCA_KEY = fromHex('2c1f3e4d5a6b7c8d9eafb0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f') as Uint8Array;
const DCA_KEY_ID = fromHex('5354414e442d494e') as Uint8Array;

function ext(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? derSequence([derOid(oid), new Uint8Array([1, 1, 0xff]), derOctetString(value)]) : derSequence([derOid(oid), derOctetString(value)]);
}

function certificate(board: Board, subject: Uint8Array, publicKey: Uint8Array, extensions: Uint8Array[]): Uint8Array {
  const alg = derSequence([derOid('1.2.840.10045.4.3.2')]);
  const issuer = derSequence([derTlv(0x31, [derSequence([derOid('2.5.4.3'), derTlv(0x0c, [new Uint8Array([0x44, 0x43, 0x41])])])])]);
  const tbs = derSequence([
    derTlv(0xa0, [derSmallInteger(2)]), derSmallInteger(0x1234), alg, issuer,
    derSequence([derGeneralizedTime('20250101000000Z'), derGeneralizedTime('99991231235959Z')]),
    subject, p256Spki(publicKey), derTlv(0xa3, [derSequence(extensions)]),
  ]);
  return derSequence([tbs, alg, derBitString(signatureToDer(board.crypto.p256Sign(DCA_KEY, tbs)))]);
}

function policies(): Uint8Array {
  return ext('2.5.29.32', true, derSequence([derSequence([derOid(TOOLKIT_TEST_DEVICE_POLICY)])]));
}

function dcaCertificate(board: Board): Uint8Array {
  const name = derSequence([derTlv(0x31, [derSequence([derOid('2.5.4.3'), derTlv(0x0c, [new Uint8Array([0x44, 0x43, 0x41])])])])]);
  return certificate(board, name, board.crypto.p256PublicKey(DCA_KEY), [ext('2.5.29.15', true, keyUsageBitString(0x04)), ext('2.5.29.14', false, derOctetString(DCA_KEY_ID)), policies()]);
}

/** A device certificate (SMKI device profile shape) for `publicKey`, issued by the stand-in DCA. */
function deviceCertificate(board: Board, publicKey: Uint8Array): Uint8Array {
  const san = derSequence([derTlv(0xa0, [derOid('1.3.6.1.5.5.7.8.4'), derTlv(0xa0, [derSequence([derOid(SMKI_DEVICE_HW_TYPE), derOctetString(DEVICE)])])])]);
  return certificate(board, derSequence([]), publicKey, [
    ext('2.5.29.15', true, keyUsageBitString(0x80)), ext('2.5.29.17', true, san), policies(),
    ext('2.5.29.35', false, derSequence([derTlv(0x80, [DCA_KEY_ID])])),
  ]);
}

function setUp(ctx: SelfTestContext, withDca: boolean, medium?: Medium) {
  const board = ctx.newBoard(medium || memoryMedium());
  // Engine boards generate keys from a provisioned DRBG seed (boards/portable/drbg.ts); a fixed test seed here.
  ok(provisionRandomSeed(board.storage, board.crypto.sha256, fromHex('73656564' + '00'.repeat(28) + '0123456789abcdef') as Uint8Array).ok, 'DRBG seeded');
  const anchors = referenceAnchors(ctx);
  const made = manufactureDevice(board, {
    eui: DEVICE, environment: 'test', dsPrivate: fromHex('6b7a2d3c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a41') as Uint8Array,
    kaPrivate: pemPrivateKey(ctx.vector(DEVICE_KA_KEY)), anchors: anchors, issuingDcas: withDca ? [dcaCertificate(board)] : [],
  });
  if (!made.ok) throw new Error('manufacture refused: ' + made.reason);
  const supplierDs = pemPrivateKey(ctx.vector(SUPPLIER_DS_KEY));
  const acbKa = pemPrivateKey(ctx.vector(ACB_KA_KEY));
  const deviceKaPub = board.crypto.p256PublicKey(made.identity.kaPrivate);
  let counter = 7000;
  const device = deviceOn(board);
  return {
    board: board,
    /** Sends a supplier command; the response content. */
    /** A supplier command, signed and MAC'ed, with the next counter. */
    frame(code: number, body: Uint8Array): Uint8Array {
      const f: GeneralSigningFields = { cra: 1, counter: counterFromNumber(++counter), originator: SUPPLIER, recipient: DEVICE, messageCode: code, content: body, signatureForm: 'ecdsa' };
      f.signature = board.crypto.p256Sign(supplierDs, signedBytesOf(f));
      return wrapWithMac(board.crypto, suiteSecrets(board), acbKa, deviceKaPub, encodeMessage({ wrapper: 'signed', gs: f })) as Uint8Array;
    },
    send(code: number, body: Uint8Array): Uint8Array {
      const a = device.receive(this.frame(code, body));
      if (!a.outcome.ok) throw new Error('refused: ' + a.outcome.reason + ' ' + (a.outcome.detail || ''));
      const m = decodeMessage(a.response as Uint8Array);
      if (!m.ok) throw new Error('response does not decode');
      return new Uint8Array(m.content);
    },
  };
}

/** The CSR's CertificationRequestInfo, public key and signature (r||s from DER). */
function csrParts(csr: Uint8Array): { info: Uint8Array; publicKey: Uint8Array; signature: Uint8Array } {
  const top = readTlv(csr, 0, csr.length);
  const parts = top.ok ? readChildren(csr, top) : undefined;
  if (!(parts instanceof Array) || parts.length !== 3) throw new Error('CSR shape');
  const infoKids = readChildren(csr, parts[0]);
  if (!(infoKids instanceof Array) || infoKids.length !== 4) throw new Error('CRI shape');
  const spki = csr.subarray(infoKids[2].end - 65, infoKids[2].end);
  const sig = readTlv(csr, parts[2].valueStart + 1, parts[2].end);
  const rs = sig.ok ? readChildren(csr, sig) : undefined;
  if (!(rs instanceof Array)) throw new Error('signature shape');
  const out = new Uint8Array(64);
  for (let i = 0; i < 2; i++) {
    let v = csr.subarray(rs[i].valueStart, rs[i].end);
    while (v.length > 32 && v[0] === 0) v = v.subarray(1);
    out.set(v, 32 * i + 32 - v.length);
  }
  return { info: csr.subarray(parts[0].start, parts[0].end), publicKey: spki, signature: out };
}

const DS_USAGE = derSequence([keyUsageBitString(0x80)]);

export const deviceCredentials: Suite = {
  name: 'device CS02c/CS02d/CS02e',
  bundle: 'selftest-device-cs02cd',
  // On Espruino since derGeneralizedTime (gbcs/der.ts) checks its text by hand: Espruino 2v29's regex
  // fails a bounded repeat (/^[0-9]{14}Z$/ did not match "20250101000000Z").
  boards: ['node', 'jerryscript', 'espruino'],
  vectors: [DEVICE_KA_KEY, SUPPLIER_DS_KEY, ACB_KA_KEY, CS02B].concat(ANCHORS.map(function (a) { return KEYSTORE + a[0] + '.pem'; })),
  cases: [
    {
      name: 'CS02c request proves possession and names the device; CS02d installs the DCA-issued certificate; CS02e reads it',
      run(ctx) {
        const d = setUp(ctx, true);
        const csr = d.send(0x000a, DS_USAGE);
        const p = csrParts(csr);
        const pending = readPendingKey(d.board.storage, 'ds') as Uint8Array;
        ok(pending !== undefined, 'a pending DS key');
        equal(toHex(p.publicKey), toHex(d.board.crypto.p256PublicKey(pending)), 'the request carries the pending key');
        ok(d.board.crypto.p256Verify(p.publicKey, p.info, p.signature), 'proof of possession: the request verifies with its own key');
        ok(toHex(csr).indexOf('040800db1234567890a0') > 0, 'hwSerialNum = device EUI');
        const wrongKey = deviceCertificate(d.board, d.board.crypto.p256PublicKey(DCA_KEY));
        equal(toHex(d.send(0x000b, wrongKey)), '020105', 'a certificate for another key: wrong public key (5)');
        const cert = deviceCertificate(d.board, p.publicKey);
        ok(readCertificate(cert).ok, 'the issued certificate reads');
        equal(toHex(d.send(0x000b, cert)), '020100', 'CS02d success (0)');
        equal(toHex(readDeviceCertificate(d.board.storage, 'ds') as Uint8Array), toHex(cert), 'installed');
        equal(toHex(d.send(0x000c, DS_USAGE)), toHex(cert), 'CS02e returns it');
      },
    },
    {
      name: 'CS02d from an Issuing DCA the device does not hold: invalid certificate (1), pending key kept',
      run(ctx) {
        const d = setUp(ctx, false);
        const p = csrParts(d.send(0x000a, DS_USAGE));
        equal(toHex(d.send(0x000b, deviceCertificate(d.board, p.publicKey))), '020101', 'refused (1)');
        ok(readPendingKey(d.board.storage, 'ds') !== undefined && readDeviceCertificate(d.board.storage, 'ds') === undefined, 'nothing installed');
      },
    },
  ],
};

/** A medium holding a copy of `blobs`. */

/**
 * Power cut at every write of delivering `frame` to the device stored in `start`: after a restart the
 * state is one of `allowed` (fingerprints). Returns the cut points tried (each write, cut and torn).
 */
function sweep(ctx: SelfTestContext, start: Record<string, Uint8Array>, frame: Uint8Array, allowed: (fp: string, before: string, after: string) => boolean): number {
  const before = stateFingerprint(ctx.newBoard(mediumFrom(start)));
  let after = '';
  return cutAtEveryWrite(
    ctx.newBoard,
    start,
    function (board) { return deviceOn(board).receive(frame).outcome.ok; },
    function (done) { after = stateFingerprint(done); },
    function (restarted, where) { ok(allowed(stateFingerprint(restarted), before, after), 'state after a cut at ' + where + ' is an allowed one'); },
  );
}

/** Cut points of each sweep (each write cut cleanly and torn), stated for the test names and asserted. */
/** CS02c: Node's board draws keys from the OS (4 writes); the engines' DRBG adds its own commit (3 writes). */
const CUTS_CS02C_NODE = 8;
const CUTS_CS02C_ENGINES = 14;
const CUTS_CS02D = 12;

/**
 * Power cuts at every write of a CS02c and of a CS02d. CS02c draws its key from the DRBG, whose state
 * (`rng.state`) is committed BEFORE the command's own commit (boards/portable/drbg.ts: output is never
 * released before the state that produced it is stored): a cut between the two leaves a third state,
 * "DRBG advanced, nothing else", which is allowed (no key, no counter: the command simply did not happen,
 * and the next one draws fresh bytes). CS02d draws nothing: wholly before or after.
 */
export const deviceCredentialsPowerCut: Suite = {
  name: 'device power cuts (CS02c, CS02d)',
  bundle: 'selftest-device-cs02cd',
  boards: ['node', 'jerryscript', 'espruino'], // as deviceCredentials
  vectors: deviceCredentials.vectors,
  cases: [
    {
      name: 'power cut at every write of a CS02c, ' + CUTS_CS02C_NODE + ' cut points on Node, ' + CUTS_CS02C_ENGINES + ' with the DRBG commit: before, DRBG advanced only, or after',
      run(ctx) {
        const base = memoryMedium();
        const d = setUp(ctx, true, base);
        const frame = d.frame(0x000a, DS_USAGE);
        const start = base.snapshot();
        const n = sweep(ctx, start, frame, function (fp, before, after) {
          // The DRBG commit landed and the command's did not: only rng.state differs from before.
          if (strip(fp, 'rng.state') === strip(before, 'rng.state')) return true;
          // The command landed: as after, but for the key drawn (Node's board draws from the OS, not the DRBG).
          return strip(strip(fp, 'rng.state'), 'id.ds.pending') === strip(strip(after, 'rng.state'), 'id.ds.pending') && fp.indexOf('id.ds.pending=') >= 0;
        });
        equal(n, d.board.name === 'node' ? CUTS_CS02C_NODE : CUTS_CS02C_ENGINES, 'cut points tried');
      },
    },
    {
      name: 'power cut at every write of a CS02d, ' + CUTS_CS02D + ' cut points: wholly before or after',
      run(ctx) {
        const base = memoryMedium();
        const d = setUp(ctx, true, base);
        const p = csrParts(d.send(0x000a, DS_USAGE));
        const frame = d.frame(0x000b, deviceCertificate(d.board, p.publicKey));
        const n = sweep(ctx, base.snapshot(), frame, function (fp, before, after) {
          return fp === before || fp === after;
        });
        equal(n, CUTS_CS02D, 'cut points tried');
      },
    },
  ],
};

/** A fingerprint without the entry of `key`. */
function strip(fp: string, key: string): string {
  const at = fp.indexOf(key + '=');
  if (at < 0) return fp;
  return fp.substring(0, at) + fp.substring(fp.indexOf(';', at) + 1);
}
