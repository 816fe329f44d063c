/**
 * PCS01 / PCS02 on every engine (device/pairing/hanOriginator.ts, device/gsme/ppmidCommands.ts): the GSME
 * with known KA keys and the PPMID ...a4 in its Device Log by a Method C join (pairing/joinDevice.ts with
 * ...a4's published KA certificate; the signed CS03C through the pipeline is pairing.suite.ts's and
 * test/device-gsme-pcs.test.ts's). ...a4's KA private key is not published: the PPMID's MACs are made from the
 * GSME's side (ECDH is symmetric, HAN-FACTS). RTDS NA_PCS01 / NA_PCS02's contents (our UTRN in PCS01's, made
 * with the Supplier's published prepayment KA key) are answered as the RESPONSE files; a replay, a sample of
 * mutations and the PPMID after CS04AC are refused with state unchanged; a power cut at every write of a
 * PCS01 leaves the credit and the PPMID's counter both before or both after.
 * @module
 */
import type { Board, Medium } from '../../boards/board.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { counterFromNumber } from '../../gbcs/counter64.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';
import { wrapWithMac } from '../../gbcs/protection/protection.ts';
import { sharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { readCertificate } from '../../gbcs/smki/certificate.ts';
import { DEVICE_GSME, DEVICE_PPMID, MESSAGE_CODE_CS03C, MESSAGE_CODE_CS04AC, METHOD_C } from '../../gbcs/contents/join.ts';
import { makeUtrn, ptutHigh, ptutMac } from '../../gbcs/utrn.ts';
import { carryGsme, manufactureDevice, readAttribute, SmetsDevice } from '../../device/index.ts';
import { joinDevice, unjoinDevice } from '../../device/pairing/joinDevice.ts';
import { StateTx } from '../../device/state/stateTx.ts';
import { equal, ok } from './assert.ts';
import { cutAtEveryWrite } from './powerCut.ts';
import { KEYSTORE, RTDS, referenceAnchors, fixtureVectors, stateFingerprint, vectorBytes } from './deviceFixture.ts';
import { pemBytes } from './pemKeys.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

carryGsme();

const PCS01 = RTDS + 'NA_PCS01/PCS01_NA_SUCCESS_';
const PCS02 = RTDS + 'NA_PCS02/PCS02_NA_SUCCESS_';
const PPMID_KA = KEYSTORE + '00db1234567890a4-ka.pem';
const PP_KA = KEYSTORE + '90b3d51f30010000-pp-ka.pem';
const GSME = fromHex('00db1234567890a1') as Uint8Array;
const PPMID = fromHex('00db1234567890a4') as Uint8Array;
const SUPPLIER = fromHex('90b3d51f30010000') as Uint8Array;
const GSME_KA = fromHex('2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe') as Uint8Array;
const GSME_DS = fromHex('5a1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a416b7a2d') as Uint8Array;
const RTDS_TIME = 1420070400;

let cache: SharedSecrets | undefined;

function content(ctx: SelfTestContext, path: string): Uint8Array {
  const m = decodeMessage(vectorBytes(ctx, path));
  if (!m.ok) throw new Error(path + ' does not decode');
  return m.content;
}

function publicKeyOf(ctx: SelfTestContext, path: string): Uint8Array {
  const c = readCertificate(pemBytes(ctx.vector(path)));
  if (!c.ok) throw new Error(path + ': ' + c.reason);
  return c.certificate.publicKey;
}

/** The engine's board on `medium`, its clock at the RTDS time. */
function gsmeBoard(ctx: SelfTestContext, medium: Medium): Board {
  const b = ctx.newBoard(medium);
  return { name: b.name, crypto: b.crypto, storage: b.storage, link: b.link, log: b.log, memory: b.memory, clock: { nowSec: function () { return RTDS_TIME; } } };
}

/** The GSME (RTDS credit 2,500,000) with ...a4 joined by Method C, on `medium`. */
function rig(ctx: SelfTestContext, medium: Medium) {
  const board = gsmeBoard(ctx, medium);
  if (!cache) cache = sharedSecrets(board.crypto.ecdh, 4);
  {
    const made = manufactureDevice(board, {
      eui: GSME, environment: 'test', kind: 'GSME', dsPrivate: GSME_DS, kaPrivate: GSME_KA, anchors: referenceAnchors(ctx).concat([{ cell: { role: 2, keyUsage: 0x08, cellUsage: 1 }, certificate: pemBytes(ctx.vector(PP_KA)) }]),
      attributes: [{ cluster: 0x0705, attribute: 0x0001, type: 0x2b, value: fromHex('a0252600') as Uint8Array }],
    });
    if (!made.ok) throw new Error('manufacture refused: ' + made.reason);
    const tx = new StateTx(board.storage);
    const j = joinDevice(tx, { deviceType: DEVICE_GSME, environment: 'test' }, MESSAGE_CODE_CS03C, { method: METHOD_C, other: PPMID, otherType: DEVICE_PPMID, certificate: pemBytes(ctx.vector(PPMID_KA)) });
    ok(j.ok, 'Method C join');
    tx.commit();
  }
  const device = new SmetsDevice(board, cache);
  device.powerOn();
  const secrets = cache;
  const ppmidPublic = publicKeyOf(ctx, PPMID_KA);
  return {
    board: board,
    device: device,
    /** A PPMID command, its MAC made from the GSME's side (Z is the same). */
    frame: function (code: number, body: Uint8Array, counter: number): Uint8Array {
      const gs = { cra: 1, counter: counterFromNumber(counter), originator: PPMID, recipient: GSME, messageCode: code, content: body, signatureForm: 'null' as const };
      return wrapWithMac(board.crypto, secrets, GSME_KA, ppmidPublic, encodeMessage({ wrapper: 'signed', gs: gs })) as Uint8Array;
    },
    /** RTDS PCS01's content with our UTRN of 2025 pennies (UTRN counter bits 32..41 = 1). */
    pcs01: function (): Uint8Array {
      const ctr = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0]);
      const high = ptutHigh(ctr, 0, 2025);
      const z = secrets.agree(GSME_KA, publicKeyOf(ctx, PP_KA)) as Uint8Array;
      const text = makeUtrn(high, ptutMac(board.crypto, z, SUPPLIER, GSME, ctr, high));
      const c = new Uint8Array(content(ctx, PCS01 + 'COMMAND_GBCS.HEX'));
      for (let i = 0; i < 20; i++) c[c.length - 20 + i] = text.charCodeAt(i);
      return c;
    },
  };
}

function credit(board: Board): string {
  const a = readAttribute(board.storage, 0x0705, 0x0001);
  return a ? toHex(a.value) : 'none';
}

function outcome(device: SmetsDevice, frame: Uint8Array): string {
  const a = device.receive(frame);
  if (!a.outcome.ok) return a.outcome.reason;
  const m = decodeMessage(a.response as Uint8Array);
  return m.ok ? toHex(m.content) : 'bad response';
}

export const gsmePpmid: Suite = {
  name: 'gsme ppmid',
  bundle: 'selftest-gsme-ppmid',
  vectors: fixtureVectors().concat([PPMID_KA, PP_KA, PCS01 + 'COMMAND_GBCS.HEX', PCS01 + 'RESPONSE_GBCS.HEX', PCS02 + 'COMMAND_GBCS.HEX', PCS02 + 'RESPONSE_GBCS.HEX']),
  cases: [
    {
      name: 'PCS01 / PCS02 from the PPMID joined by Method C: answered as RTDS\'s RESPONSE files, credit 2,500,000 -> 4,525,000; replay, mutations, the unjoined PPMID refused with state unchanged',
      run(ctx) {
        const r = rig(ctx, memoryMedium());
        const top = r.frame(0x009b, r.pcs01(), 10000);
        equal(outcome(r.device, top), toHex(content(ctx, PCS01 + 'RESPONSE_GBCS.HEX')), 'PCS01 response content');
        equal(credit(r.board), 'c80b4500', 'credit 4,525,000');
        const before = stateFingerprint(r.board, true);
        equal(outcome(r.device, top), 'replay', 'PCS01 again');
        const pcs02 = r.frame(0x0090, content(ctx, PCS02 + 'COMMAND_GBCS.HEX'), 10001);
        const at = [1, 12, 22, 31, 45, pcs02.length - 1];
        for (let i = 0; i < at.length; i++) {
          const m = new Uint8Array(pcs02);
          m[at[i]] ^= 0xff;
          ok(!r.device.receive(m).outcome.ok, 'mutation at ' + at[i] + ' refused');
        }
        equal(stateFingerprint(r.board, true), before, 'refusals changed nothing');
        equal(outcome(r.device, pcs02), toHex(content(ctx, PCS02 + 'RESPONSE_GBCS.HEX')), 'PCS02 response content');
        const tx = new StateTx(r.board.storage);
        ok(unjoinDevice(tx, MESSAGE_CODE_CS04AC, PPMID).ok, 'CS04AC');
        tx.commit();
        const gone = stateFingerprint(r.board, true);
        equal(outcome(r.device, r.frame(0x0090, content(ctx, PCS02 + 'COMMAND_GBCS.HEX'), 10002)), 'not-joined', 'after CS04AC');
        equal(stateFingerprint(r.board, true), gone, 'state unchanged');
      },
    },
    {
      name: 'a power cut at every write of a PCS01: credit and the PPMID\'s counter both before or both after',
      run(ctx) {
        const start = memoryMedium();
        const r = rig(ctx, start);
        const frame = r.frame(0x009b, r.pcs01(), 20000);
        const blobs: Record<string, Uint8Array> = {};
        const names = start.list();
        for (let i = 0; i < names.length; i++) blobs[names[i]] = start.get(names[i]) as Uint8Array;
        const cuts = cutAtEveryWrite(
          function (m) { return gsmeBoard(ctx, m); },
          blobs,
          function (b) { return new SmetsDevice(b, cache as SharedSecrets).receive(frame).outcome.ok; },
          function (b) { equal(credit(b), 'c80b4500', 'after'); },
          function (b, where) {
            const c = credit(b);
            ok(c === 'a0252600' || c === 'c80b4500', where + ': credit ' + c);
            equal(b.storage.read('han.oc.00db1234567890a4') !== undefined, c === 'c80b4500', where + ': counter with the credit');
          },
        );
        ok(cuts >= 2, 'cut points ' + cuts);
      },
    },
  ],
};
