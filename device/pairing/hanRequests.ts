/**
 * What a joined HAN device may ask of this meter (GBCS §13.7: a join is what lets two devices exchange
 * messages on the HAN; what each device type may then do is the HAN-only use cases): the narrow interface
 * the HAN transport calls with the sender's EUI-64 once the HAN link has authenticated it (ZigBee APS
 * security with the link key the join produced: CBKE for Method A, the Method C certificates' shared
 * secret; ZigBee itself is another issue, so here the caller states the sender).
 *
 * A request is honoured only when, in order:
 *   the sender is on the CHF Device Log, as the hub tells the meter (`ChfView`)  'not-on-chf-log'
 *     (HAN-FACTS: a device not on the log cannot talk on the HAN; CCS02 removes it there)
 *   the sender is in this meter's Device Log (joined by CS03, not unjoined by CS04)  'not-joined'
 *   its device type may make the request                                            'not-permitted'
 *   the request applies to the meter's state now                                    'supply-not-armed'
 * Requests and who may make them:
 *   'top-up'         PPMID: PECS01 (0x0116) Apply Prepayment Top Up to an ESME using PPMID: the UTRN the
 *                    consumer typed, checked and applied to the balance (prepayment/utrnTopUp.ts, its
 *                    refusals: 'utrn-format', 'utrn-check-digit', 'utrn-authentication', 'utrn-used', ...)
 *   'enable-supply'  PPMID: PECS03 (0x0118) Request to Enable ESME Supply from PPMID: an armed supply
 *                    (ECS44) is switched on, as the consumer's button on the meter would (one commit)
 *   'read-supply', 'read-balance'  PPMID and Type 2 (IHD): the supply state and the meter balance the
 *                    display shows
 * (A GSME takes its PPMID top-up as the GBCS message PCS01 0x009B, MAC'ed with the keys of the Method C join,
 * through the command pipeline: pairing/hanOriginator.ts, gsme/ppmidCommands.ts.)
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { bytesEqual } from '../../lib/bytes.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { DEVICE_PPMID, DEVICE_TYPE2 } from '../../gbcs/contents/join.ts';
import { indexOfJoined, readJoined } from '../state/joinedDevices.ts';
import type { JoinedDevice } from '../state/joinedDevices.ts';
import type { Identity } from '../state/identity.ts';
import { readCredit } from '../state/prepayment.ts';
import { StateTx } from '../state/stateTx.ts';
import { readSupply, writeSupply } from '../state/supplyState.ts';
import { applyUtrn } from '../prepayment/utrnTopUp.ts';
import type { TopUpRefusal } from '../prepayment/utrnTopUp.ts';
import type { SupplyState } from '../state/supplyState.ts';

export type HanRequestKind = 'top-up' | 'enable-supply' | 'read-supply' | 'read-balance';

export type HanRequest = { kind: 'top-up'; utrn: string } | { kind: 'enable-supply' } | { kind: 'read-supply' } | { kind: 'read-balance' };

export type HanRefusal = 'not-on-chf-log' | 'not-joined' | 'not-permitted' | 'supply-not-armed' | TopUpRefusal;

/** What the meter answers: its supply state and balance (pennies) after the request, and who asked. */
export type HanOutcome = { ok: true; supply: SupplyState; credit: number; from: JoinedDevice } | { ok: false; reason: HanRefusal };

/** What the Communications Hub tells the meter about the HAN: whether a device is on the CHF Device Log. */
export interface ChfView {
  onDeviceLog(eui: Uint8Array): boolean;
}

/** A ChfView over a list of EUI-64s (the CHF Device Log's entries, as the hub reports them). */
export function chfViewOf(euis: Uint8Array[]): ChfView {
  return {
    onDeviceLog: function (eui: Uint8Array): boolean {
      for (let i = 0; i < euis.length; i++) if (bytesEqual(euis[i], eui)) return true;
      return false;
    },
  };
}

/** The device types that may make each request. */
function permitted(kind: HanRequestKind, deviceType: number): boolean {
  if (kind === 'top-up' || kind === 'enable-supply') return deviceType === DEVICE_PPMID;
  if (kind === 'read-supply' || kind === 'read-balance') return deviceType === DEVICE_PPMID || deviceType === DEVICE_TYPE2;
  return false;
}

/** One HAN request from `from` (checks in the module header); a change is one commit, a refusal changes nothing. */
export function handleHanRequest(board: Board, secrets: SharedSecrets, identity: Identity, from: Uint8Array, request: HanRequest, chf: ChfView): HanOutcome {
  const storage = board.storage;
  if (!chf.onDeviceLog(from)) return { ok: false, reason: 'not-on-chf-log' };
  const log = readJoined(storage);
  const i = indexOfJoined(log, from);
  if (i < 0) return { ok: false, reason: 'not-joined' };
  const sender = log[i];
  if (!permitted(request.kind, sender.deviceType)) return { ok: false, reason: 'not-permitted' };
  if (request.kind === 'top-up') {
    const t = applyUtrn(board, secrets, identity, request.utrn);
    if (!t.ok) return { ok: false, reason: t.reason };
  } else if (request.kind === 'enable-supply') {
    if (readSupply(storage) !== 'armed') return { ok: false, reason: 'supply-not-armed' };
    const tx = new StateTx(storage);
    writeSupply(tx, 'on');
    if (!tx.commit().ok) return { ok: false, reason: 'storage-full' };
  }
  return { ok: true, supply: readSupply(storage), credit: readCredit(storage), from: sender };
}
