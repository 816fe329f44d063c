/**
 * `CommunicationsHub.onDeviceLogChange` (hub/communicationsHub.ts, portable): the HAN's driver is told the
 * whole CHF Device Log after each committed change — RTDS CCS01 and CCS02 through the CHF's pipeline, a join
 * recorded from the HAN — and not for a command that changed nothing (a replay, a refused join), nor
 * for a change made behind its back. The ZigBee hub follows the log through it (harness/zigbee/se/chfDriver.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../lib/bytes.ts';
import { loadReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { loadHubDeviceKeys, referenceHubDevice } from '../harness/referenceDevice/referenceHub.ts';
import type { HubDeviceKeys } from '../harness/referenceDevice/referenceHub.ts';
import { findIssuingCa } from '../harness/referenceDevice/replay.ts';
import { CommunicationsHub } from '../hub/communicationsHub.ts';
import type { DeviceLogEntry } from '../hub/deviceLog.ts';
import { addDevice } from '../hub/chf.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { decodeCcs02Command } from '../gbcs/contents/hub/chfDeviceLog.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0', import.meta.url).pathname;
const KEYS = new URL('../../shared/vectors/rtds/keystore', import.meta.url).pathname;
const root = findIssuingCa(RTDS);
const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
const chfKeys = loadHubDeviceKeys(KEYS, '00db1234567890a2', 'CHF') as HubDeviceKeys;
const gpfKeys = loadHubDeviceKeys(KEYS, '00db1234567890a3', 'GPF') as HubDeviceKeys;
const rtds = (path: string) => fromHex(readFileSync(join(RTDS, path), 'utf8').replace(/\s+/g, ''))!;

test('the CHF Device Log watcher: told after CCS01, a join and CCS02; not after a replay, a refused join or a change behind its back', () => {
  const chf = referenceHubDevice(chfKeys, keys, root);
  const gpf = referenceHubDevice(gpfKeys, keys, root);
  const hub = new CommunicationsHub({ chf: chf.device!, gpf: gpf.device!, han: {}, alertRecipient: fromHex('90b3d51f30000002')! });
  const seen: DeviceLogEntry[][] = [];
  hub.onDeviceLogChange((log) => seen.push(log));
  const ccs01 = rtds('8.11_CCS01/CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX');
  const r = hub.fromWan(ccs01);
  assert.ok(r.ok && r.to === 'CHF' && r.answer.outcome.ok);
  assert.is(seen.length, 1, 'CCS01 changed the log');
  assert.is(seen[0].length, 1);
  const added = seen[0][0];
  assert.ok(added.installCode.length > 0 && added.joinTimeout > 0, 'the install code and join_timeout reach the watcher');
  hub.fromWan(ccs01);
  assert.is(seen.length, 1, 'the replayed CCS01 changed nothing');
  assert.ok(!hub.tcLinkKeyEstablished(fromHex('00db1234567890b0')!, new Uint8Array(16)).ok);
  assert.is(seen.length, 1, 'a refused join changed nothing');
  const joined = hub.tcLinkKeyEstablished(added.ieeeAddress, new Uint8Array(16).fill(7));
  assert.ok(joined.ok, JSON.stringify(joined));
  assert.is(seen.length, 2, 'the join changed the log');
  assert.equal(toHex(seen[1][0].tcLinkKey!), toHex(new Uint8Array(16).fill(7)));
  // RTDS CCS02 (its counter is below RTDS CCS01's: a fresh CHF) removes the device it names: put that one on
  // the log first, behind the hub's back (no call)
  const chf2 = referenceHubDevice(chfKeys, keys, root);
  const hub2 = new CommunicationsHub({ chf: chf2.device!, gpf: referenceHubDevice(gpfKeys, keys, root).device!, han: {}, alertRecipient: fromHex('90b3d51f30000002')! });
  const seen2: DeviceLogEntry[][] = [];
  hub2.onDeviceLogChange((log) => seen2.push(log));
  const ccs02 = rtds('8.11_CCS02/CCS02_8.11_SUCCESS_COMMAND_GBCS.HEX');
  const m = decodeMessage(ccs02);
  assert.ok(m.ok);
  if (!m.ok) return;
  const target = decodeCcs02Command(m.content);
  assert.ok(!('ok' in target));
  if ('ok' in target) return;
  assert.ok(addDevice(chf2.board, target.ieeeAddress, new Uint8Array(16).fill(1), 60, chf2.board.clock.nowSec()).ok);
  assert.is(seen2.length, 0, 'a change behind the hub\'s back is not reported');
  const gone = hub2.fromWan(ccs02);
  assert.ok(gone.ok && gone.to === 'CHF' && gone.answer.outcome.ok);
  assert.is(seen2.length, 1, 'CCS02 changed the log');
  assert.equal(seen2[0], [], 'the device is off the log the watcher sees');
});

test.run();
