/**
 * The remote parties the DCC player acts for, and their users. A party is an organisation in one GBCS
 * remote-party role (GBCS-FACTS "Roles and identities": 01 recovery, 02 supplier, 03 network operator,
 * 04 ACB — the DCC —, 05 TransCoS, 06 WAN provider) with an entity id and two key pairs, DS (signing) and
 * KA (key agreement), whose organisation certificates come from the test SMKI (harness/smki). A user is a
 * named person or system of a party that submits service requests (DUIS: a DCC User in a User Role).
 * Private keys stay in the party object: the DCC never uses a supplier's keys, only the ACB's own.
 * @module
 */
import { createPrivateKey } from 'node:crypto';
import { fromHex } from '../../lib/bytes.ts';
import { roleNumber } from '../../gbcs/messageCodes.ts';
import type { RemotePartyRole } from '../../gbcs/messageCodes.ts';
import type { BoardCrypto } from '../../boards/board.ts';
import type { TestSmki } from '../smki/index.ts';

export interface Credential {
  certificate: Uint8Array;
  certificatePem: string;
  privateKey: Uint8Array;
  privateKeyPem: string;
  publicKey: Uint8Array;
}

export interface Party {
  name: string;
  role: RemotePartyRole;
  /** Two hex digits, the certificate OU. */
  roleCode: string;
  /** Upper-case hex. */
  eui: string;
  euiBytes: Uint8Array;
  ds: Credential;
  ka: Credential;
}

export interface User {
  id: string;
  name: string;
  party: Party;
}

/** The test-PKI entity ids (ZAZ1, GBCS-FACTS): the lab uses them so other tools' defaults fit. */
export const TEST_ENTITIES: Record<string, { role: RemotePartyRole; eui: string; name: string }> = {
  supplier: { role: 'supplier', eui: '90B3D51F30010000', name: 'Test Supplier' },
  supplier2: { role: 'supplier', eui: '90B3D51F30030000', name: 'Test Supplier 2' },
  networkOperator: { role: 'networkOperator', eui: '90B3D51F30020000', name: 'Test Network Operator' },
  acb: { role: 'acb', eui: '90B3D51F30000002', name: 'DCC (Access Control Broker)' },
  recovery: { role: 'recovery', eui: '90B3D51F30000001', name: 'DCC Recovery' },
  transCoS: { role: 'transCoS', eui: '90B3D51F30000004', name: 'DCC Transitional CoS' },
  wanProvider: { role: 'wanProvider', eui: '90B3D51F30000007', name: 'DCC WAN Provider' },
};

/** The raw 32-byte scalar of a PKCS#8 PEM private key. */
export function scalarOfPem(pem: string): Uint8Array {
  const jwk = createPrivateKey(pem).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.d as string, 'base64url'));
}

function roleCode(role: RemotePartyRole): string {
  return ('0' + roleNumber(role).toString(16).toUpperCase()).slice(-2);
}

/** Issues a party's DS and KA organisation certificates from the test SMKI. */
export function issueParty(smki: TestSmki, crypto: BoardCrypto, p: { role: RemotePartyRole; eui: string; name: string }): Party {
  const code = roleCode(p.role);
  const cred = (keyUsage: 'digitalSignature' | 'keyAgreement'): Credential => {
    const c = smki.issueOrganisationCredentials({ role: code, eui: p.eui, keyUsage, commonName: p.name.toUpperCase().slice(0, 32) });
    const privateKey = scalarOfPem(c.privateKeyPem);
    return {
      certificate: new Uint8Array(c.certificate.der),
      certificatePem: c.certificate.pem,
      privateKey,
      privateKeyPem: c.privateKeyPem,
      publicKey: crypto.p256PublicKey(privateKey),
    };
  };
  return { name: p.name, role: p.role, roleCode: code, eui: p.eui.toUpperCase(), euiBytes: fromHex(p.eui)!, ds: cred('digitalSignature'), ka: cred('keyAgreement') };
}
