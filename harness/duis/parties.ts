/**
 * The DCC Users this DCC knows: each organisation certificate (the test SMKI's, or an RTDS-layout
 * keystore's `<eui>-ds.pem`) with the entity id (x500UniqueIdentifier, 2.5.4.45) and role (OU) its
 * subject names. A DUIS signature names its certificate by issuer and serial; the directory resolves
 * that, and the gateway then holds the signer to the RequestID's originator and to its role.
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCertificate } from '../smki/certificate.ts';
import { issuerSerialOf, sameName, sameSerial } from './signature.ts';
import type { IssuerSerial } from './signature.ts';

export interface KnownParty {
  eui: string;
  /** Two hex digits (OU). */
  roleCode: string;
  certificate: X509Certificate;
  name: IssuerSerial;
}

const OID_OU = [0x06, 0x03, 0x55, 0x04, 0x0b];
const OID_UID = [0x06, 0x03, 0x55, 0x04, 0x2d];

function find(b: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= b.length; i++) {
    for (let j = 0; j < needle.length; j++) if (b[i + j] !== needle[j]) continue outer;
    return i + needle.length;
  }
  return -1;
}

/** The entity id and role an organisation certificate's subject names, or undefined (e.g. a device certificate). */
export function partyOfCertificate(pemOrDer: string | Uint8Array): KnownParty | undefined {
  const x = new X509Certificate(typeof pemOrDer === 'string' ? pemOrDer : Buffer.from(pemOrDer));
  const fields = readCertificate(new Uint8Array(x.raw));
  if (!fields) return undefined;
  const s = fields.subject;
  const u = find(s, OID_UID);
  const o = find(s, OID_OU);
  if (u < 0 || o < 0) return undefined;
  // x500UniqueIdentifier: BIT STRING 03 09 00 <8 bytes>
  if (s[u] !== 0x03 || s[u + 1] !== 0x09 || s[u + 2] !== 0x00) return undefined;
  const eui = Buffer.from(s.subarray(u + 3, u + 11)).toString('hex').toUpperCase();
  const ouLen = s[o + 1];
  const roleCode = Buffer.from(s.subarray(o + 2, o + 2 + ouLen)).toString('latin1').toUpperCase();
  return { eui, roleCode, certificate: x, name: issuerSerialOf(x) };
}

export class PartyDirectory {
  private parties: KnownParty[] = [];

  add(pemOrDer: string | Uint8Array): KnownParty | undefined {
    const p = partyOfCertificate(pemOrDer);
    if (p) this.parties.push(p);
    return p;
  }

  /** Every organisation certificate `*-ds.pem` in an RTDS-layout keystore folder. */
  static fromKeystore(dir: string): PartyDirectory {
    const d = new PartyDirectory();
    if (!existsSync(dir)) throw new Error('PartyDirectory.fromKeystore: no folder ' + dir);
    for (const f of readdirSync(dir).sort()) if (/-ds\.pem$/i.test(f)) d.add(readFileSync(join(dir, f), 'utf8'));
    return d;
  }

  byName(n: IssuerSerial): KnownParty | undefined {
    return this.parties.find((p) => sameSerial(p.name.serialNumber, n.serialNumber) && sameName(p.name.issuerName, n.issuerName));
  }

  byEui(eui: string): KnownParty[] {
    return this.parties.filter((p) => p.eui === eui.toUpperCase());
  }

  all(): KnownParty[] {
    return this.parties.slice();
  }
}
