/**
 * The hub's portable cases for CCS03/CCS07, the GPF (queue, copy, device log), GCS59 and CCS08, on every
 * engine, and the power-cut sweeps of the GPF queue, GCS59 and CCS03. Apart from hub.suite.ts so that each
 * engine bundle stays small: Espruino holds a bundle's source in its 12,000-variable pool while loading it.
 * No P-256 here.
 * @module
 */
import { memoryMedium } from '../../boards/journaledStorage.ts';
import type { Board } from '../../boards/board.ts';
import { decodeResultsResponse, decodeCcs07Response, encodeCcs03Command, encodeCcs07Command, encodeCcs07Response, MESSAGE_CODE_CCS03, MESSAGE_CODE_CCS07 } from '../../gbcs/contents/hub/chfDeviceLog.ts';
import { decodeGcs59Command, encodeGcs59Command, encodeGcs59Response, MESSAGE_CODE_GCS59 } from '../../gbcs/contents/hub/gpfDeviceLog.ts';
import { decodeFirmwareTransferAlert, encodeFirmwareTransferAlert, generalizedTimeOf, MESSAGE_CODE_CCS08 } from '../../gbcs/contents/hub/firmwareTransferAlert.ts';
import { StateTx } from '../../device/state/stateTx.ts';
import { toHex } from '../../lib/bytes.ts';
import { addDevice, handleDeviceLogCommand, joinRuleFor, PAN_KEY, readDeviceLog, readHistoricLog, recordTcLinkKey, removeDevice } from '../../hub/chf.ts';
import {
  DEFAULT_WAKE_SEC,
  FLAG_MESSAGE_WAITING,
  GPF_LOG_CAPACITY,
  mirroredData,
  notificationFlags,
  QUEUE_BYTES,
  QUEUE_CAPACITY,
  QUEUE_EXPIRY_SEC,
  readGpfLog,
  stageAcknowledge,
  stageEnqueue,
  stagePublish,
  stageRestoreGpfLog,
  stageWakeInterval,
  waiting,
  wakeInterval,
} from '../../hub/gpf.ts';
import { bytesEqual, equal, ok } from './assert.ts';
import { eui, key16, RTDS, rtdsContent, stoppedClock, storageFingerprint } from './hubFixture.ts';
import { cutAtEveryWrite, mediumFrom } from './powerCut.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

/** The time of every sweep (2026-12-04T00:00:00Z). */
const SWEEP_TIME = 1796342400;

function freshBoard(ctx: SelfTestContext): Board {
  return ctx.newBoard(memoryMedium());
}

// ---- CCS03 / CCS07, the GPF, CCS08 (issue 14 part 2) -------------------------------------------------

/** RTDS folders of the GPF's GCS59 and the CHF's CCS08 alert. */
const GPF_VECTORS = [RTDS + '8.12.2_GCS59/', RTDS + 'NA_CCS08/'];
const PAN = new Uint8Array([0x00, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, 0xa2]);

function restoreContent(devices: number[]): Uint8Array {
  const list: { deviceId: Uint8Array; key: Uint8Array }[] = [];
  for (let i = 0; i < devices.length; i++) list.push({ deviceId: eui(devices[i]), key: key16(devices[i]) });
  return encodeCcs03Command({ invokeId: new Uint8Array([0x20, 0, 0, 1]), extendedPanId: PAN, devices: list });
}

export const hubRestoreAndGpf: Suite = {
  name: 'hub CCS03/CCS07, GPF, CCS08',
  bundle: 'selftest-hub-gpf',
  vectors: GPF_VECTORS,
  cases: [
    {
      name: 'CCS03 restores the log whole (PAN stored, old devices gone, historic log kept, CS14 due); CCS07 lists both logs with hashed keys; CCS03 over capacity or with a device twice refused, nothing stored',
      run(ctx) {
        const board = freshBoard(ctx);
        const t = SWEEP_TIME;
        addDevice(board, eui(1), key16(1), 60, t);
        ok(recordTcLinkKey(board, eui(1), key16(0x41), t).ok, 'key');
        ok(removeDevice(board, eui(1)).ok, 'to the historic log');
        addDevice(board, eui(2), key16(2), 60, t);
        const r = handleDeviceLogCommand(board, MESSAGE_CODE_CCS03, restoreContent([0xa0, 0xa1]), {}, 5);
        if (!r.ok) throw new Error(r.reason);
        ok(!!r.alert, 'CS14 after a restore');
        const res = decodeResultsResponse(r.response);
        ok(!('ok' in res) && res.results[0].result === 0, 'success');
        const log = readDeviceLog(board);
        equal(log.map((e) => toHex(e.ieeeAddress)).join(','), '00db1234567890a0,00db1234567890a1', 'restored log');
        equal(joinRuleFor(board, eui(0xa0), t), 'closed', 'window opens at the restore time, not before');
        bytesEqual(board.storage.read(PAN_KEY) as Uint8Array, PAN, 'extended PAN id');
        equal(readHistoricLog(board).entries.length, 1, 'historic log kept');
        const read = handleDeviceLogCommand(board, MESSAGE_CODE_CCS07, encodeCcs07Command(new Uint8Array([0x20, 0, 0, 2])), {}, 6);
        if (!read.ok) throw new Error(read.reason);
        const c7 = decodeCcs07Response(read.response);
        if ('ok' in c7) throw new Error(c7.reason);
        equal(c7.deviceLog.length, 2, 'device log lines');
        equal(c7.deviceLog[0].hashedTcLinkKey.length, 0, 'no key yet: empty hash');
        equal(c7.historicLog.length, 1, 'historic lines');
        bytesEqual(c7.historicLog[0].hashedTcLinkKey, board.crypto.sha256(key16(0x41)), 'hash of the historic key');
        bytesEqual(encodeCcs07Response(c7), read.response, 'CCS07 response re-encodes');
        const before = storageFingerprint(board);
        const many: number[] = [];
        for (let i = 0; i < 17; i++) many.push(i);
        const full = handleDeviceLogCommand(board, MESSAGE_CODE_CCS03, restoreContent(many), {}, 7);
        ok(full.ok && !full.alert, 'over capacity: answered, no CS14');
        const twice = handleDeviceLogCommand(board, MESSAGE_CODE_CCS03, restoreContent([3, 3]), {}, 8);
        ok(twice.ok && !twice.alert, 'a device twice: answered, no CS14');
        equal(storageFingerprint(board), before, 'refused restores stored nothing');
        const bad = handleDeviceLogCommand(board, MESSAGE_CODE_CCS03, encodeCcs07Command(new Uint8Array(4)), {}, 9);
        ok(!bad.ok && bad.reason === 'unexpected-content', 'a CCS07 content under CCS03 refused');
      },
    },
    {
      name: 'GCS59 (RTDS 8.12.2): command and response decode and re-encode byte for byte; every truncation a typed rejection',
      run(ctx) {
        const cmd = rtdsContent(ctx, '8.12.2_GCS59', 'GCS59_8.12.2_SUCCESS_COMMAND_GBCS.HEX');
        const resp = rtdsContent(ctx, '8.12.2_GCS59', 'GCS59_8.12.2_SUCCESS_RESPONSE_GBCS.HEX');
        equal(cmd.messageCode, MESSAGE_CODE_GCS59, 'code');
        const e = decodeGcs59Command(cmd.content);
        if (!Array.isArray(e)) throw new Error(e.reason);
        equal(e.map((x) => toHex(x.deviceId) + ':' + x.deviceType).join(','), '0011223344556677:5,8899aabbccddeeff:6', 'entries');
        bytesEqual(encodeGcs59Command(e), cmd.content, 'command re-encoded');
        bytesEqual(encodeGcs59Response(e, [0, 0]), resp.content, 'RTDS response reproduced');
        for (let n = 0; n < cmd.content.length; n++) ok(!Array.isArray(decodeGcs59Command(cmd.content.subarray(0, n))), 'cut to ' + n);
      },
    },
    {
      name: 'CCS08 (RTDS NA_CCS08): alert content decodes (0x8F8A, 20150101000000Z, …A4, 0123ABCD, 0) and re-encodes byte for byte; GeneralizedTime of seconds',
      run(ctx) {
        const a = rtdsContent(ctx, 'NA_CCS08', 'CCS08_NA_NA_ALERT_GBCS.HEX');
        equal(a.messageCode, MESSAGE_CODE_CCS08, 'code');
        const d = decodeFirmwareTransferAlert(a.content);
        if ('ok' in d) throw new Error(d.reason);
        equal(d.alertCode + ' ' + d.time + ' ' + toHex(d.device) + ' ' + toHex(d.version) + ' ' + d.outcome, 0x8f8a + ' 20150101000000Z 00db1234567890a4 0123abcd 0', 'fields');
        bytesEqual(encodeFirmwareTransferAlert(d), a.content, 're-encoded');
        equal(generalizedTimeOf(1420070400), '20150101000000Z', 'time');
      },
    },
    {
      name: 'GPF queue: oldest first, kept until acknowledged, flag 0x00200000 while waiting, expired after 24 h, capacity refused by name; wake interval 1..86400',
      run(ctx) {
        const board = freshBoard(ctx);
        const t = SWEEP_TIME;
        const tx = new StateTx(board.storage);
        equal(notificationFlags(board.storage, t), 0, 'nothing waiting');
        const a = stageEnqueue(tx, key16(1), t);
        const b = stageEnqueue(tx, key16(2), t + 10);
        ok(a.ok && b.ok, 'queued');
        tx.commit();
        equal(notificationFlags(board.storage, t + 10), FLAG_MESSAGE_WAITING, 'flag up');
        const w = waiting(board.storage, t + 10);
        equal(w.length, 2, 'two waiting');
        bytesEqual(w[0].frame, key16(1), 'oldest first');
        const ack = new StateTx(board.storage);
        ok(a.ok && stageAcknowledge(ack, a.id, t + 20), 'acknowledged');
        ok(a.ok && !stageAcknowledge(ack, a.id, t + 20), 'not twice');
        ack.commit();
        equal(waiting(board.storage, t + 20).length, 1, 'one left');
        equal(waiting(board.storage, t + 10 + QUEUE_EXPIRY_SEC).length, 0, 'expired after 24 h');
        equal(notificationFlags(board.storage, t + 10 + QUEUE_EXPIRY_SEC), 0, 'flag down once expired');
        const fill = new StateTx(board.storage);
        let refused = '';
        for (let i = 0; i < QUEUE_CAPACITY + 1; i++) {
          const r = stageEnqueue(fill, key16(i), t + 30);
          if (!r.ok) refused = r.reason;
        }
        equal(refused, 'queue-full', 'capacity');
        const big = stageEnqueue(fill, new Uint8Array(QUEUE_BYTES), t + 30);
        ok(!big.ok && big.reason === 'queue-full', 'bytes capacity');
        equal(wakeInterval(board.storage), DEFAULT_WAKE_SEC, 'default wake');
        ok(stageWakeInterval(fill, 600) && !stageWakeInterval(fill, 0) && !stageWakeInterval(fill, 86401), 'wake bounds');
        fill.commit();
        equal(wakeInterval(board.storage), 600, 'configured wake');
      },
    },
    {
      name: 'GPF copy of the GSME data and device log: publish replaces per use case; GCS59 restore refused whole over capacity or with a device twice',
      run(ctx) {
        const board = freshBoard(ctx);
        const tx = new StateTx(board.storage);
        stagePublish(tx, [{ messageCode: 0x00b8, content: key16(1) }, { messageCode: 0x0075, content: key16(2) }]);
        stagePublish(tx, [{ messageCode: 0x00b8, content: key16(3) }]);
        tx.commit();
        bytesEqual(mirroredData(board.storage, 0x00b8) as Uint8Array, key16(3), 'replaced');
        bytesEqual(mirroredData(board.storage, 0x0075) as Uint8Array, key16(2), 'kept');
        ok(mirroredData(board.storage, 0x0096) === undefined, 'none for another use case');
        const log = new StateTx(board.storage);
        ok(stageRestoreGpfLog(log, [{ deviceId: eui(1), deviceType: 5 }, { deviceId: eui(2), deviceType: 6 }]), 'restored');
        ok(!stageRestoreGpfLog(log, [{ deviceId: eui(1), deviceType: 5 }, { deviceId: eui(1), deviceType: 6 }]), 'twice refused');
        const many: { deviceId: Uint8Array; deviceType: number }[] = [];
        for (let i = 0; i <= GPF_LOG_CAPACITY; i++) many.push({ deviceId: eui(i), deviceType: 1 });
        ok(!stageRestoreGpfLog(log, many), 'over capacity refused');
        log.commit();
        equal(readGpfLog(board.storage).length, 2, 'the accepted restore stored');
      },
    },
  ],
};

/** A sweep over one staged change of the hub's state (GPF queue, GCS59, CCS03): old state or new, never a mix. */
function stateSweep(ctx: SelfTestContext, prepare: (board: Board) => void, change: (board: Board) => boolean): number {
  const medium = memoryMedium();
  prepare(ctx.newBoard(medium));
  const start = medium.snapshot();
  const old = storageFingerprint(ctx.newBoard(mediumFrom(start)));
  let after = '';
  return cutAtEveryWrite(
    (m) => stoppedClock(ctx.newBoard(m), SWEEP_TIME + 5),
    start,
    change,
    (board) => {
      after = storageFingerprint(board);
      ok(after !== old, 'the change stored something');
    },
    (board, where) => {
      const now = storageFingerprint(board);
      ok(now === old || now === after, 'power cut at ' + where + ': neither the old state nor the new one');
      waiting(board.storage, SWEEP_TIME);
      readGpfLog(board.storage);
      readDeviceLog(board);
    },
  );
}

function queueTwo(board: Board): void {
  const tx = new StateTx(board.storage);
  stageEnqueue(tx, key16(1), SWEEP_TIME);
  stageEnqueue(tx, key16(2), SWEEP_TIME);
  stageRestoreGpfLog(tx, [{ deviceId: eui(0xa1), deviceType: 5 }]);
  tx.commit();
  addDevice(board, eui(0xa4), key16(4), 3600, SWEEP_TIME);
}

/** Cut points of the hub-state sweeps (twice the medium writes of each change), measured. */
export const CUTS_ENQUEUE = 6;
export const CUTS_ACK = 6;
export const CUTS_GCS59 = 6;
export const CUTS_CCS03 = 8;

export const hubStatePowerCuts: Suite = {
  name: 'hub power cuts (GPF queue, GCS59, CCS03)',
  bundle: 'selftest-hub-state-cut',
  cases: [
    {
      name: 'power cut at every write of a GSME message queued on the GPF (' + CUTS_ENQUEUE + ' cut points) and of its acknowledgement (' + CUTS_ACK + '): old queue or new, never half a message',
      run(ctx) {
        const q = stateSweep(ctx, queueTwo, function (board) {
          const tx = new StateTx(board.storage);
          const r = stageEnqueue(tx, new Uint8Array(300).fill(0x33), SWEEP_TIME + 5);
          tx.commit();
          return r.ok;
        });
        equal(q, CUTS_ENQUEUE, 'enqueue cut points');
        const a = stateSweep(ctx, queueTwo, function (board) {
          const tx = new StateTx(board.storage);
          const first = waiting(board.storage, SWEEP_TIME + 5)[0];
          const done = stageAcknowledge(tx, first.id, SWEEP_TIME + 5);
          tx.commit();
          return done;
        });
        equal(a, CUTS_ACK, 'acknowledge cut points');
      },
    },
    {
      name: 'power cut at every write of a GCS59 restore (' + CUTS_GCS59 + ') and a CCS03 restore with its PAN (' + CUTS_CCS03 + '): old logs or new',
      run(ctx) {
        const g = stateSweep(ctx, queueTwo, function (board) {
          const tx = new StateTx(board.storage);
          const done = stageRestoreGpfLog(tx, [{ deviceId: eui(0xa1), deviceType: 5 }, { deviceId: eui(0xa6), deviceType: 6 }]);
          tx.commit();
          return done;
        });
        equal(g, CUTS_GCS59, 'GCS59 cut points');
        const c = stateSweep(ctx, queueTwo, function (board) {
          return handleDeviceLogCommand(board, MESSAGE_CODE_CCS03, restoreContent([0xa0, 0xa1, 0xa4]), {}, 1).ok;
        });
        equal(c, CUTS_CCS03, 'CCS03 cut points');
      },
    },
  ],
};
