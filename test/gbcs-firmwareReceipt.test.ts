/**
 * The Firmware Distribution Receipt Alerts (gbcs/contents/firmwareReceipt.ts) against the DCC's RTDS 4.5.0
 * NA_FDRA-DLMS (0x00CE) and NA_FDRA-ZigBee (0x00CF) alerts: each reads to alert 0x8F72, its time stamp and
 * hash, and writing those fields again gives the file's content byte for byte; malformed contents are
 * refused with a reason.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '../lib/bytes.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { fdraDlms, fdraGbz, readFirmwareReceipt } from '../gbcs/contents/firmwareReceipt.ts';
import { secondsToTime } from '../gbcs/dateTime.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0/', import.meta.url);
function alert(path: string) {
  const m = decodeMessage(fromHex(readFileSync(new URL(path, RTDS), 'utf8').trim())!);
  if (!m.ok) throw new Error(path + ': ' + m.reason);
  return m;
}

const dlms = alert('NA_FDRA-DLMS/FDRA-DLMS_NA_8F72_ALERT_GBCS.HEX');
const gbz = alert('NA_FDRA-ZigBee/FDRA-ZigBee_NA_8F72_ALERT_GBCS.HEX');

test('0x00CE (DLMS) reads to 8F72, its time and hash, and re-encodes byte for byte', () => {
  assert.is(dlms.gs.messageCode, 0x00ce);
  const r = readFirmwareReceipt(0x00ce, dlms.gs.content);
  if (typeof r === 'string') throw new Error(r);
  assert.is(r.alertCode, 0x8f72);
  assert.is(secondsToTime(r.timeSec), '20150101000000Z');
  assert.is(toHex(r.hash), '01'.repeat(32));
  assert.is(toHex(fdraDlms(dlms.gs.counter, r.timeSec, r.hash)), toHex(dlms.gs.content));
});

test('0x00CF (GBZ) reads to 8F72, its time and hash, and re-encodes byte for byte', () => {
  assert.is(gbz.gs.messageCode, 0x00cf);
  const r = readFirmwareReceipt(0x00cf, gbz.gs.content);
  if (typeof r === 'string') throw new Error(r);
  assert.is(r.alertCode, 0x8f72);
  assert.is(secondsToTime(r.timeSec), '20150101000000Z');
  assert.is(toHex(r.hash), 'a1'.repeat(32));
  assert.is(toHex(fdraGbz(r.timeSec, r.hash)), toHex(gbz.gs.content));
});

test('a receipt is read by its own message code only, and malformed contents are refused with a reason', () => {
  assert.type(readFirmwareReceipt(0x00cf, dlms.gs.content), 'string', 'DLMS content as GBZ');
  assert.type(readFirmwareReceipt(0x00ce, gbz.gs.content), 'string', 'GBZ content as DLMS');
  assert.type(readFirmwareReceipt(0x00ca, dlms.gs.content), 'string', 'another message code');
  for (const [code, content] of [[0x00ce, dlms.gs.content], [0x00cf, gbz.gs.content]] as Array<[number, Uint8Array]>) {
    for (let n = 0; n < content.length; n++) assert.type(readFirmwareReceipt(code, content.subarray(0, n)), 'string', code.toString(16) + ' truncated to ' + n);
    const other = new Uint8Array(content);
    const at = code === 0x00ce ? 9 : 3; // the alert code's first byte
    other[at] ^= 0x01;
    assert.match(readFirmwareReceipt(code, other) as string, /alert code/);
    const longer = new Uint8Array(content.length + 1);
    longer.set(content);
    assert.type(readFirmwareReceipt(code, longer), 'string', code.toString(16) + ' with a trailing byte');
  }
});

test.run();
