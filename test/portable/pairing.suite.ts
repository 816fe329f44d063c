/**
 * HAN pairing on the meters, on every engine (GBCS §13.7; device/pairing/, gbcs/contents/join.ts):
 * - the join contents of every sampled RTDS file of 8.7.1, 8.7.2, 8.8.2 and 8.9_CS07 decode and re-encode
 *   byte for byte, and the Device Log logic reproduces each RTDS response content from its command, as
 *   the device it addresses (GSME ...a1 from the log RTDS CS07 shows; PPMID ...a5; ...a4 as an HCALCS);
 * - each join variant accepted and refused by reason, the Device Log unchanged by a refusal;
 * - on the reference ESME through the whole pipeline (Supplier-signed, ACB-MAC'ed): CS03A1 with a PPMID,
 *   CS03B with an IHD, CS07, CS04AC, and the HAN requests the joins allow and what they refuse;
 * - power cuts at every write of a join and of an unjoin: the Device Log and counter wholly before or after.
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
  decodeJoinCommand, decodeReadJoinDetailsResponse, decodeResponseCode, decodeUnjoinCommand, DEVICE_ESME, DEVICE_GPF, DEVICE_GSME,
  DEVICE_HCALCS, DEVICE_PPMID, DEVICE_TYPE2, encodeJoinCommand, encodeReadJoinDetailsCommand, encodeReadJoinDetailsResponse,
  encodeResponseCode, encodeUnjoinCommand, isReadJoinDetailsCommand, MESSAGE_CODE_CS03A1, MESSAGE_CODE_CS03A2, MESSAGE_CODE_CS03B,
  MESSAGE_CODE_CS03C, MESSAGE_CODE_CS04AC, MESSAGE_CODE_CS04B, MESSAGE_CODE_CS07, METHOD_A_INITIATOR, METHOD_A_RESPONDER, METHOD_B, METHOD_C,
  READ_JOIN_SUCCESS,
} from '../../gbcs/contents/join.ts';
import type { JoinCommand } from '../../gbcs/contents/join.ts';
import { joinDetails, joinDevice, unjoinDevice } from '../../device/pairing/joinDevice.ts';
import type { JoinParty } from '../../device/pairing/joinDevice.ts';
import { readPartyCounter } from '../../device/state/originatorCounters.ts';
import { JOINED_CAPACITY, JOINED_KEY, readJoined, writeJoined } from '../../device/state/joinedDevices.ts';
import type { JoinedDevice } from '../../device/state/joinedDevices.ts';
import { StateTx } from '../../device/state/stateTx.ts';
import { writeSupply } from '../../device/state/supplyState.ts';
import { chfViewOf } from '../../device/index.ts';
import type { SmetsDevice } from '../../device/index.ts';
import { equal, ok } from './assert.ts';
import { deviceOn, DEVICE_KA_KEY, fixtureVectors, KEYSTORE, referenceBoard, stateFingerprint, suiteSecrets } from './deviceFixture.ts';
import { pemBytes, pemPrivateKey } from './pemKeys.ts';
import { cutAtEveryWrite } from './powerCut.ts';
import { manufactureDevice } from '../../device/index.ts';
import { referenceAnchors } from './deviceFixture.ts';
import { checkDigit, makeUtrn, ptutHigh, ptutMac, readUtrn } from '../../gbcs/utrn.ts';
import { CREDIT_KEY, readCredit } from '../../device/state/prepayment.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

const RTDS = 'rtds/RTDS-4.5.0/';
const FOLDERS = ['8.7.1_CS03A2Critical', '8.7.1_CS03CCritical', '8.7.2_CS03B', '8.8.2_CS04ACNonCritical', '8.8.2_CS04B', '8.9_CS07'];
const PPMID_98_KA = KEYSTORE + '00db123456789098-ka.pem';
const PPMID_98_DS = KEYSTORE + '00db123456789098-ds.pem';
const SUPPLIER_DS_KEY = KEYSTORE + '90b3d51f30010000-ds.key';
const ACB_KA_KEY = KEYSTORE + '90b3d51f30000002-ka.key';
const SUPPLIER = fromHex('90b3d51f30010000') as Uint8Array;
const ESME = fromHex('00db1234567890a0') as Uint8Array;
const ROLE_SUPPLIER = 2;
const SUPPLIER_PP_KA = KEYSTORE + '90b3d51f30010000-pp-ka.pem';
const SUPPLIER_PP_KA_KEY = KEYSTORE + '90b3d51f30010000-pp-ka.key';
const INLINE = 'gbcs-parser-inline/inline-vectors.json';
const STAND_IN_DS = fromHex('6b7a2d3c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a41') as Uint8Array;

function rtdsVectors(): string[] {
  return FOLDERS.map(function (f) { return RTDS + f + '/'; });
}

function eui(n: number): Uint8Array {
  return new Uint8Array([0x00, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, n & 0xff]);
}

function content(ctx: SelfTestContext, path: string): { code: number; content: Uint8Array } {
  const m = decodeMessage(fromHex(ctx.vector(path)) as Uint8Array);
  if (!m.ok) throw new Error(path + ': ' + m.reason);
  return { code: m.gs.messageCode, content: m.content };
}

function freshBoard(ctx: SelfTestContext): Board {
  return ctx.newBoard(memoryMedium());
}

function seed(board: Board, entries: JoinedDevice[]): void {
  const tx = new StateTx(board.storage);
  writeJoined(tx, entries);
  tx.commit();
}

function logHex(board: Board): string {
  const b = board.storage.read(JOINED_KEY);
  return b ? toHex(b) : '-';
}

/** One join through a committed transaction, as the pipeline commits it (tests of the Device Log logic). */
function join(board: Board, party: JoinParty, code: number, cmd: JoinCommand): { code: number; reason: string } {
  const tx = new StateTx(board.storage);
  const r = joinDevice(tx, party, code, cmd);
  if (r.ok) tx.commit();
  return r.ok ? { code: 0, reason: 'ok' } : { code: r.code, reason: r.reason };
}

const ESME_PARTY: JoinParty = { deviceType: DEVICE_ESME, environment: 'test' };
const GSME_PARTY: JoinParty = { deviceType: DEVICE_GSME, environment: 'test' };

/** The GSME's Device Log at the RTDS starting state, as RTDS 8.9_CS07 SUCCESS reports it (GPFs by Method B, the PPMID by C). */
function rtdsGsmeLog(ctx: SelfTestContext): JoinedDevice[] {
  const r = decodeReadJoinDetailsResponse(content(ctx, RTDS + '8.9_CS07/CS07_8.9_SUCCESS_RESPONSE_GBCS.HEX').content);
  if (typeof r === 'string' || !r.entries) throw new Error('CS07 response: ' + r);
  return r.entries.map(function (e) { return { eui: e.eui, deviceType: e.deviceType, method: e.deviceType === DEVICE_PPMID ? METHOD_C : METHOD_B }; });
}

interface RtdsCase {
  folder: string;
  file: string;
  party: JoinParty;
  start: (ctx: SelfTestContext) => JoinedDevice[];
}

/**
 * The RTDS commands and the device each addresses. ...a4's type is not in our sources: taken as an HCALCS
 * joined to ESME 0102030405060708 by Method A (the state CS04AC NonCritical's success needs).
 */
const RTDS_CASES: RtdsCase[] = [
  { folder: '8.7.1_CS03A2Critical', file: 'CS03A2Critical_8.7.1_SUCCESS', party: { deviceType: DEVICE_PPMID, environment: 'test' }, start: function () { return []; } },
  { folder: '8.7.1_CS03CCritical', file: 'CS03CCritical_8.7.1_SUCCESS', party: GSME_PARTY, start: rtdsGsmeLog },
  { folder: '8.7.2_CS03B', file: 'CS03B_8.7.2_SUCCESS', party: GSME_PARTY, start: rtdsGsmeLog },
  { folder: '8.7.2_CS03B', file: 'CS03B_8.7.2_ERROR', party: GSME_PARTY, start: rtdsGsmeLog },
  {
    folder: '8.8.2_CS04ACNonCritical', file: 'CS04ACNonCritical_8.8.2_SUCCESS', party: { deviceType: DEVICE_HCALCS, environment: 'test' },
    start: function () { return [{ eui: fromHex('0102030405060708') as Uint8Array, deviceType: DEVICE_ESME, method: METHOD_A_RESPONDER }]; },
  },
  { folder: '8.8.2_CS04B', file: 'CS04B_8.8.2_SUCCESS', party: GSME_PARTY, start: rtdsGsmeLog },
  { folder: '8.8.2_CS04B', file: 'CS04B_8.8.2_ERROR', party: GSME_PARTY, start: rtdsGsmeLog },
  { folder: '8.9_CS07', file: 'CS07_8.9_SUCCESS', party: GSME_PARTY, start: rtdsGsmeLog },
];

/** What the Device Log logic answers to an RTDS command's content (as the pipeline would, once authenticated). */
function answerRtds(board: Board, party: JoinParty, code: number, body: Uint8Array): Uint8Array {
  const tx = new StateTx(board.storage);
  let out: Uint8Array;
  if (code === MESSAGE_CODE_CS07) {
    ok(isReadJoinDetailsCommand(body), 'CS07 command is NULL');
    out = encodeReadJoinDetailsResponse(READ_JOIN_SUCCESS, joinDetails(tx));
  } else if (code === MESSAGE_CODE_CS04AC || code === MESSAGE_CODE_CS04B) {
    const other = decodeUnjoinCommand(body);
    if (typeof other === 'string') throw new Error(other);
    const r = unjoinDevice(tx, code, other);
    out = encodeResponseCode(r.ok ? 0 : r.code);
  } else {
    const cmd = decodeJoinCommand(body);
    if (typeof cmd === 'string') throw new Error(cmd);
    const r = joinDevice(tx, party, code, cmd);
    out = encodeResponseCode(r.ok ? 0 : r.code);
  }
  tx.commit();
  return out;
}

export const pairingContents: Suite = {
  name: 'pairing contents and Device Log',
  bundle: 'selftest-pairing',
  vectors: rtdsVectors().concat([PPMID_98_KA, PPMID_98_DS]),
  cases: [
    {
      name: 'every sampled RTDS file of 8.7.1, 8.7.2, 8.8.2, 8.9_CS07 (20): typed decode, re-encode byte for byte',
      run(ctx) {
        const paths = ctx.vectorPaths(RTDS).filter(function (p) { return /_GBCS\.HEX$/.test(p) && FOLDERS.some(function (f) { return p.indexOf(f) >= 0; }); });
        equal(paths.length, 20, 'files');
        for (let i = 0; i < paths.length; i++) {
          const c = content(ctx, paths[i]);
          const response = /_RESPONSE_/.test(paths[i]);
          let again: Uint8Array;
          if (c.code === MESSAGE_CODE_CS07) {
            if (response) {
              const r = decodeReadJoinDetailsResponse(c.content);
              if (typeof r === 'string') throw new Error(paths[i] + ': ' + r);
              again = encodeReadJoinDetailsResponse(r.code, r.entries);
            } else {
              ok(isReadJoinDetailsCommand(c.content), paths[i] + ' NULL');
              again = encodeReadJoinDetailsCommand();
            }
          } else if (response) {
            const n = decodeResponseCode(c.content);
            if (typeof n === 'string') throw new Error(paths[i] + ': ' + n);
            again = encodeResponseCode(n);
          } else if (c.code === MESSAGE_CODE_CS04AC || c.code === MESSAGE_CODE_CS04B) {
            const e = decodeUnjoinCommand(c.content);
            if (typeof e === 'string') throw new Error(paths[i] + ': ' + e);
            again = encodeUnjoinCommand(e);
          } else {
            const j = decodeJoinCommand(c.content);
            if (typeof j === 'string') throw new Error(paths[i] + ': ' + j);
            again = encodeJoinCommand(j);
          }
          equal(toHex(again), toHex(c.content), paths[i] + ' re-encodes');
        }
      },
    },
    {
      name: 'malformed contents refused by name: a join of 2 fields, a 7-byte EUI, an unjoin that is not an OCTET STRING',
      run() {
        equal(decodeJoinCommand(fromHex('3006020100020101') as Uint8Array), 'expected 3 or 4 fields', 'two fields');
        equal(decodeJoinCommand(fromHex('300f020101040700db1234567890020101') as Uint8Array), 'otherDeviceEntityIdentifier must be an 8-byte OCTET STRING', 'short EUI');
        equal(decodeUnjoinCommand(fromHex('02080102030405060708') as Uint8Array), 'not a DER OCTET STRING', 'unjoin tag');
        equal(decodeUnjoinCommand(fromHex('0408010203040506070800') as Uint8Array), 'not a DER OCTET STRING', 'trailing byte');
      },
    },
    {
      name: 'each RTDS join/unjoin/CS07 command gives its RESPONSE content byte for byte, as the device it addresses; a refusal leaves the Device Log as it was',
      run(ctx) {
        for (let i = 0; i < RTDS_CASES.length; i++) {
          const c = RTDS_CASES[i];
          const board = freshBoard(ctx);
          seed(board, c.start(ctx));
          const before = logHex(board);
          const cmd = content(ctx, RTDS + c.folder + '/' + c.file + '_COMMAND_GBCS.HEX');
          const expected = content(ctx, RTDS + c.folder + '/' + c.file + '_RESPONSE_GBCS.HEX').content;
          const got = answerRtds(board, c.party, cmd.code, cmd.content);
          equal(toHex(got), toHex(expected), c.file + ' response content');
          const changed = before !== logHex(board);
          const success = toHex(expected) === '020100';
          if (cmd.code !== MESSAGE_CODE_CS07) ok(changed === success, c.file + (success ? ': the Device Log changed' : ': the Device Log unchanged'));
          else ok(!changed, 'CS07 reads only');
        }
      },
    },
    {
      name: 'RTDS CS03C (GSME with PPMID ...98): the PPMID KA key from the certificate is stored; CS07 then lists 4 devices',
      run(ctx) {
        const board = freshBoard(ctx);
        seed(board, rtdsGsmeLog(ctx));
        const cmd = content(ctx, RTDS + '8.7.1_CS03CCritical/CS03CCritical_8.7.1_SUCCESS_COMMAND_GBCS.HEX');
        answerRtds(board, GSME_PARTY, cmd.code, cmd.content);
        const log = readJoined(board.storage);
        equal(log.length, 4, 'entries');
        const e = log[3];
        equal(toHex(e.eui), '00db123456789098', 'eui');
        equal(e.method, METHOD_C, 'method C');
        equal(toHex(e.kaPublicKey as Uint8Array).substring(0, 10), '042ebb4902', 'the certificate key (04 2EBB4902...)');
        const details = joinDetails(board.storage);
        equal(details.length, 4, 'CS07 rows');
      },
    },
    {
      name: 'ESME: CS03A1 accepts a PPMID and an HCALCS, CS03B a Type 2 (IHD); each changes the Device Log once',
      run(ctx) {
        const board = freshBoard(ctx);
        equal(join(board, ESME_PARTY, MESSAGE_CODE_CS03A1, { method: METHOD_A_INITIATOR, other: eui(0x97), otherType: DEVICE_PPMID }).reason, 'ok', 'PPMID');
        equal(join(board, ESME_PARTY, MESSAGE_CODE_CS03A1, { method: METHOD_A_INITIATOR, other: eui(0x96), otherType: DEVICE_HCALCS }).reason, 'ok', 'HCALCS');
        equal(join(board, ESME_PARTY, MESSAGE_CODE_CS03B, { method: METHOD_B, other: eui(0x9c), otherType: DEVICE_TYPE2 }).reason, 'ok', 'IHD');
        const log = readJoined(board.storage);
        equal(log.map(function (e) { return toHex(e.eui).substring(14) + ':' + e.deviceType + ':' + e.method; }).join(' '), '97:5:0 96:4:0 9c:6:2', 'Device Log');
      },
    },
    {
      name: 'ESME refusals by reason and GBCS code, the Device Log unchanged: method of another code (1), not for an ESME or that partner (2), certificate where none belongs (11), already joined (3), full (4)',
      run(ctx) {
        const board = freshBoard(ctx);
        join(board, ESME_PARTY, MESSAGE_CODE_CS03A1, { method: METHOD_A_INITIATOR, other: eui(0x97), otherType: DEVICE_PPMID });
        const before = logHex(board);
        const cert = pemBytes(ctx.vector(PPMID_98_KA));
        const cases: Array<[string, number, JoinCommand, string, number]> = [
          ['CS03A1 carrying Method B', MESSAGE_CODE_CS03A1, { method: METHOD_B, other: eui(0x9c), otherType: DEVICE_TYPE2 }, 'method-not-of-this-code', 1],
          ['CS03B carrying Method A', MESSAGE_CODE_CS03B, { method: METHOD_A_INITIATOR, other: eui(0x95), otherType: DEVICE_PPMID }, 'method-not-of-this-code', 1],
          ['CS03B with a PPMID', MESSAGE_CODE_CS03B, { method: METHOD_B, other: eui(0x95), otherType: DEVICE_PPMID }, 'join-method-not-allowed', 2],
          ['CS03A1 with a Type 2', MESSAGE_CODE_CS03A1, { method: METHOD_A_INITIATOR, other: eui(0x95), otherType: DEVICE_TYPE2 }, 'join-method-not-allowed', 2],
          ['CS03A1 with a GSME', MESSAGE_CODE_CS03A1, { method: METHOD_A_INITIATOR, other: eui(0xa1), otherType: DEVICE_GSME }, 'join-method-not-allowed', 2],
          ['CS03A1 with an unknown device type 9', MESSAGE_CODE_CS03A1, { method: METHOD_A_INITIATOR, other: eui(0x95), otherType: 9 }, 'join-method-not-allowed', 2],
          ['CS03A2 (the responder) to a meter', MESSAGE_CODE_CS03A2, { method: METHOD_A_RESPONDER, other: eui(0x95), otherType: DEVICE_PPMID }, 'join-method-not-allowed', 2],
          ['CS03C to an ESME', MESSAGE_CODE_CS03C, { method: METHOD_C, other: fromHex('00db123456789098') as Uint8Array, otherType: DEVICE_PPMID, certificate: cert }, 'join-method-not-allowed', 2],
          ['CS03A1 carrying a certificate', MESSAGE_CODE_CS03A1, { method: METHOD_A_INITIATOR, other: fromHex('00db123456789098') as Uint8Array, otherType: DEVICE_PPMID, certificate: cert }, 'bad-certificate', 11],
          ['CS03A1 with the PPMID already joined', MESSAGE_CODE_CS03A1, { method: METHOD_A_INITIATOR, other: eui(0x97), otherType: DEVICE_PPMID }, 'already-joined', 3],
          ['CS03B naming the joined PPMID as a Type 2', MESSAGE_CODE_CS03B, { method: METHOD_B, other: eui(0x97), otherType: DEVICE_TYPE2 }, 'already-joined', 3],
        ];
        for (let i = 0; i < cases.length; i++) {
          const c = cases[i];
          const r = join(board, ESME_PARTY, c[1], c[2]);
          equal(r.reason + ' ' + r.code, c[3] + ' ' + c[4], c[0]);
          equal(logHex(board), before, c[0] + ': Device Log unchanged');
        }
        for (let n = 1; n < JOINED_CAPACITY; n++) equal(join(board, ESME_PARTY, MESSAGE_CODE_CS03B, { method: METHOD_B, other: eui(0x40 + n), otherType: DEVICE_TYPE2 }).reason, 'ok', 'IHD ' + n);
        const full = logHex(board);
        const r = join(board, ESME_PARTY, MESSAGE_CODE_CS03B, { method: METHOD_B, other: eui(0x50), otherType: DEVICE_TYPE2 });
        equal(r.reason + ' ' + r.code, 'device-log-full 4', 'the ' + (JOINED_CAPACITY + 1) + 'th device');
        equal(logHex(board), full, 'full Device Log unchanged');
      },
    },
    {
      name: 'GSME Method C: the PPMID KA certificate accepted; missing, a DS certificate, another device\'s, refused (11), state unchanged',
      run(ctx) {
        const ka = pemBytes(ctx.vector(PPMID_98_KA));
        const ds = pemBytes(ctx.vector(PPMID_98_DS));
        const ppmid = fromHex('00db123456789098') as Uint8Array;
        const board = freshBoard(ctx);
        const refused: Array<[string, JoinCommand]> = [
          ['no certificate', { method: METHOD_C, other: ppmid, otherType: DEVICE_PPMID }],
          ['a DS certificate', { method: METHOD_C, other: ppmid, otherType: DEVICE_PPMID, certificate: ds }],
          ['the certificate of another device', { method: METHOD_C, other: eui(0x97), otherType: DEVICE_PPMID, certificate: ka }],
          ['not a certificate', { method: METHOD_C, other: ppmid, otherType: DEVICE_PPMID, certificate: fromHex('3003020101') as Uint8Array }],
        ];
        for (let i = 0; i < refused.length; i++) {
          const r = join(board, GSME_PARTY, MESSAGE_CODE_CS03C, refused[i][1]);
          equal(r.reason + ' ' + r.code, 'bad-certificate 11', refused[i][0]);
          equal(logHex(board), '-', refused[i][0] + ': nothing stored');
        }
        const live = join(board, { deviceType: DEVICE_GSME, environment: 'live' }, MESSAGE_CODE_CS03C, { method: METHOD_C, other: ppmid, otherType: DEVICE_PPMID, certificate: ka });
        equal(live.reason, 'bad-certificate', 'a live GSME refuses the test certificate');
        equal(join(board, GSME_PARTY, MESSAGE_CODE_CS03C, { method: METHOD_C, other: ppmid, otherType: DEVICE_PPMID, certificate: ka }).reason, 'ok', 'accepted');
        equal(join(board, GSME_PARTY, MESSAGE_CODE_CS03B, { method: METHOD_B, other: eui(0xa3), otherType: DEVICE_GPF }).reason, 'ok', 'GSME with the GPF by Method B');
        equal(join(board, GSME_PARTY, MESSAGE_CODE_CS03A1, { method: METHOD_A_INITIATOR, other: eui(0x95), otherType: DEVICE_PPMID }).reason, 'join-method-not-allowed', 'GSME Method A');
      },
    },
    {
      name: 'unjoin: CS04AC removes a Method A entry, CS04B a Method B one; not joined (1), by the other method (2), state unchanged',
      run(ctx) {
        const board = freshBoard(ctx);
        seed(board, [
          { eui: eui(0x97), deviceType: DEVICE_PPMID, method: METHOD_A_INITIATOR },
          { eui: eui(0x9c), deviceType: DEVICE_TYPE2, method: METHOD_B },
        ]);
        const before = logHex(board);
        const cases: Array<[string, number, number, string]> = [
          ['CS04AC of a device not joined', MESSAGE_CODE_CS04AC, 0x33, 'not-joined 1'],
          ['CS04B of the Method A PPMID', MESSAGE_CODE_CS04B, 0x97, 'joined-by-other-method 2'],
          ['CS04AC of the Method B IHD', MESSAGE_CODE_CS04AC, 0x9c, 'joined-by-other-method 2'],
        ];
        for (let i = 0; i < cases.length; i++) {
          const tx = new StateTx(board.storage);
          const r = unjoinDevice(tx, cases[i][1], eui(cases[i][2]));
          tx.commit();
          equal(r.ok ? 'ok' : r.reason + ' ' + r.code, cases[i][3], cases[i][0]);
          equal(logHex(board), before, cases[i][0] + ': unchanged');
        }
        const tx = new StateTx(board.storage);
        ok(unjoinDevice(tx, MESSAGE_CODE_CS04AC, eui(0x97)).ok, 'CS04AC PPMID');
        ok(unjoinDevice(tx, MESSAGE_CODE_CS04B, eui(0x9c)).ok, 'CS04B IHD');
        tx.commit();
        equal(readJoined(board.storage).length, 0, 'empty');
      },
    },
  ],
};

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
  bundle: 'selftest-pairing-device',
  vectors: fixtureVectors().concat([SUPPLIER_DS_KEY, ACB_KA_KEY, SUPPLIER_PP_KA, SUPPLIER_PP_KA_KEY, INLINE]),
  cases: [
    {
      name: 'GBCS 14.8 check digit of the four published UTRNs; the three published PPTDs made from the Supplier prepayment key (gbcs/utrn.ts), and read back',
      run(ctx) {
        const u = utrnVectors(ctx);
        for (let i = 0; i < u.valid.length; i++) equal(checkDigit(u.valid[i].substring(0, 19)), u.valid[i].charCodeAt(19) - 48, u.valid[i]);
        const board = freshBoard(ctx);
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
