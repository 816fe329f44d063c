/**
 * Gas top-ups (device/gsme/topUp.ts: the ESME's UTRN checks, prepayment/utrnTopUp.ts, into the GSME's ZCL
 * CreditRemaining), both ways GBCS gives them:
 * - CS01b 0x0097 from the Supplier: RTDS 2.2_CS01b's SUCCESS and ERROR commands answered by the reference GSME
 *   as the RESPONSE files byte for byte; our own CS01b frames for each typed refusal (the result code the
 *   response carries, the stored state unchanged); a full medium refused 'storage-full';
 * - through the Communications Hub: the CS01b queued on the GPF and run when the GSME wakes, its answer up to
 *   the WAN, the GPF's GCS60 copy showing the new balance; the PPMID's PCS01 from the HAN (`hanToHan`)
 *   queued likewise, its answer back to the PPMID; a PPMID off the CHF log refused by the hub, one not
 *   joined to the GSME refused by the GSME, state unchanged.
 * The GSME with known keys (so UTRNs and MACs can be made): the Supplier's UTRNs under its published
 * prepayment KA key, its CS01b MAC'ed with the ACB's published KA key; the PPMID is RTDS's ...a4, joined by
 * Method C with its published KA certificate, its MACs made from the GSME's side (ECDH is symmetric).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../lib/bytes.ts';
import { counterFromNumber } from '../gbcs/counter64.ts';
import { decodeMessage, encodeMessage } from '../gbcs/message.ts';
import { checkMac, wrapWithMac } from '../gbcs/protection/protection.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { readCertificate } from '../gbcs/smki/certificate.ts';
import { gbzCommands } from '../gbcs/gbz/readAttributes.ts';
import { DEVICE_GSME, DEVICE_PPMID, MESSAGE_CODE_CS03C, METHOD_C } from '../gbcs/contents/join.ts';
import { makeUtrn, ptutHigh, ptutMac, VALUE_POUNDS } from '../gbcs/utrn.ts';
import { carryGsme, gsmeWake, manufactureDevice, meterBalanceContent, SmetsDevice } from '../device/index.ts';
import type { DeviceAnswer } from '../device/index.ts';
import { joinDevice } from '../device/pairing/joinDevice.ts';
import { stageUtrn } from '../device/prepayment/utrnTopUp.ts';
import { GSME_PURSE, gsmeCredit, MESSAGE_CODE_CS01B, readTopUpResponse, topUpResultName } from '../device/gsme/topUp.ts';
import { StateTx } from '../device/state/stateTx.ts';
import { memoryMedium } from '../boards/journaledStorage.ts';
import type { Board } from '../boards/board.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { loadReferenceKeys, pemToDer, privateScalar, ROOT_CELL } from '../harness/referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { findIssuingCa, replayFolder, sameSnapshot, stateSnapshot } from '../harness/referenceDevice/replay.ts';
import { loadGsmeKeys, REFERENCE_GSME_EUI, referenceGsme, RTDS_TIME_SEC } from '../harness/referenceDevice/referenceGsme.ts';
import type { GsmeKeys } from '../harness/referenceDevice/referenceGsme.ts';
import { loadHubDeviceKeys, referenceHubDevice } from '../harness/referenceDevice/referenceHub.ts';
import type { HubDeviceKeys } from '../harness/referenceDevice/referenceHub.ts';
import { readHexFile } from '../harness/conformance/rtdsFolder.ts';
import { addDevice, recordTcLinkKey, removeDevice } from '../hub/chf.ts';
import { CommunicationsHub } from '../hub/communicationsHub.ts';
import { mirroredData } from '../hub/gpf.ts';
import { copyWithRoom, picture } from './portable/fullMedium.ts';
import { gpfMailbox } from '../hub/gsmeMailbox.ts';

carryGsme();

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;
const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
const root = findIssuingCa(RTDS)!;
const crypto = nodeCrypto();
const pem = (f: string) => privateScalar(readFileSync(join(KEYS, f), 'utf8'));
const SUPPLIER = fromHex('90b3d51f30010000')!;
const ACB = fromHex('90b3d51f30000002')!;
const GSME = fromHex(REFERENCE_GSME_EUI)!;
const PPMID = fromHex('00db1234567890a4')!;
const PPMID_CERT = pemToDer(readFileSync(join(KEYS, '00db1234567890a4-ka.pem'), 'utf8'));
const PPMID_KA_PUBLIC = (() => {
  const c = readCertificate(PPMID_CERT);
  if (!c.ok) throw new Error('PPMID certificate: ' + c.reason);
  return c.certificate.publicKey;
})();
const GSME_KA = crypto.sha256(new TextEncoder().encode('gsme top-up test GSME KA'));
const GSME_DS = crypto.sha256(new TextEncoder().encode('gsme top-up test GSME DS'));
const GSME_KA_PUBLIC = crypto.p256PublicKey(GSME_KA);
const secrets = sharedSecrets(crypto.ecdh);

/** A GSME with known keys, the RTDS anchors (Supplier prepayment KA cell among them) and credit 2,500,000. */
function newGsme(opts: { prepaymentKey?: boolean; credit?: string } = {}): { board: Board; device: SmetsDevice; medium: ReturnType<typeof memoryMedium> } {
  const medium = memoryMedium();
  const board = nodeBoard({ medium, clock: { nowSec: () => RTDS_TIME_SEC } });
  const anchors = keys.anchors.filter((a) => opts.prepaymentKey !== false || a.cell.cellUsage !== 1);
  anchors.push({ cell: ROOT_CELL, certificate: keys.root ?? root, standIn: !keys.root });
  const made = manufactureDevice(board, {
    eui: GSME, environment: 'test', kind: 'GSME', dsPrivate: GSME_DS, kaPrivate: GSME_KA, anchors,
    attributes: [{ cluster: 0x0705, attribute: 0x0001, type: 0x2b, value: fromHex(opts.credit ?? 'a0252600')! }],
  });
  if (!made.ok) throw new Error('GSME: ' + made.reason);
  const device = new SmetsDevice(board, secrets);
  device.powerOn();
  return { board, device, medium };
}

/** A UTRN for the GSME of `value` (pennies, or pounds), UTRN counter bits 32..41 = `c10`. */
function utrn(c10: number, value: number, pounds = false): string {
  const ctr = new Uint8Array([0, 0, (c10 >> 8) & 3, c10 & 0xff, 0, 0, 0, 0]);
  const high = ptutHigh(ctr, pounds ? VALUE_POUNDS : 0, value);
  const z = crypto.ecdh(pem('90b3d51f30010000-pp-ka.key'), GSME_KA_PUBLIC)!;
  return makeUtrn(high, ptutMac(crypto, z, SUPPLIER, GSME, ctr, high));
}

/** A Consumer Top Up content (originating device `from`), as the DUIS transform and the PPMID build it. */
function topUpContent(text: string, from: number): Uint8Array {
  return gbzCommands([{ cluster: 0x0705, frameControl: 0x01, command: 0x04, payload: new Uint8Array([from, text.length, ...Array.from(text, (c) => c.charCodeAt(0))]) }]);
}

let supplierCounter = 2000;
/** CS01b from the Supplier (SME.C.NC: null signature, MAC'ed by the ACB). */
function cs01b(text: string): Uint8Array {
  const gs = { cra: 1, counter: counterFromNumber(++supplierCounter), originator: SUPPLIER, recipient: GSME, messageCode: MESSAGE_CODE_CS01B, content: topUpContent(text, 0), signatureForm: 'null' as const };
  return wrapWithMac(crypto, secrets, pem('90b3d51f30000002-ka.key'), GSME_KA_PUBLIC, encodeMessage({ wrapper: 'signed', gs }))!;
}

let ppmidCounter = 0;
/** PCS01 from the PPMID ...a4 (its MAC made from the GSME's side). */
function pcs01(text: string): Uint8Array {
  const gs = { cra: 1, counter: counterFromNumber(++ppmidCounter), originator: PPMID, recipient: GSME, messageCode: 0x009b, content: topUpContent(text, 2), signatureForm: 'null' as const };
  return wrapWithMac(crypto, secrets, GSME_KA, PPMID_KA_PUBLIC, encodeMessage({ wrapper: 'signed', gs }))!;
}

function joinPpmid(board: Board): void {
  const tx = new StateTx(board.storage);
  assert.ok(joinDevice(tx, { deviceType: DEVICE_GSME, environment: 'test' }, MESSAGE_CODE_CS03C, { method: METHOD_C, other: PPMID, otherType: DEVICE_PPMID, certificate: PPMID_CERT }).ok, 'Method C join');
  assert.ok(tx.commit().ok);
}

/** The top-up answer of a delivery: 'result credit' or the pipeline's refusal. */
function answered(a: DeviceAnswer): string {
  if (!a.outcome.ok) return 'refused ' + a.outcome.reason;
  const m = decodeMessage(a.response!);
  const t = m.ok ? readTopUpResponse(m.content) : 'undecodable';
  return typeof t === 'string' ? t : topUpResultName(t.result) + ' ' + t.added + ' ' + t.credit;
}

test('CS01b: RTDS 2.2_CS01b SUCCESS and ERROR to the reference GSME, answered as the RESPONSE files byte for byte; 1,250 pennies added on SUCCESS only; replays and every mutation refused', () => {
  const gsmeKeys = loadGsmeKeys(KEYS) as GsmeKeys;
  const target = { eui: REFERENCE_GSME_EUI, label: 'GSME', make: (uc?: string) => referenceGsme(keys, gsmeKeys, root, undefined, uc) };
  const r = replayFolder(RTDS, '2.2_CS01b', keys, root, true, target);
  assert.equal(r.map((x) => x.path.split('/')[1]), ['CS01b_2.2_SUCCESS_COMMAND_GBCS.HEX', 'CS01b_2.2_ERROR_COMMAND_GBCS.HEX'], 'in counter order');
  for (const x of r) {
    assert.ok(x.accepted && x.responseMatches && x.replayRefused, x.path + ': ' + x.rejection + ' ' + x.responseDetail);
    assert.ok(x.contentMatches, x.path + ': ' + x.contentDetail);
    assert.is(x.mutationsTried, 93);
    assert.is(x.mutationsAccepted + x.mutationsChangedState, 0);
  }
  for (const [file, credit, answer] of [['SUCCESS', 25144000, 'accepted 1250000 25144000'], ['ERROR', 23894000, 'utrn-invalid -1 -1']] as const) {
    const g = referenceGsme(keys, gsmeKeys, root, undefined, '2.2_CS01b');
    assert.is(gsmeCredit(g.board.storage), 23894000, 'RTDS\'s starting balance');
    const a = g.device!.receive(readHexFile(join(RTDS, '2.2_CS01b', 'CS01b_2.2_' + file + '_COMMAND_GBCS.HEX'))!);
    assert.is(answered(a), answer, file);
    assert.is(gsmeCredit(g.board.storage), credit, file + ': credit');
  }
});

test('CS01b: each refusal typed by the GSME\'s own check (stageUtrn into its purse) and answered by result code, the balance and UTRN cache unchanged', () => {
  // utrn-used: the same UTRN again (02 duplicate).
  {
    const { board, device } = newGsme();
    const u = utrn(1, 500);
    assert.is(answered(device.receive(cs01b(u))), 'accepted 500000 3000000');
    const before = stateSnapshot(board.storage);
    const tx = new StateTx(board.storage);
    assert.equal(stageUtrn(board, secrets, device.identity(), tx, u, GSME_PURSE), { ok: false, reason: 'utrn-used' });
    assert.is(answered(device.receive(cs01b(u))), 'utrn-used -1 -1');
    const after = stateSnapshot(board.storage);
    assert.is(Object.keys(after).filter((k) => after[k] !== before[k]).join(), 'oc.2', 'only the Supplier\'s counter moved');
  }
  // utrn-authentication: a UTRN made for another meter (its MAC under another meter's KA key); utrn-check-digit.
  {
    const { board, device } = newGsme();
    const other = makeUtrn(ptutHigh(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0]), 0, 500), new Uint8Array([1, 2, 3, 4]));
    const tx = new StateTx(board.storage);
    assert.equal(stageUtrn(board, secrets, device.identity(), tx, other, GSME_PURSE), { ok: false, reason: 'utrn-authentication' });
    const bad = utrn(1, 500);
    const typo = bad.substring(0, 19) + String.fromCharCode(48 + ((bad.charCodeAt(19) - 47) % 10));
    assert.equal(stageUtrn(board, secrets, device.identity(), tx, typo, GSME_PURSE), { ok: false, reason: 'utrn-check-digit' });
    assert.is(answered(device.receive(cs01b(other))), 'utrn-invalid -1 -1');
    assert.is(gsmeCredit(board.storage), 2500000);
  }
  // utrn-too-old: ten counters applied (the cache is full), then one below them all.
  {
    const { board, device } = newGsme();
    for (let c = 1; c <= 10; c++) assert.is(answered(device.receive(cs01b(utrn(c, 1)))).split(' ')[0], 'accepted', 'counter ' + c);
    const tx = new StateTx(board.storage);
    assert.equal(stageUtrn(board, secrets, device.identity(), tx, utrn(0, 1), GSME_PURSE), { ok: false, reason: 'utrn-too-old' });
    assert.is(answered(device.receive(cs01b(utrn(0, 1)))), 'utrn-invalid -1 -1');
    assert.is(gsmeCredit(board.storage), 2510000);
  }
  // credit-overflow: CreditRemaining is an int32 of thousandths of a penny (04 max credit reached).
  {
    const { board, device } = newGsme({ credit: '00ca9a3b' }); // 1,000,000,000
    assert.is(answered(device.receive(cs01b(utrn(1, 8191, true)))), 'accepted 819100000 1819100000');
    const tx = new StateTx(board.storage);
    assert.equal(stageUtrn(board, secrets, device.identity(), tx, utrn(2, 8191, true), GSME_PURSE), { ok: false, reason: 'credit-overflow' });
    assert.is(answered(device.receive(cs01b(utrn(2, 8191, true)))), 'credit-overflow -1 -1');
    assert.is(gsmeCredit(board.storage), 1819100000);
  }
  // no-prepayment-key: a GSME without the Supplier's prepayment KA cell (03 error).
  {
    const { board, device } = newGsme({ prepaymentKey: false });
    assert.is(answered(device.receive(cs01b(utrn(1, 500)))), 'no-prepayment-key -1 -1');
    assert.is(gsmeCredit(board.storage), 2500000);
  }
});

test('CS01b on a full medium: refused storage-full with nothing stored; the same UTRN applies once there is room', () => {
  const made = newGsme();
  const m = copyWithRoom(made.medium, 4096, 0);
  const board = nodeBoard({ medium: m, clock: { nowSec: () => RTDS_TIME_SEC } });
  const device = new SmetsDevice(board, secrets);
  device.powerOn();
  const before = picture(m);
  const frame = cs01b(utrn(1, 700));
  const a = device.receive(frame);
  assert.is(a.outcome.ok ? 'accepted' : a.outcome.reason, 'storage-full');
  assert.is(picture(m), before, 'every blob as it was');
  assert.is(gsmeCredit(board.storage), 2500000);
  m.remove('filler');
  assert.is(answered(device.receive(frame)), 'accepted 700000 3200000', 'the same command once there is room');
});

/** A hub (the RTDS CHF and GPF reference devices) with the GSME and the PPMID admitted on the CHF log. */
function premises() {
  const chfKeys = loadHubDeviceKeys(KEYS, '00db1234567890a2', 'CHF') as HubDeviceKeys;
  const gpfKeys = loadHubDeviceKeys(KEYS, '00db1234567890a3', 'GPF') as HubDeviceKeys;
  const clock = { nowSec: () => RTDS_TIME_SEC };
  const chf = referenceHubDevice(chfKeys, keys, root, clock);
  const gpf = referenceHubDevice(gpfKeys, keys, root, clock);
  const toPpmid: Uint8Array[] = [];
  const hub = new CommunicationsHub({ chf: chf.device!, gpf: gpf.device!, gsme: GSME, han: { [toHex(PPMID)]: { send: (f) => void toPpmid.push(f) } }, alertRecipient: ACB });
  for (const d of [GSME, PPMID]) {
    assert.ok(addDevice(chf.board, d, fromHex('30313233343536373839414243444546')!, 60, RTDS_TIME_SEC).ok);
    assert.ok(recordTcLinkKey(chf.board, d, new Uint8Array(16).fill(1), RTDS_TIME_SEC).ok);
  }
  const gsme = newGsme();
  const up: Uint8Array[] = [];
  const outcomes: string[] = [];
  // The GSME as the wake drives it, its answers routed by the hub: to the WAN (`up`) or to the PPMID.
  const waking = { board: gsme.board, receive: (f: Uint8Array) => {
    const a = gsme.device.receive(f);
    outcomes.push(a.outcome.ok ? 'ok' : a.outcome.reason);
    return a;
  } };
  const wake = () => gsmeWake(waking, gpfMailbox(gpf.board), (f) => {
    const r = hub.hanToHan(GSME, f);
    if (r.ok && r.to === 'WAN') up.push(r.frame);
  });
  return { hub, chf, gpf, gsme, toPpmid, up, outcomes, wake };
}

test('through the hub: a CS01b queued on the GPF, run when the GSME wakes, its answer up to the WAN; the GPF\'s GCS60 copy shows the new balance', () => {
  const p = premises();
  const frame = cs01b(utrn(3, 10, true));
  const q = p.hub.fromWan(frame);
  assert.ok(q.ok && q.to === 'GSME-queue', JSON.stringify(q));
  assert.is(gsmeCredit(p.gsme.board.storage), 2500000, 'nothing until the GSME wakes');
  const w = p.wake();
  assert.equal([w.delivered, w.answered, w.published.length], [1, 1, 2], 'ran one message, answered it, published before and after');
  assert.is(p.up.length, 1, 'the answer went up');
  const m = decodeMessage(p.up[0]);
  assert.ok(m.ok && toHex(m.gs.recipient) === toHex(SUPPLIER) && m.gs.messageCode === MESSAGE_CODE_CS01B);
  if (m.ok) assert.equal(readTopUpResponse(m.content), { result: 0, added: 1000000, source: 0, credit: 3500000 });
  assert.is(gsmeCredit(p.gsme.board.storage), 3500000);
  const copy = mirroredData(p.gpf.board.storage, 0x008d)!;
  assert.is(toHex(copy), toHex(meterBalanceContent(p.gsme.board)), 'the copy is the GSME\'s balance now');
  assert.ok(toHex(copy).endsWith('0100002be0673500'), 'CreditRemaining 3,500,000 (int32) in the copy: ' + toHex(copy));
  // A wake that runs nothing does not publish twice.
  const idle = p.wake();
  assert.equal([idle.delivered, idle.published.length], [0, 1]);
});

test('through the hub: the PPMID joined to the GSME tops it up over the HAN (PCS01 queued on the GPF, the answer back to the PPMID); off the CHF log the hub refuses it, not joined the GSME does; state unchanged', () => {
  const p = premises();
  // Not joined to the GSME yet: the hub queues it (the PPMID is admitted on the HAN), the GSME refuses it.
  const early = p.hub.hanToHan(PPMID, pcs01(utrn(1, 300)));
  assert.ok(early.ok && early.to === 'GSME-queue', JSON.stringify(early));
  const before = stateSnapshot(p.gsme.board.storage);
  p.wake();
  assert.equal(p.outcomes, ['not-joined']);
  assert.is(p.toPpmid.length, 0, 'no answer');
  // Its security alert (a command to this GSME refused) goes up to the Supplier, not to the PPMID.
  assert.is(p.up.length, 1);
  const alert = decodeMessage(p.up[0]);
  assert.ok(alert.ok && alert.gs.cra === 3 && toHex(alert.gs.recipient) === toHex(SUPPLIER), 'an alert to the Supplier');
  const after = stateSnapshot(p.gsme.board.storage);
  assert.ok(Object.keys(after).every((k) => k.indexOf('log.') === 0 || after[k] === before[k]), 'only the security log changed');
  // Joined (CS03C): the top-up is applied at the wake and answered to the PPMID, MAC'ed with their keys.
  joinPpmid(p.gsme.board);
  const t = p.hub.hanToHan(PPMID, pcs01(utrn(2, 300)));
  assert.ok(t.ok && t.to === 'GSME-queue');
  p.wake();
  assert.is(p.toPpmid.length, 1, 'the answer went to the PPMID on the HAN');
  assert.is(p.up.length, 1, 'nothing more to the WAN');
  const m = decodeMessage(p.toPpmid[0]);
  assert.ok(m.ok && checkMac(crypto, secrets, GSME_KA, PPMID_KA_PUBLIC, m).ok, 'MAC\'ed for the PPMID');
  if (m.ok) assert.equal(readTopUpResponse(m.content), { result: 0, added: 300000, source: 2, credit: 2800000 });
  // The same UTRN again: duplicate.
  p.hub.hanToHan(PPMID, pcs01(utrn(2, 300)));
  p.wake();
  const dup = decodeMessage(p.toPpmid[1]);
  if (dup.ok) assert.is(topUpResultName((readTopUpResponse(dup.content) as { result: number }).result), 'utrn-used');
  // Off the CHF log: refused by the hub, nothing queued.
  assert.ok(removeDevice(p.chf.board, PPMID).ok);
  const off = p.hub.hanToHan(PPMID, pcs01(utrn(3, 300)));
  assert.equal(off, { ok: false, reason: 'not-on-log', device: toHex(PPMID) });
  assert.is(gpfMailbox(p.gpf.board).pull(), undefined, 'nothing queued');
  assert.is(gsmeCredit(p.gsme.board.storage), 2800000);
});

test.run();
