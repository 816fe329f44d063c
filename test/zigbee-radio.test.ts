/**
 * The emulated radio's wire layers (harness/zigbee/radio/): HDLC-lite framing (escapes, FCS, any
 * chunking, a corrupted frame dropped and counted), Spinel packed integers (the draft's example:
 * 1337 = B9 0A) and frames, the MAC address filter, and the simulated air's ACKs and losses.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { SimulatedAir, type Radio } from '../harness/zigbee/radio/air.ts';
import { HdlcReader, encodeHdlc } from '../harness/zigbee/radio/hdlc.ts';
import { addressedTo, readMacAddressing } from '../harness/zigbee/radio/macAddress.ts';
import { decodeSpinel, encodeSpinel, packUint, unpackUint } from '../harness/zigbee/radio/spinel.ts';

test('HDLC: 100 random frames full of reserved bytes survive any chunking; a flipped bit is dropped and counted', () => {
  const frames = Array.from({ length: 100 }, (_, i) => {
    const f = new Uint8Array(randomBytes(1 + (i % 40)));
    f[0] = [0x7e, 0x7d, 0x11, 0x13, 0xf8][i % 5];
    return f;
  });
  const wire = Buffer.concat(frames.map((f) => encodeHdlc(f)));
  const r = new HdlcReader();
  const got: Uint8Array[] = [];
  for (let at = 0; at < wire.length; ) {
    const n = 1 + (at % 7);
    got.push(...r.push(wire.subarray(at, at + n)));
    at += n;
  }
  assert.is(got.length, 100);
  got.forEach((g, i) => assert.equal(Buffer.from(g).toString('hex'), Buffer.from(frames[i]).toString('hex'), 'frame ' + i));
  const one = encodeHdlc(Uint8Array.of(0x81, 0x02, 0x01));
  assert.ok(!one.subarray(1, -1).includes(0x7e), 'no flag inside a frame');
  one[2] ^= 0x01;
  assert.equal(r.push(one), []);
  assert.is(r.badFrames, 1);
});

test('Spinel: packed uints (1337 = B9 0A, 176 = B0 01) and frame header round trip', () => {
  assert.equal(packUint(1337), [0xb9, 0x0a]);
  assert.equal(packUint(176), [0xb0, 0x01]);
  assert.equal(packUint(0), [0]);
  assert.equal(unpackUint(Uint8Array.of(0xb9, 0x0a), 0), [1337, 2]);
  assert.is(unpackUint(Uint8Array.of(0xb9), 0), undefined);
  const f = { tid: 5, iid: 0, command: 6, payload: Uint8Array.of(0x71, 1, 2) };
  const e = encodeSpinel(f);
  assert.is(e[0], 0x85);
  const d = decodeSpinel(e);
  assert.ok(d.ok);
  if (d.ok) assert.equal({ ...d.frame, payload: Array.from(d.frame.payload) }, { ...f, payload: [0x71, 1, 2] });
  assert.equal(decodeSpinel(Uint8Array.of(0x05, 0x06)), { ok: false, reason: 'spinel-flag' });
});

test('MAC addressing: short, extended and broadcast destinations filtered as 802.15.4 says', () => {
  const own = { pan: 0x1a62, short: 0x0000, extended: 0x00db1234567890a2n, panCoordinator: true };
  // data frame, ack request, PAN compression, dst short 0x0000, src short 0x1234
  const toCoord = Uint8Array.of(0x61, 0x88, 7, 0x62, 0x1a, 0x00, 0x00, 0x34, 0x12, 0xaa, 0, 0);
  const a = readMacAddressing(toCoord);
  assert.equal(a, { frameType: 1, ackRequest: true, sequence: 7, dstPan: 0x1a62, dstShort: 0 });
  assert.ok(addressedTo(a!, own));
  assert.is(addressedTo(a!, { ...own, short: 0x0001 }), false);
  assert.is(addressedTo(a!, { ...own, pan: 0x1111 }), false);
  // beacon request: command frame, dst 0xffff/0xffff
  const beaconReq = Uint8Array.of(0x03, 0x08, 1, 0xff, 0xff, 0xff, 0xff, 0x07, 0, 0);
  assert.ok(addressedTo(readMacAddressing(beaconReq)!, { ...own, pan: 0x2222 }));
  // extended destination, little-endian on the air
  const ext = Uint8Array.of(0x61, 0xcc, 2, 0x62, 0x1a, 0xa2, 0x90, 0x78, 0x56, 0x34, 0x12, 0xdb, 0x00);
  assert.is(readMacAddressing(ext)!.dstExtended, 0x00db1234567890a2n);
  assert.ok(addressedTo(readMacAddressing(ext)!, own));
  assert.is(readMacAddressing(Uint8Array.of(0x61, 0x88, 7, 0x62)), undefined, 'short header');
});

test('air: same channel hears, ACK only from an accepting radio, frames and ACKs lost, retries counted', async () => {
  const heard: string[] = [];
  const mk = (name: string, ch: number, accept: boolean): Radio => ({
    channel: () => ch,
    hear: () => (heard.push(name), { accepted: accept }),
  });
  const air = new SimulatedAir();
  const a = mk('a', 11, false);
  air.attach(a);
  air.attach(mk('b', 11, true));
  air.attach(mk('c', 15, true));
  assert.equal(await air.transmit(a, Uint8Array.of(1, 2, 3), true), { acked: true, framePending: false });
  assert.equal(heard, ['b']);
  // losses from a scripted random source: each draw below 0.5 loses a frame, or an ACK
  const draws: number[] = [];
  const lossy = new SimulatedAir({ lossRate: 0.5, random: () => draws.shift() ?? 0.9 });
  const x = mk('x', 11, false);
  lossy.attach(x);
  lossy.attach(mk('y', 11, true));
  draws.push(0.1); // frame lost
  assert.equal(await lossy.transmit(x, Uint8Array.of(1), true), { acked: false, framePending: false });
  draws.push(0.9, 0.1); // frame delivered, ACK lost
  assert.equal(await lossy.transmit(x, Uint8Array.of(1), true), { acked: false, framePending: false });
  assert.equal(lossy.stats, { frames: 2, delivered: 1, lost: 2, acked: 0, acksLost: 1, retries: 0, failed: 0 });
  // send retries: lost, ACK lost, then through on the third attempt (y hears it twice: a duplicate)
  heard.length = 0;
  draws.push(0.1, 0.9, 0.1, 0.9, 0.9);
  const s = await lossy.send(x, Uint8Array.of(2), true, 3);
  assert.equal(s, { acked: true, framePending: false, attempts: 3 });
  assert.equal(heard, ['y', 'y']);
  // and gives up after 1 + maxRetries attempts
  draws.push(0.1, 0.1, 0.1);
  assert.equal(await lossy.send(x, Uint8Array.of(3), true, 2), { acked: false, framePending: false, attempts: 3 });
  assert.is(lossy.stats.failed, 1);
  assert.is(lossy.stats.retries, 4);
});

test.run();
