/**
 * DUIS non-device services through POST /api/v1/serviceD (harness/duis/nonDevice.ts): the DCC of the RTDS
 * keystore (requests signed by the ZAZ1 Supplier as DUIS templates, answers signed by the ACB) reads its
 * inventory (I0 with DSPInventory), decommissions a device (I99; a command to it is then refused E5), takes a
 * device pre-notification (I99; again: E5) and a CHF install status (I99), answers E100 for what it does not
 * build and E13 for a device request sent to serviceD. Every answer verifies with the DCC's certificate and is
 * valid DUIS 5.4 (one libxml2 run).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { DuisGateway } from '../harness/duis/gateway.ts';
import { PartyDirectory } from '../harness/duis/parties.ts';
import { DuisSchema } from '../harness/duis/schema.ts';
import { serveDuis } from '../harness/duis/server.ts';
import { signDuis, verifyDuis } from '../harness/duis/signature.ts';
import { RTDS_INVENTORY } from '../harness/duis/transform.ts';
import type { Inventory } from '../harness/duis/transform.ts';
import { SmartMeteringInventory } from '../harness/duis/nonDevice.ts';
import { parseXml } from '../harness/duis/xml.ts';

const V = new URL('../../shared/vectors/', import.meta.url).pathname;
const T = V + 'duis/templates/';
const KEYS = V + 'rtds/keystore/';

test('serviceD: inventory read, decommission, pre-notification, CHF status; E5 after, E100 and E13 where due; signed, schema-valid answers', async () => {
  const parties = PartyDirectory.fromKeystore(KEYS);
  const inventory: Inventory = { ...RTDS_INVENTORY };
  const smi = new SmartMeteringInventory(inventory);
  const gateway = new DuisGateway({ schema: null, parties, inventory });
  const server = await serveDuis({
    gateway, inventory, smi, premises: {}, pushUrls: {},
    dcc: { key: readFileSync(KEYS + '90b3d51f30000002-ds.key', 'utf8'), certificatePem: readFileSync(KEYS + '90b3d51f30000002-ds.pem', 'utf8') },
  }, 0);
  const acbCert = parties.byEui('90B3D51F30000002');
  const byDcc = (n: { issuerName: string; serialNumber: string }) => (parties.byName(n)?.eui === '90B3D51F30000002' ? parties.byName(n)!.certificate : undefined);
  const answers: string[] = [];
  let counter = 2000;
  async function post(service: string, template: string, edit?: (xml: string) => string): Promise<{ status: number; code: string; text: string }> {
    let xml = readFileSync(T + template, 'utf8').replace(/(<sr:RequestID>[^<]*:)\d+</, (_m, a) => a + (counter++) + '<');
    if (edit) xml = edit(xml);
    const signed = await signDuis(xml, readFileSync(KEYS + '90b3d51f30010000-ds.key', 'utf8'), readFileSync(KEYS + '90b3d51f30010000-ds.pem', 'utf8'));
    const r = await fetch(server.url + '/api/v1/service' + service, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: signed });
    const text = await r.text();
    const doc = parseXml(text);
    assert.ok(doc.ok && (await verifyDuis(doc.doc, byDcc)).ok, 'the answer is signed by the DCC');
    answers.push(text);
    return { status: r.status, code: /<sr:ResponseCode>([^<]+)</.exec(text)![1], text };
  }
  try {
    assert.ok(acbCert.length > 0, 'the keystore has the ACB');
    // 8.2 read inventory: the CHF the template names
    const inv = await post('D', '8.2_READ_INVENTORY_REQUEST_DUIS.XML');
    assert.is(inv.code, 'I0');
    assert.is(inv.status, 200);
    assert.match(inv.text, /<sr:DSPInventory><sr:Device><sr:DeviceID>00-DB-12-34-56-78-90-A2<\/sr:DeviceID><sr:DeviceType>CHF<\/sr:DeviceType><sr:DeviceStatus>Commissioned</);
    // an unknown device: E19
    assert.is((await post('D', '8.2_READ_INVENTORY_REQUEST_DUIS.XML', (x) => x.replace('<sr:DeviceID>00-DB-12-34-56-78-90-A2<', '<sr:DeviceID>00-DB-12-34-56-78-90-FF<'))).code, 'E19');
    // a command to the ESME is accepted for transform before ...
    assert.is((await post('T', 'ECS42_7.1_SUCCESS_REQUEST_DUIS.XML')).code, 'I0');
    // 8.3 decommission the ESME; a second time: E5; a command to it: E5
    assert.is((await post('D', '8.3_DECOMMISSION_DEVICE_REQUEST_DUIS.XML')).code, 'I99');
    assert.is(smi.get('00DB1234567890A0')?.status, 'Decommissioned');
    assert.is((await post('D', '8.3_DECOMMISSION_DEVICE_REQUEST_DUIS.XML')).code, 'E5');
    assert.is((await post('T', 'ECS42_7.1_SUCCESS_REQUEST_DUIS.XML')).code, 'E5');
    assert.match((await post('D', '8.2_READ_INVENTORY_REQUEST_DUIS.XML', (x) => x.replace('90-A2<', '90-A0<'))).text, /<sr:DeviceStatus>Decommissioned</);
    // 12.2 pre-notify a new ESME: Pending, with the request's manufacturer and model; commands to it: E5
    const newEsme = (x: string) => x.replace(/00-DB-12-34-56-78-90-A0/g, '00-DB-12-34-56-78-90-B0');
    assert.is((await post('D', '12.2_DEVICE_PRE_NOTIFICATION_REQUEST_DUIS.XML', newEsme)).code, 'I99');
    assert.equal([smi.get('00DB1234567890B0')?.status, smi.get('00DB1234567890B0')?.manufacturer, inventory['00DB1234567890B0']], ['Pending', 'AB01', 'ESME']);
    assert.is((await post('D', '12.2_DEVICE_PRE_NOTIFICATION_REQUEST_DUIS.XML', newEsme)).code, 'E5', 'already known');
    assert.is((await post('T', 'ECS52_11.2_SUCCESS_REQUEST_DUIS.XML', newEsme)).code, 'E5', 'a pending device takes no command');
    // 8.14.2 CHF installed without SM WAN
    assert.is((await post('D', '8.14.2_COMMUNICATIONS_HUB_STATUS_UPDATE_INSTALL_NO_SM_WAN_REQUEST_DUIS.XML')).code, 'I99');
    assert.is(smi.get('00DB1234567890A2')?.status, 'InstalledNotCommissioned');
    // not built: E100; a device request to serviceD: E13
    assert.is((await post('D', '5.2_READ_SCHEDULE_REQUEST_DUIS.XML')).code, 'E100');
    assert.is((await post('D', 'GCS33_7.4_SUCCESS_REQUEST_DUIS.XML')).code, 'E13');
    // Every answer is DUIS 5.4 (its ResponseCode enumeration included)
    const valid = await new DuisSchema().validateMany(answers);
    assert.ok(valid.ok, 'answers valid against the DUIS 5.4 schema: ' + (valid.ok ? '' : valid.errors.slice(0, 3).join('; ')));
  } finally {
    await server.close();
  }
});

test('every sampled non-device template gets its DCC answer from serviceD', async () => {
  const parties = PartyDirectory.fromKeystore(KEYS);
  const inventory: Inventory = { ...RTDS_INVENTORY };
  const server = await serveDuis({
    gateway: new DuisGateway({ schema: null, parties, inventory }), inventory, premises: {}, pushUrls: {},
    dcc: { key: readFileSync(KEYS + '90b3d51f30000002-ds.key', 'utf8'), certificatePem: readFileSync(KEYS + '90b3d51f30000002-ds.pem', 'utf8') },
  }, 0);
  // In this order: the CHF's statuses first, the ESME decommissioned last. 12.2 names the ESME, already known: E5.
  // 11.1 names the ESME, which has no premises behind this server: E20. 5.2, 8.6, 11.4 are not built: E100.
  const expected: Array<[string, string]> = [
    ['8.2_READ_INVENTORY', 'I0'], ['8.14.2_COMMUNICATIONS_HUB_STATUS_UPDATE_INSTALL_NO_SM_WAN', 'I99'], ['8.14.3_COMMUNICATIONS_HUB_STATUS_UPDATE_FAULT_RETURN', 'I99'],
    ['12.2_DEVICE_PRE_NOTIFICATION', 'E5'], ['11.1_UPDATE_FIRMWARE', 'E20'], ['5.2_READ_SCHEDULE', 'E100'], ['8.6_SERVICE_OPTIN', 'E100'],
    ['11.4_UPDATE_PPMID_FIRMWARE', 'E100'], ['8.3_DECOMMISSION_DEVICE', 'I99'],
  ];
  try {
    let counter = 3000;
    const got: Array<[string, string]> = [];
    for (const [name] of expected) {
      const xml = readFileSync(T + name + '_REQUEST_DUIS.XML', 'utf8').replace(/(<sr:RequestID>[^<]*:)\d+</, (_m, a) => a + (counter++) + '<');
      const signed = await signDuis(xml, readFileSync(KEYS + '90b3d51f30010000-ds.key', 'utf8'), readFileSync(KEYS + '90b3d51f30010000-ds.pem', 'utf8'));
      const text = await (await fetch(server.url + '/api/v1/serviceD', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: signed })).text();
      got.push([name, /<sr:ResponseCode>([^<]+)</.exec(text)![1]]);
    }
    assert.equal(got, expected);
  } finally {
    await server.close();
  }
});

test.run();
