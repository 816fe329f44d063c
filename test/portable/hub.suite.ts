/**
 * The hub's portable cases, on every engine: install codes (the HAN-FACTS vector, the CRC-16/X-25 check
 * value, refusals by name), the CHF device-log contents against every sampled RTDS file of 8.9/8.11 (decode,
 * re-encode byte for byte), the CHF's behaviour (the RTDS success and error responses reproduced from the
 * RTDS commands, CS14 on each change, the historic log, join windows), and power cuts at every write.
 * No P-256 here (Espruino takes ~20 s per operation).
 * @module
 */
import { memoryMedium } from '../../boards/journaledStorage.ts';
import type { Board } from '../../boards/board.ts';
import {
  ALERT_CODE_CS14,
  decodeCcs01Command,
  decodeCcs02Command,
  decodeCs14Alert,
  decodeReadDeviceLogCommand,
  decodeReadDeviceLogResponse,
  decodeResultsResponse,
  encodeCcs01Command,
  encodeCcs02Command,
  encodeCs14Alert,
  encodeReadDeviceLogCommand,
  encodeReadDeviceLogResponse,
  encodeResultsResponse,
  MESSAGE_CODE_CCS01,
  MESSAGE_CODE_CCS02,
  MESSAGE_CODE_CCS05,
} from '../../gbcs/contents/hub/chfDeviceLog.ts';
import { decodeAccessRequest, decodeAccessResponse, encodeAccessRequest, encodeAccessResponse } from '../../gbcs/dlms/access.ts';
import { bytesEqual as sameBytes, fromHex, toHex } from '../../lib/bytes.ts';
import { adoptHistoricKey, addDevice, handleDeviceLogCommand, joinRuleFor, readDeviceLog, readHistoricLog, recordTcLinkKey, removeDevice } from '../../hub/chf.ts';
import { HISTORIC_CAPACITY } from '../../hub/historicDeviceLog.ts';
import { crc16X25, linkKey, linkKeyFromCcs01Key, parseInstallCode, withCrc } from '../../hub/installCode.ts';
import { bytesEqual, equal, ok } from './assert.ts';
import { eui, hubVectors, HUB_RTDS_FOLDERS, key16, RTDS, rtdsContent, stoppedClock, storageFingerprint } from './hubFixture.ts';
import { cutAtEveryWrite, mediumFrom } from './powerCut.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

/** HAN-FACTS "Install codes and link keys" (computed with node:crypto; re-checked in test/hub-installCode.test.ts). */
const HAN_CODE = '83FED3407A939723A5C639B26916D505';
const HAN_CRC = 0xb5c3;
const HAN_LINK_KEY = '66b6900981e1ee3ca4206b6b861c02bb';

/** Cut points of the sweeps below (twice the medium writes of each change), measured; a change of the write path must change them here. */
export const CUTS_CCS01 = 6;
export const CUTS_CCS02 = 8;

function freshBoard(ctx: SelfTestContext): Board {
  return ctx.newBoard(memoryMedium());
}

export const hubInstallCodes: Suite = {
  name: 'hub install codes',
  bundle: 'selftest-hub',
  cases: [
    {
      name: 'CRC-16/X-25 check value: "123456789" gives 0x906E',
      run() {
        const b = new Uint8Array(9);
        for (let i = 0; i < 9; i++) b[i] = 0x31 + i;
        equal(crc16X25(b), 0x906e, 'crc');
      },
    },
    {
      name: 'HAN-FACTS vector: CRC C3 B5 (low byte first), link key 66B69009... by AES-MMO on the board AES',
      run(ctx) {
        const board = freshBoard(ctx);
        const ic = parseInstallCode(HAN_CODE + 'C3B5');
        ok(ic.ok, 'parsed');
        if (!ic.ok) return;
        equal(ic.crc, HAN_CRC, 'crc');
        bytesEqual(withCrc(ic.code), fromHex(HAN_CODE + 'c3b5') as Uint8Array, 'code || crc');
        equal(toHex(linkKey(board.crypto.aes128EncryptBlock, ic)), HAN_LINK_KEY, 'link key');
        equal(toHex(linkKeyFromCcs01Key(board.crypto.aes128EncryptBlock, ic.code)), HAN_LINK_KEY, 'link key from the CCS01 form (no CRC)');
      },
    },
    {
      name: 'accepted forms: bytes, hex with separators, QR Z:<eui>$I:<code>; every length 6/8/12/16',
      run() {
        const bytes = fromHex(HAN_CODE + 'C3B5') as Uint8Array;
        ok(parseInstallCode(bytes).ok, 'bytes');
        ok(parseInstallCode('83:FE:D3:40:7A:93:97:23:A5:C6:39:B2:69:16:D5:05:C3:B5').ok, 'colons');
        ok(parseInstallCode('83FE-D340-7A93-9723-A5C6-39B2-6916-D505-C3B5').ok, 'dashes');
        const qr = parseInstallCode('Z:00DB1234567890A0$I:' + HAN_CODE + 'C3B5');
        ok(qr.ok && !!qr.eui64 && toHex(qr.eui64) === '00db1234567890a0', 'QR with EUI-64');
        const lengths = [6, 8, 12, 16];
        for (let i = 0; i < lengths.length; i++) {
          const code = new Uint8Array(lengths[i]);
          for (let j = 0; j < code.length; j++) code[j] = (j * 37 + i) & 0xff;
          const p = parseInstallCode(withCrc(code));
          ok(p.ok && sameBytes(p.code, code), 'length ' + lengths[i]);
        }
      },
    },
    {
      name: 'refused by name: a flipped CRC or code bit (install-code-crc), 17 bytes (install-code-length), not hex / other QR (install-code-format)',
      run() {
        const good = fromHex(HAN_CODE + 'C3B5') as Uint8Array;
        for (let bit = 0; bit < good.length * 8; bit += 13) {
          const bad = new Uint8Array(good);
          bad[bit >> 3] ^= 1 << (bit & 7);
          const r = parseInstallCode(bad);
          ok(!r.ok && r.reason === 'install-code-crc', 'bit ' + bit + ' flipped: ' + (r.ok ? 'accepted' : r.reason));
        }
        const r17 = parseInstallCode(good.subarray(0, 17));
        ok(!r17.ok && r17.reason === 'install-code-length', '17 bytes');
        const r16 = parseInstallCode(HAN_CODE);
        ok(!r16.ok && r16.reason === 'install-code-length', 'a code without its CRC is refused');
        const rx = parseInstallCode(HAN_CODE + 'C3BX');
        ok(!rx.ok && rx.reason === 'install-code-format', 'not hex');
        const rq = parseInstallCode('Z:00DB1234567890A0$I:' + HAN_CODE + 'C3B5$P:12');
        ok(!rq.ok && rq.reason === 'install-code-format', 'QR with more fields');
      },
    },
  ],
};

/** Typed decode then encode of one RTDS content, by message code and kind; returns the re-encoding. */
function typedRoundTrip(messageCode: number, file: string, content: Uint8Array): Uint8Array {
  const command = file.indexOf('_COMMAND_') >= 0;
  if (messageCode === MESSAGE_CODE_CCS01 && command) {
    const c = decodeCcs01Command(content);
    if ('ok' in c) throw new Error(file + ': ' + c.reason + ' at ' + c.at);
    return encodeCcs01Command(c);
  }
  if (messageCode === MESSAGE_CODE_CCS02 && command) {
    const c = decodeCcs02Command(content);
    if ('ok' in c) throw new Error(file + ': ' + c.reason + ' at ' + c.at);
    return encodeCcs02Command(c);
  }
  if (messageCode === MESSAGE_CODE_CCS05 && command) {
    const c = decodeReadDeviceLogCommand(content);
    if ('ok' in c) throw new Error(file + ': ' + c.reason + ' at ' + c.at);
    return encodeReadDeviceLogCommand(c.invokeId);
  }
  if (messageCode === MESSAGE_CODE_CCS05) {
    const r = decodeReadDeviceLogResponse(content);
    if ('ok' in r) throw new Error(file + ': ' + r.reason + ' at ' + r.at);
    return encodeReadDeviceLogResponse(r);
  }
  const r = decodeResultsResponse(content);
  if ('ok' in r) throw new Error(file + ': ' + r.reason + ' at ' + r.at);
  return encodeResultsResponse(r.invokeId, r.results);
}

export const hubContents: Suite = {
  name: 'hub CHF device-log contents',
  bundle: 'selftest-hub',
  vectors: hubVectors(),
  cases: [
    {
      name: 'every sampled RTDS file of 8.11_CCS01, 8.11_CCS02, 8.9_CCS05CCS04 (12): typed decode, re-encode byte for byte; generic DLMS too',
      run(ctx) {
        let n = 0;
        for (let f = 0; f < HUB_RTDS_FOLDERS.length; f++) {
          const paths = ctx.vectorPaths(RTDS + HUB_RTDS_FOLDERS[f] + '/');
          for (let i = 0; i < paths.length; i++) {
            const file = paths[i].substring(paths[i].lastIndexOf('/') + 1);
            const c = rtdsContent(ctx, HUB_RTDS_FOLDERS[f], file);
            bytesEqual(typedRoundTrip(c.messageCode, file, c.content), c.content, file + ' typed');
            const g = c.content[0] === 0xd9 ? decodeAccessRequest(c.content) : decodeAccessResponse(c.content);
            if ('ok' in g) throw new Error(file + ': generic ' + g.reason);
            bytesEqual('specs' in g ? encodeAccessRequest(g) : encodeAccessResponse(g), c.content, file + ' generic');
            n++;
          }
        }
        equal(n, 12, 'files decoded');
      },
    },
    {
      name: 'RTDS CCS01 reads as GBCS says: device 00DB1234567890A0, 16-byte key without CRC, join_timeout 90, joining enabled',
      run(ctx) {
        const c = decodeCcs01Command(rtdsContent(ctx, '8.11_CCS01', 'CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX').content);
        if ('ok' in c) throw new Error(c.reason);
        equal(toHex(c.ieeeAddress), '00db1234567890a0', 'ieee');
        equal(toHex(c.key), '30313233343536373839414243444546', 'key');
        equal(c.joinTimeout, 90, 'join_timeout');
        ok(c.enableJoining, 'joining enabled');
        const r = decodeReadDeviceLogResponse(rtdsContent(ctx, '8.9_CCS05CCS04', 'CCS05CCS04_8.9_SUCCESS_RESPONSE_GBCS.HEX').content);
        if ('ok' in r) throw new Error(r.reason);
        const d = r.devices || [];
        equal(d.length, 2, 'devices listed');
        equal(toHex(d[1].macAddress), '00db1234567890a1', 'second device');
        equal(d[0].maxRssi, -35, 'signed RSSI');
        equal(toHex(d[0].lastCommunication), '07de0c1f03173200008000ff', 'last communication date-time');
      },
    },
    {
      name: 'CS14 (0x8F12) alert content: encode/decode pair; empty hash allowed; another alert code refused',
      run() {
        const a = { invokeId: new Uint8Array([0x20, 0, 0x0f, 0xa0]), dateTime: new Uint8Array(12), entries: [{ deviceId: eui(0xa0), hashedTcLinkKey: new Uint8Array(0) }, { deviceId: eui(0xa1), hashedTcLinkKey: key16(7) }] };
        const bytes = encodeCs14Alert(a);
        const back = decodeCs14Alert(bytes);
        if ('ok' in back) throw new Error(back.reason);
        equal(back.entries.length, 2, 'entries');
        equal(back.entries[0].hashedTcLinkKey.length, 0, 'empty hash');
        bytesEqual(encodeCs14Alert(back), bytes, 're-encoded');
        const other = new Uint8Array(bytes);
        other[10] = 0x13; // 02 03 12 8F 12 -> 8F 13
        equal(toHex(bytes.subarray(6, 11)), '0203128f12', 'where the alert code sits');
        const r = decodeCs14Alert(other);
        ok('ok' in r && r.reason === 'unexpected-content', 'alert code 0x8F13 refused');
        equal(ALERT_CODE_CS14, 0x8f12, 'code');
      },
    },
    {
      name: 'total: every truncation of every RTDS content is a typed rejection, never an exception',
      run(ctx) {
        const names = ['CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX', 'CCS01_8.11_SUCCESS_RESPONSE_GBCS.HEX'];
        let rejected = 0;
        for (let i = 0; i < names.length; i++) {
          const c = rtdsContent(ctx, '8.11_CCS01', names[i]).content;
          for (let n = 0; n < c.length; n++) {
            const part = c.subarray(0, n);
            const r = i === 0 ? decodeCcs01Command(part) : decodeResultsResponse(part);
            ok('ok' in r, names[i] + ' cut to ' + n + ' bytes decoded');
            rejected++;
          }
        }
        const r5 = decodeReadDeviceLogResponse(rtdsContent(ctx, '8.9_CCS05CCS04', 'CCS05CCS04_8.9_SUCCESS_RESPONSE_GBCS.HEX').content.subarray(0, 60));
        ok('ok' in r5, 'CCS05 response cut');
        ok(rejected > 90, 'truncations tried: ' + rejected);
      },
    },
  ],
};

function answer(board: Board, ctx: SelfTestContext, folder: string, file: string): { response: Uint8Array; alert?: Uint8Array } {
  const c = rtdsContent(ctx, folder, file);
  const a = handleDeviceLogCommand(board, c.messageCode, c.content, {}, 0xfa0);
  if (!a.ok) throw new Error(file + ': ' + a.reason);
  return a;
}

export const hubChf: Suite = {
  name: 'hub CHF device log',
  bundle: 'selftest-hub',
  vectors: hubVectors(),
  cases: [
    {
      name: 'RTDS CCS01 then CCS02: our responses equal the RTDS responses byte for byte; CS14 after each change, none for a repeat',
      run(ctx) {
        const board = freshBoard(ctx);
        const add = answer(board, ctx, '8.11_CCS01', 'CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX');
        bytesEqual(add.response, rtdsContent(ctx, '8.11_CCS01', 'CCS01_8.11_SUCCESS_RESPONSE_GBCS.HEX').content, 'CCS01 response');
        ok(!!add.alert, 'CS14 after the add');
        const a1 = decodeCs14Alert(add.alert as Uint8Array);
        if ('ok' in a1) throw new Error(a1.reason);
        equal(a1.entries.length, 1, 'log in CS14');
        equal(toHex(a1.entries[0].deviceId), '00db1234567890a0', 'device in CS14');
        equal(a1.entries[0].hashedTcLinkKey.length, 0, 'no TC link key yet: zero-length hash');
        const before = storageFingerprint(board);
        const again = answer(board, ctx, '8.11_CCS01', 'CCS01_8.11_ERROR_COMMAND_GBCS.HEX');
        const ra = decodeResultsResponse(again.response);
        if ('ok' in ra) throw new Error(ra.reason);
        equal(ra.results.map((x) => x.result).join(','), '0,0,0', 'a repeat answers success');
        ok(!again.alert, 'no CS14 for a device already on the log');
        equal(storageFingerprint(board), before, 'repeat: key ignored, nothing stored');
        const rm = answer(board, ctx, '8.11_CCS02', 'CCS02_8.11_SUCCESS_COMMAND_GBCS.HEX');
        bytesEqual(rm.response, rtdsContent(ctx, '8.11_CCS02', 'CCS02_8.11_SUCCESS_RESPONSE_GBCS.HEX').content, 'CCS02 response');
        const a2 = decodeCs14Alert(rm.alert as Uint8Array);
        if ('ok' in a2) throw new Error(a2.reason);
        equal(a2.entries.length, 0, 'empty log in CS14');
        const miss = answer(board, ctx, '8.11_CCS02', 'CCS02_8.11_ERROR_COMMAND_GBCS.HEX');
        bytesEqual(miss.response, rtdsContent(ctx, '8.11_CCS02', 'CCS02_8.11_ERROR_RESPONSE_GBCS.HEX').content, 'CCS02 of a device not on the log: RTDS error response');
        ok(!miss.alert, 'no CS14 when nothing changed');
      },
    },
    {
      name: 'CCS05 lists the log; a malformed content is refused by name and leaves every stored byte as it was',
      run(ctx) {
        const board = freshBoard(ctx);
        answer(board, ctx, '8.11_CCS01', 'CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX');
        const read = answer(board, ctx, '8.9_CCS05CCS04', 'CCS05CCS04_8.9_SUCCESS_COMMAND_GBCS.HEX');
        const r = decodeReadDeviceLogResponse(read.response);
        if ('ok' in r) throw new Error(r.reason);
        equal((r.devices || []).length, 1, 'devices');
        const before = storageFingerprint(board);
        const good = rtdsContent(ctx, '8.11_CCS01', 'CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX').content;
        const bad = new Uint8Array(good);
        bad[good.length - 2] = 0x11; // the last Data, boolean (03 FF) -> unsigned (11 FF): well-formed DLMS, not CCS01's shape
        const rej = handleDeviceLogCommand(board, MESSAGE_CODE_CCS01, bad, {}, 1);
        ok(!rej.ok && rej.reason === 'unexpected-content', 'refused: ' + (rej.ok ? 'accepted' : rej.reason));
        const cut = handleDeviceLogCommand(board, MESSAGE_CODE_CCS01, good.subarray(0, 40), {}, 1);
        ok(!cut.ok && cut.reason === 'truncated', 'truncated: ' + (cut.ok ? 'accepted' : cut.reason));
        equal(storageFingerprint(board), before, 'stored state after the refusals');
      },
    },
    {
      name: 'historic log: a removed device keeps its TC link key, at most 15 (oldest overwritten), an update refreshes, no HHT, none without a key',
      run(ctx) {
        const board = freshBoard(ctx);
        const t = 1000000;
        for (let i = 0; i < 17; i++) {
          ok(addDevice(board, eui(i), key16(i), 60, t).ok, 'add ' + i);
          ok(recordTcLinkKey(board, eui(i), key16(0x40 + i), t + 1).ok, 'key ' + i);
          ok(removeDevice(board, eui(i)).ok, 'remove ' + i);
        }
        let h = readHistoricLog(board);
        equal(h.entries.length, HISTORIC_CAPACITY, 'capacity');
        let has0 = false;
        let has1 = false;
        for (let i = 0; i < h.entries.length; i++) {
          if (sameBytes(h.entries[i].ieeeAddress, eui(0))) has0 = true;
          if (sameBytes(h.entries[i].ieeeAddress, eui(1))) has1 = true;
        }
        ok(!has0 && !has1, 'the two oldest were overwritten');
        ok(addDevice(board, eui(5), key16(5), 60, t).ok, 're-add 5');
        ok(recordTcLinkKey(board, eui(5), key16(0x99), t + 59).ok, 'new key for 5 (second half: install code)');
        ok(removeDevice(board, eui(5)).ok, 'remove 5 again');
        h = readHistoricLog(board);
        equal(h.entries.length, HISTORIC_CAPACITY, 'still 15 (record updated, not added)');
        for (let i = 0; i < h.entries.length; i++) if (sameBytes(h.entries[i].ieeeAddress, eui(5))) bytesEqual(h.entries[i].tcLinkKey, key16(0x99), 'updated key');
        ok(addDevice(board, eui(0x70), key16(1), 60, t, true).ok, 'add HHT');
        ok(recordTcLinkKey(board, eui(0x70), key16(2), t).ok, 'HHT key');
        ok(addDevice(board, eui(0x71), key16(1), 60, t).ok, 'add keyless');
        const before = readHistoricLog(board);
        ok(removeDevice(board, eui(0x70)).ok && removeDevice(board, eui(0x71)).ok, 'removed');
        equal(readHistoricLog(board).nextSequence, before.nextSequence, 'neither the HHT nor a keyless device was recorded');
        const r = removeDevice(board, eui(0x71));
        ok(!r.ok && r.reason === 'not-on-log', 'remove twice: not-on-log');
      },
    },
    {
      name: 'join windows: historic key in the first half of join_timeout, install code in the second; install code alone for a new device',
      run(ctx) {
        const board = freshBoard(ctx);
        const t = 2000000;
        addDevice(board, eui(1), key16(1), 90, t);
        recordTcLinkKey(board, eui(1), key16(0x51), t + 10);
        removeDevice(board, eui(1));
        ok(addDevice(board, eui(1), key16(1), 90, t + 100).ok, 're-add historic device');
        ok(addDevice(board, eui(2), key16(2), 90, t + 100).ok, 'add new device');
        equal(joinRuleFor(board, eui(1), t + 99), 'closed', 'before the window');
        equal(joinRuleFor(board, eui(1), t + 100), 'historic-tc-link-key', 'start');
        equal(joinRuleFor(board, eui(1), t + 144), 'historic-tc-link-key', 'last second of the first half');
        equal(joinRuleFor(board, eui(1), t + 145), 'install-code', 'second half');
        equal(joinRuleFor(board, eui(1), t + 189), 'install-code', 'last second');
        equal(joinRuleFor(board, eui(1), t + 190), 'closed', 'after');
        equal(joinRuleFor(board, eui(2), t + 100), 'install-code', 'new device: install code from the start');
        equal(joinRuleFor(board, eui(9), t + 100), 'closed', 'not on the log');
        const late = adoptHistoricKey(board, eui(1), t + 145);
        ok(!late.ok && late.reason === 'no-join-window', 'historic key refused in the second half');
        const early = recordTcLinkKey(board, eui(1), key16(3), t + 101);
        ok(!early.ok && early.reason === 'no-join-window', 'install-code join refused in the first half of a historic device');
        ok(adoptHistoricKey(board, eui(1), t + 120).ok, 'historic key adopted in the first half');
        const log = readDeviceLog(board);
        bytesEqual(log[0].tcLinkKey, key16(0x51), 'historic key now on the log');
        equal(joinRuleFor(board, eui(1), t + 5000), 'tc-link-key', 'talks with its key from then on');
      },
    },
  ],
};

/** The state every sweep starts from: a0 on the log with a TC link key, one more device, one historic record. */
/** The time of every sweep (2026-12-04T00:00:00Z): the stored join window must be the same in every replay. */
const SWEEP_TIME = 1796342400;

function sweepStart(ctx: SelfTestContext, withA0: boolean): Record<string, Uint8Array> {
  const medium = memoryMedium();
  const board = ctx.newBoard(medium);
  const now = SWEEP_TIME;
  if (withA0) {
    addDevice(board, eui(0xa0), key16(1), 3600, now);
    ok(recordTcLinkKey(board, eui(0xa0), key16(0x33), now).ok, 'a0 key');
  }
  addDevice(board, eui(0xa4), key16(4), 3600, now);
  addDevice(board, eui(0xa5), key16(5), 60, now - 10000);
  ok(recordTcLinkKey(board, eui(0xa5), key16(0x55), now - 10000).ok, 'a5 key');
  ok(removeDevice(board, eui(0xa5)).ok, 'a5 to the historic log');
  return medium.snapshot();
}

function sweep(ctx: SelfTestContext, folder: string, file: string, withA0: boolean): number {
  const start = sweepStart(ctx, withA0);
  const old = storageFingerprint(ctx.newBoard(mediumFrom(start)));
  let after = '';
  const cuts = cutAtEveryWrite(
    (m) => stoppedClock(ctx.newBoard(m), SWEEP_TIME + 5),
    start,
    (board) => handleDeviceLogCommand(board, rtdsContent(ctx, folder, file).messageCode, rtdsContent(ctx, folder, file).content, {}, 1).ok,
    (board) => {
      after = storageFingerprint(board);
      ok(after !== old, 'the change stored something');
    },
    (board, where) => {
      const now = storageFingerprint(board);
      ok(now === old || now === after, 'power cut at ' + where + ': neither the old state nor the new one');
      readDeviceLog(board);
      readHistoricLog(board);
    },
  );
  return cuts;
}

export const hubPowerCuts: Suite = {
  name: 'hub power cuts',
  bundle: 'selftest-hub-cut',
  vectors: hubVectors(),
  cases: [
    {
      name: 'power cut at every write of CCS02 (device log and historic log in one commit), ' + CUTS_CCS02 + ' cut points: old state or new, never a mix',
      run(ctx) {
        equal(sweep(ctx, '8.11_CCS02', 'CCS02_8.11_SUCCESS_COMMAND_GBCS.HEX', true), CUTS_CCS02, 'cut points tried');
      },
    },
    {
      name: 'power cut at every write of CCS01 (a device added to a log of one, beside a historic log), ' + CUTS_CCS01 + ' cut points: old state or new, never a mix',
      run(ctx) {
        equal(sweep(ctx, '8.11_CCS01', 'CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX', false), CUTS_CCS01, 'cut points tried');
      },
    },
  ],
};
