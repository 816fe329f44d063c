/**
 * The RTDS join and unjoin commands (8.7.1, 8.7.2, 8.8.2, 8.9_CS07) through the whole command pipeline
 * (MAC, the Supplier's or the ACB's signature, counter) to a device standing in for the one each addresses
 * (GSME ...a1, PPMIDs ...a4 and ...a5), with the pairing handlers of its device type: each is accepted,
 * its response carries the RTDS RESPONSE file's header and content byte for byte (but CS07 ERROR, a read
 * failure of the device's storage, which ours does not have), and the Device Log changes exactly when the
 * response is a success. No RTDS join file addresses the ESME (...a0).
 *
 * These devices' KA private keys are not published: the stand-in device holds a key of its own, and its
 * secret cache answers for that key with the Z the published keys give from the other side
 * (ECDH(party KA private, device KA public) = ECDH(device KA private, party KA public); HAN-FACTS).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { nodeBoard } from '../boards/node/index.ts';
import { memoryMedium } from '../boards/journaledStorage.ts';
import { fromHex, toHex } from '../lib/bytes.ts';
import { counterToHex } from '../gbcs/counter64.ts';
import { decodeMessage } from '../gbcs/message.ts';
import type { SharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { readCertificate } from '../gbcs/smki/certificate.ts';
import {
  decodeReadJoinDetailsResponse, DEVICE_ESME, DEVICE_GSME, DEVICE_PPMID, MESSAGE_CODE_CS03A1, MESSAGE_CODE_CS03A2, MESSAGE_CODE_CS03B,
  MESSAGE_CODE_CS03C, MESSAGE_CODE_CS04AC, MESSAGE_CODE_CS04B, MESSAGE_CODE_CS07, METHOD_A_RESPONDER, METHOD_B, METHOD_C,
} from '../gbcs/contents/join.ts';
import { manufactureDevice } from '../device/index.ts';
import { runPipeline } from '../device/pipeline/commandPipeline.ts';
import type { Handler } from '../device/pipeline/commandContext.ts';
import { buildResponse } from '../device/pipeline/responder.ts';
import { handlerFor } from '../device/pipeline/useCases.ts';
import { joinHandler, readJoinDetails, unjoinHandler } from '../device/pairing/joinDevice.ts';
import { JOINED_KEY, writeJoined } from '../device/state/joinedDevices.ts';
import type { JoinedDevice } from '../device/state/joinedDevices.ts';
import { StateTx } from '../device/state/stateTx.ts';
import { findIssuingCa } from '../harness/referenceDevice/replay.ts';
import { loadReferenceKeys, pemToDer, privateScalar } from '../harness/referenceDevice/referenceDevice.ts';
import { readHexFile } from '../harness/conformance/rtdsFolder.ts';
import { requireShared, VECTORS } from '../build/paths.ts';

requireShared('test/device-pairing');
const RTDS = join(VECTORS, 'rtds/RTDS-4.5.0');
const KEYS = join(VECTORS, 'rtds/keystore');
const FOLDERS = ['8.7.1_CS03A2Critical', '8.7.1_CS03CCritical', '8.7.2_CS03B', '8.8.2_CS04ACNonCritical', '8.8.2_CS04B', '8.9_CS07'];
/** The parties whose KA private keys are published (the ones that MAC commands to, or get responses from, these devices). */
const PARTIES = ['90b3d51f30000002', '90b3d51f30010000'];

const loaded = loadReferenceKeys(KEYS);
if (typeof loaded === 'string') throw new Error(loaded);
const keys = loaded;
const rootStandIn = findIssuingCa(RTDS);
const STAND_IN_KA = fromHex('1d2c3b4a59687786950a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60')!;

function kaPublic(eui: string): Uint8Array {
  const r = readCertificate(pemToDer(readFileSync(join(KEYS, eui + '-ka.pem'), 'utf8')));
  if (!r.ok) throw new Error(eui + '-ka.pem');
  return r.certificate.publicKey;
}

/** Z for (stand-in KA private, party KA public), computed from the party's published private key and the device's public key. */
function standInSecrets(deviceEui: string): SharedSecrets {
  const board = nodeBoard({ medium: memoryMedium() });
  const devicePub = kaPublic(deviceEui);
  const byParty: Record<string, Uint8Array> = {};
  for (const p of PARTIES) byParty[toHex(kaPublic(p))] = board.crypto.ecdh(privateScalar(readFileSync(join(KEYS, p + '-ka.key'), 'utf8')), devicePub)!;
  return {
    agree(privateKey, publicKey) {
      if (toHex(privateKey) !== toHex(STAND_IN_KA)) throw new Error('not the stand-in key');
      return byParty[toHex(publicKey)];
    },
  };
}

/** The pairing handlers of a device of GBCS type `deviceType`, the rest as the ESME's table (not reached here). */
function handlersOf(deviceType: number): (code: number) => Handler {
  const joins = joinHandler(deviceType);
  return function (code) {
    if (code === MESSAGE_CODE_CS03A1 || code === MESSAGE_CODE_CS03A2 || code === MESSAGE_CODE_CS03B || code === MESSAGE_CODE_CS03C) return joins;
    if (code === MESSAGE_CODE_CS04AC || code === MESSAGE_CODE_CS04B) return unjoinHandler;
    if (code === MESSAGE_CODE_CS07) return readJoinDetails;
    return handlerFor(code);
  };
}

/** The GSME's Device Log at the RTDS starting state, as 8.9_CS07 SUCCESS reports it (GPFs by Method B, the PPMID by C). */
function gsmeStart(): JoinedDevice[] {
  const m = decodeMessage(readHexFile(join(RTDS, '8.9_CS07/CS07_8.9_SUCCESS_RESPONSE_GBCS.HEX'))!);
  if (!m.ok) throw new Error('CS07 response');
  const r = decodeReadJoinDetailsResponse(m.content);
  if (typeof r === 'string' || !r.entries) throw new Error('CS07 content');
  return r.entries.map((e) => ({ eui: e.eui, deviceType: e.deviceType, method: e.deviceType === DEVICE_PPMID ? METHOD_C : METHOD_B }));
}

/**
 * Each addressed device: its type and starting Device Log. ...a4 is a PPMID (it originates RTDS NA_PCS01),
 * joined to ESME 0102030405060708 by Method A (the state CS04AC's success needs); ...a5 receives CS03A2, so
 * it is a PPMID or an HCALCS: taken as a PPMID.
 */
const DEVICES: Record<string, { type: number; start: () => JoinedDevice[] }> = {
  '00db1234567890a1': { type: DEVICE_GSME, start: gsmeStart },
  '00db1234567890a4': { type: DEVICE_PPMID, start: () => [{ eui: fromHex('0102030405060708')!, deviceType: DEVICE_ESME, method: METHOD_A_RESPONDER }] },
  '00db1234567890a5': { type: DEVICE_PPMID, start: () => [] },
};

function standInDevice(eui: string) {
  const board = nodeBoard({ medium: memoryMedium() });
  const anchors = keys.anchors.slice();
  anchors.push({ cell: { role: 0, keyUsage: 0x04, cellUsage: 0 }, certificate: rootStandIn!, standIn: true });
  const made = manufactureDevice(board, { eui: fromHex(eui)!, environment: 'test', dsPrivate: keys.dsPrivate, kaPrivate: STAND_IN_KA, anchors });
  if (!made.ok) throw new Error('manufacture: ' + made.reason);
  const tx = new StateTx(board.storage);
  writeJoined(tx, DEVICES[eui].start());
  tx.commit();
  return { board, identity: made.identity, secrets: standInSecrets(eui) };
}

const commands: string[] = [];
for (const f of FOLDERS) for (const n of readdirSync(join(RTDS, f)).sort()) if (/_COMMAND_GBCS\.HEX$/.test(n)) commands.push(f + '/' + n);

test('the sample holds 9 join/unjoin/CS07 commands, none to the ESME', () => {
  assert.is(commands.length, 9);
  for (const c of commands) {
    const m = decodeMessage(readHexFile(join(RTDS, c))!);
    assert.ok(m.ok && toHex(m.gs.recipient) !== '00db1234567890a0', c);
  }
});

for (const path of commands) {
  test(`${path}: accepted through the pipeline; response header and content as RTDS; the Device Log changes only on success`, () => {
    const frame = readHexFile(join(RTDS, path))!;
    const m = decodeMessage(frame);
    assert.ok(m.ok);
    if (!m.ok) return;
    const eui = toHex(m.gs.recipient);
    const d = standInDevice(eui);
    const before = toHex(d.board.storage.read(JOINED_KEY)!);
    const out = runPipeline(d.board, d.secrets, d.identity, frame, handlersOf(DEVICES[eui].type));
    assert.ok(out.ok, out.ok ? '' : out.reason + ' ' + (out.detail ?? ''));
    if (!out.ok) return;
    const r = buildResponse(d.board, d.secrets, d.identity, out);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    if (!r.ok) return;
    const got = decodeMessage(r.frame);
    const expected = decodeMessage(readHexFile(join(RTDS, path.replace(/_COMMAND_GBCS\.HEX$/, '_RESPONSE_GBCS.HEX')))!);
    assert.ok(got.ok && expected.ok);
    if (!got.ok || !expected.ok) return;
    const head = (x: typeof got) => [x.gs.messageCode, counterToHex(x.gs.counter), toHex(x.gs.originator), toHex(x.gs.recipient), x.wrapper].join(' ');
    assert.is(head(got), head(expected), 'response header');
    if (path === '8.9_CS07/CS07_8.9_ERROR_COMMAND_GBCS.HEX') {
      // RTDS answers this one (the same NULL command, from the ACB) with readFailure (1): a failure to read
      // the Device Log, which a working device does not have; ours reads it (code 0).
      assert.is(toHex(expected.content), '3003020101');
      assert.is(toHex(got.content).substring(0, 10), '3032020100', 'success with the three entries');
    } else assert.is(toHex(got.content), toHex(expected.content), 'response content');
    const changed = before !== toHex(d.board.storage.read(JOINED_KEY)!);
    assert.is(changed, m.gs.messageCode !== MESSAGE_CODE_CS07 && toHex(expected.content) === '020100', 'Device Log changed exactly on success');
  });
}

test('every single-byte mutation of each command (each byte XOR FF) is refused, the Device Log and every key outside the security log unchanged', () => {
  let tried = 0;
  for (const path of commands) {
    const frame = readHexFile(join(RTDS, path))!;
    const m = decodeMessage(frame);
    if (!m.ok) throw new Error(path);
    const eui = toHex(m.gs.recipient);
    const d = standInDevice(eui);
    const handlers = handlersOf(DEVICES[eui].type);
    const snapshot = () => d.board.storage.keys().filter((k) => k.indexOf('log.') !== 0 && k !== 'dc').map((k) => k + '=' + toHex(d.board.storage.read(k)!)).join(';');
    const before = snapshot();
    for (let i = 0; i < frame.length; i++) {
      const bad = new Uint8Array(frame);
      bad[i] ^= 0xff;
      const out = runPipeline(d.board, d.secrets, d.identity, bad, handlers);
      assert.ok(!out.ok, path + ' byte ' + i + ' accepted');
      tried++;
    }
    assert.is(snapshot(), before, path + ': state unchanged');
  }
  assert.ok(tried > 1000, 'mutations tried: ' + tried);
  console.log(`  join/unjoin mutations tried ${tried}, accepted 0`);
});

test.run();
