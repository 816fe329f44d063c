/**
 * PCS01 / PCS02 (GBCS §13.7: a PPMID joined to the GSME by Method C tops it up and selects emergency credit)
 * through the whole pipeline, with real keys: the PPMID made by the lab factory (its KA certificate from the
 * test SMKI), a GSME with known keys and the RTDS trust anchors (the Supplier's published DS key signs its
 * CS03C and CS04AC, the ACB's published KA key MACs them), the UTRN made with the Supplier's published
 * prepayment KA key. The PPMID's commands carry RTDS NA_PCS01 / NA_PCS02's content (our UTRN in PCS01's), and
 * the GSME's answers equal the RTDS RESPONSE files' content. Then what is refused, with state unchanged
 * (device/pairing/hanOriginator.ts): replays, a PPMID never joined or unjoined, every single-byte mutation;
 * and a power cut at every write of a PCS01.
 * The RTDS files themselves (MAC unverifiable: no KA private key of either device is published) are
 * replayed by `smets conformance --device` (harness/referenceDevice/replay.ts), checked at the end.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { fromHex, toHex } from '../lib/bytes.ts';
import { counterFromNumber } from '../gbcs/counter64.ts';
import { signedBytesOf } from '../gbcs/generalSigning.ts';
import type { GeneralSigningFields } from '../gbcs/generalSigning.ts';
import { decodeMessage, encodeMessage } from '../gbcs/message.ts';
import { checkMac, wrapWithMac } from '../gbcs/protection/protection.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { DEVICE_PPMID, encodeJoinCommand, encodeUnjoinCommand, MESSAGE_CODE_CS03C, MESSAGE_CODE_CS04AC, METHOD_C } from '../gbcs/contents/join.ts';
import { makeUtrn, ptutHigh, ptutMac } from '../gbcs/utrn.ts';
import { carryGsme, manufactureDevice, readAttribute, SmetsDevice } from '../device/index.ts';
import type { Board, Medium } from '../boards/board.ts';
import { nodeBoard } from '../boards/node/index.ts';
import { memoryMedium } from '../boards/journaledStorage.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { loadReferenceKeys, privateScalar, ROOT_CELL } from '../harness/referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { findIssuingCa, replayFolder, stateSnapshot, sameSnapshot } from '../harness/referenceDevice/replay.ts';
import { gsmeFactoryAttributes, joinPpmidByCs03c, loadGsmeKeys, REFERENCE_GSME_EUI, referenceGsme, RTDS_TIME_SEC } from '../harness/referenceDevice/referenceGsme.ts';
import type { GsmeKeys } from '../harness/referenceDevice/referenceGsme.ts';
import { readHexFile } from '../harness/conformance/rtdsFolder.ts';
import { manufactureEsme } from '../harness/lab/factory.ts';
import { createTestSmki } from '../harness/smki/testSmki.ts';
import { issueParty, TEST_ENTITIES } from '../harness/dcc/users.ts';
import type { Party } from '../harness/dcc/users.ts';
import { cutAtEveryWrite } from './portable/powerCut.ts';

carryGsme();

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;
const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
const root = findIssuingCa(RTDS);
const crypto = nodeCrypto();
const pem = (f: string) => privateScalar(readFileSync(join(KEYS, f), 'utf8'));

const SUPPLIER = fromHex('90b3d51f30010000')!;
const GSME = fromHex(REFERENCE_GSME_EUI)!;
const PPMID_EUI = '00DB0000000C0004';
const PPMID = fromHex(PPMID_EUI)!;
const file = (p: string) => readHexFile(join(RTDS, p))!;
const rtdsContent = (p: string) => {
  const m = decodeMessage(file(p));
  if (!m.ok) throw new Error(p);
  return m.content;
};
const PCS01_CONTENT = rtdsContent('NA_PCS01/PCS01_NA_SUCCESS_COMMAND_GBCS.HEX');
const PCS01_RESPONSE = toHex(rtdsContent('NA_PCS01/PCS01_NA_SUCCESS_RESPONSE_GBCS.HEX'));
const PCS02_CONTENT = rtdsContent('NA_PCS02/PCS02_NA_SUCCESS_COMMAND_GBCS.HEX');
const PCS02_RESPONSE = toHex(rtdsContent('NA_PCS02/PCS02_NA_SUCCESS_RESPONSE_GBCS.HEX'));

// The PPMID from the lab factory: real keys, its KA certificate issued by the test SMKI's Issuing DCA.
const smki = createTestSmki({ dir: mkdtempSync(join(tmpdir(), 'smets-pcs-')), workers: 1 });
const parties: Record<string, Party> = {};
for (const id of ['recovery', 'acb', 'wanProvider', 'transCoS', 'networkOperator']) parties[id] = issueParty(smki, crypto, TEST_ENTITIES[id]);
const ppmidMade = manufactureEsme({ eui: PPMID_EUI, deviceType: 'PPMID', board: nodeBoard({ medium: memoryMedium(), log: () => undefined }), smki, anchors: { recovery: parties.recovery, acb: parties.acb, wanProvider: parties.wanProvider, transCoS: parties.transCoS, networkOperator: parties.networkOperator } });
if (!ppmidMade.ok) throw new Error('PPMID factory: ' + JSON.stringify(ppmidMade));
const ppmidKa = ppmidMade.ka;
const ppmidKaPrivate = new Uint8Array(Buffer.from(createPrivateKey(ppmidKa.privateKeyPem).export({ format: 'jwk' }).d as string, 'base64url'));

// The GSME: known keys (so its MACs and UTRNs can be made), the RTDS trust anchors and factory attributes.
const GSME_KA = crypto.sha256(new TextEncoder().encode('pcs test GSME KA'));
const GSME_DS = crypto.sha256(new TextEncoder().encode('pcs test GSME DS'));
const GSME_KA_PUBLIC = crypto.p256PublicKey(GSME_KA);

function gsmeOn(medium: Medium): { board: Board; device: SmetsDevice } {
  const board = nodeBoard({ medium, clock: { nowSec: () => RTDS_TIME_SEC } });
  const device = new SmetsDevice(board, sharedSecrets(board.crypto.ecdh));
  device.powerOn();
  return { board, device };
}

function newGsme(): { board: Board; device: SmetsDevice; medium: Medium } {
  const medium = memoryMedium();
  const board = nodeBoard({ medium });
  const anchors = keys.anchors.slice();
  anchors.push({ cell: ROOT_CELL, certificate: (keys.root ?? root)!, standIn: !keys.root });
  const made = manufactureDevice(board, { eui: GSME, environment: 'test', kind: 'GSME', dsPrivate: GSME_DS, kaPrivate: GSME_KA, anchors, attributes: gsmeFactoryAttributes() });
  if (!made.ok) throw new Error('GSME: ' + made.reason);
  return { ...gsmeOn(medium), medium };
}

let supplierCounter = 100;
/** A Supplier command to the GSME: signed, MAC'ed by the ACB. */
function supplierFrame(code: number, content: Uint8Array): Uint8Array {
  const f: GeneralSigningFields = { cra: 1, counter: counterFromNumber(++supplierCounter), originator: SUPPLIER, recipient: GSME, messageCode: code, content, signatureForm: 'ecdsa' };
  f.signature = crypto.p256Sign(pem('90b3d51f30010000-ds.key'), signedBytesOf(f));
  return wrapWithMac(crypto, sharedSecrets(crypto.ecdh), pem('90b3d51f30000002-ka.key'), GSME_KA_PUBLIC, encodeMessage({ wrapper: 'signed', gs: f }))!;
}

function supplierSays(device: SmetsDevice, code: number, content: Uint8Array): string {
  const a = device.receive(supplierFrame(code, content));
  if (!a.outcome.ok) return 'refused ' + a.outcome.reason;
  const m = decodeMessage(a.response!);
  return m.ok ? toHex(m.content) : 'bad response';
}

const cs03c = () => encodeJoinCommand({ method: METHOD_C, other: PPMID, otherType: DEVICE_PPMID, certificate: ppmidKa.der });

/** A command from the PPMID (or `from`, with `kaPrivate`): MAC'ed with its KA key x the GSME's. */
function ppmidFrame(code: number, content: Uint8Array, counter: number, from: Uint8Array = PPMID, kaPrivate: Uint8Array = ppmidKaPrivate): Uint8Array {
  const f: GeneralSigningFields = { cra: 1, counter: counterFromNumber(counter), originator: from, recipient: GSME, messageCode: code, content, signatureForm: 'null' };
  return wrapWithMac(crypto, sharedSecrets(crypto.ecdh), kaPrivate, GSME_KA_PUBLIC, encodeMessage({ wrapper: 'signed', gs: f }))!;
}

/** A UTRN of `pennies` for the GSME, UTRN counter bits 32..41 = `c10`, from the Supplier's prepayment KA key. */
function utrn(c10: number, pennies: number): string {
  const ctr = new Uint8Array([0, 0, (c10 >> 8) & 3, c10 & 0xff, 0, 0, 0, 0]);
  const high = ptutHigh(ctr, 0, pennies);
  const z = crypto.ecdh(pem('90b3d51f30010000-pp-ka.key'), GSME_KA_PUBLIC)!;
  return makeUtrn(high, ptutMac(crypto, z, SUPPLIER, GSME, ctr, high));
}

/** RTDS PCS01's content with another UTRN (the component's last 20 bytes). */
function pcs01(text: string): Uint8Array {
  const c = new Uint8Array(PCS01_CONTENT);
  for (let i = 0; i < 20; i++) c[c.length - 20 + i] = text.charCodeAt(i);
  return c;
}

const credit = (b: Board) => toHex(readAttribute(b.storage, 0x0705, 0x0001)!.value);

test('a factory PPMID joined by CS03C tops up the GSME (PCS01) and selects emergency credit (PCS02): answers equal RTDS\'s RESPONSE content, MAC\'ed to the PPMID; credit changed; replays refused', () => {
  const { board, device } = newGsme();
  const early = device.receive(ppmidFrame(0x009b, pcs01(utrn(1, 2025)), 1));
  assert.is(early.outcome.ok ? 'accepted' : early.outcome.reason, 'not-joined', 'before the join');
  assert.is(supplierSays(device, MESSAGE_CODE_CS03C, cs03c()), '020100', 'CS03C success');
  assert.is(credit(board), 'a0252600', '2,500,000 at the start');
  const frame = ppmidFrame(0x009b, pcs01(utrn(1, 2025)), 10000);
  const a = device.receive(frame);
  assert.ok(a.outcome.ok, JSON.stringify(a.outcome));
  const r = decodeMessage(a.response!);
  assert.ok(r.ok && r.wrapper === 'ciphered');
  if (!r.ok) return;
  assert.is(toHex(r.content), PCS01_RESPONSE, 'Consumer Top Up Response as RTDS: accepted, 2,025,000, source 2, credit 4,525,000');
  assert.is(toHex(r.gs.recipient), toHex(PPMID));
  assert.ok(checkMac(crypto, sharedSecrets(crypto.ecdh), ppmidKaPrivate, GSME_KA_PUBLIC, r).ok, 'the PPMID checks the response MAC with its own KA key');
  assert.is(credit(board), 'c80b4500', '4,525,000');
  const before = stateSnapshot(board.storage);
  const again = device.receive(frame);
  assert.is(again.outcome.ok ? 'accepted' : again.outcome.reason, 'replay');
  assert.ok(sameSnapshot(before, stateSnapshot(board.storage)), 'replay: state unchanged');
  // The same UTRN under a fresh counter: accepted by the pipeline, the top-up answers 02 (duplicate), no credit.
  const dup = device.receive(ppmidFrame(0x009b, pcs01(utrn(1, 2025)), 10001));
  const dm = decodeMessage(dup.response!);
  assert.is(dm.ok ? toHex(dm.content).substring(22, 24) : '', '02', 'duplicate top-up');
  assert.is(credit(board), 'c80b4500', 'credit unchanged');
  // PCS02: RTDS's content, the Default Response SUCCESS it shows; CreditStatus gains "emergency credit selected".
  const e = device.receive(ppmidFrame(0x0090, PCS02_CONTENT, 10002));
  const em = decodeMessage(e.response!);
  assert.is(em.ok ? toHex(em.content) : '', PCS02_RESPONSE);
  assert.is(toHex(readAttribute(board.storage, 0x0705, 0x0003)!.value), '10');
  // An older counter is a replay whatever it carries.
  const old = device.receive(ppmidFrame(0x0090, PCS02_CONTENT, 9999));
  assert.is(old.outcome.ok ? 'accepted' : old.outcome.reason, 'replay');
});

test('refused with a typed reason and state unchanged: a PPMID never joined, the joined one after CS04AC, a code a PPMID may not send, a wrong MAC key', () => {
  const { board, device } = newGsme();
  supplierSays(device, MESSAGE_CODE_CS03C, cs03c());
  const stranger = crypto.sha256(new TextEncoder().encode('another PPMID'));
  const tries: Array<[string, Uint8Array, string]> = [
    ['never joined', ppmidFrame(0x0090, PCS02_CONTENT, 5, fromHex('00db0000000c0005')!, stranger), 'not-joined'],
    ['the joined PPMID\'s EUI, another key', ppmidFrame(0x0090, PCS02_CONTENT, 5, PPMID, stranger), 'mac-mismatch'],
    ['a GSME read (GCS60) from the PPMID', ppmidFrame(0x008d, PCS02_CONTENT, 5), 'unknown-originator'],
  ];
  for (const [what, frame, reason] of tries) {
    const before = stateSnapshot(board.storage);
    const a = device.receive(frame);
    assert.is(a.outcome.ok ? 'accepted' : a.outcome.reason, reason, what);
    assert.ok(sameSnapshot(before, stateSnapshot(board.storage)), what + ': state unchanged');
  }
  assert.ok(device.receive(ppmidFrame(0x0090, PCS02_CONTENT, 6)).outcome.ok, 'the joined PPMID');
  assert.is(supplierSays(device, MESSAGE_CODE_CS04AC, encodeUnjoinCommand(PPMID)), '020100', 'CS04AC');
  const before = stateSnapshot(board.storage);
  const gone = device.receive(ppmidFrame(0x009b, pcs01(utrn(2, 100)), 7));
  assert.is(gone.outcome.ok ? 'accepted' : gone.outcome.reason, 'not-joined', 'after CS04AC');
  assert.ok(sameSnapshot(before, stateSnapshot(board.storage)), 'state unchanged');
  // Joined again: its counter was kept, so its old commands stay replays.
  assert.is(supplierSays(device, MESSAGE_CODE_CS03C, cs03c()), '020100', 'joined again');
  const old = device.receive(ppmidFrame(0x0090, PCS02_CONTENT, 6));
  assert.is(old.outcome.ok ? 'accepted' : old.outcome.reason, 'replay', 'an old command after re-joining');
});

test('every single-byte mutation of a PCS01 and a PCS02 is refused, state unchanged', () => {
  const { board, device } = newGsme();
  supplierSays(device, MESSAGE_CODE_CS03C, cs03c());
  let tried = 0;
  for (const frame of [ppmidFrame(0x009b, pcs01(utrn(3, 500)), 20), ppmidFrame(0x0090, PCS02_CONTENT, 21)]) {
    for (let i = 0; i < frame.length; i++) {
      const m = new Uint8Array(frame);
      m[i] ^= 0xff;
      const before = stateSnapshot(board.storage);
      const a = device.receive(m);
      assert.ok(!a.outcome.ok, 'mutation at ' + i + ' accepted');
      assert.ok(sameSnapshot(before, stateSnapshot(board.storage)), 'mutation at ' + i + ' changed state');
      tried++;
    }
    assert.ok(device.receive(frame).outcome.ok, 'the command itself');
  }
  assert.is(tried, 93 + 76);
});

test('a power cut at every write of a PCS01: the top-up and the PPMID\'s counter land together or not at all', () => {
  const { device, medium } = newGsme();
  supplierSays(device, MESSAGE_CODE_CS03C, cs03c());
  const start: Record<string, Uint8Array> = {};
  for (const n of medium.list()) start[n] = medium.get(n)!;
  const frame = ppmidFrame(0x009b, pcs01(utrn(4, 2025)), 30);
  let after = '';
  const cuts = cutAtEveryWrite(
    (m) => gsmeOn(m).board,
    start,
    (b) => new SmetsDevice(b, sharedSecrets(b.crypto.ecdh)).receive(frame).outcome.ok,
    (b) => { after = credit(b); },
    (b, where) => {
      const c = credit(b);
      const counter = b.storage.read('han.oc.' + toHex(PPMID).toLowerCase());
      const applied = c === after;
      assert.ok(c === 'a0252600' || applied, where + ': credit ' + c);
      assert.is(counter !== undefined, applied, where + ': the counter lands with the credit');
    },
  );
  assert.is(after, 'c80b4500');
  assert.ok(cuts >= 2, 'cut points ' + cuts);
  console.log('PCS01 power cuts: ' + cuts + ' cut points');
});

test('conformance --device: the RTDS PCS01/PCS02 files reach the reference GSME after a CS03C join of ...a4, and are counted MAC unverifiable with their content decoded', () => {
  const gsmeKeys = loadGsmeKeys(KEYS) as GsmeKeys;
  const target = {
    eui: REFERENCE_GSME_EUI, label: 'GSME', make: () => referenceGsme(keys, gsmeKeys, root),
    joinHan: (m: ReturnType<typeof referenceGsme>, eui: string) => joinPpmidByCs03c(KEYS, gsmeKeys, m.board, m.device!, eui),
  };
  const r1 = replayFolder(RTDS, 'NA_PCS01', keys, root, true, target as never);
  const r2 = replayFolder(RTDS, 'NA_PCS02', keys, root, true, target as never);
  for (const r of [...r1, ...r2]) {
    assert.is(r.skipped, undefined, r.path);
    assert.ok(r.unverifiable?.startsWith('MAC unverifiable: neither KA private key is published'), r.path + ': ' + r.unverifiable + ' ' + r.rejection);
    assert.is(r.mutationsAccepted, 0);
    assert.is(r.mutationsChangedState, 0);
  }
  assert.match(r1[0].decoded!, /UTRN 73941656880950804485 \(2025 pennies/);
  assert.match(r1[0].decoded!, /top-up value 2025000, source 2, credit remaining 4525000/);
  assert.match(r2[0].decoded!, /Select Available Emergency Credit.*Default Response to command 0x0, status 0x0/);
  // Without the join the same file is refused at the Device Log, before the MAC.
  const bare = replayFolder(RTDS, 'NA_PCS02', keys, root, false, { eui: REFERENCE_GSME_EUI, label: 'GSME', make: target.make } as never);
  assert.match(bare[0].skipped!, /joins no HAN device/);
});

test.run();
