/**
 * DUIS 2.2 TopUpDevice to an ESME: the DCC's transform (harness/duis/transform.ts) builds CS01a 0x0007 (the
 * UTRN to the Token Gateway, harness/dcc/dlmsContent.ts `cs01aTopUp`), to a GSME still CS01b 0x0097. The
 * request is the sample's CS01b template addressed to the RTDS ESME ...A0 with a UTRN the Supplier made for
 * it (the CS01a template and RTDS folder are not in our sample), signed by the Supplier and checked by the
 * gateway; the pre-command, completed with the null signature and MAC'ed by the ACB (harness/dcc/acb.ts),
 * is applied by the reference ESME.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { DuisGateway } from '../harness/duis/gateway.ts';
import { PartyDirectory } from '../harness/duis/parties.ts';
import { signDuis } from '../harness/duis/signature.ts';
import { roleOfOu, RTDS_INVENTORY, transform } from '../harness/duis/transform.ts';
import { withNullSignature } from '../harness/dcc/preCommand.ts';
import { protectCommand } from '../harness/dcc/acb.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { readAccessResponse } from '../gbcs/dlms/access.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { makeUtrn, ptutHigh, ptutMac, VALUE_POUNDS } from '../gbcs/utrn.ts';
import { fromHex, toHex } from '../lib/bytes.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';
import { readCredit } from '../device/state/prepayment.ts';
import { loadReferenceKeys, privateScalar, referenceDevice } from '../harness/referenceDevice/referenceDevice.ts';
import type { ReferenceKeys } from '../harness/referenceDevice/referenceDevice.ts';
import { findIssuingCa } from '../harness/referenceDevice/replay.ts';

const V = new URL('../../shared/vectors/', import.meta.url).pathname;
const KEYS = V + 'rtds/keystore/';
const crypto = nodeCrypto();
const secrets = sharedSecrets(crypto.ecdh);
const keys = loadReferenceKeys(KEYS) as ReferenceKeys;
const key = (f: string) => privateScalar(readFileSync(KEYS + f, 'utf8'));
const TEMPLATE = readFileSync(V + 'duis/templates/CS01b_2.2_SUCCESS_REQUEST_DUIS.XML', 'utf8');
const NOW = Date.parse('2015-01-01T00:00:00Z') / 1000;

/** The template's request to `target` (dashed EUI) with `utrn`, signed by the Supplier, checked by the gateway. */
async function request(target: string, utrn: string | undefined) {
  const xml = TEMPLATE.replace('00-DB-12-34-56-78-90-A1', target).replace(/<sr:UTRN>[0-9]+<\/sr:UTRN>/, utrn === undefined ? '' : '<sr:UTRN>' + utrn + '</sr:UTRN>');
  const signed = await signDuis(xml, readFileSync(KEYS + '90b3d51f30010000-ds.key', 'utf8'), readFileSync(KEYS + '90b3d51f30010000-ds.pem', 'utf8'));
  const v = await new DuisGateway({ schema: null, parties: PartyDirectory.fromKeystore(KEYS), inventory: RTDS_INVENTORY }).check(signed);
  if (!v.ok) throw new Error('gateway: ' + v.code + ' ' + v.reason + ': ' + v.detail);
  return { request: v.request, role: roleOfOu(v.signer.roleCode) };
}

/** A UTRN for the ESME ...A0, £`pounds`, its counter the request's (0x600000000: RequestID counter 25769803776). */
function esmeUtrn(pounds: number): string {
  const ctr = new Uint8Array([0, 0, 0, 6, 0, 0, 0, 0]);
  const high = ptutHigh(ctr, VALUE_POUNDS, pounds);
  const z = crypto.ecdh(key('90b3d51f30010000-pp-ka.key'), crypto.p256PublicKey(keys.kaPrivate))!;
  return makeUtrn(high, ptutMac(crypto, z, fromHex('90b3d51f30010000')!, fromHex('00db1234567890a0')!, ctr, high));
}

test('TopUpDevice to the ESME: CS01a 0x0007, the UTRN entered into the Token Gateway; the reference ESME applies it', async () => {
  const u = esmeUtrn(12);
  const { request: r, role } = await request('00-DB-12-34-56-78-90-A0', u);
  const t = transform(r, RTDS_INVENTORY, role, { now: NOW });
  assert.ok(t.ok, JSON.stringify(t));
  if (!t.ok) return;
  assert.equal([t.useCase, t.messageCode, t.critical, t.sender], ['CS01a', 0x0007, false, 'user']);
  const m = decodeMessage(withNullSignature(t.precommand));
  assert.ok(m.ok);
  if (!m.ok) return;
  assert.equal([toHex(m.gs.originator), toHex(m.gs.recipient), m.gs.counter.hi, m.gs.counter.lo], ['90b3d51f30010000', '00db1234567890a0', 6, 0]);
  const ascii = toHex(new Uint8Array(Array.from(u, (ch) => ch.charCodeAt(0))));
  // access-request: invoke id 20 000000 (counter's low 24 bits), no date-time, one action: class 115, 0-0:19.40.0.255, method 1; one Data: octet-string(20)
  assert.is(toHex(m.content), 'd9' + '20000000' + '00' + '01' + '03' + '0073' + '0000132800ff' + '01' + '01' + '0914' + ascii);
  // The DCC completes it (null signature, ACB MAC) and the reference ESME applies it.
  const esme = referenceDevice(keys, findIssuingCa(V + 'rtds/RTDS-4.5.0'), { nowSec: () => NOW });
  const p = protectCommand(crypto, secrets, { acbKaPrivate: key('90b3d51f30000002-ka.key'), deviceKaPublic: crypto.p256PublicKey(keys.kaPrivate), precommand: t.precommand, completed: withNullSignature(t.precommand), critical: false, originatorDsPublic: new Uint8Array(0) });
  assert.ok(p.ok);
  if (!p.ok) return;
  esme.device!.powerOn();
  const a = esme.device!.receive(p.command);
  assert.ok(a.outcome.ok, JSON.stringify(a.outcome));
  const resp = decodeMessage(a.response!);
  assert.ok(resp.ok && resp.gs.messageCode === 0x0007);
  if (resp.ok) assert.equal(readAccessResponse(resp.content), { invokeId: fromHex('20000000'), data: [null], results: [{ kind: 3, result: 0 }] });
  assert.is(readCredit(esme.board.storage), 1200);
});

test('TopUpDevice to the GSME is still CS01b 0x0097 (a Consumer Top Up), and an ESME request without a UTRN is refused bad-content', async () => {
  const g = await request('00-DB-12-34-56-78-90-A1', '73950067887105178605');
  const t = transform(g.request, RTDS_INVENTORY, g.role, { now: NOW });
  assert.ok(t.ok && t.useCase === 'CS01b' && t.messageCode === 0x0097, JSON.stringify(t));
  // Without the UTRN element (the gateway here skips the schema check that would refuse it first).
  const e = await request('00-DB-12-34-56-78-90-A0', undefined);
  const bad = transform(e.request, RTDS_INVENTORY, e.role, { now: NOW });
  assert.equal(bad.ok ? 'built' : [bad.reason, bad.useCase], ['bad-content', 'CS01a']);
});

test.run();
