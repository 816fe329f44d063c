/**
 * Future-dated execution on Node (state/pendingActions.ts, pipeline/futureDated.ts): the RTDS 6.23
 * future-dated CS02b supplierByTransCoS is answered NULL and held; when the clock reaches its execution
 * date-time (by tick, by the next frame, or at boot) it is executed once, in one commit with its 0x00CB
 * alert, whose content matches the RTDS 8F66 alert structurally and whose signature verifies with the
 * device DS key; cancellation (99991231235959Z) drops it; a power cut at any write of the execution leaves
 * it either pending (and run later) or done with its alert counter, never half.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../lib/bytes.ts';
import { counterToHex } from '../gbcs/counter64.ts';
import { derTlv } from '../gbcs/der.ts';
import { counterFromNumber } from '../gbcs/counter64.ts';
import { copyFields, signedBytesOf } from '../gbcs/generalSigning.ts';
import { encodeMessage } from '../gbcs/message.ts';
import { readCertificate } from '../gbcs/smki/certificate.ts';
import { wrapWithMac } from '../gbcs/protection/protection.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { timeToSeconds } from '../gbcs/dateTime.ts';
import { decodeMessage } from '../gbcs/message.ts';
import type { GbcsMessage } from '../gbcs/message.ts';
import { manufactureDevice, openDevice, SmetsDevice } from '../device/index.ts';
import { listPending, readPending } from '../device/state/pendingActions.ts';
import { readDeviceCounter } from '../device/state/deviceCounter.ts';
import { readCell } from '../device/state/trustAnchors.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { memoryMedium } from '../boards/journaledStorage.ts';
import type { Medium } from '../boards/board.ts';
import type { Link } from '../boards/board.ts';
import { loadReferenceKeys, pemToDer, privateScalar, REFERENCE_EUI, ROOT_CELL } from '../harness/referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { findIssuingCa, stateSnapshot } from '../harness/referenceDevice/replay.ts';
import { cuttingMedium, POWER_CUT } from './portable/powerCut.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;
const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
const root = findIssuingCa(RTDS)!;
const DIR = '6.23_CS02bSupplierByTransCoS/CS02bSupplierByTransCoS_6.23_';

function rtds(name: string): GbcsMessage {
  const m = decodeMessage(fromHex(readFileSync(join(RTDS, DIR + name), 'utf8'))!);
  if (!m.ok) throw new Error(name);
  return m;
}
const future = rtds('FUTURE_DATED_SUCCESS_COMMAND_GBCS.HEX');
const cancel = rtds('CANCELLATION_SUCCESS_COMMAND_GBCS.HEX');
const rtdsAlert = rtds('8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX');
const DUE = timeToSeconds('20300102000000Z');
const SUPPLIER_DS = { role: 2, keyUsage: 0x80, cellUsage: 0 };

/** BER TLVs re-encoded with shortest lengths (the RTDS writes some lengths long-form, which strict DER refuses). */
function canonical(b: Uint8Array, at = 0, end = b.length): Uint8Array {
  const out: Uint8Array[] = [];
  let i = at;
  while (i < end) {
    const tag = b[i];
    let len = b[i + 1];
    let v = i + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + b[v + k];
      v += n;
    }
    if (v + len > end) throw new Error('TLV overruns at ' + i);
    out.push(derTlv(tag, [tag & 0x20 ? canonical(b, v, v + len) : b.subarray(v, v + len)]));
    i = v + len;
  }
  return out.length === 1 ? out[0] : Uint8Array.from(out.flatMap((x) => Array.from(x)));
}

interface Rig { medium: Medium; clock: { now: number }; sent: Uint8Array[]; open(m?: Medium): SmetsDevice }

function rig(): Rig {
  const r: Rig = {
    medium: memoryMedium(),
    clock: { now: DUE - 86400 },
    sent: [],
    open(m?: Medium) {
      const link: Link = { send: (f) => { r.sent.push(f); }, onFrame: () => {} };
      const board = nodeBoard({ medium: m ?? r.medium, clock: { nowSec: () => r.clock.now }, link });
      if (!board.storage.read('id.eui')) {
        const made = manufactureDevice(board, { eui: fromHex(REFERENCE_EUI)!, environment: 'test', dsPrivate: keys.dsPrivate, kaPrivate: keys.kaPrivate, anchors: keys.anchors.concat([{ cell: ROOT_CELL, certificate: root, standIn: true }]) });
        if (!made.ok) throw new Error('manufacture: ' + made.reason);
      }
      return openDevice(board)!;
    },
  };
  return r;
}

function scheduled(r: Rig): SmetsDevice {
  const d = r.open();
  const a = d.receive(future.bytes);
  assert.ok(a.outcome.ok, 'future-dated CS02b accepted: ' + JSON.stringify(a.outcome));
  const resp = decodeMessage(a.response!);
  assert.ok(resp.ok && toHex(resp.content) === toHex(rtds('FUTURE_DATED_SUCCESS_RESPONSE_GBCS.HEX').content), 'response SEQUENCE { NULL } as the RTDS');
  assert.is(readPending(d.board.storage, 'cs02b')?.dueSec, DUE, 'pending until 2030-01-02');
  return d;
}

test('future-dated CS02b: held, not executed before its time; executed by tick at its time with the 0x00CB 8F66 alert as the RTDS', () => {
  const r = rig();
  const d = scheduled(r);
  const before = readCell(d.board.storage, SUPPLIER_DS)!;
  r.clock.now = DUE - 1;
  assert.equal(d.tick(), [], 'one second early: nothing');
  assert.is(toHex(readCell(d.board.storage, SUPPLIER_DS)!.subjectUniqueId), toHex(before.subjectUniqueId));
  r.clock.now = DUE;
  const alerts = d.tick();
  assert.is(alerts.length, 1, 'one alert');
  assert.is(r.sent.length, 1, 'sent on the link');
  const m = decodeMessage(alerts[0]);
  assert.ok(m.ok);
  if (!m.ok) return;
  assert.is(m.wrapper, 'signed');
  assert.is(m.gs.cra, 3);
  assert.is(m.gs.messageCode, 0x00cb);
  assert.is(toHex(m.gs.recipient), toHex(rtdsAlert.gs.recipient), 'to the originator (TransCoS)');
  assert.is(counterToHex(m.gs.counter), '0000000000000001', 'device counter');
  assert.ok(d.board.crypto.p256Verify(d.board.crypto.p256PublicKey(keys.dsPrivate), m.signed, m.signature!), 'signed by the device DS key');
  assert.is(toHex(canonical(m.content)), toHex(canonical(rtdsAlert.content)), 'content: the RTDS 8F66 alert (8F66, 20300102000000Z, executionOutcome)');
  assert.is(toHex(readCell(d.board.storage, SUPPLIER_DS)!.subjectUniqueId), '90b3d51f30030000', 'supplier DS cell replaced');
  assert.equal(listPending(d.board.storage), [], 'no longer pending');
  assert.equal(d.tick(), [], 'runs once');
});

test('immediate CS02b responses carry the RTDS executionOutcome (6.23 supplierByTransCoS, 6.15.1 NOByNO), specialist floors echoed', () => {
  for (const [cmdPath, respPath] of [
    [DIR + 'IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX', DIR + 'IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX'],
    ['6.15.1_CS02bNOByNO/CS02bNOByNO_6.15.1_SUCCESS_COMMAND_GBCS.HEX', '6.15.1_CS02bNOByNO/CS02bNOByNO_6.15.1_SUCCESS_RESPONSE_GBCS.HEX'],
  ]) {
    const d = rig().open();
    const a = d.receive(fromHex(readFileSync(join(RTDS, cmdPath), 'utf8'))!);
    assert.ok(a.outcome.ok, cmdPath);
    const got = decodeMessage(a.response!);
    const want = decodeMessage(fromHex(readFileSync(join(RTDS, respPath), 'utf8'))!);
    assert.ok(got.ok && want.ok);
    if (got.ok && want.ok) assert.is(toHex(canonical(got.content)), toHex(canonical(want.content)), respPath);
  }
});

test('CS02b: the authorising cell must hold the originator\'s DS key (TransCoS naming the Supplier DS cell is refused)', () => {
  const immediate = rtds('IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX');
  const transcosDs = privateScalar(readFileSync(join(KEYS, '90b3d51f30000004-ds.key'), 'utf8'));
  const acbKa = privateScalar(readFileSync(join(KEYS, '90b3d51f30000002-ka.key'), 'utf8'));
  const kaCert = readCertificate(pemToDer(readFileSync(join(KEYS, '00db1234567890a0-ka.pem'), 'utf8')));
  if (!kaCert.ok) throw new Error('device KA certificate');
  const deviceKaPublic = kaCert.certificate.publicKey;
  function resent(content: Uint8Array, counter: number): Uint8Array {
    const board = nodeBoard({ medium: memoryMedium() });
    const f = copyFields(immediate.gs);
    f.counter = counterFromNumber(counter);
    f.content = content;
    f.lengthWidths = undefined;
    f.signature = board.crypto.p256Sign(transcosDs, signedBytesOf(f));
    return wrapWithMac(board.crypto, sharedSecrets(board.crypto.ecdh), acbKa, deviceKaPublic, encodeMessage({ wrapper: 'signed', gs: f }))!;
  }
  const hex = toHex(immediate.content);
  const own = 'a207020105030207808302';
  assert.ok(hex.indexOf(own) > 0, 'the command names the TransCoS DS cell');
  const d = rig().open();
  // Sequence number [3] must equal the header counter: keep the vector's (0x1771).
  const wrong = fromHex(hex.replace(own, 'a207020102030207808302'))!;
  const a = d.receive(resent(wrong, 0x1771));
  assert.ok(!a.outcome.ok && a.outcome.reason === 'execution-refused' && /authorising cell/.test(a.outcome.detail ?? ''), a.outcome.ok ? 'accepted' : a.outcome.reason + ' ' + a.outcome.detail);
  const b = d.receive(resent(new Uint8Array(immediate.content), 0x1771));
  assert.ok(b.outcome.ok, 'the refused command consumed no counter: the genuine one (same counter) is accepted');
});

test('due actions also run before the next frame and at boot; cancellation drops a pending CS02b', () => {
  const r = rig();
  const d = scheduled(r);
  r.clock.now = DUE + 10;
  const a = d.receive(future.bytes); // a replay, refused; the due action runs first
  assert.ok(!a.outcome.ok && a.outcome.reason === 'replay');
  const codes = a.alerts.map((f) => { const m = decodeMessage(f); return m.ok ? m.gs.messageCode : -1; });
  assert.equal(codes, [0x00cb, 0x1000], '00CB first, then the replay\'s security alert');
  // Boot: a fresh device whose action fell due while off.
  const r2 = rig();
  scheduled(r2);
  r2.clock.now = DUE;
  r2.sent.length = 0;
  r2.open();
  assert.is(r2.sent.length, 1, 'alert sent at boot');
  // Cancellation.
  const r3 = rig();
  const d3 = scheduled(r3);
  const c = d3.receive(cancel.bytes);
  assert.ok(c.outcome.ok, 'cancellation accepted');
  const cm = decodeMessage(c.response!);
  assert.ok(cm.ok && toHex(cm.content) === toHex(rtds('CANCELLATION_SUCCESS_RESPONSE_GBCS.HEX').content), 'response as the RTDS');
  assert.equal(listPending(d3.board.storage), [], 'nothing pending');
  r3.clock.now = DUE + 1;
  assert.equal(d3.tick(), [], 'nothing runs');
  assert.is(readDeviceCounter(d3.board.storage).lo, 0, 'no alert counter used');
});

test('power cut at every write of a due CS02b execution: still pending (and run at the next tick) or done with its alert counter', () => {
  const r = rig();
  scheduled(r);
  const base = r.medium as ReturnType<typeof memoryMedium>;
  const copy = (): ReturnType<typeof memoryMedium> => {
    const m = memoryMedium();
    for (const [k, v] of Object.entries(base.snapshot())) m.put(k, v);
    return m;
  };
  r.clock.now = DUE;
  const probe = cuttingMedium(copy(), 1e9, false);
  r.open(probe);
  const total = probe.writes();
  const doneMedium = copy();
  r.open(doneMedium);
  const done = stateSnapshot(nodeBoard({ medium: doneMedium }).storage);
  let tried = 0;
  for (let cutAt = 0; cutAt < total; cutAt++) {
    for (const tear of [false, true]) {
      const m = copy();
      let cut = false;
      try {
        r.open(cuttingMedium(m, cutAt, tear));
      } catch (e) {
        assert.is((e as Error).message, POWER_CUT);
        cut = true;
      }
      assert.ok(cut, 'cut at ' + cutAt);
      const storage = nodeBoard({ medium: m }).storage;
      const pending = readPending(storage, 'cs02b') !== undefined;
      const dc = readDeviceCounter(storage).lo;
      assert.is(dc, pending ? 0 : 1, 'cut at ' + cutAt + (tear ? ' torn' : '') + ': pending <=> no alert counter used');
      if (!pending) assert.equal(stateSnapshot(storage), done, 'done: the whole effect');
      r.sent.length = 0;
      r.open(m); // boot again: runs it if still pending
      assert.is(readPending(nodeBoard({ medium: m }).storage, 'cs02b'), undefined);
      assert.equal(stateSnapshot(nodeBoard({ medium: m }).storage), done, 'after the reboot: done');
      assert.is(r.sent.length, pending ? 1 : 0, 'the alert is sent by the run that commits it');
      tried++;
    }
  }
  assert.ok(tried >= 4, 'cut points tried: ' + tried);
  console.log('future-dated CS02b power cut points: ' + tried);
});

test.run();
