/**
 * The service requests a DCC User can make of the lab's ESME, DUIS-style: each names its GBCS message
 * code, the RTDS use-case folder its messages are filed under (DUIS service reference + GBCS use case),
 * how its command content is built, what the DCC checks before it builds anything, and how the answer is
 * read back for the user.
 *
 * Checks before a pre-command is built (in this order; a failure is a DCC refusal, nothing is sent):
 * 1. the user's role may originate the message code (`messageCodeInfo(code).originators`, GBCS use-case
 *    table; DUIS eligibility) -> 'role-not-authorised';
 * 2. the request's parameters are complete -> 'bad-parameters';
 * 3. the lab DCC's supply rule (ours, documented, not a quotation of DUIS): a load-switch command that
 *    the DCC knows would not change the switch is refused -> 'supply-already-<state>': 'disable-supply'
 *    when the last known state is off, 'arm-supply' unless it is off (arming is for an open switch),
 *    'enable-supply' when it is on. Unknown state allows all.
 * @module
 */
import type { Counter64 } from '../../gbcs/counter64.ts';
import { messageCodeInfo } from '../../gbcs/messageCodes.ts';
import type { RemotePartyRole } from '../../gbcs/messageCodes.ts';
import { counterToBytes } from '../../gbcs/counter64.ts';
import { encodeCs06 } from '../../gbcs/contents/cs06.ts';
import { CANCEL_TIME } from '../../gbcs/dateTime.ts';
import type { CertifiedProductsList } from '../cpl/certifiedProductsList.ts';
import { encodeCs02bCommand, MODE } from '../../gbcs/contents/cs02b.ts';
import { KEY_USAGE_DIGITAL_SIGNATURE as DS, KEY_USAGE_KEY_AGREEMENT as KA } from '../../gbcs/smki/certificate.ts';
import * as dlms from './dlmsContent.ts';
import type { Party } from './users.ts';
import type { BoardCrypto } from '../../boards/board.ts';
import { makeUtrn, MAX_VALUE, ptutHigh, ptutMac, VALUE_POUNDS } from '../../gbcs/utrn.ts';

export type SupplyState = 'on' | 'off' | 'armed' | 'unknown';

/** What the DCC believes about the device, from the answers it has seen. */
export interface KnownDeviceState {
  supply: SupplyState;
}

export interface BuildContext {
  counter: Counter64;
  nowUnix: number;
  originator: Party;
  /** Parties by id, for requests that name another party (CS02b). */
  parties: Record<string, Party>;
  /** The Issuing OCA certificate (CS02b certification path). */
  issuingOca: Uint8Array;
  params: Record<string, unknown>;
  /** The device addressed and the DCC's crypto (a top-up's UTRN made for it: `top-up`). */
  device?: { euiBytes: Uint8Array; kaPublic: Uint8Array };
  crypto?: BoardCrypto;
}

export interface PrecheckContext {
  originator: Party;
  parties: Record<string, Party>;
  params: Record<string, unknown>;
  /** The Certified Products List and the device's model (firmware requests, seed ¶297). */
  cpl?: CertifiedProductsList;
  model?: string;
}

export interface ServiceRequest {
  name: string;
  title: string;
  /** GBCS message code for this originator. */
  code(originator: Party): number;
  /** RTDS folder, e.g. `11.2_ECS52`. */
  folder(originator: Party): string;
  /** The state-change this request makes when accepted (the DCC's record). */
  effect?: SupplyState;
  /** A refusal reason, or undefined. */
  precheck?(known: KnownDeviceState, ctx: PrecheckContext): string | undefined;
  content(ctx: BuildContext): Uint8Array;
}

function fixed(name: string, title: string, code: number, folder: string, content: (c: BuildContext) => Uint8Array, extra?: Partial<ServiceRequest>): ServiceRequest {
  return { name, title, code: () => code, folder: () => folder, content, ...extra };
}

/** CS02b message code and folder by the originating role (GBCS credentialsReplacementMode). */
function cs02bForm(role: RemotePartyRole): { code: number; folder: string; targetRole: RemotePartyRole } | undefined {
  if (role === 'acb') return { code: 0x0100 + MODE.supplierBySupplier, folder: '6.21_CS02bSupplierBySupplierHandover', targetRole: 'supplier' };
  if (role === 'supplier') return { code: 0x0100 + MODE.supplierBySupplier, folder: '6.15.1_CS02bSupplierBySupplier', targetRole: 'supplier' };
  if (role === 'networkOperator') return { code: 0x0100 + MODE.networkOperatorByNetworkOperator, folder: '6.15.1_CS02bNOByNO', targetRole: 'networkOperator' };
  if (role === 'transCoS') return { code: 0x0100 + MODE.supplierByTransCoS, folder: '6.23_CS02bSupplierByTransCoS', targetRole: 'supplier' };
  return undefined;
}

const ROLE_NUMBER: Partial<Record<RemotePartyRole, number>> = { supplier: 2, networkOperator: 3, acb: 4, transCoS: 5, recovery: 1, wanProvider: 6 };

const updateSecurityCredentials: ServiceRequest = {
  name: 'update-security-credentials',
  title: 'Update Security Credentials (CS02b): replace a party\'s DS and KA trust anchors',
  code: (o) => cs02bForm(o.role)?.code ?? 0x0102,
  folder: (o) => cs02bForm(o.role)?.folder ?? '6.15.1_CS02b',
  precheck(_known, ctx) {
    const form = cs02bForm(ctx.originator.role);
    if (!form) return 'role-not-authorised';
    const to = ctx.params.to;
    if (typeof to !== 'string' || !ctx.parties[to]) return 'bad-parameters: "to" must name a party (' + Object.keys(ctx.parties).join(', ') + ')';
    if (ctx.parties[to].role !== form.targetRole) return 'bad-parameters: a ' + ctx.originator.role + ' CS02b replaces ' + form.targetRole + ' credentials, not ' + ctx.parties[to].role;
    return undefined;
  },
  content(ctx) {
    const form = cs02bForm(ctx.originator.role)!;
    const to = ctx.parties[ctx.params.to as string];
    const role = ROLE_NUMBER[form.targetRole]!;
    return encodeCs02bCommand({
      mode: form.code - 0x0100,
      seq: ctx.counter,
      authorisingCell: { role: ROLE_NUMBER[ctx.originator.role]!, keyUsage: DS, cellUsage: 0 },
      otherFloors: [],
      replacements: [
        { certificate: to.ds.certificate, cell: { role, keyUsage: DS, cellUsage: 0 } },
        { certificate: to.ka.certificate, cell: { role, keyUsage: KA, cellUsage: 0 } },
        // `prepayment: true` (the premises lab): the Supplier's KA certificate in the prepayment cell too,
        // the key a meter checks UTRNs under (GBCS 14; device/prepayment/utrnTopUp.ts).
        ...(ctx.params.prepayment === true && role === ROLE_NUMBER.supplier ? [{ certificate: to.ka.certificate, cell: { role, keyUsage: KA, cellUsage: 1 } }] : []),
      ],
      path: [ctx.issuingOca],
    });
  },
};

/**
 * CS06 Activate Firmware (DUIS 11.3). Params: `hash` (64 hex digits, the Image Hash), optional
 * `executionTime` (YYYYMMDDHHMMSSZ, future-dated) or `cancel: true`. The DCC builds the pre-command only
 * when the hash is on the Certified Products List for the device's model, certified (seed ¶297).
 */
const activateFirmwareRequest: ServiceRequest = {
  name: 'activate-firmware',
  title: 'Activate Firmware (CS06, critical)',
  code: () => 0x0012,
  folder: () => '11.3_CS06',
  precheck(_known, ctx) {
    const h = ctx.params.hash;
    if (typeof h !== 'string' || !/^[0-9a-fA-F]{64}$/.test(h)) return 'bad-parameters: "hash" must be 64 hex digits';
    const t = ctx.params.executionTime;
    if (t !== undefined && (typeof t !== 'string' || !/^[0-9]{14}Z$/.test(t))) return 'bad-parameters: "executionTime" must be YYYYMMDDHHMMSSZ';
    if (ctx.params.cancel === true) return undefined;
    if (!ctx.cpl) return 'no-cpl: the DCC has no Certified Products List to check the hash against';
    const entry = ctx.cpl.byHash(h);
    if (!entry || entry.status === 'removed' || (ctx.model && entry.model !== ctx.model)) return 'hash-not-on-cpl: ' + h.toLowerCase() + ' is not listed for model ' + (ctx.model ?? '?');
    if (entry.status === 'expired') return 'cpa-expired: ' + entry.model + ' ' + entry.version + ' expired ' + entry.cpaExpiry;
    return undefined;
  },
  content(ctx) {
    const hash = new Uint8Array(Buffer.from(ctx.params.hash as string, 'hex'));
    const time = ctx.params.cancel === true ? CANCEL_TIME : (ctx.params.executionTime as string | undefined);
    return encodeCs06(hash, counterToBytes(ctx.counter), time);
  },
};

/**
 * CS01a Apply Prepayment Top Up to an ESME (DUIS 2.2 TopUpDevice; device/prepayment/esmeTopUp.ts). Params:
 * `utrn` (20 digits, a UTRN the Supplier made), or `pounds` (1..8191): the lab's Supplier makes the UTRN for
 * the device with its KA key as the prepayment key (the lab commissions that key into the prepayment cell:
 * `prepayment: true` above), the UTRN counter following the command's originator counter (in RTDS's top-ups
 * the two are equal).
 */
const topUpRequest: ServiceRequest = {
  name: 'top-up',
  title: 'Top Up Device (CS01a): a UTRN to the ESME\'s token gateway',
  code: () => 0x0007,
  folder: () => '2.2_CS01a',
  precheck(_known, ctx) {
    const u = ctx.params.utrn;
    const p = ctx.params.pounds;
    if ((u === undefined) === (p === undefined)) return 'bad-parameters: give "utrn" or "pounds"';
    if (u !== undefined && (typeof u !== 'string' || !/^[0-9]{20}$/.test(u))) return 'bad-parameters: "utrn" must be 20 digits';
    if (p !== undefined && (typeof p !== 'number' || !(p >= 1 && p <= MAX_VALUE) || Math.floor(p) !== p)) return 'bad-parameters: "pounds" must be a whole number 1..' + MAX_VALUE;
    return undefined;
  },
  content(ctx) {
    if (typeof ctx.params.utrn === 'string') return dlms.cs01aTopUp(ctx.counter, ctx.params.utrn);
    if (!ctx.device || !ctx.crypto) throw new Error('top-up: the DCC gives the device and its crypto to make a UTRN');
    // The UTRN counter (its bits 32..41 travel in the UTRN): the originator counter where it already counts
    // in its high word (RTDS's 0x300000000), else the lab DCC's low-word counter moved up 32 bits.
    const c = ctx.counter;
    const counter = c.lo === 0 ? counterToBytes(c) : new Uint8Array([(c.lo >>> 24) & 0xff, (c.lo >>> 16) & 0xff, (c.lo >>> 8) & 0xff, c.lo & 0xff, 0, 0, 0, 0]);
    const high = ptutHigh(counter, VALUE_POUNDS, ctx.params.pounds as number);
    const z = ctx.crypto.ecdh(ctx.originator.ka.privateKey, ctx.device.kaPublic);
    if (!z) throw new Error('top-up: no ECDH secret with the device');
    return dlms.cs01aTopUp(ctx.counter, makeUtrn(high, ptutMac(ctx.crypto, z, ctx.originator.euiBytes, ctx.device.euiBytes, counter, high)));
  },
};

function supplyRule(refuseWhen: (s: SupplyState) => boolean): ServiceRequest['precheck'] {
  return (known) => (known.supply !== 'unknown' && refuseWhen(known.supply) ? 'supply-already-' + known.supply : undefined);
}

export const SERVICE_REQUESTS: ServiceRequest[] = [
  fixed('read-firmware-version', 'Read Firmware Version (ECS52)', 0x0059, '11.2_ECS52', (c) => dlms.ecs52ReadFirmwareVersion(c.counter)),
  fixed('read-supply-status', 'Read Supply Status (ECS45)', 0x0052, '7.4_ECS45', (c) => dlms.ecs45ReadSupplyStatus(c.counter)),
  fixed('disable-supply', 'Disable Supply (ECS43, critical)', 0x0050, '7.2_ECS43', (c) => dlms.ecs43DisableSupply(c.counter), {
    effect: 'off', precheck: supplyRule((s) => s === 'off'),
  }),
  fixed('arm-supply', 'Arm Supply (ECS44, critical)', 0x0051, '7.3_ECS44', (c) => dlms.ecs44ArmSupply(c.counter), {
    effect: 'armed', precheck: supplyRule((s) => s !== 'off'),
  }),
  fixed('enable-supply', 'Enable Supply (ECS42, critical)', 0x004f, '7.1_ECS42', (c) => dlms.ecs42EnableSupply(c.counter), {
    effect: 'on', precheck: supplyRule((s) => s === 'on'),
  }),
  fixed('read-security-log', 'Read Security Log (ECS35b)', 0x0049, '6.13_ECS35b', (c) => dlms.ecs35bReadSecurityLog(c.counter, c.nowUnix)),
  updateSecurityCredentials,
  activateFirmwareRequest,
  topUpRequest,
];

export function serviceRequest(name: string): ServiceRequest | undefined {
  return SERVICE_REQUESTS.find((s) => s.name === name);
}

/** Whether `role` may originate `code` (its main form or its variant). */
export function roleMayOriginate(role: RemotePartyRole, code: number): boolean {
  const info = messageCodeInfo(code);
  if (!info) return false;
  if (info.originators.indexOf(role) >= 0) return true;
  return !!info.variant && info.variant.originators.indexOf(role) >= 0;
}
