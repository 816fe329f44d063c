/**
 * CS01a 0x0007 Apply Prepayment Top Up to an ESME (device/prepayment/esmeTopUp.ts): the Supplier's UTRN to
 * the Token Gateway over the WAN, through the command pipeline (MAC'ed by the ACB, the Supplier's counter) and
 * the ESME's own UTRN checks (prepayment/utrnTopUp.ts `stageUtrn`):
 * - accepted: the balance grows by the UTRN's value, the response (MAC'ed for the Supplier) is the
 *   access-response `DA <invoke id> 00 00 01 00 01 03 00`;
 * - every typed refusal (stageUtrn's reason, and the result code the response carries), nothing stored but
 *   the Supplier's counter; content that is not one Token Gateway enter refused with nothing stored;
 * - every single-byte mutation of a built command refused with state unchanged; a replay refused;
 * - a full medium: 'storage-full', nothing stored, the same command applies once there is room.
 * The ESME is the reference device 00DB1234567890A0 (its KA key is published): the Supplier's UTRNs are made
 * under the published Supplier prepayment KA key, the CS01a MAC'ed with the ACB's published KA key, and each
 * UTRN's counter is the command's originator counter, as in RTDS's top-ups.
 * No RTDS CS01a files are in our sample (shared/vectors): the content is built from the facts in esmeTopUp.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, toHex } from '../lib/bytes.ts';
import { counterFromNumber } from '../gbcs/counter64.ts';
import { decodeMessage, encodeMessage } from '../gbcs/message.ts';
import { checkMac, wrapWithMac } from '../gbcs/protection/protection.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { action, readAccessResponse } from '../gbcs/dlms/access.ts';
import { octetString } from '../gbcs/dlms/data.ts';
import { makeUtrn, ptutHigh, ptutMac, VALUE_POUNDS } from '../gbcs/utrn.ts';
import { SmetsDevice } from '../device/index.ts';
import type { DeviceAnswer } from '../device/index.ts';
import { stageUtrn, topUpResultName } from '../device/prepayment/utrnTopUp.ts';
import { MESSAGE_CODE_CS01A } from '../device/prepayment/esmeTopUp.ts';
import { readCredit, writeCredit } from '../device/state/prepayment.ts';
import { StateTx } from '../device/state/stateTx.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { memoryMedium } from '../boards/journaledStorage.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import type { Board } from '../boards/board.ts';
import { loadReferenceKeys, privateScalar, REFERENCE_EUI, referenceDevice } from '../harness/referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { findIssuingCa, stateSnapshot } from '../harness/referenceDevice/replay.ts';
import { cs01aTopUp } from '../harness/dcc/dlmsContent.ts';
import { copyWithRoom, picture } from './portable/fullMedium.ts';
import { loadScenario } from '../harness/lab/scenario.ts';
import { runLab } from '../harness/lab/runLab.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;
const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
const root = findIssuingCa(RTDS)!;
const crypto = nodeCrypto();
const secrets = sharedSecrets(crypto.ecdh);
const pem = (f: string) => privateScalar(readFileSync(join(KEYS, f), 'utf8'));
const SUPPLIER = fromHex('90b3d51f30010000')!;
const ESME = fromHex(REFERENCE_EUI)!;
const ESME_KA_PUBLIC = crypto.p256PublicKey(keys.kaPrivate);
const CLOCK = { nowSec: () => Date.parse('2015-01-01T00:00:00Z') / 1000 };

function newEsme(opts: { prepaymentKey?: boolean; pennies?: number } = {}) {
  const k = opts.prepaymentKey === false ? { ...keys, anchors: keys.anchors.filter((a) => a.cell.cellUsage !== 1) } : keys;
  const r = referenceDevice(k, root, CLOCK);
  if (!r.device) throw new Error('ESME: ' + JSON.stringify(r.made));
  if (opts.pennies !== undefined) {
    const tx = new StateTx(r.board.storage);
    writeCredit(tx, opts.pennies);
    assert.ok(tx.commit().ok);
  }
  r.device.powerOn();
  return { board: r.board, device: r.device };
}

/** A UTRN for the ESME: UTRN counter `c10` << 32, `value` pennies (or pounds). */
function utrn(c10: number, value: number, pounds = false): string {
  const ctr = new Uint8Array([0, 0, (c10 >> 8) & 3, c10 & 0xff, 0, 0, 0, 0]);
  const high = ptutHigh(ctr, pounds ? VALUE_POUNDS : 0, value);
  const z = crypto.ecdh(pem('90b3d51f30010000-pp-ka.key'), ESME_KA_PUBLIC)!;
  return makeUtrn(high, ptutMac(crypto, z, SUPPLIER, ESME, ctr, high));
}

let counterHigh = 100;
/** CS01a from the Supplier (SME.C.NC: null signature, MAC'ed by the ACB), content as the DUIS transform builds it. */
function cs01a(text: string, content?: Uint8Array): Uint8Array {
  const counter = { hi: ++counterHigh, lo: 0 };
  const gs = { cra: 1, counter, originator: SUPPLIER, recipient: ESME, messageCode: MESSAGE_CODE_CS01A, content: content ?? cs01aTopUp(counter, text), signatureForm: 'null' as const };
  return wrapWithMac(crypto, secrets, pem('90b3d51f30000002-ka.key'), ESME_KA_PUBLIC, encodeMessage({ wrapper: 'signed', gs }))!;
}

/** The answer: the result's name, or the pipeline's refusal. */
function answered(a: DeviceAnswer): string {
  if (!a.outcome.ok) return 'refused ' + a.outcome.reason;
  const m = decodeMessage(a.response!);
  if (!m.ok) return 'undecodable';
  const r = readAccessResponse(m.content);
  if (typeof r === 'string' || r.results.length !== 1 || r.results[0].kind !== 3 || r.data.length !== 1 || r.data[0] !== null) return 'not one action-result: ' + toHex(m.content);
  return topUpResultName(r.results[0].result);
}

/** The stored keys that differ between two snapshots. */
function changed(before: Record<string, string>, after: Record<string, string>): string {
  const ks = Object.keys(before).concat(Object.keys(after).filter((k) => !(k in before)));
  return ks.filter((k) => before[k] !== after[k]).sort().join();
}

test('CS01a accepted: the balance grows by the UTRN, the response is MAC\'ed for the Supplier and is the action-result success', () => {
  const { board, device } = newEsme();
  assert.is(readCredit(board.storage), 0);
  const frame = cs01a(utrn(counterHigh + 1, 10, true));
  const a = device.receive(frame);
  assert.ok(a.outcome.ok, JSON.stringify(a.outcome));
  const m = decodeMessage(a.response!);
  assert.ok(m.ok);
  if (!m.ok) return;
  assert.equal([m.gs.cra, m.gs.messageCode, toHex(m.gs.recipient), toHex(m.gs.originator)], [2, 0x0007, toHex(SUPPLIER), REFERENCE_EUI]);
  assert.equal([m.gs.counter.hi, m.gs.counter.lo], [counterHigh, 0], 'the response echoes the command counter');
  assert.ok(checkMac(crypto, secrets, pem('90b3d51f30010000-ka.key'), ESME_KA_PUBLIC, m).ok, 'MAC\'ed with the ESME KA key for the Supplier');
  assert.is(toHex(m.content), 'da20000000' + '00' + '00' + '0100' + '010300', 'null-data, action success');
  assert.is(readCredit(board.storage), 1000, '£10 in pennies');
  // A second UTRN adds to it.
  assert.is(answered(device.receive(cs01a(utrn(counterHigh + 1, 250)))), 'accepted');
  assert.is(readCredit(board.storage), 1250);
});

test('CS01a refusals: each typed by stageUtrn, answered with its result code, nothing stored but the Supplier\'s counter', () => {
  const cases: Array<{ name: string; make: () => { board: Board; device: SmetsDevice }; text: (b: Board, d: SmetsDevice) => string; reason: string; result: string }> = [
    {
      name: 'utrn-used', make: () => newEsme(), reason: 'utrn-used', result: 'utrn-used',
      text: (_b, d) => { const u = utrn(counterHigh + 1, 500); assert.is(answered(d.receive(cs01a(u))), 'accepted'); return u; },
    },
    { name: 'utrn-authentication', make: () => newEsme(), reason: 'utrn-authentication', result: 'utrn-invalid', text: () => makeUtrn(ptutHigh(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0]), 0, 500), new Uint8Array([1, 2, 3, 4])) },
    {
      name: 'utrn-check-digit', make: () => newEsme(), reason: 'utrn-check-digit', result: 'utrn-invalid',
      text: () => { const u = utrn(counterHigh + 1, 500); return u.substring(0, 19) + String.fromCharCode(48 + ((u.charCodeAt(19) - 47) % 10)); },
    },
    { name: 'utrn-format', make: () => newEsme(), reason: 'utrn-format', result: 'utrn-invalid', text: () => '1234' },
    {
      name: 'utrn-too-old', make: () => newEsme(), reason: 'utrn-too-old', result: 'utrn-invalid',
      text: (_b, d) => {
        const first = counterHigh + 1;
        for (let c = 0; c < 10; c++) assert.is(answered(d.receive(cs01a(utrn(first + c + 1, 1)))), 'accepted', 'counter ' + c);
        return utrn(first, 1);
      },
    },
    {
      name: 'credit-overflow', make: () => newEsme({ pennies: 0x7fffffff - 100 }), reason: 'credit-overflow', result: 'credit-overflow',
      text: () => utrn(counterHigh + 1, 101),
    },
    { name: 'no-prepayment-key', make: () => newEsme({ prepaymentKey: false }), reason: 'no-prepayment-key', result: 'no-prepayment-key', text: () => utrn(counterHigh + 1, 500) },
  ];
  for (const c of cases) {
    const { board, device } = c.make();
    const text = c.text(board, device);
    const tx = new StateTx(board.storage);
    assert.equal(stageUtrn(board, secrets, device.identity(), tx, text), { ok: false, reason: c.reason }, c.name + ': stageUtrn');
    const before = stateSnapshot(board.storage);
    assert.is(answered(device.receive(cs01a(text))), c.result, c.name + ': the response');
    assert.is(changed(before, stateSnapshot(board.storage)), 'oc.2', c.name + ': only the Supplier\'s counter moved');
  }
});

test('CS01a content that is not one Token Gateway enter: refused, nothing stored', () => {
  const { board, device } = newEsme();
  const u = utrn(counterHigh + 1, 500);
  const digits = new Uint8Array(Array.from(u, (ch) => ch.charCodeAt(0)));
  const wrong = [
    action(counterFromNumber(1), 115, '0-0:19.40.0.255', 2, octetString(digits)), // method 2
    action(counterFromNumber(1), 112, '0-0:19.40.0.255', 1, octetString(digits)), // class 112
    action(counterFromNumber(1), 115, '0-0:19.41.0.255', 1, octetString(digits)), // another object
    action(counterFromNumber(1), 115, '0-0:19.40.0.255', 1, new Uint8Array([0x0a, digits.length, ...digits])), // visible-string
    new Uint8Array([0x01, 0x09, 0x00]), // not DLMS
  ];
  for (const content of wrong) {
    const before = stateSnapshot(board.storage);
    const a = device.receive(cs01a(u, content));
    assert.is(a.outcome.ok ? 'accepted' : a.outcome.reason, 'execution-refused', toHex(content));
    assert.is(changed(before, stateSnapshot(board.storage)), '', 'nothing stored');
  }
  assert.is(answered(device.receive(cs01a(u))), 'accepted', 'the UTRN was not spent');
});

test('CS01a: every single-byte mutation of a built command refused with state unchanged; the command then accepted once, its replay refused', () => {
  const { board, device } = newEsme();
  const frame = cs01a(utrn(counterHigh + 1, 700));
  let tried = 0;
  for (let i = 0; i < frame.length; i++) {
    const m = new Uint8Array(frame);
    m[i] ^= 0xff;
    const before = stateSnapshot(board.storage);
    const a = device.receive(m);
    tried++;
    assert.not.ok(a.outcome.ok, 'mutation at ' + i + ' accepted');
    assert.is(changed(before, stateSnapshot(board.storage)), '', 'mutation at ' + i + ' changed state');
  }
  assert.is(tried, frame.length);
  assert.is(answered(device.receive(frame)), 'accepted');
  assert.is(readCredit(board.storage), 700);
  const before = stateSnapshot(board.storage);
  assert.is(answered(device.receive(frame)), 'refused replay');
  assert.is(changed(before, stateSnapshot(board.storage)), '');
  assert.is(readCredit(board.storage), 700);
});

test('CS01a on a full medium: refused storage-full with nothing stored; the same command applies once there is room', () => {
  const medium = memoryMedium();
  assert.ok(referenceDevice(keys, root, CLOCK, medium).device, 'a fresh ESME');
  const m = copyWithRoom(medium, 4096, 0);
  const board = nodeBoard({ medium: m, clock: CLOCK });
  const device = new SmetsDevice(board, secrets);
  device.powerOn();
  const before = picture(m);
  const frame = cs01a(utrn(counterHigh + 1, 700));
  const a = device.receive(frame);
  assert.is(a.outcome.ok ? 'accepted' : a.outcome.reason, 'storage-full');
  assert.is(picture(m), before, 'every blob as it was');
  assert.is(readCredit(board.storage), 0);
  m.remove('filler');
  assert.is(answered(device.receive(frame)), 'accepted', 'the same command once there is room');
  assert.is(readCredit(board.storage), 700);
});

test('through the lab\'s DCC: the Supplier\'s `top-up` request (CS01a built by the DCC, the UTRN made for the ESME) applied, a replay not answered, a bad UTRN answered invalid', async () => {
  const scenario = {
    title: 'CS01a', device: { eui: '00DB1234567890A0', type: 'ESME' },
    users: [{ id: 'alice', name: 'Alice', party: 'supplier' }],
    steps: [
      { id: 'commission', as: 'dcc', request: 'update-security-credentials', params: { to: 'supplier', prepayment: true }, expect: { outcome: 'accepted', cs02b: 'all-success' } },
      { id: 'ten', as: 'alice', request: 'top-up', params: { pounds: 10 }, expect: { outcome: 'accepted' } },
      { id: 'five', as: 'alice', request: 'top-up', params: { pounds: 5 }, expect: { outcome: 'accepted' } },
      { id: 'again', replay: 'ten', expect: { outcome: 'no-response' } },
      { id: 'typo', as: 'alice', request: 'top-up', params: { utrn: '73946144332040217316' }, expect: { outcome: 'accepted' } },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), 'smets-cs01a-'));
  try {
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    const loaded = loadScenario(file);
    assert.ok(loaded.ok, JSON.stringify(loaded));
    if (!loaded.ok) return;
    const run = await runLab({ scenario: loaded.scenario, out: join(dir, 'run'), progress: () => undefined });
    if (!('results' in run)) throw new Error('lab set-up failed: ' + run.reason);
    assert.equal(run.results.map((r) => r.passed), [true, true, true, true, true], JSON.stringify(run.results.map((r) => r.differences)));
    assert.equal(run.results.map((r) => r.exchange.reading.found ?? ''), ['', 'top-up accepted', 'top-up accepted', '', 'top-up utrn-invalid']);
    assert.equal([run.results[1].exchange.messageCode, run.results[1].exchange.folder], [0x0007, '2.2_CS01a']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
