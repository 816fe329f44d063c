/**
 * HAN pairing contents and the meters' Device Log logic, on every engine (GBCS §13.7; gbcs/contents/join.ts,
 * device/pairing/joinDevice.ts, joinRules.ts), no P-256:
 * - the join contents of every sampled RTDS file of 8.7.1, 8.7.2, 8.8.2 and 8.9_CS07 decode and re-encode
 *   byte for byte, and the Device Log logic reproduces each RTDS response content from its command, as
 *   the device it addresses (GSME ...a1 from the log RTDS CS07 shows; PPMIDs ...a4 (it sends RTDS NA_PCS01)
 *   and ...a5);
 * - each join variant accepted and refused by reason, the Device Log unchanged by a refusal; unjoins.
 * (The whole pipeline, HAN requests, top-up and power cuts: pairingDevice.suite.ts.)
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { memoryMedium } from '../../boards/journaledStorage.ts';
import { fromHex, toHex } from '../../lib/bytes.ts';
import { decodeMessage } from '../../gbcs/message.ts';
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
import { JOINED_CAPACITY, JOINED_KEY, readJoined, writeJoined } from '../../device/state/joinedDevices.ts';
import type { JoinedDevice } from '../../device/state/joinedDevices.ts';
import { StateTx } from '../../device/state/stateTx.ts';
import { equal, ok } from './assert.ts';
import { KEYSTORE } from './deviceFixture.ts';
import { pemBytes } from './pemKeys.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

const RTDS = 'rtds/RTDS-4.5.0/';
const FOLDERS = ['8.7.1_CS03A2Critical', '8.7.1_CS03CCritical', '8.7.2_CS03B', '8.8.2_CS04ACNonCritical', '8.8.2_CS04B', '8.9_CS07'];
const PPMID_98_KA = KEYSTORE + '00db123456789098-ka.pem';
const PPMID_98_DS = KEYSTORE + '00db123456789098-ds.pem';

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
 * The RTDS commands and the device each addresses: ...a1 the GSME, ...a4 a PPMID (it originates RTDS
 * NA_PCS01, PPMID to GSME), ...a5 a PPMID or HCALCS (CS03A2 goes to a non-meter; taken as a PPMID). ...a4's
 * starting log holds 0102030405060708 as an ESME joined by Method A (the state CS04AC's success needs).
 */
const RTDS_CASES: RtdsCase[] = [
  { folder: '8.7.1_CS03A2Critical', file: 'CS03A2Critical_8.7.1_SUCCESS', party: { deviceType: DEVICE_PPMID, environment: 'test' }, start: function () { return []; } },
  { folder: '8.7.1_CS03CCritical', file: 'CS03CCritical_8.7.1_SUCCESS', party: GSME_PARTY, start: rtdsGsmeLog },
  { folder: '8.7.2_CS03B', file: 'CS03B_8.7.2_SUCCESS', party: GSME_PARTY, start: rtdsGsmeLog },
  { folder: '8.7.2_CS03B', file: 'CS03B_8.7.2_ERROR', party: GSME_PARTY, start: rtdsGsmeLog },
  {
    folder: '8.8.2_CS04ACNonCritical', file: 'CS04ACNonCritical_8.8.2_SUCCESS', party: { deviceType: DEVICE_PPMID, environment: 'test' },
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
      name: 'ESME refusals by reason and GBCS code, the Device Log unchanged: method of another code (1), unknown device type or not for an ESME or that partner (2), certificate where none belongs (11), already joined (3), full (4)',
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
          ['CS03A1 with an unknown device type 9', MESSAGE_CODE_CS03A1, { method: METHOD_A_INITIATOR, other: eui(0x95), otherType: 9 }, 'unknown-device-type', 2],
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

