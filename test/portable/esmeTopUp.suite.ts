/**
 * CS01a on every engine (device/prepayment/esmeTopUp.ts: the Supplier's UTRN to the ESME's Token Gateway,
 * checked by prepayment/utrnTopUp.ts into `prepay.credit`): the reference ESME 00DB1234567890A0 (its KA key
 * is published) with the Supplier's prepayment KA certificate in its cell. The command is built here as the
 * DCC builds it (access-request, action class 115 0-0:19.40.0.255 method 1, the UTRN as an octet string), its
 * counter 0x300000000 and the UTRN counter equal to it, as in RTDS's top-ups; MACs and the UTRN's own MAC
 * made from the ESME's side (ECDH is symmetric), so the device's secret cache holds every Z it needs: three
 * ECDHs in all (Espruino: ~18 s each). Accepted with the action-result success and 1,000 pennies added; the
 * frame replayed refused; the UTRN under a fresh counter answers 02 (duplicate), the balance unchanged; a
 * flipped UTRN digit refused by the MAC, nothing stored. Its own small bundle (JerryScript's heap).
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';
import { wrapWithMac } from '../../gbcs/protection/protection.ts';
import { readCertificate } from '../../gbcs/smki/certificate.ts';
import { action } from '../../gbcs/dlms/access.ts';
import { octetString } from '../../gbcs/dlms/data.ts';
import { makeUtrn, ptutHigh, ptutMac, VALUE_POUNDS } from '../../gbcs/utrn.ts';
import { manufactureDevice } from '../../device/index.ts';
import { readCredit } from '../../device/state/prepayment.ts';
import { equal, ok } from './assert.ts';
import { ANCHORS, CS02B, DEVICE_KA_KEY, deviceOn, KEYSTORE, referenceAnchors, stateFingerprint, suiteSecrets } from './deviceFixture.ts';
import { pemBytes, pemPrivateKey } from './pemKeys.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

const ACB_KA_CERT = KEYSTORE + '90b3d51f30000002-ka.pem';
const PP_KA_CERT = KEYSTORE + '90b3d51f30010000-pp-ka.pem';
const SUPPLIER = fromHex('90b3d51f30010000') as Uint8Array;
const ESME = fromHex('00db1234567890a0') as Uint8Array;
const STAND_IN_DS = fromHex('5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a61') as Uint8Array;

function publicKeyOf(ctx: SelfTestContext, path: string): Uint8Array {
  const c = readCertificate(pemBytes(ctx.vector(path)));
  if (!c.ok) throw new Error(path + ': ' + c.reason);
  return c.certificate.publicKey;
}

/** A CS01a frame: `utrn` under the Supplier's counter { hi, 0 }, MAC'ed (from the ESME's side) as the ACB would. */
function cs01a(ctx: SelfTestContext, board: Board, hi: number, utrn: string): Uint8Array {
  const counter = { hi: hi, lo: 0 };
  const digits = new Uint8Array(utrn.length);
  for (let i = 0; i < utrn.length; i++) digits[i] = utrn.charCodeAt(i);
  const gs = { cra: 1, counter: counter, originator: SUPPLIER, recipient: ESME, messageCode: 0x0007, content: action(counter, 115, '0-0:19.40.0.255', 1, octetString(digits)), signatureForm: 'null' as const };
  const esmeKa = pemPrivateKey(ctx.vector(DEVICE_KA_KEY));
  return wrapWithMac(board.crypto, suiteSecrets(board), esmeKa, publicKeyOf(ctx, ACB_KA_CERT), encodeMessage({ wrapper: 'signed', gs: gs })) as Uint8Array;
}

export const esmeTopUp: Suite = {
  name: 'esme top-up',
  bundle: 'selftest-esme-topup',
  vectors: [CS02B, DEVICE_KA_KEY, ACB_KA_CERT, PP_KA_CERT].concat(ANCHORS.map(function (a) { return KEYSTORE + a[0] + '.pem'; })),
  cases: [
    {
      name: 'CS01a: a £10 UTRN accepted (action-result success, 1,000 pennies); replay refused; the UTRN under a fresh counter answers 02 (duplicate); a flipped UTRN digit refused, nothing stored',
      run(ctx) {
        const board = ctx.newBoard(memoryMedium());
        const made = manufactureDevice(board, {
          eui: ESME, environment: 'test', dsPrivate: STAND_IN_DS, kaPrivate: pemPrivateKey(ctx.vector(DEVICE_KA_KEY)),
          anchors: referenceAnchors(ctx).concat([{ cell: { role: 2, keyUsage: 0x08, cellUsage: 1 }, certificate: pemBytes(ctx.vector(PP_KA_CERT)) }]),
        });
        ok(made.ok, 'manufactured');
        const device = deviceOn(board);
        // The UTRN: counter 0x300000000, £10, its MAC under Z(ESME KA, Supplier prepayment KA) (the device's cache keeps Z).
        const ctr = new Uint8Array([0, 0, 0, 3, 0, 0, 0, 0]);
        const high = ptutHigh(ctr, VALUE_POUNDS, 10);
        const z = suiteSecrets(board).agree(pemPrivateKey(ctx.vector(DEVICE_KA_KEY)), publicKeyOf(ctx, PP_KA_CERT)) as Uint8Array;
        const utrn = makeUtrn(high, ptutMac(board.crypto, z, SUPPLIER, ESME, ctr, high));
        // A flipped digit in the UTRN (inside the MAC'ed content): refused, nothing stored.
        const frame = cs01a(ctx, board, 3, utrn);
        const before = stateFingerprint(board, true);
        const bad = new Uint8Array(frame);
        bad[bad.length - 14] ^= 0x01;
        const r = device.receive(bad);
        equal(r.outcome.ok ? 'accepted' : r.outcome.reason, 'mac-mismatch', 'the flipped digit');
        equal(stateFingerprint(board, true), before, 'nothing stored');
        const a = device.receive(frame);
        ok(a.outcome.ok, 'accepted');
        const m = decodeMessage(a.response as Uint8Array);
        ok(m.ok, 'the response decodes');
        if (m.ok) equal(toHex(m.content), 'da2000000000000100010300', 'null-data, action-result success');
        equal(readCredit(board.storage), 1000, '£10 in pennies');
        const again = device.receive(frame);
        equal(again.outcome.ok ? 'accepted' : again.outcome.reason, 'replay', 'the same frame again');
        const dup = device.receive(cs01a(ctx, board, 4, utrn));
        ok(dup.outcome.ok, 'a fresh counter passes the pipeline');
        const d = decodeMessage(dup.response as Uint8Array);
        if (d.ok) equal(toHex(d.content).substring(22), '02', 'result 02 (duplicate)');
        equal(readCredit(board.storage), 1000, 'credit unchanged');
      },
    },
  ],
};
