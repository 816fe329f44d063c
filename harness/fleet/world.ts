/**
 * The fleet's world: what every shard needs to make, commission and drive premises, as plain data that
 * crosses a worker_threads message or a NATS KV value — the parties' credentials (organisation
 * certificates and test private keys from the test SMKI), the Root OCA the factory installs (carrying the
 * DCC's wrapped contingency key), the Issuing OCA (CS02b certification path), the manufacturer's
 * image-signing key, the firmware packages, and the Certified Products List entries. The coordinator
 * makes it (`makeWorld`, harness/fleet/runFleet.ts) from the same pieces the lab uses; a shard opens it
 * (`openWorld`): parties as `Party` objects, packages as bytes, and its own copy of the CPL in a
 * temporary folder (the DCC's checks read a CertifiedProductsList; each shard's DCC is a replica).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, toHex } from '../../lib/bytes.ts';
import type { BoardCrypto } from '../../boards/board.ts';
import { CertifiedProductsList } from '../cpl/certifiedProductsList.ts';
import type { CplEntry } from '../cpl/certifiedProductsList.ts';
import { buildPackage, MANUFACTURER_EUI, MANUFACTURER_ROLE, sampleBody } from '../firmwarePackage/firmwarePackage.ts';
import type { FirmwarePackage } from '../firmwarePackage/firmwarePackage.ts';
import { generateContingencyKey, reissueRootWithContingency } from '../smki/contingency.ts';
import type { TestSmki } from '../smki/testSmki.ts';
import { issueParty, scalarOfPem, TEST_ENTITIES } from '../dcc/users.ts';
import type { Credential, Party } from '../dcc/users.ts';
import type { RemotePartyRole } from '../../gbcs/messageCodes.ts';

export const FLEET_MODEL = '1234-0001';
/** The factory image's CPL version (the device reports "0.1.0"; the DCC's inventory knows it by this). */
export const FACTORY_VERSION = '00010000';
const DAY_MS = 86_400_000;

interface CredentialJson { certificate: string; privateKey: string; publicKey: string }
export interface PartyJson { name: string; role: RemotePartyRole; roleCode: string; eui: string; ds: CredentialJson; ka: CredentialJson }
export interface PackageJson { bytes: string; model: string; version: string; firmwareId: string; imageHash: string }

export interface WorldSpec {
  /** The fleet clock's start (ms since the epoch); phases run at start + their offset. */
  startMs: number;
  parties: Record<string, PartyJson>;
  issuingOca: string;
  /** The Root OCA for the devices' root cell (re-issued with the wrapped contingency key). */
  rootCertificate: string;
  manufacturerPublic: string;
  packages: Record<string, PackageJson>;
  cpl: Array<Omit<CplEntry, 'status'>>;
  deviceModel: string;
}

const credJson = (c: Credential): CredentialJson => ({ certificate: toHex(c.certificate), privateKey: toHex(c.privateKey), publicKey: toHex(c.publicKey) });
export function partyJson(p: Party): PartyJson {
  return { name: p.name, role: p.role, roleCode: p.roleCode, eui: p.eui, ds: credJson(p.ds), ka: credJson(p.ka) };
}
const credOf = (c: CredentialJson): Credential => ({ certificate: fromHex(c.certificate)!, certificatePem: '', privateKey: fromHex(c.privateKey)!, publicKey: fromHex(c.publicKey)! });
export function partyOf(p: PartyJson): Party {
  return { name: p.name, role: p.role, roleCode: p.roleCode, eui: p.eui, euiBytes: fromHex(p.eui)!, ds: credOf(p.ds), ka: credOf(p.ka) };
}

export interface WorldOptions {
  smki: TestSmki;
  crypto: BoardCrypto;
  startMs: number;
  /** Image size of the fleet's packages (bytes): each premises stores the image it is sent. */
  imageBytes: number;
  /** Days until each version's CPA certificate expires (default 3,650). */
  cpaDays: Record<string, number>;
}

/** Issues the parties, the manufacturer's credential, the packages and the CPL entries. */
export function makeWorld(o: WorldOptions): WorldSpec {
  const parties: Record<string, PartyJson> = {};
  for (const id of Object.keys(TEST_ENTITIES)) parties[id] = partyJson(issueParty(o.smki, o.crypto, TEST_ENTITIES[id]));
  const mfr = o.smki.issueOrganisationCredentials({ role: MANUFACTURER_ROLE, eui: MANUFACTURER_EUI, keyUsage: 'digitalSignature', commonName: 'TEST METER MANUFACTURER' });
  const mfrPrivate = scalarOfPem(mfr.privateKeyPem);
  const spec = (fileVersion: number, seed: number, failSelfCheck = false) => ({ manufacturerCode: 0x1234, imageType: 0x0001, fileVersion, model: 'SMETS ESME TEST', body: sampleBody(o.imageBytes, seed), failSelfCheck });
  const built: Record<string, FirmwarePackage> = {
    good: buildPackage(o.crypto, mfrPrivate, spec(0x00020000, 2)),
    faulty: buildPackage(o.crypto, mfrPrivate, spec(0x00030000, 3, true)),
  };
  const packages: Record<string, PackageJson> = {};
  for (const name of Object.keys(built)) {
    const p = built[name];
    packages[name] = { bytes: Buffer.from(p.bytes).toString('base64'), model: p.model, version: p.version, firmwareId: p.firmwareId, imageHash: p.imageHash };
  }
  const expiry = (version: string) => new Date(o.startMs + (o.cpaDays[version] ?? 3650) * DAY_MS).toISOString();
  const cpl: WorldSpec['cpl'] = [{ model: FLEET_MODEL, version: FACTORY_VERSION, firmwareId: '1234000100010000', imageHash: '00'.repeat(32), cpaExpiry: expiry(FACTORY_VERSION) }];
  for (const name of Object.keys(built)) cpl.push({ model: built[name].model, version: built[name].version, firmwareId: built[name].firmwareId, imageHash: built[name].imageHash, cpaExpiry: expiry(built[name].version) });
  const contingency = generateContingencyKey();
  const root = reissueRootWithContingency(o.smki.rootOca(), contingency, o.smki.policy.organisation, new Date(o.startMs));
  return {
    startMs: o.startMs, parties, issuingOca: toHex(new Uint8Array(o.smki.issuingOca().der)), rootCertificate: toHex(new Uint8Array(root)),
    manufacturerPublic: toHex(o.crypto.p256PublicKey(mfrPrivate)), packages, cpl, deviceModel: FLEET_MODEL,
  };
}

/** A shard's view of the world. */
export interface OpenWorld {
  spec: WorldSpec;
  parties: Record<string, Party>;
  issuingOca: Uint8Array;
  rootCertificate: Uint8Array;
  manufacturerPublic: Uint8Array;
  packages: Record<string, { bytes: Uint8Array; version: string; imageHash: string }>;
  /**
   * A replica of the DCC's CPL as it stands at `nowMs` on the fleet clock (entries whose CPA expired by
   * then are expired); close it after the job.
   */
  cplAt(nowMs: number): CertifiedProductsList & { dispose(): void };
  close(): void;
}

export function openWorld(spec: WorldSpec): OpenWorld {
  const parties: Record<string, Party> = {};
  for (const id of Object.keys(spec.parties)) parties[id] = partyOf(spec.parties[id]);
  const packages: OpenWorld['packages'] = {};
  for (const name of Object.keys(spec.packages)) {
    const p = spec.packages[name];
    packages[name] = { bytes: new Uint8Array(Buffer.from(p.bytes, 'base64')), version: p.version, imageHash: p.imageHash };
  }
  const open: Array<() => void> = [];
  return {
    spec, parties, packages,
    issuingOca: fromHex(spec.issuingOca)!, rootCertificate: fromHex(spec.rootCertificate)!, manufacturerPublic: fromHex(spec.manufacturerPublic)!,
    cplAt(nowMs) {
      const dir = mkdtempSync(join(tmpdir(), 'smets-fleet-cpl-'));
      const cpl = new CertifiedProductsList(dir, () => nowMs);
      for (const e of spec.cpl) cpl.add(e);
      let disposed = false;
      const dispose = () => {
        if (disposed) return;
        disposed = true;
        cpl.close();
        rmSync(dir, { recursive: true, force: true });
      };
      open.push(dispose);
      return Object.assign(cpl, { dispose });
    },
    close() {
      for (const d of open.splice(0)) d();
    },
  };
}
