/**
 * Our ZigBee frame codecs (harness/zigbee/stack/) against zigbee-on-host 0.3.0's decoders as an
 * independent implementation (a dependency through herdsman; used as a test oracle, never as source):
 * 200 random secured NWK frames and 200 random secured APS commands built and sealed here are decoded
 * and decrypted there, MAC frames decoded there carry our fields and FCS, and the key-transport and
 * key-load keys equal its keyed hash. The other direction (its frames decoded here) runs live in
 * zigbee-herdsman.test.ts, where a simulated device joins its trust centre. Plus refusals: a flipped bit
 * in a sealed header or payload fails the MIC, a flipped bit anywhere in a MAC frame fails the FCS.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes, randomInt } from 'node:crypto';
import * as zohMac from 'zigbee-on-host/dist/zigbee/mac.js';
import * as zohNwk from 'zigbee-on-host/dist/zigbee/zigbee-nwk.js';
import * as zohAps from 'zigbee-on-host/dist/zigbee/zigbee-aps.js';
import * as zoh from 'zigbee-on-host/dist/zigbee/zigbee.js';
import { APS_DELIVERY, APS_FRAME, KEY_TYPE, Reassembly, decodeAps, decodeTransportKey, encodeAps, encodeTransportKey, openAps, sealAps, type ApsFrame } from '../harness/zigbee/stack/aps.ts';
import { MAC_CMD, MAC_FRAME, decodeBeacon, decodeMac, encodeBeacon, encodeMac, type MacFrame } from '../harness/zigbee/stack/mac.ts';
import { NWK_FRAME, decodeNwk, encodeNwk, openNwk, sealNwk } from '../harness/zigbee/stack/nwk.ts';
import { KEY_ID, keyLoadKey, keyTransportKey, nonce } from '../harness/zigbee/stack/security.ts';
import { ZDO, answerDescriptorRequest, decodeLeaveRequest, encodeDeviceAnnce } from '../harness/zigbee/stack/zdo.ts';
import { SE_METER_ENDPOINT } from '../harness/zigbee/stack/device.ts';
import { Zdo } from 'zigbee-herdsman';

const rnd64 = () => BigInt('0x' + randomBytes(8).toString('hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('MAC: our frames decode in zigbee-on-host with the same fields; its FCS check agrees; a flipped bit fails ours', () => {
  for (let i = 0; i < 200; i++) {
    const f: MacFrame = {
      frameType: [MAC_FRAME.DATA, MAC_FRAME.COMMAND][i % 2],
      ackRequest: i % 3 === 0,
      sequence: i & 0xff,
      dstPan: randomInt(0xffff),
      dst: i % 4 === 0 ? rnd64() : randomInt(0xffff),
      src: i % 5 === 0 ? rnd64() : randomInt(0xffff),
      payload: new Uint8Array(randomBytes(1 + (i % 60))),
    };
    if (i % 7 === 0) f.srcPan = 0xffff; // association-style: source PAN differs, no compression
    const bytes = Buffer.from(encodeMac(f));
    const [fc, o1] = zohMac.decodeMACFrameControl(bytes, 0);
    const [h, o2] = zohMac.decodeMACHeader(bytes, o1, fc);
    const payload = zohMac.decodeMACPayload(bytes, o2, fc, h);
    assert.is(fc.frameType, f.frameType, 'type ' + i);
    assert.is(fc.ackRequest, !!f.ackRequest, 'ack ' + i);
    assert.is(h.sequenceNumber, f.sequence);
    assert.is(h.destinationPANId, f.dstPan);
    assert.is(typeof f.dst === 'bigint' ? h.destination64 : h.destination16, f.dst, 'dst ' + i);
    assert.is(typeof f.src === 'bigint' ? h.source64 : h.source16, f.src, 'src ' + i);
    assert.is(h.sourcePANId, f.srcPan ?? f.dstPan, 'src PAN ' + i);
    if (f.frameType === MAC_FRAME.COMMAND) {
      assert.is(h.commandId, f.payload[0], 'command id ' + i); // zigbee-on-host splits it off the payload
      assert.is(hex(payload), hex(f.payload.subarray(1)));
    } else {
      assert.is(hex(payload), hex(f.payload));
    }
    assert.is(h.fcs, bytes.readUInt16LE(bytes.length - 2));
    const d = decodeMac(bytes);
    assert.ok(d.ok);
    if (d.ok) assert.equal({ ...d.frame, payload: hex(d.frame.payload) }, { ...d.frame, ...f, payload: hex(f.payload), srcPan: f.srcPan ?? f.dstPan });
    const bad = new Uint8Array(bytes);
    bad[randomInt(bad.length)] ^= 1 << randomInt(8);
    assert.equal(decodeMac(bad), { ok: false, reason: 'mac-fcs' }, 'flipped bit ' + i);
  }
  assert.equal(decodeMac(Uint8Array.of(1, 2)), { ok: false, reason: 'mac-short' });
  // aMaxPHYPacketSize: 127 bytes with the FCS; a bigger frame is a caller bug (fragment above the MAC)
  const big = (n: number) => ({ frameType: MAC_FRAME.DATA, sequence: 1, dstPan: 1, dst: 0, src: 1, payload: new Uint8Array(n) });
  assert.is(encodeMac(big(127 - 9 - 2)).length, 127);
  assert.throws(() => encodeMac(big(127 - 9 - 1)), /exceed aMaxPHYPacketSize/);
  assert.equal(decodeMac(new Uint8Array(128)), { ok: false, reason: 'mac-too-long' });
});

test('MAC: a beacon and the association commands', () => {
  const b = { associationPermit: true, panCoordinator: true, stackProfile: 2, protocolVersion: 2, routerCapacity: true, endDeviceCapacity: true, depth: 0, extendedPanId: 0x00db1234567890a2n, updateId: 3 };
  assert.equal(decodeBeacon(encodeBeacon(b)), b);
  const z = zohMac.decodeMACZigbeeBeacon(Buffer.from(encodeBeacon(b)), 4);
  assert.is(z.extendedPANId, b.extendedPanId);
  assert.is(z.endDeviceCapacity, true);
  assert.is(decodeBeacon(Uint8Array.of(0xff, 0xcf, 0, 0, 1)), undefined, 'not a ZigBee beacon payload');
  const beaconReq = encodeMac({ frameType: MAC_FRAME.COMMAND, sequence: 1, dstPan: 0xffff, dst: 0xffff, payload: Uint8Array.of(MAC_CMD.BEACON_REQ) });
  assert.is(hex(beaconReq.subarray(0, -2)), '03080 1ffffffff07'.replace(/ /g, ''), '802.15.4 beacon request layout');
});

test('NWK: 200 random secured frames sealed here open in zigbee-on-host (and here); a flipped bit fails the MIC', () => {
  for (let i = 0; i < 200; i++) {
    const key = new Uint8Array(randomBytes(16));
    const src64 = rnd64();
    const plain = new Uint8Array(randomBytes(1 + (i % 80)));
    const f = {
      frameType: i % 2 ? NWK_FRAME.COMMAND : NWK_FRAME.DATA,
      discoverRoute: i % 2,
      dst16: randomInt(0xfff7),
      src16: randomInt(0xfff7),
      radius: 1 + (i % 30),
      sequence: i & 0xff,
      dst64: i % 3 === 0 ? rnd64() : undefined,
      src64: i % 2 === 0 ? src64 : undefined,
      aux: { keyId: KEY_ID.NETWORK, frameCounter: randomInt(2 ** 32), source: src64, keySequence: i & 0xff },
      payload: plain,
    };
    const bytes = Buffer.from(sealNwk(f, key));
    const [fc, o1] = zohNwk.decodeZigbeeNWKFrameControl(bytes, 0);
    const [h, o2] = zohNwk.decodeZigbeeNWKHeader(bytes, o1, fc);
    assert.is(fc.security, true);
    assert.is(h.destination16, f.dst16);
    assert.is(h.destination64, f.dst64);
    const theirs = zohNwk.decodeZigbeeNWKPayload(bytes, o2, Buffer.from(key), src64, fc, h);
    assert.is(hex(theirs), hex(plain), 'zigbee-on-host decrypts frame ' + i);
    const d = decodeNwk(bytes);
    assert.ok(d.ok);
    if (!d.ok) return;
    const o = openNwk(d, key);
    assert.ok(o.ok && hex(o.payload) === hex(plain), 'we decrypt frame ' + i);
    // any bit but the security level (bits 0-2 of the security control byte, which receivers overwrite with 5)
    let at = randomInt(bytes.length);
    let bit = randomInt(8);
    if (at === d.auxAt && bit < 3) bit += 3;
    const bad = new Uint8Array(bytes);
    bad[at] ^= 1 << bit;
    const db = decodeNwk(bad);
    if (db.ok && db.frame.aux) assert.is(openNwk(db, key).ok, false, 'flipped bit ' + at + '.' + bit + ', frame ' + i);
    const level = new Uint8Array(bytes);
    level[d.auxAt] ^= 1 << (i % 3);
    const dl = decodeNwk(level);
    assert.ok(dl.ok && openNwk(dl, key).ok, 'the level bits are not protected: the air carries 0, both ends use 5');
  }
  const unsecured = encodeNwk({ frameType: NWK_FRAME.DATA, dst16: 0, src16: 1, radius: 30, sequence: 1, payload: Uint8Array.of(9) });
  assert.equal(decodeNwk(Uint8Array.of(0x08, 0x00)), { ok: false, reason: 'nwk-short' });
  assert.equal(decodeNwk(Uint8Array.of(0x04, ...unsecured.subarray(1))), { ok: false, reason: 'nwk-protocol-version' });
});

test('APS: 200 transport keys sealed under a key-transport key open in zigbee-on-host; key hashing equals its keyed hash', () => {
  for (let i = 0; i < 200; i++) {
    const link = new Uint8Array(randomBytes(16));
    assert.is(hex(keyTransportKey(link)), zoh.makeKeyedHash(Buffer.from(link), 0x00).toString('hex'));
    assert.is(hex(keyLoadKey(link)), zoh.makeKeyedHash(Buffer.from(link), 0x02).toString('hex'));
    const tc = rnd64();
    const tk = { keyType: KEY_TYPE.STANDARD_NETWORK, key: new Uint8Array(randomBytes(16)), keySequence: i & 0xff, destination: rnd64(), source: tc };
    const bytes = Buffer.from(sealAps({
      frameType: APS_FRAME.COMMAND, deliveryMode: APS_DELIVERY.UNICAST, counter: i & 0xff,
      aux: { keyId: KEY_ID.KEY_TRANSPORT, frameCounter: randomInt(2 ** 32), source: tc }, payload: encodeTransportKey(tk),
    }, keyTransportKey(link)));
    const [fc, o1] = zohAps.decodeZigbeeAPSFrameControl(bytes, 0);
    const [h, o2] = zohAps.decodeZigbeeAPSHeader(bytes, o1, fc);
    assert.is(h.counter, i & 0xff);
    // zigbee-on-host hashes the link key by the frame's key id itself
    const theirs = zohAps.decodeZigbeeAPSPayload(bytes, o2, Buffer.from(link), tc, fc, h);
    assert.is(hex(theirs), hex(encodeTransportKey(tk)), 'zigbee-on-host decrypts transport key ' + i);
    assert.is(h.securityHeader?.frameCounter ?? theirsCounter(bytes, o2), theirsCounter(bytes, o2));
    const d = decodeAps(bytes);
    assert.ok(d.ok);
    if (!d.ok) return;
    const o = openAps(d, keyTransportKey(link));
    assert.ok(o.ok);
    if (!o.ok) return;
    const t = decodeTransportKey(o.payload);
    assert.ok(t.ok);
    if (t.ok) assert.equal({ ...t.transportKey, key: hex(t.transportKey.key) }, { ...tk, key: hex(tk.key) });
    assert.equal(openAps(d, keyTransportKey(new Uint8Array(16))), { ok: false, reason: 'aps-mic' }, 'another link key');
  }
  assert.equal(decodeTransportKey(Uint8Array.of(0x05, 0x02, ...new Uint8Array(40))), { ok: false, reason: 'aps-key-type' });
  assert.equal(decodeTransportKey(Uint8Array.of(0x09)), { ok: false, reason: 'aps-not-transport-key' });
});

test('CCM* nonce: source EUI-64 LE, frame counter LE, security control with level 5 (equals zigbee-on-host makeNonce)', () => {
  const n = nonce(0x0011223344556677n, 0x01020304, 0x28);
  assert.is(hex(n), '7766554433221100' + '04030201' + '2d');
  const theirs = zoh.makeNonce({ control: { level: 5, keyId: 1, nonce: true, reqVerifiedFc: false }, frameCounter: 0x01020304, source64: 0x0011223344556677n }, 0x0011223344556677n);
  assert.is(theirs.toString('hex'), hex(n));
});

test('APS fragments: extended header round trip (and in zigbee-on-host), reassembly in the spec form and zigbee-on-host\'s, out of order, expiry', () => {
  const frag = (fragmentation: number, blockNumber: number, payload: number[]): ApsFrame => ({
    frameType: APS_FRAME.DATA, deliveryMode: APS_DELIVERY.UNICAST, ackRequest: true, dstEndpoint: 1, cluster: 0x0704, profile: 0x0109,
    srcEndpoint: 1, counter: 7, fragmentation, blockNumber, payload: Uint8Array.from(payload),
  });
  const bytes = Buffer.from(encodeAps(frag(2, 3, [9, 9])));
  const d = decodeAps(bytes);
  assert.ok(d.ok);
  if (d.ok) assert.equal([d.frame.fragmentation, d.frame.blockNumber, hex(d.frame.payload)], [2, 3, '0909']);
  const [fc, o1] = zohAps.decodeZigbeeAPSFrameControl(bytes, 0);
  const [h] = zohAps.decodeZigbeeAPSHeader(bytes, o1, fc);
  assert.equal([fc.extendedHeader, h.fragmentation, h.fragBlockNumber], [true, 2, 3]);
  const ack = decodeAps(encodeAps({ frameType: APS_FRAME.ACK, deliveryMode: 0, dstEndpoint: 1, cluster: 1, profile: 1, srcEndpoint: 1, counter: 7, fragmentation: 1, blockNumber: 2, ackBitfield: 1, payload: new Uint8Array(0) }));
  assert.ok(ack.ok && ack.frame.ackBitfield === 1 && ack.frame.blockNumber === 2);
  // the spec: the first fragment's block number is the block count; later blocks may come out of order
  const r = new Reassembly();
  assert.is(r.add(5, frag(1, 3, [1, 2])), undefined);
  assert.is(r.add(5, frag(2, 2, [5])), undefined);
  assert.is(hex(r.add(5, frag(2, 1, [3, 4])) as Uint8Array), '0102030405');
  // zigbee-on-host: first block numbered 0, the last marked 3
  assert.is(r.add(6, frag(1, 0, [1])), undefined);
  assert.is(r.add(6, frag(2, 1, [2])), undefined);
  assert.is(hex(r.add(6, frag(3, 2, [3])) as Uint8Array), '010203');
  // unfragmented passes through; a stale partial transmission expires
  assert.is(hex(r.add(6, { ...frag(0, 0, [8]), fragmentation: undefined }) as Uint8Array), '08');
  r.add(9, frag(1, 0, [1]), 1000);
  assert.is(r.expired(30_000, 40_000), 1);
  assert.is(r.add(9, frag(3, 1, [2]), 40_001), undefined, 'the first block went with the expired transmission');
});

test('ZDO: our descriptor answers and Device_annce parse in zigbee-herdsman\'s ZDO reader; refusals by status', () => {
  const me = { short: 0x3697, eui64: 0x00db1234567890a3n, capability: 0x8c, manufacturerCode: 0x1234, endpoints: [SE_METER_ENDPOINT] };
  const read = (cluster: number, b: Uint8Array) => Zdo.Buffalo.readResponse(true, cluster, Buffer.from(b)) as unknown as [number, Record<string, unknown>];
  const node = read(0x8002, answerDescriptorRequest(ZDO.NODE_DESC_REQ, Uint8Array.of(7, 0x97, 0x36), me) as Uint8Array);
  assert.is(node[0], 0);
  assert.is(node[1].manufacturerCode, 0x1234);
  assert.is(node[1].logicalType, 2, 'end device');
  const active = read(0x8005, answerDescriptorRequest(ZDO.ACTIVE_EP_REQ, Uint8Array.of(8, 0x97, 0x36), me) as Uint8Array);
  assert.equal(active[1].endpointList, [1]);
  const simple = read(0x8004, answerDescriptorRequest(ZDO.SIMPLE_DESC_REQ, Uint8Array.of(9, 0x97, 0x36, 1), me) as Uint8Array);
  assert.is(simple[1].profileId, 0x0109);
  assert.equal(simple[1].inClusterList, [0x0702, 0x0704, 0x0800]);
  assert.equal(simple[1].outClusterList, [0x000a, 0x0704]);
  assert.is(answerDescriptorRequest(ZDO.SIMPLE_DESC_REQ, Uint8Array.of(9, 0x97, 0x36, 2), me)?.[1], 0x83, 'NOT_ACTIVE');
  assert.is(answerDescriptorRequest(ZDO.NODE_DESC_REQ, Uint8Array.of(9, 0x00, 0x00), me)?.[1], 0x81, 'DEVICE_NOT_FOUND');
  assert.is(answerDescriptorRequest(0x0006, Uint8Array.of(9, 0x97, 0x36), me), undefined);
  assert.is(hex(encodeDeviceAnnce(5, me)), '059736' + 'a390785634 12db00'.replace(/ /g, '') + '8c');
  assert.equal(decodeLeaveRequest(Uint8Array.of(3, 0xa3, 0x90, 0x78, 0x56, 0x34, 0x12, 0xdb, 0x00, 0x80)), { tsn: 3, device: 0x00db1234567890a3n, rejoin: true, removeChildren: false });
  assert.is(decodeLeaveRequest(Uint8Array.of(3, 1)), undefined);
});

function theirsCounter(b: Buffer, at: number): number {
  return zoh.decodeZigbeeSecurityHeader(b, at)[0].frameCounter;
}

test.run();
