/**
 * `smets dcc serve` end to end on loopback: a Supplier's system sends signed DUIS requests to
 * /api/v1/serviceS and /api/v1/serviceT; the simulated ESME (lab premises) answers through the DCC;
 * the DCC's acknowledgements and the pushed responses are signed DUIS with the GBCS payload inside.
 * Flow: ECS52 (non-critical, serviceS -> I99, pushed I0 with the device's response), its replay (E42),
 * ECS42 (critical: serviceT -> PreCommand, signed by the Supplier, SignedPreCommand to serviceS -> I99,
 * pushed I0 with the device's signed response), its GBCS signature altered (E41), the same signed pre-command
 * replayed under a new RequestID (the device refuses it: E21 pushed, and its security alert pushed to the
 * Supplier as a signed DUIS DeviceAlertMessage), the Network Operator's ECS42 (E2).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuisGateway } from '../harness/duis/gateway.ts';
import { DuisSchema } from '../harness/duis/schema.ts';
import { labPremises } from '../harness/duis/premises.ts';
import { serveDuis } from '../harness/duis/server.ts';
import { signDuis, verifyDuis } from '../harness/duis/signature.ts';
import { parseXml, child, textOf, SR_NS } from '../harness/duis/xml.ts';
import { decodeMessage } from '../gbcs/message.ts';
import { signPrecommand } from '../gbcs/protection/protection.ts';
import { nodeCrypto } from '../boards/node/nodeCrypto.ts';

const T = new URL('../../shared/vectors/duis/templates/', import.meta.url).pathname;

test('a scenario through /api/v1/serviceS and serviceT with signed requests and responses', async () => {
  const lab = await labPremises(mkdtempSync(join(tmpdir(), 'duis-serve-')));
  const pushed: string[] = [];
  const receiver = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => { pushed.push(Buffer.concat(parts).toString('utf8')); res.writeHead(200); res.end(); });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const supplier = lab.parties.supplier;
  const acb = lab.parties.acb;
  const gateway = new DuisGateway({ schema: new DuisSchema(), parties: lab.directory, inventory: { [lab.deviceEui]: 'ESME' } });
  const server = await serveDuis({
    gateway, inventory: { [lab.deviceEui]: 'ESME' }, premises: lab.premises,
    dcc: { key: acb.ds.privateKeyPem!, certificatePem: acb.ds.certificatePem },
    pushUrls: { [supplier.eui]: 'http://127.0.0.1:' + (receiver.address() as AddressInfo).port + '/duis' },
  }, 0);
  const byDcc = (n: { issuerName: string; serialNumber: string }) => (lab.directory.byName(n)?.eui === acb.eui ? lab.directory.byName(n)!.certificate : undefined);
  async function post(service: string, xml: string): Promise<{ status: number; code: string; doc: ReturnType<typeof parseXml> }> {
    const r = await fetch(server.url + '/api/v1/service' + service, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
    const text = await r.text();
    const doc = parseXml(text);
    assert.ok(doc.ok, 'the answer is XML: ' + text.slice(0, 200));
    if (doc.ok) assert.ok((await verifyDuis(doc.doc, byDcc)).ok, 'the answer is signed by the DCC');
    return { status: r.status, code: /<sr:ResponseCode>([^<]+)</.exec(text)![1], doc };
  }
  const payloadOf = (xml: string) => {
    const p = parseXml(xml);
    assert.ok(p.ok);
    const b64 = p.ok ? (p.doc.getElementsByTagNameNS(SR_NS, 'GBCSPayload')[0]?.textContent ?? '') : '';
    return new Uint8Array(Buffer.from(b64, 'base64'));
  };
  try {
    // 1. ECS52, non-critical
    const ecs52 = await signDuis(readFileSync(T + 'ECS52_11.2_SUCCESS_REQUEST_DUIS.XML', 'utf8'), supplier.ds.privateKeyPem!, supplier.ds.certificatePem);
    const a = await post('S', ecs52);
    assert.is(a.status, 200);
    assert.is(a.code, 'I99');
    await server.settled();
    assert.is(pushed.length, 1, 'the response was pushed');
    const p = parseXml(pushed[0]);
    assert.ok(p.ok && (await verifyDuis(p.doc, byDcc)).ok, 'the pushed response is signed by the DCC');
    assert.match(pushed[0], /<sr:ResponseCode>I0</);
    const resp = decodeMessage(payloadOf(pushed[0]));
    assert.ok(resp.ok, 'the GBCS payload is a GBCS message');
    if (resp.ok) {
      assert.is(resp.gs.cra, 2, 'a response');
      assert.is(resp.gs.messageCode, 0x0059);
      assert.is(Buffer.from(resp.gs.originator).toString('hex').toUpperCase(), lab.deviceEui);
    }
    // 2. the same request again: its counter does not rise
    const replay = await post('S', ecs52);
    assert.is(replay.status, 400);
    assert.is(replay.code, 'E42');
    // 3. ECS42, critical: transform, sign, send
    const ecs42 = (await signDuis(readFileSync(T + 'ECS42_7.1_SUCCESS_REQUEST_DUIS.XML', 'utf8').replace(':1000<', ':1001<'), supplier.ds.privateKeyPem!, supplier.ds.certificatePem));
    assert.is((await post('S', ecs42)).code, 'E13', 'a critical request is for serviceT');
    const t = await post('T', ecs42);
    assert.is(t.code, 'I0');
    const pre = t.doc.ok ? new Uint8Array(Buffer.from(t.doc.doc.getElementsByTagNameNS(SR_NS, 'GBCSPayload')[0].textContent ?? '', 'base64')) : new Uint8Array();
    const completed = signPrecommand(nodeCrypto(), supplier.ds.privateKey, pre);
    const spc = readFileSync(T + 'ECS42_7.1_SUCCESS_REQUEST_DUIS.XML', 'utf8').replace(':1000<', ':1002<')
      .replace(/<sr:EnableSupply\/>|<sr:EnableSupply>[\s\S]*?<\/sr:EnableSupply>/, '<sr:SignedPreCommand><sr:GBCSPayload>' + Buffer.from(completed).toString('base64') + '</sr:GBCSPayload></sr:SignedPreCommand>');
    const s = await post('S', await signDuis(spc, supplier.ds.privateKeyPem!, supplier.ds.certificatePem));
    assert.is(s.code, 'I99');
    await server.settled();
    assert.is(pushed.length, 2);
    assert.match(pushed[1], /<sr:ResponseCode>I0</);
    const r2 = decodeMessage(payloadOf(pushed[1]));
    assert.ok(r2.ok && r2.gs.messageCode === 0x004f && r2.gs.signatureForm === 'ecdsa', 'ECS42 response, signed by the device');
    // a SignedPreCommand whose GBCS signature was altered is refused (E41), nothing sent
    const bad = new Uint8Array(completed);
    bad[bad.length - 1] ^= 1;
    const spcBad = spc.replace(':1002<', ':1003<').replace(Buffer.from(completed).toString('base64'), Buffer.from(bad).toString('base64'));
    assert.is((await post('S', await signDuis(spcBad, supplier.ds.privateKeyPem!, supplier.ds.certificatePem))).code, 'E41');
    // the same signed pre-command again under a new RequestID: the DCC passes it (its DUIS checks hold), the device
    // refuses the replayed GBCS counter and raises a security alert to the Supplier; the DCC pushes E21 for the
    // request and the alert as a signed DUIS DeviceAlertMessage with the device's GBCS alert inside
    const spcReplay = spc.replace(':1002<', ':1004<');
    assert.is((await post('S', await signDuis(spcReplay, supplier.ds.privateKeyPem!, supplier.ds.certificatePem))).code, 'I99');
    await server.settled();
    assert.is(pushed.length, 4, 'a response and an alert pushed');
    const later = pushed.slice(2);
    const noResp = later.find((x) => /<sr:ResponseMessage>/.test(x));
    const alert = later.find((x) => /<sr:DeviceAlertMessage>/.test(x));
    assert.match(noResp ?? '', /<sr:ResponseCode>E21</);
    assert.ok(alert, 'the alert was pushed');
    const ap = parseXml(alert!);
    assert.ok(ap.ok && (await verifyDuis(ap.doc, byDcc)).ok, 'the pushed alert is signed by the DCC');
    assert.match(alert!, /<sr:AlertCode>8F53<\/sr:AlertCode>/);
    assert.match(alert!, new RegExp('<sr:ResponseID>' + lab.deviceEui.replace(/(..)(?!$)/g, '$1-') + ':' + supplier.eui.replace(/(..)(?!$)/g, '$1-') + ':\\d+</sr:ResponseID>'));
    const am = decodeMessage(payloadOf(alert!));
    assert.ok(am.ok && am.gs.cra === 3 && am.gs.messageCode === 0x1000 && am.gs.signatureForm === 'ecdsa', 'a Generic Critical Alert, signed by the device');
    const pushedValid = await new DuisSchema().validateMany(pushed);
    assert.ok(pushedValid.ok, 'the pushed responses and alert are DUIS 5.4: ' + (pushedValid.ok ? '' : pushedValid.errors.slice(0, 3).join('; ')));
    // 4. the Network Operator may not enable supply
    const no = lab.parties.networkOperator;
    const asNo = readFileSync(T + 'ECS42_7.1_SUCCESS_REQUEST_DUIS.XML', 'utf8').replace('90-B3-D5-1F-30-01-00-00:', '90-B3-D5-1F-30-02-00-00:');
    assert.is((await post('T', await signDuis(asNo, no.ds.privateKeyPem!, no.ds.certificatePem))).code, 'E2');
    await server.settled();
    assert.is(pushed.length, 4, 'nothing more reached the device');
    // 5. DUIS 11.1 Update Firmware (serviceD): the manufacturer's signed package, checked against the CPL and
    // distributed; the device's firmware distribution receipt (8F72) pushed to the Supplier. A tampered package:
    // the DCC refuses it (CPL), the refusal pushed, nothing distributed.
    const fwRequest = (pkg: Uint8Array, counter: number) => readFileSync(T + '11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML', 'utf8')
      .replace(/(<sr:RequestID>[^<]*:)\d+</, (_m, a) => a + counter + '<')
      .replace(/<sr:FirmwareImage>[^<]*</, '<sr:FirmwareImage>' + Buffer.from(pkg).toString('base64') + '<')
      .replace(/<sr:DeviceIDList>[^<]*</, '<sr:DeviceIDList>' + lab.deviceEui.replace(/(..)(?!$)/g, '$1-') + '<');
    const up = await post('D', await signDuis(fwRequest(lab.firmware.packages.good.bytes, 5000), supplier.ds.privateKeyPem!, supplier.ds.certificatePem));
    assert.is(up.code, 'I99');
    await server.settled();
    assert.is(pushed.length, 5, 'the receipt alert pushed');
    assert.match(pushed[4], /<sr:DeviceAlertMessage><sr:AlertCode>8F72<\/sr:AlertCode>/);
    const receipt = decodeMessage(payloadOf(pushed[4]));
    assert.ok(receipt.ok && receipt.gs.messageCode === 0x00ce, 'the device\'s 00CE firmware distribution receipt');
    const refused = await post('D', await signDuis(fwRequest(lab.firmware.packages.tampered.bytes, 5001), supplier.ds.privateKeyPem!, supplier.ds.certificatePem));
    assert.is(refused.code, 'I99');
    await server.settled();
    assert.is(pushed.length, 6);
    assert.match(pushed[5], /<sr:ResponseCode>E110101<\/sr:ResponseCode>[\s\S]*<sr:ServiceReference>11\.1</);
    const allValid = await new DuisSchema().validateMany(pushed);
    assert.ok(allValid.ok, 'every pushed document is DUIS 5.4: ' + (allValid.ok ? '' : allValid.errors.slice(0, 3).join('; ')));
  } finally {
    await server.close();
    await new Promise((r) => receiver.close(() => r(undefined)));
    await lab.close();
  }
});

test.run();
void child; void textOf;
