/**
 * HAN pairing on the reference ESME through the whole pipeline, on every engine (GBCS §13.7, §14;
 * device/pairing/, device/prepayment/): Supplier-signed, ACB-MAC'ed CS03A1 with a PPMID, CS03B with an IHD,
 * CS07, CS04AC; the HAN requests the joins allow and what they refuse; a PPMID top-up by UTRN (the published
 * UTRN vectors); power cuts at every write of a join, an unjoin and a top-up: wholly before or after.
 * (The join contents and the Device Log logic against RTDS are pairing.suite.ts.)
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { counterFromNumber, counterToHex } from '../../gbcs/counter64.ts';
import { signedBytesOf } from '../../gbcs/generalSigning.ts';
import type { GeneralSigningFields } from '../../gbcs/generalSigning.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';
import { wrapWithMac } from '../../gbcs/protection/protection.ts';
import {
  DEVICE_PPMID, DEVICE_TYPE2, encodeJoinCommand, encodeReadJoinDetailsCommand, encodeUnjoinCommand, MESSAGE_CODE_CS03A1, MESSAGE_CODE_CS03B,
  MESSAGE_CODE_CS04AC, MESSAGE_CODE_CS04B, MESSAGE_CODE_CS07, METHOD_A_INITIATOR, METHOD_B,
} from '../../gbcs/contents/join.ts';
import { checkDigit, makeUtrn, ptutHigh, ptutMac, readUtrn } from '../../gbcs/utrn.ts';
import { readPartyCounter } from '../../device/state/originatorCounters.ts';
import { JOINED_KEY } from '../../device/state/joinedDevices.ts';
import { CREDIT_KEY, readCredit } from '../../device/state/prepayment.ts';
import { StateTx } from '../../device/state/stateTx.ts';
import { writeSupply } from '../../device/state/supplyState.ts';
import { chfViewOf, manufactureDevice } from '../../device/index.ts';
import type { SmetsDevice } from '../../device/index.ts';
import { equal, ok } from './assert.ts';
import { deviceOn, DEVICE_KA_KEY, fixtureVectors, KEYSTORE, referenceAnchors, referenceBoard, stateFingerprint, suiteSecrets } from './deviceFixture.ts';
import { pemBytes, pemPrivateKey } from './pemKeys.ts';
import { cutAtEveryWrite } from './powerCut.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

const SUPPLIER_DS_KEY = KEYSTORE + '90b3d51f30010000-ds.key';
const ACB_KA_KEY = KEYSTORE + '90b3d51f30000002-ka.key';
const SUPPLIER_PP_KA = KEYSTORE + '90b3d51f30010000-pp-ka.pem';
const SUPPLIER_PP_KA_KEY = KEYSTORE + '90b3d51f30010000-pp-ka.key';
const INLINE = 'gbcs-parser-inline/inline-vectors.json';
const SUPPLIER = fromHex('90b3d51f30010000') as Uint8Array;
const ESME = fromHex('00db1234567890a0') as Uint8Array;
const ROLE_SUPPLIER = 2;
const STAND_IN_DS = fromHex('6b7a2d3c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a41') as Uint8Array;

function eui(n: number): Uint8Array {
  return new Uint8Array([0x00, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, n & 0xff]);
}

/** The reference ESME with a Supplier that sends join commands (its published DS key, MAC'ed with the published ACB KA key). */
function pairingRig(ctx: SelfTestContext, board?: Board) {
  const d = board ? { board: board, device: deviceOn(board) } : referenceBoard(ctx);
  const supplierDs = pemPrivateKey(ctx.vector(SUPPLIER_DS_KEY));
  const acbKa = pemPrivateKey(ctx.vector(ACB_KA_KEY));
  const deviceKaPub = d.board.crypto.p256PublicKey(pemPrivateKey(ctx.vector(DEVICE_KA_KEY)));
  let counter = 9000;
  return {
    board: d.board,
    device: d.device as SmetsDevice,
    /** A Supplier command: signed when critical, MAC'ed by the ACB either way. */
    frame(code: number, body: Uint8Array, critical: boolean): Uint8Array {
      const f: GeneralSigningFields = { cra: 1, counter: counterFromNumber(++counter), originator: SUPPLIER, recipient: ESME, messageCode: code, content: body, signatureForm: critical ? 'ecdsa' : 'null' };
      if (critical) f.signature = d.board.crypto.p256Sign(supplierDs, signedBytesOf(f));
      return wrapWithMac(d.board.crypto, suiteSecrets(d.board), acbKa, deviceKaPub, encodeMessage({ wrapper: 'signed', gs: f })) as Uint8Array;
    },
    /** The response content (hex) and whether the response was signed. */
    send(code: number, body: Uint8Array, critical: boolean): string {
      const a = d.device.receive(this.frame(code, body, critical));
      if (!a.outcome.ok) throw new Error('refused: ' + a.outcome.reason + ' ' + (a.outcome.detail || ''));
      const m = decodeMessage(a.response as Uint8Array);
      if (!m.ok) throw new Error('response does not decode');
      return toHex(m.content) + (m.wrapper === 'signed' ? ' signed' : ' mac');
    },
  };
}

const PPMID = eui(0x97);
const IHD = eui(0x9c);

export const pairingDevice: Suite = {
  name: 'pairing on the ESME',
  bundle: 'selftest-pairing-device',
  vectors: fixtureVectors().concat([SUPPLIER_DS_KEY, ACB_KA_KEY]),
  cases: [
    {
      name: 'CS03A1 PPMID (critical: signed response, code 0), CS03B IHD (MAC, 0), CS07 lists both, a repeat answers 3; the record changes with the counter',
      run(ctx) {
        const r = pairingRig(ctx);
        equal(r.send(MESSAGE_CODE_CS03A1, encodeJoinCommand({ method: METHOD_A_INITIATOR, other: PPMID, otherType: DEVICE_PPMID }), true), '020100 signed', 'CS03A1');
        equal(counterToHex(readPartyCounter(r.board.storage, ROLE_SUPPLIER).last), '0000000000002329', 'counter 9001 committed');
        equal(r.send(MESSAGE_CODE_CS03B, encodeJoinCommand({ method: METHOD_B, other: IHD, otherType: DEVICE_TYPE2 }), false), '020100 mac', 'CS03B');
        equal(r.send(MESSAGE_CODE_CS07, encodeReadJoinDetailsCommand(), false),
          '3023020100301e300d040800db123456789097020105300d040800db12345678909c020106 mac', 'CS07: PPMID (5), Type 2 (6)');
        const before = stateFingerprint(r.board);
        equal(r.send(MESSAGE_CODE_CS03B, encodeJoinCommand({ method: METHOD_B, other: IHD, otherType: DEVICE_TYPE2 }), false), '020103 mac', 'repeat: incompatible with existing entry');
        const after = stateFingerprint(r.board);
        equal(after.replace(/oc\.[^;]*;/g, ''), before.replace(/oc\.[^;]*;/g, ''), 'refused join: only the counter moved');
      },
    },
    {
      name: 'a malformed join content is refused by the pipeline (execution-refused), nothing but the log changes',
      run(ctx) {
        const r = pairingRig(ctx);
        const before = stateFingerprint(r.board, true);
        const a = r.device.receive(r.frame(MESSAGE_CODE_CS03B, fromHex('3006020102020106') as Uint8Array, false));
        ok(!a.outcome.ok && a.outcome.reason === 'execution-refused', 'refused');
        equal(stateFingerprint(r.board, true), before, 'state unchanged');
      },
    },
    {
      name: 'HAN requests: a joined PPMID reads and enables an armed supply, an IHD reads but may not enable; after CS04AC the PPMID is refused (not-joined); off the CHF log, refused',
      run(ctx) {
        const r = pairingRig(ctx);
        r.send(MESSAGE_CODE_CS03A1, encodeJoinCommand({ method: METHOD_A_INITIATOR, other: PPMID, otherType: DEVICE_PPMID }), true);
        r.send(MESSAGE_CODE_CS03B, encodeJoinCommand({ method: METHOD_B, other: IHD, otherType: DEVICE_TYPE2 }), false);
        const chf = chfViewOf([PPMID, IHD, eui(0x33)]);
        const tx = new StateTx(r.board.storage);
        writeSupply(tx, 'armed');
        tx.commit();
        const read = r.device.hanRequest(IHD, { kind: 'read-supply' }, chf);
        equal(read.ok ? read.supply : read.reason, 'armed', 'IHD reads the supply');
        const ihdEnable = r.device.hanRequest(IHD, { kind: 'enable-supply' }, chf);
        equal(ihdEnable.ok ? 'ok' : ihdEnable.reason, 'not-permitted', 'IHD may not enable supply');
        const stranger = r.device.hanRequest(eui(0x33), { kind: 'read-supply' }, chf);
        equal(stranger.ok ? 'ok' : stranger.reason, 'not-joined', 'a device on the CHF log but never joined');
        const offLog = r.device.hanRequest(PPMID, { kind: 'enable-supply' }, chfViewOf([IHD]));
        equal(offLog.ok ? 'ok' : offLog.reason, 'not-on-chf-log', 'PPMID removed from the CHF log');
        const before = stateFingerprint(r.board);
        const enable = r.device.hanRequest(PPMID, { kind: 'enable-supply' }, chf);
        equal(enable.ok ? enable.supply : enable.reason, 'on', 'PPMID enables the armed supply');
        ok(stateFingerprint(r.board) !== before, 'the supply state changed');
        const again = r.device.hanRequest(PPMID, { kind: 'enable-supply' }, chf);
        equal(again.ok ? 'ok' : again.reason, 'supply-not-armed', 'nothing to enable');
        equal(r.send(MESSAGE_CODE_CS04AC, encodeUnjoinCommand(PPMID), true), '020100 signed', 'CS04AC');
        const gone = r.device.hanRequest(PPMID, { kind: 'read-supply' }, chf);
        equal(gone.ok ? 'ok' : gone.reason, 'not-joined', 'the unjoined PPMID is refused');
        equal(r.send(MESSAGE_CODE_CS04AC, encodeUnjoinCommand(PPMID), true), '020101 signed', 'a second CS04AC: not in the Device Log');
      },
    },
  ],
};

interface UtrnVector {
  counter: string;
  value: number;
  valueClass: string;
  pptd: string;
  utrn?: string;
}

function utrnVectors(ctx: SelfTestContext): { vectors: UtrnVector[]; valid: string[] } {
  const v = JSON.parse(ctx.vector(INLINE)).utrn_vectors;
  return { vectors: v.vectors, valid: v.verhoeff_valid };
}

/** "0x100000000" as 8 big-endian bytes (the vectors' counters are below 2^53). */
function counterBytes(text: string): Uint8Array {
  const n = parseInt(text.substring(2), 16);
  const hi = Math.floor(n / 4294967296);
  const lo = n % 4294967296;
  return new Uint8Array([hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255]);
}

/** The reference ESME with the Supplier's prepayment KA key in its cell (role 2, KA, cellUsage 1), a PPMID and an IHD joined. */
function prepaymentRig(ctx: SelfTestContext, board?: Board) {
  const b = board || ctx.newBoard(memoryMedium());
  const anchors = referenceAnchors(ctx);
  anchors.push({ cell: { role: 2, keyUsage: 0x08, cellUsage: 1 }, certificate: pemBytes(ctx.vector(SUPPLIER_PP_KA)) });
  const made = manufactureDevice(b, { eui: ESME, environment: 'test', dsPrivate: STAND_IN_DS, kaPrivate: pemPrivateKey(ctx.vector(DEVICE_KA_KEY)), anchors: anchors });
  if (!made.ok) throw new Error('manufacture refused: ' + made.reason);
  const rig = pairingRig(ctx, b);
  rig.send(MESSAGE_CODE_CS03A1, encodeJoinCommand({ method: METHOD_A_INITIATOR, other: PPMID, otherType: DEVICE_PPMID }), true);
  rig.send(MESSAGE_CODE_CS03B, encodeJoinCommand({ method: METHOD_B, other: IHD, otherType: DEVICE_TYPE2 }), false);
  return rig;
}

const CHF = chfViewOf([PPMID, IHD]);

function topUp(device: SmetsDevice, from: Uint8Array, utrn: string): string {
  const r = device.hanRequest(from, { kind: 'top-up', utrn: utrn }, CHF);
  return r.ok ? 'ok ' + r.credit : r.reason;
}

export const pairingTopUp: Suite = {
  name: 'PPMID top-up by UTRN',
  // Its own bundle: with the device cases, JerryScript's peak came within 9 KiB of its 256 KiB heap.
  bundle: 'selftest-pairing-topup',
  vectors: fixtureVectors().concat([SUPPLIER_DS_KEY, ACB_KA_KEY, SUPPLIER_PP_KA, SUPPLIER_PP_KA_KEY, INLINE]),
  cases: [
    {
      name: 'GBCS 14.8 check digit of the four published UTRNs; the three published PPTDs made from the Supplier prepayment key (gbcs/utrn.ts), and read back',
      run(ctx) {
        const u = utrnVectors(ctx);
        for (let i = 0; i < u.valid.length; i++) equal(checkDigit(u.valid[i].substring(0, 19)), u.valid[i].charCodeAt(19) - 48, u.valid[i]);
        const board = ctx.newBoard(memoryMedium());
        const device = board.crypto.p256PublicKey(pemPrivateKey(ctx.vector(DEVICE_KA_KEY)));
        const z = board.crypto.ecdh(pemPrivateKey(ctx.vector(SUPPLIER_PP_KA_KEY)), device) as Uint8Array;
        for (let i = 0; i < u.vectors.length; i++) {
          const v = u.vectors[i];
          const ctr = counterBytes(v.counter);
          const high = ptutHigh(ctr, v.valueClass === 'pounds' ? 1 : 0, v.value);
          const made = makeUtrn(high, ptutMac(board.crypto, z, SUPPLIER, ESME, ctr, high));
          equal(made.substring(0, 19), v.pptd, 'PPTD ' + i);
          if (v.utrn) equal(made, v.utrn, 'UTRN ' + i);
          const back = readUtrn(made);
          ok(typeof back !== 'string' && back.value === v.value && back.counter10 === ctr[3], 'read back ' + i);
        }
        equal(readUtrn('7394333345718904331'), 'utrn-format', '19 digits');
        equal(readUtrn('73943333457189043314'), 'utrn-check-digit', 'check digit');
        const low = '0000000000000000001';
        equal(readUtrn(low + checkDigit(low)), 'utrn-out-of-range', 'a PPTD below the base');
        const spaced = (u.vectors[0].utrn as string).replace(/(....)/g, '$1 ');
        ok(typeof readUtrn(spaced) !== 'string', 'groups of four separated by spaces');
      },
    },
    {
      name: 'a joined PPMID tops up (100 pounds, then 1234 pennies); the same UTRN again, or another of the same counter, is used; an IHD may not; a forged UTRN fails authentication; the balance moves only on success',
      run(ctx) {
        const rig = prepaymentRig(ctx);
        const u = utrnVectors(ctx).vectors;
        equal(topUp(rig.device, PPMID, u[0].utrn as string), 'ok 10000', 'UTRN 0: 100 pounds');
        equal(topUp(rig.device, PPMID, u[0].utrn as string), 'utrn-used', 'UTRN 0 again');
        equal(topUp(rig.device, PPMID, u[2].pptd + checkDigit(u[2].pptd)), 'utrn-used', 'UTRN 2: the same counter as UTRN 0');
        equal(topUp(rig.device, IHD, u[1].utrn as string), 'not-permitted', 'an IHD may not top up');
        const pptd = u[1].pptd;
        const forged = pptd.substring(0, 18) + String.fromCharCode(48 + ((pptd.charCodeAt(18) - 47) % 10));
        equal(topUp(rig.device, PPMID, forged + checkDigit(forged)), 'utrn-authentication', 'one digit changed, check digit recomputed');
        equal(readCredit(rig.board.storage), 10000, 'balance unchanged by the refusals');
        equal(topUp(rig.device, PPMID, u[1].utrn as string), 'ok 11234', 'UTRN 1: 1234 pennies');
        const read = rig.device.hanRequest(IHD, { kind: 'read-balance' }, CHF);
        equal(read.ok ? read.credit : read.reason, 11234, 'the IHD reads the balance');
        equal(rig.send(MESSAGE_CODE_CS04AC, encodeUnjoinCommand(PPMID), true), '020100 signed', 'CS04AC PPMID');
        equal(topUp(rig.device, PPMID, u[1].utrn as string), 'not-joined', 'unjoined PPMID');
      },
    },
    {
      name: 'a meter without the Supplier prepayment key refuses every UTRN (no-prepayment-key)',
      run(ctx) {
        const r = pairingRig(ctx);
        r.send(MESSAGE_CODE_CS03A1, encodeJoinCommand({ method: METHOD_A_INITIATOR, other: PPMID, otherType: DEVICE_PPMID }), true);
        equal(topUp(r.device, PPMID, utrnVectors(ctx).vectors[0].utrn as string), 'no-prepayment-key', 'refused');
        equal(r.board.storage.read(CREDIT_KEY), undefined, 'no balance written');
      },
    },
  ],
};

/** Cut points of each sweep (each write cut cleanly and torn): a journal put, one put per changed key (counter, Device Log), the journal removal. */
const CUTS_JOIN = 8;
/** A top-up writes the balance and the UTRN counters: the same journal shape. */
const CUTS_TOP_UP = 8;

function cutSweep(ctx: SelfTestContext, prepare: (rig: ReturnType<typeof pairingRig>) => void, make: (rig: ReturnType<typeof pairingRig>) => Uint8Array): number {
  const base = memoryMedium();
  const d = referenceBoard(ctx, base);
  const onBase = pairingRig(ctx, d.board);
  prepare(onBase);
  const frame = make(onBase);
  const start = base.snapshot();
  const before = stateFingerprint(d.board);
  let after = '';
  return cutAtEveryWrite(
    ctx.newBoard,
    start,
    function (board) { return deviceOn(board).receive(frame).outcome.ok; },
    function (done) {
      after = stateFingerprint(done);
      ok(after !== before && after.indexOf(JOINED_KEY) >= 0, 'the command changes the Device Log');
    },
    function (restarted, where) {
      const now = stateFingerprint(restarted);
      ok(now === before || now === after, 'after a cut at ' + where + ' the Device Log and counter are wholly before or after');
    },
  );
}

export const pairingPowerCut: Suite = {
  name: 'pairing power cuts',
  bundle: 'selftest-pairing-cut',
  vectors: fixtureVectors().concat([SUPPLIER_DS_KEY, ACB_KA_KEY, SUPPLIER_PP_KA, INLINE]),
  cases: [
    {
      name: 'power cut at every write of a PPMID top-up, ' + CUTS_TOP_UP + ' cut points: balance and UTRN counters wholly before or after',
      run(ctx) {
        const base = memoryMedium();
        const rig = prepaymentRig(ctx, ctx.newBoard(base));
        const utrn = utrnVectors(ctx).vectors[0].utrn as string;
        const start = base.snapshot();
        const before = stateFingerprint(rig.board);
        let after = '';
        const cuts = cutAtEveryWrite(
          ctx.newBoard,
          start,
          function (board) { return deviceOn(board).hanRequest(PPMID, { kind: 'top-up', utrn: utrn }, CHF).ok; },
          function (done) {
            after = stateFingerprint(done);
            equal(readCredit(done.storage), 10000, 'the top-up lands');
          },
          function (restarted, where) {
            const now = stateFingerprint(restarted);
            ok(now === before || now === after, 'after a cut at ' + where + ' the balance and counters are wholly before or after');
          },
        );
        equal(cuts, CUTS_TOP_UP, 'cut points');
      },
    },
    {
      name: 'power cut at every write of a CS03B join (IHD), ' + CUTS_JOIN + ' cut points: wholly before or after',
      run(ctx) {
        equal(cutSweep(ctx, function () {}, function (rig) {
          return rig.frame(MESSAGE_CODE_CS03B, encodeJoinCommand({ method: METHOD_B, other: IHD, otherType: DEVICE_TYPE2 }), false);
        }), CUTS_JOIN, 'cut points');
      },
    },
    {
      name: 'power cut at every write of a CS04B unjoin (IHD joined first), ' + CUTS_JOIN + ' cut points: wholly before or after',
      run(ctx) {
        equal(cutSweep(ctx, function (rig) {
          rig.send(MESSAGE_CODE_CS03B, encodeJoinCommand({ method: METHOD_B, other: IHD, otherType: DEVICE_TYPE2 }), false);
        }, function (rig) {
          return rig.frame(MESSAGE_CODE_CS04B, encodeUnjoinCommand(IHD), false);
        }), CUTS_JOIN, 'cut points');
      },
    },
  ],
};
