/**
 * The DCC reads what devices write with BER long-form lengths (0x81 0x05, 0x82 0x00 0xDE where DER would
 * use the short form): the RTDS 4.5.0 CS02b responses that use them read to their statuses through the
 * DCC player's reader, as their DER re-encodings do; strict DER stays for commands (gbcs-cs02b.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fromHex } from '../lib/bytes.ts';
import { readTlv } from '../gbcs/der.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { encodeCs02bResponse, encodeExecutionOutcome, readCs02bResponse } from '../gbcs/contents/cs02b.ts';
import { read } from '../harness/dcc/dccPlayer.ts';

const RTDS = new URL('../../shared/vectors/rtds/RTDS-4.5.0/', import.meta.url);
const LONG_FORM_CS02B_RESPONSES = [
  '6.15.1_CS02bNOByNO/CS02bNOByNO_6.15.1_SUCCESS_RESPONSE_GBCS.HEX',
  '6.21_CS02bNOByNOHandover/CS02bNOByNOHandover_6.21_SUCCESS_RESPONSE_GBCS.HEX',
  '6.21_CS02bSupplierBySupplierHandover/CS02bSupplierBySupplierHandover_6.21_SUCCESS_RESPONSE_GBCS.HEX',
  '6.23_CS02bSupplierByTransCoS/CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX',
];

for (const path of LONG_FORM_CS02B_RESPONSES) {
  test('the DCC reads ' + path.split('/')[1] + ' (long-form lengths) to its statuses', () => {
    const m = decodeMessage(fromHex(readFileSync(new URL(path, RTDS), 'utf8').trim())!);
    if (!m.ok) throw new Error(m.reason);
    assert.is(readTlv(m.gs.content, 0, m.gs.content.length).ok, false, 'not strict DER');
    const got = read(m.gs.messageCode, m.gs.content);
    assert.is(got.problem, undefined, 'read without a problem');
    assert.ok(got.cs02bStatuses && got.cs02bStatuses.length > 0 && got.cs02bStatuses.every((s) => s === 0), 'statuses ' + JSON.stringify(got.cs02bStatuses));
    const r = readCs02bResponse(m.gs.content);
    if (typeof r === 'string') throw new Error(r);
    const der = encodeCs02bResponse(encodeExecutionOutcome(r.outcome!));
    assert.equal(read(m.gs.messageCode, der), got, 'the DER form reads the same');
  });
}

test.run();
