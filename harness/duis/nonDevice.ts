/**
 * DUIS non-device services (POST /api/v1/serviceD): the requests the DCC answers from its own records
 * (the Smart Metering Inventory, SMI) without a command to a device. Which ones the lab's DCC does:
 *
 * | SRV | request | what this DCC does | answer |
 * |---|---|---|---|
 * | 8.2 | ReadInventory | the device named by DeviceID, or the devices with that MPxN | I0 with `DSPInventory`, E19 if none |
 * | 8.3 | DecommissionDevice | SMI status -> Decommissioned (commands to it are then refused E5) | I99 |
 * | 8.14.2 | CHFInstallSuccessNoSMWAN | CHF status -> InstalledNotCommissioned | I99 |
 * | 8.14.3 | CHFFaultReturn | CHF status -> Withdrawn (UNCONFIRMED: the status DUIS gives a returned hub) | I99 |
 * | 12.2 | DevicePrenotification | a new device, status Pending, with its type, manufacturer, model, firmware | I99; E5 if it is already known |
 * | 11.1 | UpdateFirmware | in server.ts: the premises' DCC checks the package against the CPL and distributes it | I99, then the device's 8F72 receipt pushed (E110101 pushed if the DCC refuses the package) |
 * | 5.2, 8.6, 11.4 | ReadSchedule, ServiceOptIn (SMETS1), UpdatePPMIDFirmware | not built | E100 |
 *
 * Response codes: I0 and I99 as DUIS defines them (I99 also answers a successful non-device request with no XML
 * in its response); E5 "Device SMI status incompatible with the Service Reference"; E19 "device doesn't exist".
 * @module
 */
import type { DuisRequest } from './request.ts';
import { dashedEui } from './request.ts';
import { RESPONSE_CODES as C } from './responseCodes.ts';
import type { Inventory } from './transform.ts';
import { child, textOf } from './xml.ts';

/** DUIS DeviceStatus (SMI status). */
export type SmiStatus = 'Pending' | 'Whitelisted' | 'InstalledNotCommissioned' | 'Commissioned' | 'Decommissioned' | 'Withdrawn' | 'Suspended' | 'Recovery' | 'Recovered';

export interface SmiRecord {
  /** EUI-64, upper-case hex. */
  id: string;
  /** DUIS DeviceType (ESME, GSME, GPF, CHF, HCALCS, PPMID, IHD, CAD). */
  type: string;
  status: SmiStatus;
  manufacturer: string;
  model: string;
  firmwareVersion?: string;
  smetsChtsVersion?: string;
  importMpxn?: string;
}

/** The statuses in which the DCC sends commands to a device; others are refused E5. */
const COMMANDABLE: SmiStatus[] = ['Whitelisted', 'InstalledNotCommissioned', 'Commissioned', 'Recovered'];

/** The DCC's Smart Metering Inventory: device records by EUI-64; the device-type view (`Inventory`) follows it. */
export class SmartMeteringInventory {
  private readonly records: Record<string, SmiRecord> = {};

  /**
   * From a device-type inventory: every device Commissioned. Manufacturer and model are not known to the
   * DCC for these (the lab's devices were not pre-notified), and are recorded as `unknown`.
   */
  constructor(readonly inventory: Inventory) {
    for (const id of Object.keys(inventory)) this.records[id] = { id, type: inventory[id], status: 'Commissioned', manufacturer: 'unknown', model: 'unknown' };
  }

  get(id: string): SmiRecord | undefined {
    return this.records[id];
  }

  all(): SmiRecord[] {
    return Object.keys(this.records).map((k) => this.records[k]);
  }

  /** Whether the DCC may send a command to `id` (its SMI status permits it); unknown devices are E19's business. */
  commandable(id: string): boolean {
    const r = this.records[id];
    return !r || COMMANDABLE.indexOf(r.status) >= 0;
  }

  setStatus(id: string, status: SmiStatus): void {
    const r = this.records[id];
    if (r) r.status = status;
  }

  add(r: SmiRecord): void {
    this.records[r.id] = r;
    const t = r.type as Inventory[string];
    if (['ESME', 'GSME', 'CHF', 'GPF', 'PPMID', 'HCALCS'].indexOf(r.type) >= 0) this.inventory[r.id] = t;
  }
}

export interface NonDeviceAnswer {
  code: string;
  /** The response's XML after ServiceReferenceVariant (e.g. `<sr:DSPInventory>`), escaped. */
  bodyXml?: string;
  /** What the DCC did, for its log. */
  detail: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function euiText(el: Element | undefined): string | undefined {
  const t = textOf(el)?.replace(/-/g, '').toUpperCase();
  return t && /^[0-9A-F]{16}$/.test(t) ? t : undefined;
}

function deviceXml(d: SmiRecord): string {
  let x = '<sr:Device><sr:DeviceID>' + dashedEui(d.id) + '</sr:DeviceID><sr:DeviceType>' + esc(d.type) + '</sr:DeviceType><sr:DeviceStatus>' + d.status + '</sr:DeviceStatus>' +
    '<sr:DeviceManufacturer>' + esc(d.manufacturer) + '</sr:DeviceManufacturer><sr:DeviceModel>' + esc(d.model) + '</sr:DeviceModel>';
  if (d.smetsChtsVersion) x += '<sr:SMETSCHTSVersion>' + esc(d.smetsChtsVersion) + '</sr:SMETSCHTSVersion>';
  if (d.firmwareVersion) x += '<sr:DeviceFirmwareVersion>' + esc(d.firmwareVersion) + '</sr:DeviceFirmwareVersion>';
  if (d.importMpxn) x += '<sr:ImportMPxN>' + esc(d.importMpxn) + '</sr:ImportMPxN>';
  return x + '</sr:Device>';
}

type Element = DuisRequest['body'];

/** The DCC's answer to a non-device request (already accepted by the gateway), and its effect on the SMI. */
export function answerNonDevice(r: DuisRequest, smi: SmartMeteringInventory): NonDeviceAnswer {
  const b = r.body;
  switch (r.serviceReferenceVariant) {
    case '8.2': {
      const id = euiText(child(b, 'DeviceID'));
      const mpxn = textOf(child(b, 'MPxN'));
      if (!id && !mpxn) return { code: C.notSupported, detail: 'ReadInventory by UPRN or PropertyFilter: the lab\'s inventory holds no addresses' };
      const found = smi.all().filter((d) => (id ? d.id === id : d.importMpxn === mpxn)).slice(0, 17);
      if (found.length === 0) return { code: C.unknownDevice, detail: 'ReadInventory: no device ' + (id ?? mpxn) };
      return { code: C.success, bodyXml: '<sr:DSPInventory>' + found.map(deviceXml).join('') + '</sr:DSPInventory>', detail: 'ReadInventory: ' + found.length + ' device(s)' };
    }
    case '8.3': {
      const id = euiText(child(b, 'DeviceID'));
      const d = id ? smi.get(id) : undefined;
      if (!d) return { code: C.unknownDevice, detail: 'DecommissionDevice: unknown device' };
      if (d.status === 'Decommissioned' || d.status === 'Withdrawn') return { code: C.invalidDeviceStatus, detail: 'DecommissionDevice: ' + d.id + ' is ' + d.status };
      smi.setStatus(d.id, 'Decommissioned');
      return { code: C.acknowledged, detail: 'DecommissionDevice: ' + d.id + ' Decommissioned' };
    }
    case '8.14.2':
    case '8.14.3': {
      const id = euiText(child(b, 'DeviceID'));
      const d = id ? smi.get(id) : undefined;
      if (!d) return { code: C.unknownDevice, detail: r.service + ': unknown device' };
      if (d.type !== 'CHF') return { code: C.wrongDeviceType, detail: r.service + ': ' + d.id + ' is not a CHF' };
      const to: SmiStatus = r.serviceReferenceVariant === '8.14.2' ? 'InstalledNotCommissioned' : 'Withdrawn';
      smi.setStatus(d.id, to);
      return { code: C.acknowledged, detail: r.service + ': ' + d.id + ' ' + to };
    }
    case '12.2': {
      const id = euiText(child(b, 'DeviceID'));
      const type = textOf(child(b, 'DeviceType'));
      if (!id || !type) return { code: C.invalidXml, detail: 'DevicePrenotification: DeviceID and DeviceType are required' };
      if (smi.get(id)) return { code: C.invalidDeviceStatus, detail: 'DevicePrenotification: ' + id + ' is already in the SMI (' + smi.get(id)!.status + ')' };
      smi.add({ id, type, status: 'Pending', manufacturer: textOf(child(b, 'DeviceManufacturer')) ?? '', model: textOf(child(b, 'DeviceModel')) ?? '', firmwareVersion: textOf(child(b, 'FirmwareVersion')), smetsChtsVersion: textOf(child(b, 'SMETSCHTSVersion')) });
      return { code: C.acknowledged, detail: 'DevicePrenotification: ' + id + ' ' + type + ' Pending' };
    }
  }
  return { code: C.notSupported, detail: r.serviceReferenceVariant + ' ' + r.service + ' is not built by this DCC' };
}
