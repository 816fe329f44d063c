/**
 * Device alerts on Node: the alert sender's content against the RTDS generic alerts, a refused command's
 * security alert (critical, DF, signed by the device's DS key: verified with node:crypto), a non-critical
 * alert (DD, MAC'ed: checked from the recipient's side with the supplier's published KA private key and the
 * device's KA certificate, as the RTDS GNCA file is), and the device counter: strictly increasing across
 * alerts, across a restart, and never back after a power cut at any write of a refused command.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../lib/bytes.ts';
import { compareCounters, counterFromNumber, counterToHex } from '../gbcs/counter64.ts';
import type { Counter64 } from '../gbcs/counter64.ts';
import { signedBytesOf } from '../gbcs/generalSigning.ts';
import type { GeneralSigningFields } from '../gbcs/generalSigning.ts';
import { decodeMessage, encodeMessage } from '../gbcs/message.ts';
import type { GbcsMessage } from '../gbcs/message.ts';
import { timeToSeconds } from '../gbcs/dateTime.ts';
import { readCertificate } from '../gbcs/smki/certificate.ts';
import { checkMac, wrapWithMac } from '../gbcs/protection/protection.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { manufactureDevice, SmetsDevice } from '../device/index.ts';
import { stageAlert } from '../device/alerts/alertSender.ts';
import { genericAlertCode, genericAlertContent } from '../gbcs/contents/alerts.ts';
import { readDeviceCounter } from '../device/state/deviceCounter.ts';
import { StateTx } from '../device/state/stateTx.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { memoryMedium } from '../boards/journaledStorage.ts';
import type { Medium } from '../boards/board.ts';
import { loadReferenceKeys, pemToDer, privateScalar, REFERENCE_EUI, ROOT_CELL } from '../harness/referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { findIssuingCa } from '../harness/referenceDevice/replay.ts';
import { cuttingMedium, POWER_CUT } from './portable/powerCut.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;
const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
const root = findIssuingCa(RTDS)!;
const SUPPLIER = fromHex('90b3d51f30010000')!;
const DEVICE = fromHex(REFERENCE_EUI)!;
const supplierDs = privateScalar(readFileSync(join(KEYS, '90b3d51f30010000-ds.key'), 'utf8'));
const supplierKa = privateScalar(readFileSync(join(KEYS, '90b3d51f30010000-ka.key'), 'utf8'));
const acbKa = privateScalar(readFileSync(join(KEYS, '90b3d51f30000002-ka.key'), 'utf8'));
function certKey(file: string): Uint8Array {
  const c = readCertificate(pemToDer(readFileSync(join(KEYS, file), 'utf8')));
  if (!c.ok) throw new Error(file);
  return c.certificate.publicKey;
}
const deviceKaPub = certKey('00db1234567890a0-ka.pem');

function rtds(path: string): GbcsMessage {
  const m = decodeMessage(fromHex(readFileSync(join(RTDS, path), 'utf8'))!);
  if (!m.ok) throw new Error(path);
  return m;
}

/** A manufactured reference device on `medium` (a restart is another SmetsDevice on the same medium). */
function deviceOn(medium: Medium, nowSec?: number): SmetsDevice {
  const board = nodeBoard(nowSec === undefined ? { medium } : { medium, clock: { nowSec: () => nowSec } });
  if (!board.storage.read('id.eui')) {
    const made = manufactureDevice(board, { eui: DEVICE, environment: 'test', dsPrivate: keys.dsPrivate, kaPrivate: keys.kaPrivate, anchors: keys.anchors.concat([{ cell: ROOT_CELL, certificate: root, standIn: true }]) });
    if (!made.ok) throw new Error('manufacture: ' + made.reason);
  }
  return new SmetsDevice(board);
}

function command(code: number, counter: number, body: Uint8Array, critical: boolean): Uint8Array {
  const board = nodeBoard({ medium: memoryMedium() });
  const f: GeneralSigningFields = { cra: 1, counter: counterFromNumber(counter), originator: SUPPLIER, recipient: DEVICE, messageCode: code, content: body, signatureForm: critical ? 'ecdsa' : 'null' };
  if (critical) f.signature = board.crypto.p256Sign(supplierDs, signedBytesOf(f));
  return wrapWithMac(board.crypto, sharedSecrets(board.crypto.ecdh), acbKa, deviceKaPub, encodeMessage({ wrapper: 'signed', gs: f }))!;
}

/** Verifies a device signature with node:crypto (independent of the board's P-256). */
function nodeVerify(publicKey: Uint8Array, m: GbcsMessage): boolean {
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(publicKey.subarray(1, 33)).toString('base64url'), y: Buffer.from(publicKey.subarray(33)).toString('base64url') }, format: 'jwk' });
  return verify('sha256', m.signed, { key, dsaEncoding: 'ieee-p1363' }, m.signature!);
}

const ecs52 = rtds('11.2_ECS52/ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX').content;

test('generic alert content is byte for byte the RTDS GCA-DLMS (8F30) and GNCA-DLMS (810E) content', () => {
  for (const [path, code] of [['NA_GCA-DLMS/GCA-DLMS_NA_8F30_ALERT_GBCS.HEX', 0x8f30], ['NA_GNCA-DLMS/GNCA-DLMS_NA_810E_ALERT_GBCS.HEX', 0x810e]] as const) {
    const m = rtds(path);
    const ours = genericAlertContent(m.gs.counter, code, timeToSeconds('20150101000000Z'));
    assert.is(toHex(ours), toHex(m.content), path);
    assert.is(genericAlertCode(m.content), code);
  }
});

test('a forged command raises a critical 0x1000 alert 8F3D to the supplier, signed by the device DS key; state otherwise unchanged', () => {
  const d = deviceOn(memoryMedium(), timeToSeconds('20240301120000Z'));
  const forged = command(0x0059, 100, ecs52, false);
  forged[forged.length - 14] ^= 1;
  const a = d.receive(forged);
  assert.ok(!a.outcome.ok && a.outcome.reason === 'mac-mismatch');
  assert.is(a.response, undefined, 'no response');
  assert.is(a.alerts.length, 1, 'one alert');
  const m = decodeMessage(a.alerts[0]);
  assert.ok(m.ok, 'alert decodes');
  if (!m.ok) return;
  assert.is(m.wrapper, 'signed', 'critical alert: DF only');
  assert.is(m.gs.cra, 3);
  assert.is(m.gs.messageCode, 0x1000);
  assert.is(toHex(m.gs.originator), REFERENCE_EUI);
  assert.is(toHex(m.gs.recipient), '90b3d51f30010000');
  assert.is(counterToHex(m.gs.counter), '0000000000000001', 'the device counter, not the command counter (100)');
  assert.is(m.gs.dateTime, undefined, 'no header date-time, as the RTDS alerts');
  assert.is(genericAlertCode(m.content), 0x8f3d);
  assert.ok(nodeVerify(d.board.crypto.p256PublicKey(keys.dsPrivate), m), 'signature verifies with the device DS public key');
  assert.ok(!nodeVerify(d.board.crypto.p256PublicKey(keys.kaPrivate), m), 'and not with another key');
});

test('refusals: replay -> 8F53, unsigned critical (wrong protection) -> 8F1E; a command to another device or an accepted one -> no alert', () => {
  const d = deviceOn(memoryMedium());
  const ok1 = command(0x0059, 200, ecs52, false);
  const accepted = d.receive(ok1);
  assert.ok(accepted.outcome.ok);
  assert.is(accepted.alerts.length, 0, 'accepted: no alert');
  const replay = d.receive(ok1);
  assert.ok(!replay.outcome.ok && replay.outcome.reason === 'replay');
  const rm = decodeMessage(replay.alerts[0]);
  assert.ok(rm.ok && genericAlertCode(rm.content) === 0x8f53, 'replay alert 8F53');
  const bare = d.receive(command(0x0050, 201, rtds('7.1_ECS42/ECS42_7.1_SUCCESS_COMMAND_GBCS.HEX').content, false));
  assert.ok(!bare.outcome.ok && bare.outcome.reason === 'wrong-protection');
  const bm = decodeMessage(bare.alerts[0]);
  assert.ok(bm.ok && genericAlertCode(bm.content) === 0x8f1e, 'wrong protection alert 8F1E');
  const other = rtds('6.21_CS02bNOByNOHandover/CS02bNOByNOHandover_6.21_SUCCESS_COMMAND_GBCS.HEX');
  const o = d.receive(other.bytes);
  assert.ok(!o.outcome.ok && o.outcome.reason === 'wrong-recipient');
  assert.is(o.alerts.length, 0, 'not addressed to this device: silent');
  assert.is(counterToHex(readDeviceCounter(d.board.storage)), '0000000000000002', 'two alerts, two counter steps');
});

test('a non-critical alert (0x1001) is DD with a null signature and a MAC the supplier checks with its KA key and the device KA certificate', () => {
  const d = deviceOn(memoryMedium());
  const tx = new StateTx(d.board.storage);
  const s = stageAlert(d.board, d.secrets, tx, d.identity(), { messageCode: 0x1001, recipient: SUPPLIER, content: (c: Counter64) => genericAlertContent(c, 0x810e, 0) });
  tx.commit();
  assert.ok(s.ok, 'staged');
  if (!s.ok) return;
  assert.is(s.critical, false);
  const m = decodeMessage(s.frame);
  assert.ok(m.ok && m.wrapper === 'ciphered' && m.gs.signatureForm === 'null' && m.gs.cra === 3);
  if (!m.ok) return;
  const board = nodeBoard({ medium: memoryMedium() });
  assert.ok(checkMac(board.crypto, sharedSecrets(board.crypto.ecdh), supplierKa, deviceKaPub, m).ok, 'MAC verifies from the supplier side');
  const tampered = new Uint8Array(s.frame);
  tampered[tampered.length - 20] ^= 1;
  const tm = decodeMessage(tampered);
  assert.ok(tm.ok && !checkMac(board.crypto, sharedSecrets(board.crypto.ecdh), supplierKa, deviceKaPub, tm).ok, 'a changed byte fails');
  // To a party without a KA cell: refused, and the counter is not consumed.
  const tx2 = new StateTx(d.board.storage);
  const none = stageAlert(d.board, d.secrets, tx2, d.identity(), { messageCode: 0x1001, recipient: fromHex('90b3d51f30000004')!, content: new Uint8Array(0) });
  assert.ok(!none.ok && none.reason === 'no-recipient-ka-key');
  assert.is(tx2.size, 0, 'nothing staged');
  assert.throws(() => stageAlert(d.board, d.secrets, new StateTx(d.board.storage), d.identity(), { messageCode: 0x0059, recipient: SUPPLIER, content: new Uint8Array(0) }), /not an alert/);
});

test('alert counters strictly increase across alerts and across a restart', () => {
  const medium = memoryMedium();
  let last: Counter64 = { hi: 0, lo: 0 };
  let ctr = 300;
  for (let boot = 0; boot < 3; boot++) {
    const d = deviceOn(medium);
    for (let i = 0; i < 3; i++) {
      const forged = command(0x0059, ++ctr, ecs52, false);
      forged[forged.length - 1] ^= 1;
      const a = d.receive(forged);
      const m = decodeMessage(a.alerts[0]);
      assert.ok(m.ok);
      if (!m.ok) return;
      assert.ok(compareCounters(m.gs.counter, last) > 0, 'boot ' + boot + ' alert ' + i + ': ' + counterToHex(m.gs.counter) + ' > ' + counterToHex(last));
      last = m.gs.counter;
    }
  }
  assert.is(counterToHex(last), '0000000000000009');
});

test('power cut at every write of a refused command: log entry and alert counter land together, the counter never goes back', () => {
  const base = memoryMedium();
  deviceOn(base);
  const forged = command(0x0059, 400, ecs52, false);
  forged[forged.length - 1] ^= 1;
  // Count the writes of one refusal on a copy.
  const probeBase = memoryMedium();
  for (const [k, v] of Object.entries(base.snapshot())) probeBase.put(k, v);
  const probe = cuttingMedium(probeBase, 1e9, false);
  deviceOn(probe).receive(forged);
  const total = probe.writes();
  assert.ok(total >= 2, 'writes ' + total);
  let tried = 0;
  for (let cutAt = 0; cutAt < total; cutAt++) {
    for (const tear of [false, true]) {
      const medium = memoryMedium();
      for (const [k, v] of Object.entries(base.snapshot())) medium.put(k, v);
      let cut = false;
      try {
        deviceOn(cuttingMedium(medium, cutAt, tear)).receive(forged);
      } catch (e) {
        assert.is((e as Error).message, POWER_CUT);
        cut = true;
      }
      assert.ok(cut);
      const after = deviceOn(medium);
      const dc = readDeviceCounter(after.board.storage).lo;
      const logged = after.board.storage.read('log.h') !== undefined;
      assert.ok(dc === 0 || dc === 1, 'counter 0 or 1');
      assert.is(dc === 1, logged, 'cut at ' + cutAt + (tear ? ' torn' : '') + ': counter and log entry together');
      // The next alert after the restart never reuses a counter.
      const again = after.receive(forged);
      const m = decodeMessage(again.alerts[0]);
      assert.ok(m.ok && m.gs.counter.lo === dc + 1, 'next alert counter ' + (dc + 1));
      tried++;
    }
  }
  assert.ok(tried >= 4);
});

test.run();
