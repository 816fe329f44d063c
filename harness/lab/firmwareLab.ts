/**
 * The lab's firmware world: the manufacturer (its image-signing credential from the test SMKI, role 7F,
 * harness/firmwarePackage/firmwarePackage.ts), the packages it builds, the Certified Products List in the SMKI's
 * folder with the lab's entries, the DCC's inventory (the ESME, its Communications Hub and a gas meter on
 * the same HAN) as the Deployed Products List, and the suspension register. Also runs the scenario's
 * firmware steps that are not DCC service requests (the Supplier's check, Update Firmware, the clock).
 *
 * Packages (model 1234-0001): good (00020000, on the CPL), faulty (00030000, on the CPL, fails its
 * start-up self-check), other (00040000, on the CPL, never distributed: its hash is not on the device),
 * tampered (the good package with one byte changed after signing: hash not on the CPL), bad-signature
 * (00050000, on the CPL but signed with a key that is not the manufacturer's).
 * @module
 */
import { createHash } from 'node:crypto';
import type { BoardCrypto } from '../../boards/board.ts';
import { CertifiedProductsList } from '../cpl/certifiedProductsList.ts';
import type { CplEvent } from '../cpl/certifiedProductsList.ts';
import { deployedProductsList, Inventory } from '../cpl/deployedProductsList.ts';
import { SuspensionRegister } from '../dcc/suspension.ts';
import type { DccPlayer, Exchange } from '../dcc/dccPlayer.ts';
import { buildPackage, MANUFACTURER_EUI, MANUFACTURER_ROLE, sampleBody } from '../firmwarePackage/firmwarePackage.ts';
import type { FirmwarePackage } from '../firmwarePackage/firmwarePackage.ts';
import { checkPackage } from '../firmwarePackage/supplierCheck.ts';
import type { TestSmki } from '../smki/testSmki.ts';
import { scalarOfPem } from '../dcc/users.ts';
import { secondsToTime } from '../../gbcs/dateTime.ts';
import type { RequestStep } from './scenario.ts';

export const DEVICE_MODEL = '1234-0001';
const DAY_MS = 86_400_000;

export interface FirmwareLab {
  manufacturer: { certificatePem: string; privateKeyPem: string; publicKey: Uint8Array };
  packages: Record<string, FirmwarePackage>;
  cpl: CertifiedProductsList;
  inventory: Inventory;
  suspension: SuspensionRegister;
  /** CPL notifications as they happen (printed by the lab). */
  events: CplEvent[];
}

export function setUpFirmwareLab(smki: TestSmki, crypto: BoardCrypto, dir: string, deviceEui: string, now: () => number, notify: (line: string) => void): FirmwareLab {
  const c = smki.issueOrganisationCredentials({ role: MANUFACTURER_ROLE, eui: MANUFACTURER_EUI, keyUsage: 'digitalSignature', commonName: 'TEST METER MANUFACTURER' });
  const mfrPrivate = scalarOfPem(c.privateKeyPem);
  const foreign = new Uint8Array(32).fill(0x5a); // a key that is not the manufacturer's
  const spec = (fileVersion: number, seed: number, failSelfCheck = false) => ({ manufacturerCode: 0x1234, imageType: 0x0001, fileVersion, model: 'SMETS ESME TEST', body: sampleBody(96 * 1024, seed), failSelfCheck });
  const good = buildPackage(crypto, mfrPrivate, spec(0x00020000, 2));
  const tamperedBytes = new Uint8Array(good.bytes);
  tamperedBytes[5000] ^= 0x01;
  const packages: Record<string, FirmwarePackage> = {
    good,
    faulty: buildPackage(crypto, mfrPrivate, spec(0x00030000, 3, true)),
    other: buildPackage(crypto, mfrPrivate, spec(0x00040000, 4)),
    tampered: { ...good, bytes: tamperedBytes, imageHash: createHash('sha256').update(tamperedBytes.subarray(0, tamperedBytes.length - 70)).digest('hex') },
    'bad-signature': buildPackage(crypto, foreign, spec(0x00050000, 5)),
  };
  const cpl = new CertifiedProductsList(dir, now);
  const events: CplEvent[] = [];
  cpl.onEvent((e) => {
    events.push(e);
    notify('CPL ' + e.kind + ': ' + e.model + ' ' + e.version + ' (' + e.detail + ')');
  });
  const expiry = new Date(now() + 365 * DAY_MS).toISOString();
  cpl.add({ model: DEVICE_MODEL, version: '00010000', firmwareId: '1234000100010000', imageHash: '00'.repeat(32), cpaExpiry: expiry });
  for (const name of ['good', 'faulty', 'other', 'bad-signature']) {
    const p = packages[name];
    cpl.add({ model: p.model, version: p.version, firmwareId: p.firmwareId, imageHash: p.imageHash, cpaExpiry: expiry });
  }
  const inventory = new Inventory();
  const chf = deviceEui.substring(0, 14) + 'A1';
  const gsme = deviceEui.substring(0, 14) + 'A2';
  inventory.add({ eui: deviceEui, deviceType: 'ESME', model: DEVICE_MODEL, version: '00010000', associated: [chf] });
  inventory.add({ eui: chf, deviceType: 'CHF', model: 'abcd-0001', version: '00010000', associated: [deviceEui, gsme] });
  inventory.add({ eui: gsme, deviceType: 'GSME', model: 'beef-0001', version: '00010000', associated: [chf] });
  const suspension = new SuspensionRegister(cpl, inventory, ['Test Supplier 90B3D51F30010000', 'Test Network Operator 90B3D51F30020000']);
  return { manufacturer: { certificatePem: c.certificate.pem, privateKeyPem: c.privateKeyPem, publicKey: crypto.p256PublicKey(mfrPrivate) }, packages, cpl, inventory, suspension, events };
}

function pkgParam(lab: FirmwareLab, step: RequestStep): FirmwarePackage | string {
  const name = step.params.package;
  if (typeof name !== 'string' || !lab.packages[name]) return 'bad-parameters: "package" must be one of ' + Object.keys(lab.packages).join(', ');
  return lab.packages[name];
}

/** The firmware steps the lab runs itself; undefined for a step that is a DCC service request. */
export async function runFirmwareStep(lab: FirmwareLab, step: RequestStep, o: {
  crypto: BoardCrypto; dcc: DccPlayer; issuingOcaPem: string; deviceEui: string; nowMs: () => number; advance: (ms: number) => void | Promise<void>; tick: () => void | Promise<void>;
}): Promise<Exchange | undefined> {
  const base: Exchange = { user: step.as, request: step.request, verdict: 'refused-by-dcc', frames: [], checks: [], reading: {} };
  if (step.request === 'supplier-check-firmware') {
    const p = pkgParam(lab, step);
    if (typeof p === 'string') return { ...base, verdict: 'refused-by-supplier', reason: p };
    const v = checkPackage(o.crypto, p.bytes, lab.manufacturer.certificatePem, o.issuingOcaPem, lab.cpl);
    return v.ok
      ? { ...base, verdict: 'accepted', reason: 'signature and hash good: ' + v.model + ' ' + v.version + ' ' + v.imageHash, reading: { imageHash: v.imageHash } }
      : { ...base, verdict: 'refused-by-supplier', reason: v.reason, reading: { imageHash: v.imageHash } };
  }
  if (step.request === 'update-firmware') {
    const p = pkgParam(lab, step);
    if (typeof p === 'string') return { ...base, reason: p };
    return o.dcc.updateFirmware(step.as, p.bytes);
  }
  if (step.request === 'advance-clock') {
    const s = step.params.seconds;
    if (typeof s !== 'number' || !(s > 0)) return { ...base, reason: 'bad-parameters: "seconds" must be a positive number' };
    await o.advance(s * 1000);
    await o.tick();
    await new Promise((r) => setTimeout(r, 10));
    const alerts = o.dcc.alerts();
    const before = lab.suspension.notifications.length;
    const suspended = lab.suspension.checkExpiry(o.nowMs());
    const fresh = lab.suspension.notifications.slice(before).filter((n) => n.text.indexOf('no deployed device') < 0);
    const notes = fresh.length ? ['notified ' + fresh.map((n) => n.to).filter((t, i, a) => a.indexOf(t) === i).join(' and ') + ': ' + fresh.map((n) => n.text).filter((t, i, a) => a.indexOf(t) === i).join('; ')] : [];
    const ex: Exchange = {
      ...base, verdict: 'accepted', folder: '11.3_CS06',
      reason: 'clock now ' + new Date(o.nowMs()).toISOString() + (alerts.length ? '; ' + alerts.length + ' alert(s)' : '') + (suspended.length ? '; ' + notes.join('; ') : ''),
    };
    for (const a of alerts) ex.frames.push({ kind: 'ALERT', bytes: a, from: o.deviceEui, to: 'Supplier' });
    return ex;
  }
  return undefined;
}

/** Resolves activate-firmware's `package` and `inSeconds` params into the service request's `hash` and `executionTime`. */
export function activationParams(lab: FirmwareLab, params: Record<string, unknown>, nowMs: number): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  if (typeof params.package === 'string' && lab.packages[params.package]) out.hash = lab.packages[params.package].imageHash;
  if (typeof params.inSeconds === 'number') out.executionTime = secondsToTime(Math.floor(nowMs / 1000) + params.inSeconds);
  delete out.package;
  delete out.inSeconds;
  return out;
}

export function dplSummary(lab: FirmwareLab): string {
  return deployedProductsList(lab.inventory, lab.cpl).map((d) => d.eui + ' ' + d.deviceType + ' ' + d.model + ' v' + d.version + ' ' + d.cplStatus + (lab.suspension.reason(d.eui) ? ' SUSPENDED' : '')).join('; ');
}
