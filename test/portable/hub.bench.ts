/**
 * Memory per premises: the hub's state for one fully populated premises — the CHF Device Log full (16
 * devices, each with install code and TC link key), the Historic Device Log full (15), the GPF Device Log
 * full (8), the GSME's queue full (8 messages of 300 bytes) and the GPF's copy of 9 read use cases (100
 * bytes each) —
 *   stored: the bytes of every stored value (what the hub keeps in flash per premises);
 *   RAM: the engine's memory figure after building that state on a board whose medium lives in RAM and
 *        decoding each structure once (what handling one command holds at most), minus the figure
 *        before: variables of Espruino's pool (on Node: bench/hub.bench.ts, with the collector run first).
 * @module
 */
import { memoryMedium } from '../../boards/journaledStorage.ts';
import type { Board } from '../../boards/board.ts';
import { StateTx } from '../../device/state/stateTx.ts';
import { addDevice, readDeviceLog, readHistoricLog, recordTcLinkKey, removeDevice } from '../../hub/chf.ts';
import { DEVICE_LOG_CAPACITY } from '../../hub/deviceLog.ts';
import { HISTORIC_CAPACITY } from '../../hub/historicDeviceLog.ts';
import { GPF_LOG_CAPACITY, QUEUE_CAPACITY, readGpfLog, stageEnqueue, stagePublish, stageRestoreGpfLog, waiting } from '../../hub/gpf.ts';
import { READ_FROM_COPY } from '../../hub/gpfUseCases.ts';
import { eui, key16 } from './hubFixture.ts';
import type { Bench, SelfTestContext } from './selftest.ts';

const T = 1796342400;

function bytesOf(n: number, fill: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (fill + i) & 0xff;
  return b;
}

/** The CHF's part (its two logs full) and the GPF's part (its log, the GSME's queue, the copy): on one board or two. */
export function fullPremises(board: Board, gpfBoard?: Board): void {
  for (let i = 0; i < HISTORIC_CAPACITY; i++) {
    addDevice(board, eui(0x40 + i), key16(i), 60, T);
    recordTcLinkKey(board, eui(0x40 + i), key16(0x80 + i), T);
    removeDevice(board, eui(0x40 + i));
  }
  for (let i = 0; i < DEVICE_LOG_CAPACITY; i++) {
    addDevice(board, eui(i), key16(i), 60, T);
    recordTcLinkKey(board, eui(i), key16(0x20 + i), T);
  }
  const tx = new StateTx((gpfBoard || board).storage);
  const gpfLog: { deviceId: Uint8Array; deviceType: number }[] = [];
  for (let i = 0; i < GPF_LOG_CAPACITY; i++) gpfLog.push({ deviceId: eui(0xa0 + i), deviceType: 5 });
  stageRestoreGpfLog(tx, gpfLog);
  for (let i = 0; i < QUEUE_CAPACITY; i++) stageEnqueue(tx, bytesOf(300, i), T);
  const copy: { messageCode: number; content: Uint8Array }[] = [];
  for (let i = 0; i < READ_FROM_COPY.length; i++) copy.push({ messageCode: READ_FROM_COPY[i], content: bytesOf(100, i) });
  stagePublish(tx, copy);
  tx.commit();
}

function ramDelta(ctx: SelfTestContext): number {
  const before = ctx.memory();
  const board = ctx.newBoard(memoryMedium());
  fullPremises(board);
  const held = [readDeviceLog(board), readHistoricLog(board), readGpfLog(board.storage), waiting(board.storage, T)];
  const after = ctx.memory();
  if (!before || !after || held.length !== 4) return NaN;
  return after.used - before.used;
}

function storedBytes(ctx: SelfTestContext): number {
  const board = ctx.newBoard(memoryMedium());
  fullPremises(board);
  const keys = board.storage.keys();
  let n = 0;
  for (let i = 0; i < keys.length; i++) if (keys[i].indexOf('chf.') === 0 || keys[i].indexOf('gpf.') === 0) n += (board.storage.read(keys[i]) as Uint8Array).length;
  return n;
}

export const hubPremisesStored: Bench = { name: 'hub premises stored state (full premises)', unit: 'bytes', boards: ['node'], bundle: 'bench-hub', run: storedBytes };
export const hubPremisesRamEspruino: Bench = { name: 'hub premises RAM (full premises, Espruino)', unit: 'variables', boards: ['espruino'], bundle: 'bench-hub', run: ramDelta };
