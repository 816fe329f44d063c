/**
 * Commands a joined HAN device originates (GBCS §13.7, use cases PCS01 0x009B "Apply Prepayment Top Up to a
 * GSME using PPMID" and PCS02 0x0090 "Activate Emergency Credit on GSME from PPMID"): a PPMID joined to this
 * GSME by CS03C (Method C) sends them in a General Ciphering (DD) envelope whose MAC key is agreed between
 * the two devices' Key Agreement keys (this meter's KA private key x the PPMID's KA public key the join's
 * certificate gave the Device Log, state/joinedDevices.ts; same KDF and GCM as every GBCS MAC, KDF originator
 * the PPMID, CRA 01). Who may send what, in order (the pipeline's typed reasons):
 *   the originator is in this meter's Device Log (never joined, or unjoined by CS04)   'not-joined'
 *   it is a PPMID joined by Method C (its KA public key held), and the code is one GBCS lets a PPMID
 *   send to this meter (PCS01, PCS02)                                                  'role-not-authorised'
 * Anti-replay: one counter per PPMID, `han.oc.<eui hex>` (the last accepted originator counter, 8 bytes),
 * staged in the command's transaction so it lands with the effect in one commit. It is kept after an
 * unjoin, so a PPMID joined again cannot be replayed its old commands (one key per PPMID ever joined).
 * @module
 */
import { toHex } from '../../lib/bytes.ts';
import { compareCounters, counterFromBytes, counterToBytes } from '../../gbcs/counter64.ts';
import type { Counter64 } from '../../gbcs/counter64.ts';
import { DEVICE_PPMID } from '../../gbcs/contents/join.ts';
import { indexOfJoined, readJoined } from '../state/joinedDevices.ts';
import type { JoinedDevice } from '../state/joinedDevices.ts';
import type { StateTx } from '../state/stateTx.ts';

type Readable = { read(k: string): Uint8Array | undefined };

/** The codes a PPMID joined by Method C may send to the GSME: PCS01, PCS02. */
export const PPMID_CODES = [0x009b, 0x0090];

export const HAN_COUNTER_PREFIX = 'han.oc.';

/** The joined device that may send `code`, or why not. */
export function hanOriginator(s: Readable, originator: Uint8Array, code: number): { ok: true; entry: JoinedDevice } | { ok: false; reason: 'not-joined' | 'role-not-authorised' } {
  const log = readJoined(s);
  const i = indexOfJoined(log, originator);
  if (i < 0) return { ok: false, reason: 'not-joined' };
  const e = log[i];
  if (!e.kaPublicKey || e.deviceType !== DEVICE_PPMID || PPMID_CODES.indexOf(code) < 0) return { ok: false, reason: 'role-not-authorised' };
  return { ok: true, entry: e };
}

/** The Method C KA public key of a joined device (the responder MACs its answer with it), or undefined. */
export function joinedKaKey(s: Readable, eui: Uint8Array): Uint8Array | undefined {
  const log = readJoined(s);
  const i = indexOfJoined(log, eui);
  return i < 0 ? undefined : log[i].kaPublicKey;
}

/** True when `counter` is above the last accepted from that device. */
export function hanCounterFresh(s: Readable, eui: Uint8Array, counter: Counter64): boolean {
  const b = s.read(HAN_COUNTER_PREFIX + toHex(eui));
  return !b || b.length !== 8 || compareCounters(counter, counterFromBytes(b, 0)) > 0;
}

export function acceptHanCounter(tx: StateTx, eui: Uint8Array, counter: Counter64): void {
  tx.write(HAN_COUNTER_PREFIX + toHex(eui), counterToBytes(counter));
}
