/**
 * The hub on a full medium: the portable cases of hubFull.suite.ts on the Node board, and what needs the
 * CHF and GPF as devices of the one runtime (P-256, RTDS keystore): RTDS CCS01 / CCS02 through the CHF's
 * pipeline and GCS59 through the GPF's refused storage-full (no response, no CS14, counter not advanced,
 * every stored byte as it was) and accepted once room is made; a HAN join whose CS14 does not fit refused,
 * nothing sent on the CHF's link; the router's GSME queue and wake interval on a full GPF; a CCS08 whose
 * alert counter does not fit not raised.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../lib/bytes.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { decodeCs14Alert, MESSAGE_CODE_CS14 } from '../gbcs/contents/hub/chfDeviceLog.ts';
import { encodeImageHead } from '../gbcs/ota/otaImage.ts';
import { memoryMedium } from '../boards/journaledStorage.ts';
import { nodeBoard } from '../boards/node/index.ts';
import type { Board } from '../boards/board.ts';
import { readDeclaredVectors } from '../build/bundle.ts';
import { requireShared } from '../build/paths.ts';
import { loadReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { loadHubDeviceKeys, referenceHubDevice } from '../harness/referenceDevice/referenceHub.ts';
import type { HubDeviceKeys } from '../harness/referenceDevice/referenceHub.ts';
import { findIssuingCa } from '../harness/referenceDevice/replay.ts';
import { SmetsDevice } from '../device/index.ts';
import { addDevice, readDeviceLog, readHistoricLog, recordTcLinkKey } from '../hub/chf.ts';
import { chfUseCases } from '../hub/chfUseCases.ts';
import { gpfUseCases } from '../hub/gpfUseCases.ts';
import { CommunicationsHub } from '../hub/communicationsHub.ts';
import type { HistoricKeyRefusal, TcLinkKeyRefusal } from '../hub/chf.ts';
import type { AlertRejection } from '../device/alerts/alertSender.ts';
import { FLAG_MESSAGE_WAITING, readGpfLog, waiting, wakeInterval } from '../hub/gpf.ts';
import { gpfMailbox } from '../hub/gsmeMailbox.ts';
import { vectorTable } from './portable/selftest.ts';
import { hubStorageFull } from './portable/hubFull.suite.ts';
import { copyWithRoom, picture } from './portable/fullMedium.ts';
import type { Capped } from './portable/fullMedium.ts';

requireShared('test/hub-storage-full');
const table = vectorTable(readDeclaredVectors(hubStorageFull.vectors ?? []));
const ctx = {
  newBoard: (medium?: ReturnType<typeof memoryMedium>) => nodeBoard({ medium: medium ?? memoryMedium() }),
  vector: table.vector,
  vectorPaths: table.vectorPaths,
  memory: () => undefined,
};
for (const c of hubStorageFull.cases) test(`portable: ${c.name}`, () => c.run(ctx));

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;
const root = findIssuingCa(RTDS);
const ACB = fromHex('90b3d51f30000002')!;
const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
const chfKeys = loadHubDeviceKeys(KEYS, '00db1234567890a2', 'CHF') as HubDeviceKeys;
const gpfKeys = loadHubDeviceKeys(KEYS, '00db1234567890a3', 'GPF') as HubDeviceKeys;
const clock = { nowSec: () => 1796342400 };
const FILLER = 4096;
const a0 = fromHex('00db1234567890a0')!;
const a1 = fromHex('00db1234567890a1')!;
const a4 = fromHex('00db1234567890a4')!;
const INSTALL = fromHex('30313233343536373839414243444546')!;

function rtds(path: string): Uint8Array {
  return fromHex(readFileSync(join(RTDS, path), 'utf8').replace(/\s+/g, ''))!;
}

/** The CHF (…A2) or GPF (…A3) manufactured as its kind on a memory medium, `prepare` run on its board. */
function hubDeviceState(which: 'CHF' | 'GPF', prepare?: (b: Board) => void): Capped {
  const medium = memoryMedium();
  const { board } = referenceHubDevice(which === 'CHF' ? chfKeys : gpfKeys, keys, root, clock, medium);
  if (prepare) prepare(board);
  return medium;
}

/** A device of `which` kind on a copy of `start` whose medium is exactly full (the filler removed = room made). */
function fullDevice(which: 'CHF' | 'GPF', start: Capped) {
  const medium = copyWithRoom(start, FILLER, 0);
  const sent: Uint8Array[] = [];
  const board = nodeBoard({ medium, clock });
  const send = board.link.send;
  board.link.send = (f: Uint8Array) => { sent.push(f); send.call(board.link, f); };
  const device = new SmetsDevice(board, (which === 'CHF' ? chfKeys : gpfKeys).secrets, which === 'CHF' ? chfUseCases() : gpfUseCases());
  return { medium, board, device, sent };
}

test('CHF runtime: RTDS CCS01 and CCS02 refused storage-full (no response, no CS14, every stored byte as it was, counter not advanced); the same frames accepted once room is made', () => {
  const start = hubDeviceState('CHF');
  const chf = fullDevice('CHF', start);
  const ccs01 = rtds('8.11_CCS01/CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX');
  const before = picture(chf.medium);
  const r = chf.device.receive(ccs01);
  assert.equal(r.outcome.ok ? 'accepted' : r.outcome.reason, 'storage-full');
  assert.is(r.response, undefined, 'no response');
  assert.is(r.alerts.length, 0, 'no CS14');
  assert.is(picture(chf.medium), before, 'every stored byte as it was');
  chf.medium.remove('filler');
  const ok = chf.device.receive(ccs01);
  assert.ok(ok.outcome.ok && !!ok.response, 'accepted once room is made');
  assert.is(ok.alerts.length, 1, 'with its CS14');
  assert.is(readDeviceLog(chf.board).length, 1, 'a0 on the log');
  // CCS02 of a0 with a TC link key (the log and the historic log in one commit), on a CHF of its own:
  // RTDS's CCS02 carries a lower counter than its CCS01.
  const rm = fullDevice('CHF', hubDeviceState('CHF', (b) => {
    assert.ok(addDevice(b, a0, INSTALL, 600, clock.nowSec()).ok);
    assert.ok(recordTcLinkKey(b, a0, new Uint8Array(16).fill(9), clock.nowSec()).ok);
  }));
  const ccs02 = rtds('8.11_CCS02/CCS02_8.11_SUCCESS_COMMAND_GBCS.HEX');
  const before2 = picture(rm.medium);
  const refused = rm.device.receive(ccs02);
  assert.equal(refused.outcome.ok ? 'accepted' : refused.outcome.reason, 'storage-full');
  assert.ok(refused.response === undefined && refused.alerts.length === 0, 'nothing to send');
  assert.is(picture(rm.medium), before2, 'every stored byte as it was');
  rm.medium.remove('filler');
  const removed = rm.device.receive(ccs02);
  assert.ok(removed.outcome.ok && removed.alerts.length === 1, 'accepted with its CS14 once room is made');
  assert.is(readDeviceLog(rm.board).length + '/' + readHistoricLog(rm.board).entries.length, '0/1');
  const again = rm.device.receive(ccs02);
  assert.equal(again.outcome.ok ? 'accepted' : again.outcome.reason, 'replay', 'its counter advanced with it');
});

test('GPF runtime: RTDS GCS59 refused storage-full (no response, GPF Device Log as it was); accepted once room is made', () => {
  const gpf = fullDevice('GPF', hubDeviceState('GPF'));
  const gcs59 = rtds('8.12.2_GCS59/GCS59_8.12.2_SUCCESS_COMMAND_GBCS.HEX');
  const before = picture(gpf.medium);
  const r = gpf.device.receive(gcs59);
  assert.equal(r.outcome.ok ? 'accepted' : r.outcome.reason, 'storage-full');
  assert.is(r.response, undefined);
  assert.is(picture(gpf.medium), before);
  gpf.medium.remove('filler');
  const ok = gpf.device.receive(gcs59);
  assert.ok(ok.outcome.ok && !!ok.response);
  assert.is(readGpfLog(gpf.board.storage).length, 2);
});

test('a HAN join on a full CHF: refused storage-full, the log as it was, no CS14 returned or sent on the CHF link; once room is made the same join records the key and raises CS14', () => {
  const start = hubDeviceState('CHF', (b) => assert.ok(addDevice(b, a4, INSTALL, 600, clock.nowSec()).ok));
  const chf = fullDevice('CHF', start);
  const gpf = fullDevice('GPF', hubDeviceState('GPF'));
  const hub = new CommunicationsHub({ chf: chf.device, gpf: gpf.device, han: {}, alertRecipient: ACB });
  const before = picture(chf.medium);
  const key = new Uint8Array(16).fill(7);
  assert.equal(hub.tcLinkKeyEstablished(a4, key), { ok: false, reason: 'storage-full' });
  assert.is(picture(chf.medium), before, 'every stored byte as it was');
  assert.is(chf.sent.length, 0, 'no CS14 sent');
  assert.is(hub.admitted(a4), 'not-joined', 'still not admitted');
  chf.medium.remove('filler');
  const j = hub.tcLinkKeyEstablished(a4, key);
  assert.ok(j.ok, 'joined once room is made');
  if (!j.ok) return;
  const m = decodeMessage(j.alert);
  assert.ok(m.ok && m.gs.messageCode === MESSAGE_CODE_CS14, 'a CS14 frame');
  const cs14 = m.ok ? decodeCs14Alert(m.content) : undefined;
  assert.ok(cs14 && !('ok' in cs14) && cs14.entries.length === 1 && cs14.entries[0].hashedTcLinkKey.length === 32, 'CS14 with the key hash');
  assert.is(chf.sent.length, 1, 'CS14 sent');
  assert.is(hub.admitted(a4), 'ok');
});

/** True only when A and B are the same type (a plain `string` is not the union). */
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type RefusalOf<F extends (...args: never[]) => { ok: boolean }> = Extract<ReturnType<F>, { ok: false }> extends { reason: infer R } ? R : never;

test("a HAN join's refusal reasons are the union of the actual ones (typecheck), each a value", () => {
  const tcReasons: Exactly<RefusalOf<CommunicationsHub['tcLinkKeyEstablished']>, TcLinkKeyRefusal | AlertRejection | 'storage-full'> = true;
  const historicReasons: Exactly<RefusalOf<CommunicationsHub['historicKeyAdopted']>, HistoricKeyRefusal | AlertRejection | 'storage-full'> = true;
  const tcUnion: Exactly<TcLinkKeyRefusal, 'tc-link-key-length' | 'not-on-log' | 'no-join-window'> = true;
  const historicUnion: Exactly<HistoricKeyRefusal, 'not-on-log' | 'no-join-window'> = true;
  assert.ok(tcReasons && historicReasons && tcUnion && historicUnion);
  const chf = fullDevice('CHF', hubDeviceState('CHF'));
  const gpf = fullDevice('GPF', hubDeviceState('GPF'));
  chf.medium.remove('filler');
  const hub = new CommunicationsHub({ chf: chf.device, gpf: gpf.device, han: {}, alertRecipient: ACB });
  assert.equal(hub.tcLinkKeyEstablished(a4, new Uint8Array(15)), { ok: false, reason: 'tc-link-key-length' });
  assert.equal(hub.tcLinkKeyEstablished(a4, new Uint8Array(16)), { ok: false, reason: 'not-on-log' });
  assert.equal(hub.historicKeyAdopted(a4), { ok: false, reason: 'not-on-log' });
});

test('the router on a full GPF: a GSME command refused storage-full (not queued, flag down), the wake interval too; both done once room is made; the GSME mailbox refuses its acknowledgement the same way', () => {
  const chfStart = hubDeviceState('CHF', (b) => {
    assert.ok(addDevice(b, a1, INSTALL, 600, clock.nowSec()).ok);
    assert.ok(recordTcLinkKey(b, a1, new Uint8Array(16).fill(1), clock.nowSec()).ok);
  });
  const chf = fullDevice('CHF', chfStart);
  chf.medium.remove('filler'); // the CHF has room: only the GPF is full
  const gpf = fullDevice('GPF', hubDeviceState('GPF'));
  const hub = new CommunicationsHub({ chf: chf.device, gpf: gpf.device, gsme: a1, han: {}, alertRecipient: ACB });
  const cmd = rtds('4.3_GCS14/GCS14_4.3_SUCCESS_UNRELIABLE_COMMAND_GBCS.HEX');
  const before = picture(gpf.medium);
  assert.equal(hub.fromWan(cmd), { ok: false, reason: 'storage-full', device: '00db1234567890a1' });
  assert.equal(hub.setGsmeWakeInterval(900), { ok: false, reason: 'storage-full' });
  assert.is(picture(gpf.medium), before, 'every stored byte of the GPF as it was');
  const mailbox = gpfMailbox(gpf.board);
  assert.is(mailbox.notificationFlags(), 0, 'flag down: nothing waits');
  assert.is(mailbox.wakeInterval(), 1800, 'interval as it was');
  gpf.medium.remove('filler');
  const q = hub.fromWan(cmd);
  assert.ok(q.ok && q.to === 'GSME-queue', JSON.stringify(q));
  assert.equal(hub.setGsmeWakeInterval(900), { ok: true });
  assert.is(wakeInterval(gpf.board.storage), 900);
  assert.is(mailbox.notificationFlags(), FLAG_MESSAGE_WAITING);
  // Full again: the acknowledgement is refused and the message still waits.
  const refill = copyWithRoom(gpf.medium, FILLER, 0);
  const full = gpfMailbox(nodeBoard({ medium: refill, clock }));
  const m = full.pull()!;
  const pic = picture(refill);
  assert.equal(full.acknowledge(m.id), { ok: false, reason: 'storage-full' });
  assert.is(picture(refill), pic);
  assert.is(waiting(nodeBoard({ medium: refill, clock }).storage, clock.nowSec()).length, 1);
  refill.remove('filler');
  assert.equal(full.acknowledge(m.id), { ok: true });
});

test('CCS08 on a full CHF: the image is handed over, but the alert whose counter cannot be stored is not raised (alertRefused storage-full, nothing sent); raised once room is made', () => {
  const start = hubDeviceState('CHF', (b) => {
    assert.ok(addDevice(b, a4, INSTALL, 600, clock.nowSec()).ok);
    assert.ok(recordTcLinkKey(b, a4, new Uint8Array(16).fill(7), clock.nowSec()).ok);
  });
  const chf = fullDevice('CHF', start);
  const gpf = fullDevice('GPF', hubDeviceState('GPF'));
  const han: Uint8Array[] = [];
  const hub = new CommunicationsHub({ chf: chf.device, gpf: gpf.device, han: { [toHex(a4)]: { send: (f) => han.push(f) } }, alertRecipient: ACB });
  const body = new Uint8Array(100).fill(0x5a);
  const head = encodeImageHead({ manufacturerCode: 0x1234, imageType: 0x0001, fileVersion: 0x0123abcd, headerString: 'PPMID TEST', bodyLength: body.length, bodyDigest: new Uint8Array(32) });
  const image = new Uint8Array(head.length + body.length + 70);
  image.set(head);
  image.set(body, head.length);
  image.set([0x00, 0xf0, 64, 0, 0, 0], head.length + body.length);
  const before = picture(chf.medium);
  const r = hub.handImage(a4, image);
  assert.ok(r.delivered && han.length > 0, 'delivered on the HAN');
  assert.is(r.alert, undefined, 'no CCS08');
  assert.is(r.alertRefused, 'storage-full');
  assert.is(chf.sent.length, 0, 'nothing sent on the CHF link');
  assert.is(picture(chf.medium), before);
  chf.medium.remove('filler');
  const again = hub.handImage(a4, image);
  assert.ok(again.alert && again.alertRefused === undefined && chf.sent.length === 1, 'raised once room is made');
});

test.run();
