/**
 * The hub on a full medium (README "full-medium contract"), on every engine: each change of the CHF's or the
 * GPF's state is one commit whose refusal the hub answers as a value, 'storage-full', with every stored
 * byte as it was and nothing sent that claims the change (no CCS01/CCS02/CCS03 response, no CS14); once
 * room is made the same operation goes through. The CHF: RTDS CCS01 and CCS02 and a CCS03 restore
 * (hub/chf.ts `handleDeviceLogCommand`), a device added, its TC link key recorded, removed to the historic
 * log, its historic key adopted (the board forms). The GPF: a GSME message the router queues
 * (hub/communicationsHub.ts), its acknowledgement and the GSME's publish (hub/gsmeMailbox.ts), the wake
 * interval. Through the device runtime (the CHF's and GPF's pipelines, a HAN join with its CS14) the same
 * is test/hub-storage-full.test.ts's, on Node (P-256). No P-256 here: a small bundle of its own.
 *
 * Each operation runs on a copy of its start state whose medium is exactly full: a filler blob, outside
 * the storage, takes FILLER bytes; removing it is the room made.
 * @module
 */
import { memoryMedium } from '../../boards/journaledStorage.ts';
import type { Board } from '../../boards/board.ts';
import type { SmetsDevice } from '../../device/index.ts';
import { decodeCs14Alert, encodeCcs03Command, MESSAGE_CODE_CCS03 } from '../../gbcs/contents/hub/chfDeviceLog.ts';
import { fromHex } from '../../lib/bytes.ts';
import { adoptHistoricKey, addDevice, handleDeviceLogCommand, PAN_KEY, readDeviceLog, readHistoricLog, recordTcLinkKey, removeDevice } from '../../hub/chf.ts';
import { CommunicationsHub } from '../../hub/communicationsHub.ts';
import { FLAG_MESSAGE_WAITING, mirroredData, notificationFlags, waiting, wakeInterval } from '../../hub/gpf.ts';
import { gpfMailbox } from '../../hub/gsmeMailbox.ts';
import { bytesEqual, equal, ok } from './assert.ts';
import { copyWithRoom, picture } from './fullMedium.ts';
import type { Capped } from './fullMedium.ts';
import { eui, key16, RTDS, rtdsContent, stoppedClock } from './hubFixture.ts';
import type { SelfTestContext, Suite } from './selftest.ts';

/** 2026-12-04T00:00:00Z: every board's clock stands here (join windows are stored with it). */
const NOW = 1796342400;
/** The room the filler takes: more than any commit here needs (journal, values, the storage's 512-byte reserve). */
const FILLER = 2048;
const GSME = '00db1234567890a1';
const GSME_COMMAND = RTDS + '4.3_GCS14/GCS14_4.3_SUCCESS_UNRELIABLE_COMMAND_GBCS.HEX';

/** A board on a fresh (uncapped) medium, its clock stopped at `now`. */
function startBoard(ctx: SelfTestContext, medium: Capped, now: number): Board {
  return stoppedClock(ctx.newBoard(medium), now);
}

/** What an operation answered: 'ok', or its refusal's reason. */
type Run = (board: Board) => string;

/**
 * `run` on a full copy of `start`: refused 'storage-full' with every blob as it was; then, the filler
 * removed, the same `run` on the same board: 'ok'. Answers the medium and board after the success.
 */
function refusedThenDone(ctx: SelfTestContext, start: Capped, now: number, what: string, run: Run): { medium: Capped; board: Board } {
  const m = copyWithRoom(start, FILLER, 0);
  const board = startBoard(ctx, m, now);
  const before = picture(m);
  equal(run(board), 'storage-full', what + ' on a full medium');
  equal(picture(m), before, what + ' refused: every stored byte as it was');
  m.remove('filler');
  equal(run(board), 'ok', what + ' once room is made');
  ok(picture(m) !== before, what + ': stored');
  return { medium: m, board: board };
}

function reasonOf(r: { ok: boolean; reason?: string }): string {
  return r.ok ? 'ok' : String(r.reason);
}

/** The CHF and GPF as the router sees them on the GSME's path: their boards and EUI-64s (no pipeline is reached). */
function boardOnly(board: Board, id: string): SmetsDevice {
  return {
    board: board,
    identity: function () {
      return { eui: fromHex(id) as Uint8Array };
    },
  } as unknown as SmetsDevice;
}

export const hubStorageFull: Suite = {
  name: 'hub on a full medium',
  bundle: 'selftest-hub-full',
  vectors: [RTDS + '8.11_CCS01/', RTDS + '8.11_CCS02/', GSME_COMMAND],
  cases: [
    {
      name: 'CHF: RTDS CCS01, RTDS CCS02 and a CCS03 restore refused storage-full (no response, no CS14, every stored byte as it was); once room is made answered as RTDS with their CS14',
      run(ctx) {
        const ccs01 = rtdsContent(ctx, '8.11_CCS01', 'CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX');
        const ccs02 = rtdsContent(ctx, '8.11_CCS02', 'CCS02_8.11_SUCCESS_COMMAND_GBCS.HEX');
        const answers: { response: Uint8Array; alert?: Uint8Array }[] = [];
        function command(code: number, content: Uint8Array): Run {
          return function (board) {
            const r = handleDeviceLogCommand(board, code, content, {}, 1);
            if (!r.ok) {
              ok(!('response' in r) && !('alert' in r), 'a refusal carries nothing to send');
              return r.reason;
            }
            answers.push(r);
            return 'ok';
          };
        }
        const empty = memoryMedium();
        const added = refusedThenDone(ctx, empty, NOW, 'CCS01', command(ccs01.messageCode, ccs01.content));
        bytesEqual(answers[0].response, rtdsContent(ctx, '8.11_CCS01', 'CCS01_8.11_SUCCESS_RESPONSE_GBCS.HEX').content, 'CCS01 response as RTDS');
        const cs14 = decodeCs14Alert(answers[0].alert as Uint8Array);
        ok(!('ok' in cs14) && cs14.entries.length === 1, 'CS14 with the device added');
        // The device of RTDS CCS02 (…A0) gets a TC link key, so its removal writes the historic log too.
        ok(recordTcLinkKey(added.board, eui(0xa0), key16(0x33), NOW).ok, 'a0 key');
        refusedThenDone(ctx, added.medium, NOW, 'CCS02', command(ccs02.messageCode, ccs02.content));
        bytesEqual(answers[1].response, rtdsContent(ctx, '8.11_CCS02', 'CCS02_8.11_SUCCESS_RESPONSE_GBCS.HEX').content, 'CCS02 response as RTDS');
        ok(!!answers[1].alert, 'CS14 after the removal');
        const pan = new Uint8Array([0x00, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, 0xa2]);
        const restore = encodeCcs03Command({ invokeId: new Uint8Array([0x20, 0, 0, 1]), extendedPanId: pan, devices: [{ deviceId: eui(0xb0), key: key16(1) }, { deviceId: eui(0xb1), key: key16(2) }] });
        const restored = refusedThenDone(ctx, added.medium, NOW, 'CCS03', command(MESSAGE_CODE_CCS03, restore));
        ok(!!answers[2].alert, 'CS14 after the restore');
        equal(readDeviceLog(restored.board).length, 2, 'restored log');
        bytesEqual(restored.board.storage.read(PAN_KEY), pan, 'PAN stored with it');
      },
    },
    {
      name: 'CHF joins on the HAN (board forms): a device added, its TC link key recorded, removed to the historic log, its historic key adopted: each refused storage-full with every stored byte as it was, done once room is made',
      run(ctx) {
        const empty = memoryMedium();
        const a = refusedThenDone(ctx, empty, NOW, 'add', function (b) {
          return reasonOf(addDevice(b, eui(1), key16(1), 600, NOW));
        });
        equal(readDeviceLog(a.board).length, 1, 'added');
        const k = refusedThenDone(ctx, a.medium, NOW, 'TC link key', function (b) {
          return reasonOf(recordTcLinkKey(b, eui(1), key16(0x41), NOW));
        });
        bytesEqual(readDeviceLog(k.board)[0].tcLinkKey, key16(0x41), 'key on the log');
        const r = refusedThenDone(ctx, k.medium, NOW, 'remove', function (b) {
          return reasonOf(removeDevice(b, eui(1)));
        });
        equal(readDeviceLog(r.board).length + '/' + readHistoricLog(r.board).entries.length, '0/1', 'moved to the historic log in one commit');
        ok(addDevice(r.board, eui(1), key16(1), 600, NOW).ok, 're-added');
        const h = refusedThenDone(ctx, r.medium, NOW + 10, 'historic key adopted', function (b) {
          return reasonOf(adoptHistoricKey(b, eui(1), NOW + 10));
        });
        bytesEqual(readDeviceLog(h.board)[0].tcLinkKey, key16(0x41), 'historic key back on the log');
      },
    },
    {
      name: 'GPF: a GSME message the router queues, its acknowledgement, the GSME publish and the wake interval refused storage-full (queue, flag, copy, interval as they were); each done once room is made',
      run(ctx) {
        const command = fromHex(ctx.vector(GSME_COMMAND)) as Uint8Array;
        const gsme = fromHex(GSME) as Uint8Array;
        // The CHF admits the GSME (on its log with a TC link key).
        const chf = startBoard(ctx, memoryMedium(), NOW);
        ok(addDevice(chf, gsme, key16(1), 600, NOW).ok && recordTcLinkKey(chf, gsme, key16(2), NOW).ok, 'GSME joined');
        const empty = memoryMedium();
        let id = 0;
        const q = refusedThenDone(ctx, empty, NOW, 'queued for the GSME', function (b) {
          const hub = new CommunicationsHub({ chf: boardOnly(chf, '00db1234567890a2'), gpf: boardOnly(b, '00db1234567890a3'), gsme: gsme, han: {}, alertRecipient: new Uint8Array(8) });
          const r = hub.fromWan(command);
          if (!r.ok) {
            equal(r.device, GSME, 'the refusal names the GSME');
            equal(notificationFlags(b.storage, NOW), 0, 'flag still down');
            return r.reason;
          }
          equal(r.to, 'GSME-queue', 'queued');
          if (r.to === 'GSME-queue') id = r.id;
          return 'ok';
        });
        equal(notificationFlags(q.board.storage, NOW), FLAG_MESSAGE_WAITING, 'flag up once queued');
        const acked = refusedThenDone(ctx, q.medium, NOW, 'acknowledged', function (b) {
          const r = gpfMailbox(b).acknowledge(id);
          if (!r.ok) equal(waiting(b.storage, NOW).length, 1, 'the message still waits');
          return reasonOf(r);
        });
        equal(waiting(acked.board.storage, NOW).length, 0, 'gone once acknowledged');
        equal(reasonOf(gpfMailbox(acked.board).acknowledge(id)), 'not-waiting', 'not twice');
        const copy = new Uint8Array([0x01, 0x09, 0x01, 0x07]);
        const pub = refusedThenDone(ctx, q.medium, NOW, 'published', function (b) {
          return reasonOf(gpfMailbox(b).publish([{ messageCode: 0x00b8, content: copy }, { messageCode: 0x0075, content: key16(5) }]));
        });
        bytesEqual(mirroredData(pub.board.storage, 0x00b8), copy, 'the copy');
        bytesEqual(mirroredData(pub.board.storage, 0x0075), key16(5), 'both use cases in the one commit');
        const w = refusedThenDone(ctx, q.medium, NOW, 'wake interval', function (b) {
          const hub = new CommunicationsHub({ chf: boardOnly(chf, '00db1234567890a2'), gpf: boardOnly(b, '00db1234567890a3'), han: {}, alertRecipient: new Uint8Array(8) });
          return reasonOf(hub.setGsmeWakeInterval(900));
        });
        equal(wakeInterval(w.board.storage), 900, 'interval set');
        // Bounds are refused before any commit, by their own name.
        const full = copyWithRoom(q.medium, FILLER, 0);
        const hub = new CommunicationsHub({ chf: boardOnly(chf, '00db1234567890a2'), gpf: boardOnly(startBoard(ctx, full, NOW), '00db1234567890a3'), han: {}, alertRecipient: new Uint8Array(8) });
        equal(reasonOf(hub.setGsmeWakeInterval(0)), 'wake-interval', 'out of bounds');
      },
    },
  ],
};
