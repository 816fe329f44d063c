/**
 * The device security core on Node against the whole RTDS sample: every command to 00DB1234567890A0
 * replayed through the reference device (accepted, response header as the RESPONSE file, replay
 * refused), the single-byte mutation sweep on CS02b and critical folders, the test/live rule, and the
 * supplier-visible functions (supply arm/on/off and status, firmware version, security log) driven by
 * commands built and protected here with the published ZAZ1 supplier DS and ACB KA keys.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, toHex } from '../lib/bytes.ts';
import { counterFromNumber } from '../gbcs/counter64.ts';
import { signedBytesOf } from '../gbcs/generalSigning.ts';
import type { GeneralSigningFields } from '../gbcs/generalSigning.ts';
import { decodeMessage, encodeMessage } from '../gbcs/message.ts';
import { readCertificate } from '../gbcs/smki/certificate.ts';
import { wrapWithMac } from '../gbcs/protection/protection.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { manufactureDevice } from '../device/index.ts';
import { readSupply } from '../device/state/supplyState.ts';
import { logCount } from '../device/state/securityLog.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { memoryMedium } from '../boards/journaledStorage.ts';
import { loadReferenceKeys, pemToDer, privateScalar, referenceDevice } from '../harness/referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { findIssuingCa, replayFolder } from '../harness/referenceDevice/replay.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;
const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
const root = findIssuingCa(RTDS);

test('every RTDS command to 00DB1234567890A0 is accepted, answered as the RESPONSE file says, and its replay refused', () => {
  let n = 0;
  for (const uc of readdirSync(RTDS).sort()) {
    for (const r of replayFolder(RTDS, uc, keys, root, false)) {
      n++;
      assert.ok(r.accepted, r.path + ': ' + r.rejection);
      assert.ok(r.responseMatches, r.path + ': ' + r.responseDetail);
      assert.ok(r.replayRefused, r.path + ': replay not refused');
    }
  }
  assert.ok(n >= 180, 'commands replayed: ' + n);
});

test('each command file is replayed from its use case\'s starting state, not after an earlier file\'s effect', () => {
  // A folder (symlinks into the RTDS sample, nothing copied) whose first file, TransCoS by TransCoS
  // (counter 0x1770), replaces the TransCoS DS cell; its second, supplier by TransCoS (0x1771), is
  // signed by the old TransCoS key. Replayed in sequence the second would be refused.
  const dir = mkdtempSync(join(tmpdir(), 'smets-replay-'));
  mkdirSync(join(dir, 'UC'));
  for (const f of ['NA_CS02bTransCoSByTransCoS/CS02bTransCoSByTransCoS_NA_SUCCESS', '6.23_CS02bSupplierByTransCoS/CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS']) {
    for (const kind of ['COMMAND', 'RESPONSE']) symlinkSync(join(RTDS, f + '_' + kind + '_GBCS.HEX'), join(dir, 'UC', f.split('/')[1] + '_' + kind + '_GBCS.HEX'));
  }
  const rs = replayFolder(dir, 'UC', keys, root, false);
  assert.is(rs.length, 2);
  for (const r of rs) assert.ok(r.accepted && r.responseMatches, r.path + ': ' + (r.rejection ?? r.responseDetail));
  rmSync(dir, { recursive: true });
});

test('every single-byte mutation of CS02b and critical commands is refused, state unchanged', () => {
  let tried = 0;
  for (const uc of ['6.15.1_CS02bNOByNO', '6.23_CS02bSupplierByTransCoS', 'NA_CS02bAnyExceptAbnormalRootByRecovery', '7.1_ECS42', '11.2_ECS52']) {
    for (const r of replayFolder(RTDS, uc, keys, root, true)) {
      tried += r.mutationsTried;
      assert.is(r.mutationsAccepted, 0, r.path + ' mutations accepted');
      assert.is(r.mutationsChangedState, 0, r.path + ' rejected mutations changed state');
      assert.ok(r.accepted && r.responseMatches, r.path + ' genuine command after the sweep');
    }
  }
  assert.ok(tried > 10000, 'mutations tried ' + tried);
});

test('a test device refuses live certificates and a live device refuses test ones', () => {
  const board = nodeBoard({ medium: memoryMedium() });
  const r = manufactureDevice(board, { eui: fromHex('00db1234567890a0')!, environment: 'live', anchors: keys.anchors.slice(0, 1) });
  assert.ok(!r.ok && r.reason === 'wrong-environment', 'live device with a ZAZ1 (test) certificate: ' + JSON.stringify(r));
  assert.is(board.storage.keys().length, 0, 'nothing stored');
});

// ---- supplier commands built here ------------------------------------------------------------------
const supplierDs = privateScalar(readFileSync(join(KEYS, '90b3d51f30010000-ds.key'), 'utf8'));
const acbKa = privateScalar(readFileSync(join(KEYS, '90b3d51f30000002-ka.key'), 'utf8'));
const deviceKaPub = (readCertificate(pemToDer(readFileSync(join(KEYS, '00db1234567890a0-ka.pem'), 'utf8'))) as { ok: true; certificate: { publicKey: Uint8Array } }).certificate.publicKey;
const SUPPLIER = fromHex('90b3d51f30010000')!;
const DEVICE = fromHex('00db1234567890a0')!;

function content(path: string): Uint8Array {
  const m = decodeMessage(fromHex(readFileSync(join(RTDS, path), 'utf8'))!);
  if (!m.ok) throw new Error(path);
  return new Uint8Array(m.content);
}

function command(code: number, counter: number, body: Uint8Array, critical: boolean): Uint8Array {
  const board = nodeBoard({ medium: memoryMedium() });
  const f: GeneralSigningFields = { cra: 1, counter: counterFromNumber(counter), originator: SUPPLIER, recipient: DEVICE, messageCode: code, content: body, signatureForm: critical ? 'ecdsa' : 'null' };
  if (critical) f.signature = board.crypto.p256Sign(supplierDs, signedBytesOf(f));
  return wrapWithMac(board.crypto, sharedSecrets(board.crypto.ecdh), acbKa, deviceKaPub, encodeMessage({ wrapper: 'signed', gs: f }))!;
}

test('a supplier arms, enables and disables the supply and reads it back; reads firmware version and the security log', () => {
  const { board, device: powered } = referenceDevice(keys, root);
  const device = powered!;
  const action = content('7.1_ECS42/ECS42_7.1_SUCCESS_COMMAND_GBCS.HEX');
  const status = content('7.4_ECS45/ECS45_7.4_SUCCESS_COMMAND_GBCS.HEX');
  const steps: Array<[number, string, number]> = [[0x0050, 'off', 0], [0x0051, 'armed', 2], [0x004f, 'on', 1]];
  let ctr = 5000;
  for (const [code, state, dlms] of steps) {
    const a = device.receive(command(code, ++ctr, action, true));
    assert.ok(a.outcome.ok, 'supply ' + state + ': ' + JSON.stringify(a.outcome));
    assert.is(readSupply(board.storage), state);
    const resp = decodeMessage(a.response!);
    assert.ok(resp.ok && resp.wrapper === 'signed' && resp.gs.signatureForm === 'ecdsa', 'critical response signed');
    const r = device.receive(command(0x0052, ++ctr, status, false));
    assert.ok(r.outcome.ok);
    const rm = decodeMessage(r.response!);
    assert.ok(rm.ok && toHex(rm.content).indexOf('0116' + ('0' + dlms)) > 0, 'ECS45 reports control_state ' + dlms + ': ' + (rm.ok ? toHex(rm.content) : ''));
  }
  // A critical command without its signature is refused, state unchanged.
  const bare = command(0x0050, ++ctr, action, false);
  const refused = device.receive(bare);
  assert.ok(!refused.outcome.ok && refused.outcome.reason === 'wrong-protection');
  assert.is(readSupply(board.storage), 'on');
  const fw = device.receive(command(0x0059, ++ctr, content('11.2_ECS52/ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX'), false));
  const fm = decodeMessage(fw.response!);
  assert.ok(fm.ok && toHex(fm.content).indexOf('0905302e312e30') > 0, 'firmware version 0.1.0 as an octet-string');
  assert.is(logCount(board.storage), 1);
  const log = device.receive(command(0x0049, ++ctr, status, false));
  const lm = decodeMessage(log.response!);
  assert.ok(lm.ok && toHex(lm.content).indexOf('0101' + '0202') > 0 && toHex(lm.content).indexOf('128f1e') > 0, 'security log: one entry, event 8F1E: ' + (lm.ok ? toHex(lm.content) : ''));
});

test.run();
