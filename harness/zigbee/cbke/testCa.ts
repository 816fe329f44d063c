/**
 * A test ZigBee certificate authority for suite-2 (ECQV sect283k1) certificates, run by the harness:
 * a fresh key pair and issuer id, and `enrol`, which plays both the device's request and the CA's
 * issuance (SEC 4 §3.3-3.7) and returns what a factory would load into a device. Not a production CA
 * (no persistence, no serial registry beyond a counter). @module
 */
import { randomBytes } from 'node:crypto';
import type { CbkeIdentity, CbkeTrust } from './cbke.ts';
import { CERT_TYPE_NO_EXTENSIONS, CURVE_SECT283K1, HASH_AES_MMO, KEY_USAGE_DIGITAL_SIGNATURE, KEY_USAGE_KEY_AGREEMENT, VALID_FOREVER } from './certificate.ts';
import { issueCertificate, randomScalar, receiveCertificate, requestKey, type CertificateTemplate } from './ecqv.ts';
import { G, encodePoint, multiply, type Point } from './sect283k1.ts';

export interface EnrolOptions {
  validFrom?: number;
  validTo?: number;
  keyUsage?: number;
}

export class TestZigbeeCa {
  readonly issuer: Uint8Array;
  readonly publicKey: Point;
  private readonly privateKey: bigint;
  private serial = 0;

  constructor(issuer?: Uint8Array) {
    this.issuer = issuer ?? new Uint8Array(randomBytes(8));
    this.privateKey = randomScalar();
    this.publicKey = multiply(G, this.privateKey) as Point;
  }

  /** The CA public key as devices are provisioned with it (37-byte compressed point). */
  get publicKeyBytes(): Uint8Array {
    return encodePoint(this.publicKey);
  }

  trust(now: () => number = () => Math.floor(Date.now() / 1000)): CbkeTrust {
    return { caPublic: this.publicKey, issuer: this.issuer, now };
  }

  /** A device identity: certificate naming `eui64`, its private key (checked against the reconstructed public key). */
  enrol(eui64: Uint8Array, o: EnrolOptions = {}): CbkeIdentity {
    const request = requestKey();
    this.serial++;
    const serial = new Uint8Array(8);
    new DataView(serial.buffer).setUint32(4, this.serial);
    const template: CertificateTemplate = {
      type: CERT_TYPE_NO_EXTENSIONS,
      serial,
      curve: CURVE_SECT283K1,
      hash: HASH_AES_MMO,
      issuer: this.issuer,
      validFrom: o.validFrom ?? Math.floor(Date.now() / 1000) - 3600,
      validTo: o.validTo ?? VALID_FOREVER,
      subject: eui64,
      keyUsage: o.keyUsage ?? KEY_USAGE_KEY_AGREEMENT | KEY_USAGE_DIGITAL_SIGNATURE,
    };
    const issued = issueCertificate(this.privateKey, request.R, template);
    const received = receiveCertificate(issued.certificate, issued.r, request, this.publicKey);
    if (!received.ok) throw new Error('TestZigbeeCa.enrol: issued certificate does not reconstruct (' + received.reason + ')');
    return { eui64, certificate: issued.certificate, privateKey: received.privateKey };
  }
}
