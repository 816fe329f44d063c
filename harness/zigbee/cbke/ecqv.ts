/**
 * ECQV implicit certificates on sect283k1 (SEC 4 v1.0 §2-3, as ZigBee SE suite 2 uses them):
 *
 *   request (device U):   k_U random, R_U = k_U G
 *   issue (CA):           k random, P_U = R_U + k G, Cert_U = encode(..., P_U), e = H_n(Cert_U),
 *                         r = e k + d_CA mod n
 *   receive (device U):   d_U = e k_U + r mod n, Q_U = d_U G, and Q_U must equal e P_U + Q_CA
 *   anyone:               Q_U = e P_U + Q_CA (SEC 4 §3.5, public-key reconstruction)
 *
 * H_n is AES-MMO over the whole 74-byte certificate (the ZigBee suites' hash, certificate field hash =
 * 0x08); its 128 bits are fewer than n's 281, so e is the digest read as a big-endian integer (SEC 4 §2.3).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { encodeCertificate, decodeCertificate, type Certificate, type CertificateFormatReason } from './certificate.ts';
import { mmoHash } from './mmo.ts';
import { G, N, addPoints, encodePoint, equals, multiply, validatePublicKey, type Point } from './sect283k1.ts';

/** A random scalar in [1, n-1] (rejection sampling over 281 bits). */
export function randomScalar(): bigint {
  for (;;) {
    const b = randomBytes(36);
    b[0] &= 0x01; // n < 2^281
    const k = BigInt('0x' + b.toString('hex'));
    if (k > 0n && k < N) return k;
  }
}

export function scalarToBytes(k: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(k.toString(16).padStart(72, '0'), 'hex'));
}

export function bytesToScalar(b: Uint8Array): bigint {
  return BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
}

/** e = H_n(Cert): AES-MMO of the certificate bytes as an integer. */
export function certificateHash(certificate: Uint8Array): bigint {
  return bytesToScalar(mmoHash(certificate));
}

export interface KeyRequest {
  k: bigint;
  R: Point;
}

export function requestKey(): KeyRequest {
  const k = randomScalar();
  return { k, R: multiply(G, k) as Point };
}

/** The certificate fields the CA fills in; the reconstruction point is the CA's to compute. */
export type CertificateTemplate = Omit<Certificate, 'reconstruction'>;

/** CA side (SEC 4 §3.4): the certificate and the private-key reconstruction data r. */
export function issueCertificate(
  caPrivate: bigint,
  R: Point,
  template: CertificateTemplate,
): { certificate: Uint8Array; r: bigint } {
  const valid = validatePublicKey(R);
  if (!valid.ok) throw new Error('issueCertificate: request point invalid (' + valid.reason + ')');
  for (;;) {
    const k = randomScalar();
    const P = addPoints(R, multiply(G, k));
    if (P === null) continue;
    const certificate = encodeCertificate({ ...template, reconstruction: encodePoint(P) });
    const e = certificateHash(certificate);
    const r = (e * k + caPrivate) % N;
    return { certificate, r };
  }
}

export type ReconstructReason = CertificateFormatReason | 'certificate-public-key';

/** Q_U = e P_U + Q_CA, validated (SEC 4 §3.5; SEC 1 §3.2.2.1). */
export function reconstructPublicKey(
  certificate: Uint8Array,
  caPublic: Point,
): { ok: true; publicKey: Point; certificate: Certificate } | { ok: false; reason: ReconstructReason } {
  const d = decodeCertificate(certificate);
  if (!d.ok) return d;
  const e = certificateHash(certificate);
  const Q = addPoints(multiply(d.point, e), caPublic);
  const v = validatePublicKey(Q);
  if (!v.ok) return { ok: false, reason: 'certificate-public-key' };
  return { ok: true, publicKey: v.point, certificate: d.certificate };
}

/** Device side (SEC 4 §3.6-3.7): its private key from r and k_U, checked against the reconstructed public key. */
export function receiveCertificate(
  certificate: Uint8Array,
  r: bigint,
  request: KeyRequest,
  caPublic: Point,
): { ok: true; privateKey: bigint; publicKey: Point } | { ok: false; reason: ReconstructReason | 'certificate-key-mismatch' } {
  const q = reconstructPublicKey(certificate, caPublic);
  if (!q.ok) return q;
  const e = certificateHash(certificate);
  const d = (e * request.k + r) % N;
  if (d === 0n || !equals(multiply(G, d), q.publicKey)) return { ok: false, reason: 'certificate-key-mismatch' };
  return { ok: true, privateKey: d, publicKey: q.publicKey };
}
