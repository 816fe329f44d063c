/**
 * The requests a lab scenario step may make, in one table: the DCC service requests
 * (harness/dcc/serviceRequests.ts) and the steps the lab runs itself (firmware packages, the clock, held
 * commands, the contingency root replacement), each with the `params` it takes and what each param must
 * be. The scenario reader (scenario.ts) checks every step's params against this table before anything
 * runs, so a typo (`"to": "suplier"`, `"package": "godo"`, `"seconds": "7200"`) is a named error, not
 * 24 steps that "differ"; `smets lab --help` prints the same table.
 * @module
 */
import { SERVICE_REQUESTS } from '../dcc/serviceRequests.ts';
import { TEST_ENTITIES } from '../dcc/users.ts';
import { closest } from '../userInput/closest.ts';

/** The lab's firmware packages (harness/lab/firmwareLab.ts builds them), by name. */
export const LAB_PACKAGES: Record<string, string> = {
  good: '00020000, on the CPL',
  faulty: '00030000, on the CPL, fails its start-up self-check',
  other: '00040000, on the CPL, never distributed',
  tampered: 'the good package with one byte changed after signing',
  'bad-signature': '00050000, on the CPL, signed with a key that is not the manufacturer\'s',
};

/** What a param must be. `step`: an earlier step's id; `party`: a party id of TEST_ENTITIES. */
export type ParamKind = 'party' | 'package' | 'hash' | 'positive-number' | 'true' | 'time' | 'step' | 'choice' | 'utrn';

export interface ParamSpec {
  kind: ParamKind;
  required?: boolean;
  about: string;
  /** kind 'choice': the values it may take. */
  choices?: string[];
}

export interface LabRequest {
  name: string;
  title: string;
  params: Record<string, ParamSpec>;
  /** Params of which exactly one must be given (activate-firmware: package or hash). */
  oneOf?: string[];
  /** Only this user may send it. */
  onlyAs?: string;
  /** Only in a scenario with "premises" (the Communications Hub and its HAN: harness/lab/premisesLab.ts). */
  premises?: boolean;
}

const DCC_REQUEST_PARAMS: Record<string, Pick<LabRequest, 'params' | 'oneOf'>> = {
  'update-security-credentials': { params: { to: { kind: 'party', required: true, about: 'the party whose DS and KA certificates replace the current ones' }, prepayment: { kind: 'true', about: 'a Supplier\'s KA certificate in the prepayment cell too (the key UTRNs are checked under: top-up)' } } },
  'activate-firmware': {
    params: {
      package: { kind: 'package', about: 'the lab package whose image hash is activated' },
      hash: { kind: 'hash', about: 'instead of a package' },
      inSeconds: { kind: 'positive-number', about: 'future-dated: activate this many seconds from the lab clock' },
      executionTime: { kind: 'time', about: 'instead of inSeconds' },
      cancel: { kind: 'true', about: 'cancel the pending future-dated activation' },
    },
    oneOf: ['package', 'hash'],
  },
  'top-up': {
    params: {
      pounds: { kind: 'positive-number', about: 'the Supplier makes a UTRN of this many pounds for the device (1..8191)' },
      utrn: { kind: 'utrn', about: 'instead of pounds: a UTRN the Supplier made' },
    },
    oneOf: ['pounds', 'utrn'],
  },
};

export const LAB_STEPS: LabRequest[] = [
  { name: 'supplier-check-firmware', title: 'the Supplier\'s check of a package before submitting it (signature, CPL hash)', params: { package: { kind: 'package', required: true, about: 'the lab package to check' } } },
  { name: 'update-firmware', title: 'Update Firmware (DUIS 11.1): CPL check at the DCC, block transfer, 00CE receipt', params: { package: { kind: 'package', required: true, about: 'the lab package to send' } } },
  { name: 'advance-clock', title: 'the lab clock moves on: future-dated activations fall due, CPL entries expire', params: { seconds: { kind: 'positive-number', required: true, about: 'how far' } }, onlyAs: 'dcc' },
  { name: 'contingency-root-replacement', title: 'the DCC replaces the device\'s Root OCA (CS02b anyByContingency)', params: {}, onlyAs: 'dcc' },
  { name: 'release-held', title: 'the second user releases a command the DCC held (anomaly threshold)', params: { step: { kind: 'step', required: true, about: 'the step that was held' } } },
  { name: 'drop-held', title: 'the second user drops a command the DCC held', params: { step: { kind: 'step', required: true, about: 'the step that was held' } } },
];

const choice = (choices: string[], about: string, required = true): ParamSpec => ({ kind: 'choice', choices, about, ...(required ? { required: true } : {}) });
const HAN = ['ESME', 'GSME', 'PPMID', 'IHD'];

/** The premises' requests (scenario "premises"; harness/lab/premisesLab.ts runs them). */
export const PREMISES_STEPS: LabRequest[] = [
  { name: 'chf-add-device', title: 'CCS01: the DCC adds a HAN device to the CHF Device Log with its install code (the DCC checks the code\'s CRC first); the join window opens', params: { device: choice(HAN, 'the device'), installCode: choice(['bad-crc'], 'give the code with a wrong CRC', false) }, premises: true },
  { name: 'chf-remove-device', title: 'CCS02: the DCC removes a device from the CHF Device Log', params: { device: choice(HAN, 'the device') }, premises: true },
  { name: 'han-join', title: 'a device joins the HAN with the link key of its install code; the CHF records it and raises CS14', params: { device: choice(HAN, 'the device') }, onlyAs: 'dcc', premises: true },
  { name: 'commission-device', title: 'CS02b from the ACB: a premises device handed to a Supplier (the ESME and the GSME also get its prepayment KA cell)', params: { device: choice(['ESME', 'GSME', 'GPF'], 'the device'), to: { kind: 'party', required: true, about: 'the Supplier' } }, onlyAs: 'dcc', premises: true },
  { name: 'gsme-wake-interval', title: 'the GPF tells the GSME how often to wake', params: { seconds: { kind: 'positive-number', required: true, about: 'seconds between wakes (1..86,400)' } }, onlyAs: 'dcc', premises: true },
  { name: 'gsme-wake', title: 'the wake interval passes: the GSME wakes, publishes its data to the GPF, pulls, runs and acknowledges what waits; its answers go to the DCC', params: {}, onlyAs: 'dcc', premises: true },
  { name: 'read-gas-from-gpf', title: 'GCS60 (read meter balance) to the GPF, answered from its copy of the GSME\'s data', params: {}, premises: true },
  { name: 'pair', title: 'CS03 on a meter: join a PPMID (A1 on the ESME, C on the GSME, critical), an IHD or the GPF (B)', params: { meter: choice(['ESME', 'GSME'], 'the meter'), device: choice(['PPMID', 'IHD', 'GPF'], 'the device it joins') }, premises: true },
  { name: 'unpair', title: 'CS04 on a meter: unjoin a device (CS04AC for a PPMID, CS04B for an IHD or the GPF)', params: { meter: choice(['ESME', 'GSME'], 'the meter'), device: choice(['PPMID', 'IHD', 'GPF'], 'the device') }, premises: true },
  { name: 'read-join-details', title: 'CS07: the meter\'s Device Log', params: { meter: choice(['ESME', 'GSME'], 'the meter') }, premises: true },
  { name: 'han-request', title: 'a PPMID or IHD asks a meter over the HAN (the ESME: top-up by a UTRN the Supplier made, read balance / supply; the GSME: the PPMID\'s top-up, PCS01, run when the GSME wakes)', params: { from: choice(['PPMID', 'IHD'], 'the HAN device'), request: choice(['top-up', 'read-balance', 'read-supply'], 'what it asks'), meter: choice(['ESME', 'GSME'], 'the meter it asks (default ESME)', false), pounds: { kind: 'positive-number', about: 'top-up: the UTRN\'s value in pounds' }, repeat: { kind: 'true', about: 'top-up: the previous UTRN to that meter again' } }, onlyAs: 'dcc', premises: true },
  { name: 'gsme-top-up', title: 'CS01b: the Supplier tops up the GSME with a UTRN it made (queued on the GPF until the GSME wakes)', params: { pounds: { kind: 'positive-number', required: true, about: 'the UTRN\'s value in pounds' } }, premises: true },
];

/** Every request a step may name, DCC service requests first. */
export const LAB_REQUESTS: LabRequest[] = [
  ...SERVICE_REQUESTS.map((s): LabRequest => ({ name: s.name, title: s.title, ...(DCC_REQUEST_PARAMS[s.name] ?? { params: {} }) })),
  ...LAB_STEPS,
  ...PREMISES_STEPS,
];

export function labRequest(name: string): LabRequest | undefined {
  return LAB_REQUESTS.find((r) => r.name === name);
}

const list = (xs: string[]) => xs.map((x) => '"' + x + '"').join(', ');

/** What a kind accepts, in words. */
function kindWords(kind: ParamKind): string {
  switch (kind) {
    case 'party': return 'a party: ' + list(Object.keys(TEST_ENTITIES));
    case 'package': return 'a lab package: ' + list(Object.keys(LAB_PACKAGES));
    case 'hash': return '64 hex digits';
    case 'positive-number': return 'a number above 0 (not in quotes)';
    case 'true': return 'true';
    case 'time': return 'a time YYYYMMDDHHMMSSZ';
    case 'step': return 'the id of an earlier step';
    case 'choice': return 'one of the choices';
    case 'utrn': return '20 digits';
  }
}

/** What a param accepts, in words (a choice lists its values). */
function specWords(spec: ParamSpec): string {
  return spec.kind === 'choice' && spec.choices ? 'one of ' + list(spec.choices) : kindWords(spec.kind);
}

/** The problems with one step's params, each as [param path, message]; `earlier` are the ids of the steps before it. */
export function checkParams(request: LabRequest, params: Record<string, unknown>, earlier: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const known = Object.keys(request.params);
  for (const k of Object.keys(params)) {
    if (!request.params[k]) {
      out.push(['params.' + k, known.length ? 'unknown param for ' + request.name + ' (it takes ' + list(known) + ')' : request.name + ' takes no params']);
    }
  }
  for (const k of known) {
    const spec = request.params[k];
    const v = params[k];
    if (v === undefined) {
      if (spec.required) out.push(['params.' + k, 'required: ' + specWords(spec)]);
      continue;
    }
    const choices = spec.kind === 'party' ? Object.keys(TEST_ENTITIES) : spec.kind === 'package' ? Object.keys(LAB_PACKAGES) : spec.kind === 'step' ? earlier : spec.kind === 'choice' ? spec.choices ?? [] : [];
    const near = typeof v === 'string' ? closest(v, choices) : undefined;
    const hint = near ? ' (did you mean "' + near + '"?)' : typeof v === 'string' && spec.kind === 'positive-number' && Number(v) > 0 ? ' (write ' + v + ' without quotes)' : '';
    const bad = (): void => void out.push(['params.' + k, 'must be ' + specWords(spec) + ', got ' + JSON.stringify(v) + hint]);
    switch (spec.kind) {
      case 'party': if (typeof v !== 'string' || !TEST_ENTITIES[v]) bad(); break;
      case 'package': if (typeof v !== 'string' || !Object.prototype.hasOwnProperty.call(LAB_PACKAGES, v)) bad(); break;
      case 'hash': if (typeof v !== 'string' || !/^[0-9A-Fa-f]{64}$/.test(v)) bad(); break;
      case 'positive-number': if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) bad(); break;
      case 'true': if (v !== true) bad(); break;
      case 'time': if (typeof v !== 'string' || !/^[0-9]{14}Z$/.test(v)) bad(); break;
      case 'step': if (typeof v !== 'string' || earlier.indexOf(v) < 0) bad(); break;
      case 'choice': if (typeof v !== 'string' || (spec.choices ?? []).indexOf(v) < 0) bad(); break;
      case 'utrn': if (typeof v !== 'string' || !/^[0-9]{20}$/.test(v)) bad(); break;
    }
  }
  if (request.oneOf) {
    const given = request.oneOf.filter((k) => params[k] !== undefined);
    if (given.length !== 1) out.push(['params', request.name + ' takes one of ' + list(request.oneOf) + (given.length ? ', not both' : '')]);
  }
  return out;
}

/** The requests and their params, for `smets lab --help`. */
export function requestsHelp(): string {
  const lines: string[] = [];
  for (const r of LAB_REQUESTS) {
    lines.push('  ' + r.name + (r.onlyAs ? ' (as "' + r.onlyAs + '")' : '') + (r.premises ? ' [premises]' : '') + ': ' + r.title);
    for (const [k, p] of Object.entries(r.params)) lines.push('      "' + k + '"' + (p.required ? '' : ' (optional)') + ': ' + specWords(p) + '; ' + p.about);
  }
  return lines.join('\n');
}
