/**
 * Applying a UTRN to the meter balance (GBCS §14.3; the UTRN layout and its MAC are gbcs/utrn.ts): what a
 * joined PPMID's top-up asks (PECS01 0x0116 to an ESME; the consumer types the UTRN on the PPMID), and the
 * GSME's top-ups (CS01b from the Supplier, PCS01 from its PPMID: gsme/topUp.ts, into its own purse), checked
 * in order, each refusal typed and leaving every stored byte as it was:
 *   20 digits, the GBCS §14.8 check digit, a PTUT in range   'utrn-format' | 'utrn-check-digit' | 'utrn-out-of-range'
 *   the Supplier's prepayment KA trust anchor is held          'no-prepayment-key'
 *   the counter, rebuilt from its 10 bits next to the highest applied one (below), gives the PTUT's MAC
 *                                                              'utrn-authentication'
 *   that counter was not applied before, and is above the oldest one kept when the cache is full
 *                                                              'utrn-used' | 'utrn-too-old'
 * then the value (pennies, or pounds x 100) is added to the balance and the counter recorded, in one commit.
 * The counter: a UTRN carries bits 32..41 of the Supplier's 64-bit UTRN counter; the meter takes bits
 * 42..63 from the highest counter it applied (or the next block of 1,024 when the 10 bits fall more than
 * 512 below it), and bits 0..31 as zero, as the published UTRN vectors have them (UNCONFIRMED: GBCS
 * §14.3.5's own reconstruction rule is not in our texts).
 * @module
 */
import type { Board } from '../../boards/board.ts';
import { bytesEqual, concatBytes } from '../../lib/bytes.ts';
import { KEY_USAGE_KEY_AGREEMENT } from '../../gbcs/smki/certificate.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import { ptutMac, readUtrn, VALUE_POUNDS } from '../../gbcs/utrn.ts';
import type { UtrnReason } from '../../gbcs/utrn.ts';
import type { Identity } from '../state/identity.ts';
import { readCredit, readUtrnCounters, recordUtrnCounter, UTRN_CACHE, writeCredit } from '../state/prepayment.ts';
import { StateTx, u32 } from '../state/stateTx.ts';
import { CELL_PREPAYMENT, readCell, ROLE_SUPPLIER } from '../state/trustAnchors.ts';

export type TopUpRefusal = UtrnReason | 'no-prepayment-key' | 'utrn-authentication' | 'utrn-used' | 'utrn-too-old' | 'credit-overflow' | 'storage-full';

export type TopUpOutcome = { ok: true; added: number; credit: number } | { ok: false; reason: TopUpRefusal };

/**
 * The result a top-up's response carries (SE 1.4 Prepayment ResultType, as CS01b's Consumer Top Up Response
 * has it; CS01a's DLMS action-result takes the same numbers: esmeTopUp.ts): 00 accepted, 01 invalid top up,
 * 02 duplicate, 03 error (no prepayment key), 04 max credit reached.
 */
export const TOP_UP_ACCEPTED = 0x00;
export const TOP_UP_INVALID = 0x01;
export const TOP_UP_DUPLICATE = 0x02;
export const TOP_UP_ERROR = 0x03;
export const TOP_UP_MAX_CREDIT = 0x04;

/** The result code of an outcome ('utrn-invalid' covers format, check digit, range, authentication and too old). */
export function topUpResult(t: TopUpOutcome): number {
  if (t.ok) return TOP_UP_ACCEPTED;
  if (t.reason === 'utrn-used') return TOP_UP_DUPLICATE;
  if (t.reason === 'credit-overflow') return TOP_UP_MAX_CREDIT;
  if (t.reason === 'no-prepayment-key') return TOP_UP_ERROR;
  return TOP_UP_INVALID;
}

/**
 * What a result says, for the one reading the response (the lab, a PPMID's display): accepted, or the
 * refusal it stands for ('utrn-invalid' covers format, check digit, range, authentication and too old:
 * the response does not tell them apart; the GSME's own `stageUtrn` outcome does).
 */
export function topUpResultName(result: number): 'accepted' | 'utrn-invalid' | 'utrn-used' | 'no-prepayment-key' | 'credit-overflow' | 'unknown' {
  if (result === TOP_UP_ACCEPTED) return 'accepted';
  if (result === TOP_UP_INVALID) return 'utrn-invalid';
  if (result === TOP_UP_DUPLICATE) return 'utrn-used';
  if (result === TOP_UP_ERROR) return 'no-prepayment-key';
  if (result === TOP_UP_MAX_CREDIT) return 'credit-overflow';
  return 'unknown';
}

/**
 * Where a meter keeps its balance: the ESME's `prepay.credit` in pennies (state/prepayment.ts, the default),
 * the GSME's ZCL Prepayment CreditRemaining (gsme/topUp.ts) in its own unit, `perPenny` to a penny.
 */
export interface Purse {
  read(s: { read(k: string): Uint8Array | undefined }): number;
  write(tx: StateTx, credit: number): void;
  perPenny: number;
}

const PENNIES: Purse = { read: readCredit, write: writeCredit, perPenny: 1 };

/** Bits 32..63 of the counter a UTRN's 10 bits stand for, next to the highest applied (see the module header). */
export function rebuildCounterHigh(applied: number[], counter10: number): number {
  let highest = 0;
  for (let i = 0; i < applied.length; i++) if (applied[i] > highest) highest = applied[i];
  let h = (highest - (highest % 1024)) + counter10;
  if (h + 512 < highest) h += 1024;
  return h;
}

/** Checks a UTRN and, when good, stages the new balance and the applied counter in `tx`. */
export function stageUtrn(board: Board, secrets: SharedSecrets, identity: Identity, tx: StateTx, text: string, into?: Purse): TopUpOutcome {
  const purse = into || PENNIES;
  const ptut = readUtrn(text);
  if (typeof ptut === 'string') return { ok: false, reason: ptut };
  const cell = readCell(tx, { role: ROLE_SUPPLIER, keyUsage: KEY_USAGE_KEY_AGREEMENT, cellUsage: CELL_PREPAYMENT });
  if (!cell) return { ok: false, reason: 'no-prepayment-key' };
  const applied = readUtrnCounters(tx);
  const high = rebuildCounterHigh(applied, ptut.counter10);
  const counter = concatBytes([u32(high), new Uint8Array(4)]);
  const z = secrets.agree(identity.kaPrivate, cell.publicKey);
  if (!z || !bytesEqual(ptutMac(board.crypto, z, cell.subjectUniqueId, identity.eui, counter, ptut.high), ptut.mac)) return { ok: false, reason: 'utrn-authentication' };
  if (applied.indexOf(high) >= 0) return { ok: false, reason: 'utrn-used' };
  if (applied.length >= UTRN_CACHE) {
    let oldest = applied[0];
    for (let i = 1; i < applied.length; i++) if (applied[i] < oldest) oldest = applied[i];
    if (high < oldest) return { ok: false, reason: 'utrn-too-old' };
  }
  const added = (ptut.valueClass === VALUE_POUNDS ? ptut.value * 100 : ptut.value) * purse.perPenny;
  const credit = purse.read(tx) + added;
  if (credit > 0x7fffffff) return { ok: false, reason: 'credit-overflow' };
  purse.write(tx, credit);
  recordUtrnCounter(tx, high);
  return { ok: true, added: added, credit: credit };
}

/** Applies a UTRN in one commit (nothing stored on a refusal; 'storage-full' when the medium has no room: the UTRN stays unused). */
export function applyUtrn(board: Board, secrets: SharedSecrets, identity: Identity, text: string): TopUpOutcome {
  const tx = new StateTx(board.storage);
  const r = stageUtrn(board, secrets, identity, tx, text);
  if (r.ok && !tx.commit().ok) return { ok: false, reason: 'storage-full' };
  return r;
}
