/**
 * CBKE suite 2 (harness/zigbee/cbke/): GF(2^283) and sect283k1 against Node's OpenSSL sect283k1 (an
 * independent implementation: same generator, same public keys, same ECDH x-coordinates for random keys),
 * AES-MMO against zigbee-herdsman's zspec `aes128MmoHash`, ECQV certificates from the test ZigBee CA
 * (private key checked by OpenSSL), ECMQV checked against OpenSSL on the combined scalar, and the whole
 * key establishment both ways with every refusal by its reason.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createECDH, randomBytes } from 'node:crypto';
import { aes128MmoHash } from 'zigbee-herdsman/dist/zspec/utils.js';
import { CbkeSession, runCbke } from '../harness/zigbee/cbke/cbke.ts';
import { CERTIFICATE_BYTES, decodeCertificate, encodeCertificate, KEY_USAGE_DIGITAL_SIGNATURE } from '../harness/zigbee/cbke/certificate.ts';
import { decodeKeCommand, encodeKeCommand, SUITE_2, TERMINATE, type KeCommand } from '../harness/zigbee/cbke/commands.ts';
import { associate, ecmqvSharedSecret } from '../harness/zigbee/cbke/ecmqv.ts';
import { randomScalar, reconstructPublicKey, scalarToBytes } from '../harness/zigbee/cbke/ecqv.ts';
import * as F from '../harness/zigbee/cbke/gf2m.ts';
import { mmoHash } from '../harness/zigbee/cbke/mmo.ts';
import * as C from '../harness/zigbee/cbke/sect283k1.ts';
import { TestZigbeeCa } from '../harness/zigbee/cbke/testCa.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ossl = (d: bigint) => {
  const e = createECDH('sect283k1');
  e.setPrivateKey(Buffer.from(scalarToBytes(d)));
  return e;
};

test('field: a * a^-1 = 1, sqr = mul(a, a), trace is 0 or 1, for 50 random elements', () => {
  let n = 0;
  for (let i = 0; i < 50; i++) {
    const a = F.fromBytes(randomBytes(36).fill(0, 0, 1)) as bigint;
    if (a === 0n) continue;
    assert.is(F.mul(a, F.inv(a)), 1n);
    assert.is(F.sqr(a), F.mul(a, a));
    assert.ok(F.trace(a) === 0n || F.trace(a) === 1n);
    n++;
  }
  assert.ok(n >= 49);
  assert.is(F.fromBytes(new Uint8Array(36).fill(0xff)), undefined, 'bits above x^282 refused');
});

test('curve: G is OpenSSL\'s public key for private key 1, on the curve, and N*G = O', () => {
  const pub = ossl(1n).getPublicKey('hex', 'uncompressed');
  assert.is(pub, '04' + C.G.x.toString(16).padStart(72, '0') + C.G.y.toString(16).padStart(72, '0'));
  assert.ok(C.isOnCurve(C.G));
  assert.is(C.multiply(C.G, C.N), null);
  assert.ok(C.equals(C.multiply(C.G, C.N + 1n), C.G));
});

test('curve vs OpenSSL: 200 random key pairs give the same public keys (both forms) and the same ECDH secret', () => {
  let checked = 0;
  for (let i = 0; i < 200; i++) {
    const a = createECDH('sect283k1');
    a.generateKeys();
    const b = createECDH('sect283k1');
    b.generateKeys();
    const da = BigInt('0x' + a.getPrivateKey('hex'));
    const pa = C.multiply(C.G, da) as C.Point;
    assert.is(hex(C.encodePoint(pa)), a.getPublicKey('hex', 'compressed'), 'public key, case ' + i);
    const qb = C.decodePoint(b.getPublicKey(null, 'compressed'));
    assert.ok(qb.ok, 'decode, case ' + i);
    if (!qb.ok) return;
    assert.is('04' + qb.point.x.toString(16).padStart(72, '0') + qb.point.y.toString(16).padStart(72, '0'), b.getPublicKey('hex', 'uncompressed'), 'decompressed y, case ' + i);
    const s = C.multiply(qb.point, da) as C.Point;
    assert.is(hex(C.xBytes(s)), a.computeSecret(b.getPublicKey()).toString('hex'), 'ECDH, case ' + i);
    checked++;
  }
  assert.is(checked, 200);
});

test('curve: points refused by name (length, prefix, not on curve, not in the subgroup, infinity)', () => {
  const g = C.encodePoint(C.G);
  assert.equal(C.decodePoint(g.subarray(1)), { ok: false, reason: 'point-length' });
  const p4 = new Uint8Array(g);
  p4[0] = 0x04;
  assert.equal(C.decodePoint(p4), { ok: false, reason: 'point-prefix' });
  // about half of all x have no point; find one, and find a curve point outside the order-N subgroup
  let offCurve = 0;
  let outside = 0;
  for (let i = 0; i < 64 && (offCurve === 0 || outside === 0); i++) {
    const b = new Uint8Array(37);
    b[0] = 0x02;
    b.set(randomBytes(36), 1);
    b[1] &= 0x07;
    const d = C.decodePoint(b);
    if (!d.ok) {
      assert.is(d.reason, 'point-not-on-curve');
      offCurve++;
    } else if (C.multiply(d.point, C.N) !== null) {
      assert.equal(C.parsePublicKey(b), { ok: false, reason: 'point-not-in-subgroup' });
      outside++;
    }
  }
  assert.ok(offCurve > 0 && outside > 0, 'found an x off the curve and a point outside the subgroup');
  assert.equal(C.validatePublicKey(null), { ok: false, reason: 'point-at-infinity' });
  assert.equal(C.validatePublicKey({ x: 0n, y: 1n }), { ok: false, reason: 'point-not-in-subgroup' });
});

test('AES-MMO equals zigbee-herdsman zspec aes128MmoHash for messages of 0..80 bytes', () => {
  for (let n = 0; n <= 80; n++) {
    const m = randomBytes(n);
    assert.is(hex(mmoHash(m)), aes128MmoHash(m).toString('hex'), 'length ' + n);
  }
});

const ca = new TestZigbeeCa();
const hubEui = Uint8Array.from(Buffer.from('00db1234567890a2', 'hex'));
const meterEui = Uint8Array.from(Buffer.from('00db1234567890a0', 'hex'));

test('ECQV: 10 enrolments; the public key reconstructed from the certificate is OpenSSL\'s public key for the device\'s private key', () => {
  for (let i = 0; i < 10; i++) {
    const id = ca.enrol(meterEui);
    assert.is(id.certificate.length, CERTIFICATE_BYTES);
    const q = reconstructPublicKey(id.certificate, ca.publicKey);
    assert.ok(q.ok);
    if (!q.ok) return;
    assert.is(hex(C.encodePoint(q.publicKey)), ossl(id.privateKey).getPublicKey('hex', 'compressed'));
    assert.is(hex(q.certificate.subject), hex(meterEui));
    assert.is(hex(encodeCertificate(q.certificate)), hex(id.certificate), 'decode/encode round trip');
  }
});

test('ECMQV: both sides agree, and Z = x(h s_U s_V G) computed by OpenSSL from the two implicit signatures', () => {
  for (let i = 0; i < 5; i++) {
    const d1u = randomScalar();
    const d1v = randomScalar();
    const d2u = randomScalar();
    const d2v = randomScalar();
    const P = (d: bigint) => C.multiply(C.G, d) as C.Point;
    const zu = ecmqvSharedSecret({ staticPrivate: d1u, ephemeralPrivate: d2u, ephemeralPublic: P(d2u) }, P(d1v), P(d2v));
    const zv = ecmqvSharedSecret({ staticPrivate: d1v, ephemeralPrivate: d2v, ephemeralPublic: P(d2v) }, P(d1u), P(d2u));
    assert.ok(zu.ok && zv.ok);
    if (!zu.ok || !zv.ok) return;
    assert.is(hex(zu.z), hex(zv.z));
    const su = (d2u + associate(P(d2u)) * d1u) % C.N;
    const sv = (d2v + associate(P(d2v)) * d1v) % C.N;
    const g = ossl(1n).getPublicKey();
    assert.is(hex(zu.z), ossl((C.COFACTOR * su * sv) % C.N).computeSecret(g).toString('hex'), 'case ' + i);
  }
});

test('CBKE: hub (responder) and meter (initiator) agree on one link key in 6 messages, with fresh keys each run', () => {
  const hub = ca.enrol(hubEui);
  const meter = ca.enrol(meterEui);
  const keys: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) {
    const r = runCbke(new CbkeSession('initiator', meter, ca.trust(), hubEui), new CbkeSession('responder', hub, ca.trust(), meterEui));
    assert.ok(r.ok, JSON.stringify(r));
    if (!r.ok) return;
    assert.is(hex(r.initiatorKey), hex(r.responderKey));
    assert.is(r.messages, 6);
    keys.push(hex(r.initiatorKey));
  }
  console.log('  CBKE suite 2, both sides in one process: ' + ((performance.now() - t0) / 3).toFixed(0) + ' ms per run');
  assert.is(new Set(keys).size, 3, 'ephemeral keys make every link key different');
});

function refusal(initiator: ReturnType<TestZigbeeCa['enrol']>, expectedAtResponder?: Uint8Array, trustCa = ca) {
  const u = new CbkeSession('initiator', initiator, trustCa.trust());
  const v = new CbkeSession('responder', ca.enrol(hubEui), ca.trust(), expectedAtResponder);
  return { r: runCbke(u, v), u, v };
}

function tampered(id: ReturnType<TestZigbeeCa['enrol']>, at: number, value: number) {
  const c = new Uint8Array(id.certificate);
  c[at] = value;
  return { ...id, certificate: c };
}

test('CBKE: a bad certificate gets no link key, and each refusal says why (with the Terminate status sent)', () => {
  const now = Math.floor(Date.now() / 1000);
  const other = new TestZigbeeCa();
  const cases: [string, ReturnType<typeof refusal>, string, number][] = [
    ['another CA', refusal(other.enrol(meterEui)), 'certificate-issuer', TERMINATE.UNKNOWN_ISSUER],
    ['expired', refusal(ca.enrol(meterEui, { validFrom: now - 1000, validTo: 10 })), 'certificate-expired', TERMINATE.INVALID_CERTIFICATE],
    ['not yet valid', refusal(ca.enrol(meterEui, { validFrom: now + 3600 })), 'certificate-not-yet-valid', TERMINATE.INVALID_CERTIFICATE],
    ['signature-only key usage', refusal(ca.enrol(meterEui, { keyUsage: KEY_USAGE_DIGITAL_SIGNATURE })), 'certificate-key-usage', TERMINATE.INVALID_CERTIFICATE],
    ['someone else\'s certificate', refusal(ca.enrol(Uint8Array.of(0, 0xdb, 1, 2, 3, 4, 5, 6)), meterEui), 'certificate-subject', TERMINATE.INVALID_CERTIFICATE],
    ['curve byte', refusal(tampered(ca.enrol(meterEui), 9, 0x0c)), 'certificate-curve', TERMINATE.INVALID_CERTIFICATE],
    ['reconstruction prefix', refusal(tampered(ca.enrol(meterEui), 37, 0x04)), 'certificate-reconstruction-point', TERMINATE.INVALID_CERTIFICATE],
    // no signature on an implicit certificate: a changed serial reconstructs another key, caught by key confirmation
    ['serial changed', refusal(tampered(ca.enrol(meterEui), 8, 0x77)), 'key-confirmation-failed', TERMINATE.BAD_KEY_CONFIRM],
  ];
  // an impostor CA that copies our CA's issuer id: decodes and checks, but the key does not reconstruct
  const impostor = new TestZigbeeCa(ca.issuer);
  cases.push(['impostor CA with our issuer id', refusal(impostor.enrol(meterEui)), 'key-confirmation-failed', TERMINATE.BAD_KEY_CONFIRM]);
  for (const [name, { r, u, v }, reason, status] of cases) {
    assert.is(r.ok, false, name);
    if (r.ok) return;
    assert.is(r.side, 'responder', name);
    assert.is(r.reason, reason, name);
    assert.is(v.established || u.established, false, name);
    assert.is(u.reason, 'terminated-by-peer', name + ': the initiator got the Terminate');
    assert.is(v.receive({ id: 0x01, ephemeral: C.encodePoint(C.G) }).ok, false, name + ': a refused session stays refused');
    void status;
  }
  assert.is(cases.length, 9);
  // the Terminate status on the wire
  const u = new CbkeSession('initiator', other.enrol(meterEui), other.trust());
  const step = new CbkeSession('responder', ca.enrol(hubEui), ca.trust()).receive(u.start());
  assert.equal(step.ok ? undefined : step.send, { id: 0x03, status: TERMINATE.UNKNOWN_ISSUER, waitTime: 10, suite: SUITE_2 });
});

test('CBKE: the initiator refuses a bad responder certificate, a bad ephemeral point and a wrong MACV', () => {
  const meter = ca.enrol(meterEui);
  const other = new TestZigbeeCa();
  const r = runCbke(new CbkeSession('initiator', meter, ca.trust(), hubEui), new CbkeSession('responder', other.enrol(hubEui), other.trust()));
  assert.is(r.ok, false);
  if (!r.ok) assert.equal([r.side, r.reason], ['responder', 'certificate-issuer']);
  const r2 = runCbke(new CbkeSession('initiator', meter, ca.trust(), hubEui), new CbkeSession('responder', ca.enrol(meterEui), ca.trust()));
  assert.is(r2.ok, false);
  if (!r2.ok) assert.equal([r2.side, r2.reason], ['initiator', 'certificate-subject']);
  // a bad ephemeral point from the responder
  const u = new CbkeSession('initiator', meter, ca.trust(), hubEui);
  const v = new CbkeSession('responder', ca.enrol(hubEui), ca.trust());
  const i1 = v.receive(u.start());
  const e1 = u.receive((i1 as { send: KeCommand }).send);
  assert.ok(e1.ok);
  const badPoint = new Uint8Array(37);
  badPoint[0] = 0x02; // x = 0: the point of order 2
  const bad = u.receive({ id: 0x01, ephemeral: badPoint });
  assert.equal(bad.ok ? '' : bad.reason, 'ephemeral-key-invalid');
  // a wrong MACV
  const u2 = new CbkeSession('initiator', meter, ca.trust(), hubEui);
  const v2 = new CbkeSession('responder', ca.enrol(hubEui), ca.trust());
  let m: KeCommand | undefined = u2.start();
  m = (v2.receive(m) as { send: KeCommand }).send;
  m = (u2.receive(m) as { send: KeCommand }).send;
  m = (v2.receive(m) as { send: KeCommand }).send;
  m = (u2.receive(m) as { send: KeCommand }).send; // MACU
  const macv = (v2.receive(m) as { send: KeCommand & { id: 2 } }).send;
  assert.ok(v2.established);
  const flipped = new Uint8Array(macv.mac);
  flipped[0] ^= 1;
  const last = u2.receive({ id: 0x02, mac: flipped });
  assert.equal(last.ok ? '' : last.reason, 'key-confirmation-failed');
  assert.is(u2.established, false);
});

test('Key Establishment commands: round trips, and refusals by name', () => {
  const id = ca.enrol(meterEui);
  const cmds: KeCommand[] = [
    { id: 0, suite: SUITE_2, ephemeralDataTime: 10, confirmKeyTime: 12, certificate: id.certificate },
    { id: 1, ephemeral: C.encodePoint(C.G) },
    { id: 2, mac: new Uint8Array(16).fill(7) },
    { id: 3, status: TERMINATE.BAD_MESSAGE, waitTime: 5, suite: SUITE_2 },
  ];
  for (const c of cmds) {
    const d = decodeKeCommand(c.id, encodeKeCommand(c));
    assert.ok(d.ok);
    if (d.ok) assert.equal(d.command, c);
  }
  assert.equal(decodeKeCommand(0, Uint8Array.of(1, 0, 10, 10, ...id.certificate.subarray(0, 48))), { ok: false, reason: 'ke-unsupported-suite' });
  assert.equal(decodeKeCommand(0, Uint8Array.of(2, 0, 10, 10, ...id.certificate.subarray(0, 73))), { ok: false, reason: 'ke-length' });
  assert.equal(decodeKeCommand(1, new Uint8Array(22)), { ok: false, reason: 'ke-length' });
  assert.equal(decodeKeCommand(9, new Uint8Array(0)), { ok: false, reason: 'ke-unknown-command' });
  assert.equal(decodeCertificate(id.certificate.subarray(1)), { ok: false, reason: 'certificate-length' });
});

test.run();
