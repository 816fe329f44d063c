/**
 * The GBCS message-code table: for each 16-bit message code (the first two bytes of the grouping header's
 * other-information), its use case, whether it is critical, which remote-party roles may originate it, and
 * how each message kind (command, response, alert) is protected (GBCS-FACTS "Who protects what").
 *
 * Why packed: the firmware carries this table, and Espruino keeps code and data in a 12,000-variable pool.
 * One string literal costs a handful of variables where an array of objects would cost thousands, so the
 * table is one string decoded lazily, one entry per look-up. Titles live in `messageTitles.ts` so that a
 * firmware bundle that never prints them does not carry them.
 *
 * Message codes are not alert codes: an alert message has a message code here (e.g. 0x00CC "future dated
 * execution of instruction", 0x1000 "generic critical alert"); its own alert code (0x8F66, 0x8F0A...) sits
 * inside the content and is not looked up here.
 *
 * Sources (facts only; no code taken):
 * - Code numbers and use-case names: GBCS message-code list as transcribed in Wireshark
 *   `epan/dissectors/packet-gbcs.c` (GBCS v2.1) and SmartDCCInnovation/gbcs-parser `src/util.ts`
 *   (`messageCodes`, up to 0x0129, 0x1000/0x1001); later codes read from the headers of DCC RTDS 4.5.0
 *   files published in gbcs-parser `test/rtds` (0x011A ECS46d, 0x011E ECS47a, 0x0120 ECS100,
 *   0x0123 ECS200) and from the sample MANIFEST (0x011B..0x012B).
 * - Criticality: the GBCS use-case mapping table (column "Message Type": SME.C.C / SME.C.NC / SME.A.C /
 *   SME.A.NC) as published in SmartDCCInnovation/duis-templates `src/gbcs-mapping-table.json`; checked
 *   against the RTDS sample (critical command = DD + signature, non-critical = DD + MAC + null signature).
 * - Roles: GBCS-FACTS role numbers; per use case from the RTDS sample's originators where present, else
 *   from DUIS service-request eligibility as we understand it (UNCONFIRMED, see `ROLE_SETS`).
 *
 * Codes known to exist but left out because we could not learn their use case: 0x0125, 0x0127 (both
 * between CS02g's alert 0x0124 and CS02g 0x0126; possibly further CS02g modes). They return undefined.
 * What is known of CS02g: 0x0126 carries the CS02b UpdateSecurityCredentials content with
 * credentialsReplacementMode 11 (loadControllerBySupplier, RTDS 6.15.1: contents/cs02b.ts
 * replacementModeFor), and 0x0124 is its future-dated outcome alert, laid out as CS02b's 0x00CB. The GBCS
 * message-code table itself (beyond gbcs-parser's transcription, which stops at 0x0129) was not found in
 * the public sources searched: everything above 0x0119 is from the RTDS sample and stays UNCONFIRMED
 * against GBCS.
 * @module
 */

export type RemotePartyRole =
  | 'root'
  | 'recovery'
  | 'supplier'
  | 'networkOperator'
  | 'acb'
  | 'transCoS'
  | 'wanProvider'
  | 'issuingAuthority'
  | 'loadController'
  | 'other';

/** How each message kind of this use case is protected (GBCS-FACTS "Who protects what"). */
export type Protection = 'mac' | 'signed-and-mac' | 'signed' | 'none';

/** Device types a command is addressed to (or an alert comes from), as SMETS/CHTS name them. */
export type DeviceType = 'ESME' | 'GSME' | 'CHF' | 'GPF' | 'PPMID' | 'HCALCS';

/** A second form GBCS gives the same message code, with its own criticality and protection. */
export interface MessageCodeVariant {
  critical: boolean;
  originators: RemotePartyRole[];
  command: Protection;
  response: Protection;
}

export interface MessageCodeInfo {
  code: number;
  /** e.g. 'CS06', 'ECS52', 'CS02b'; two use cases sharing one code are joined with '/' ('CCS05/CCS04'). */
  useCase: string;
  critical: boolean;
  /** Remote-party roles allowed to originate the command (empty for device-originated alerts and HAN-only codes). */
  originators: RemotePartyRole[];
  command?: Protection;
  response?: Protection;
  alert?: Protection;
  /** Device types the message targets (commands) or comes from (alerts). Indicative: see the module header. */
  devices: DeviceType[];
  /**
   * Device-to-device over the HAN (PCS01/PCS02: PPMID to GSME), or a code GBCS allocates only for event
   * logging of a ZigBee SE command (PECS01..03, HECS01: no GBCS message, so no protection given).
   */
  hanOnly?: boolean;
  /**
   * The other form of this code: CS02a / CS02e / CS02f are MAC-only (non-critical) from the ACB but signed
   * (critical, DF only) from other parties (RTDS "CS02fMAC" / "CS02fSignature"; CS02a / CS02e by analogy,
   * UNCONFIRMED). DUIS's "non-critical" join / unjoin services (8.7.2, 8.8.2) are not a second form: the
   * GBCS command stays critical and the ACB signs it (RTDS 8.8.2_CS04ACNonCritical).
   */
  variant?: MessageCodeVariant;
}

/** Role numbers (GBCS-FACTS "Roles and identities"): bit i of a role mask is ROLES[i]. */
const ROLES: RemotePartyRole[] = [
  'root', 'recovery', 'supplier', 'networkOperator', 'acb', 'transCoS', 'wanProvider', 'issuingAuthority', 'loadController', 'other',
];

/** Role number (the certificate OU, GBCS-FACTS) of each role: 00..08, 7F. */
export function roleNumber(role: RemotePartyRole): number {
  const i = ROLES.indexOf(role);
  return i === 9 ? 0x7f : i;
}

/** Role named by a certificate OU number (00..08, 7F), undefined otherwise. */
export function roleFromNumber(n: number): RemotePartyRole | undefined {
  if (n === 0x7f) return 'other';
  return n >= 0 && n < 9 ? ROLES[n] : undefined;
}

/**
 * Role sets, by letter, as bit masks over ROLES (root 1, recovery 2, supplier 4, networkOperator 8,
 * acb 16, transCoS 32, wanProvider 64, loadController 256).
 * - s supplier: critical commands and supplier-only settings.
 * - n network operator: voltage, maximum-demand and NO alert configuration (ECS25b, ECS29x, ECS37, ECS57);
 *   NO-originated in the sample for ECS25b, ECS25b3, ECS25r2, ECS29a/b/e/f, ECS37.
 * - A ACB: DCC-originated commands (CHF device log, Sub GHz, CS02a/e/f MAC form, GCS59) and commands that
 *   parties the device does not hold credentials for send through the DCC (export supplier ECS39b, CIN
 *   ECS50/GCS36, gas transporter GCS31 with a supplementary remote party) - all ACB-originated in the sample.
 * - b supplier, network operator, ACB: ESME readings a network operator may request (registers, profile,
 *   voltage, logs, firmware version); NO-originated in the sample for ECS17a/b/c, ECS18a, ECS22a, ECS35g.
 * - d supplier, ACB: readings other users obtain through the DCC (UNCONFIRMED per code); CS03/CS04 joins
 *   (the ACB originates DUIS non-critical joins: CS03B, and signs CS04AC, in the sample); CS02b
 *   supplierBySupplier, which the ACB signs at handover of a DCC-controlled device (RTDS 6.21).
 * - v network operator, ACB: CS02b networkOperatorByNetworkOperator (ACB at handover, RTDS 6.21).
 * - w WAN provider, t TransCoS, r recovery, l load controller, k supplier + load controller.
 * - o root: CS02b anyByContingency (UNCONFIRMED: the contingency key is not an organisation role).
 * - x supplier, TransCoS: CS02f signed form (RTDS NA_CS02fSignature).
 * - y supplier, network operator, TransCoS: CS02a / CS02e signed form (UNCONFIRMED, by analogy with CS02f).
 * - '-' none (alerts, HAN-only codes).
 */
const ROLE_SET_KEYS = 'snAbdvwtrlkoxy-';
const ROLE_SET_MASKS = [4, 8, 16, 28, 20, 24, 64, 32, 2, 256, 260, 1, 36, 44, 0];

/** Device sets, by letter (bit masks over DEVICES). */
const DEVICES: DeviceType[] = ['ESME', 'GSME', 'CHF', 'GPF', 'PPMID', 'HCALCS'];
/**
 * e ESME, g GSME, c CHF, p GPF, x GSME+GPF, h ESME+CHF, k ESME+GSME+CHF (firmware), j ESME+GSME+GPF
 * (devices that join others: CS03/CS04/CS07), a ESME+GSME+CHF+GPF (security credentials, generic alerts),
 * m PPMID+HCALCS (CS08/CS09).
 */
const DEVICE_SET_KEYS = 'egcpxhkjam';
const DEVICE_SET_MASKS = [1, 2, 4, 8, 10, 5, 7, 11, 15, 48];

/*
 * The table. Entries are separated by ','; each is
 *   CCCC  the message code, 4 upper-case hex digits (entries sorted by code)
 *   K     kind:  C critical command (command signed-and-mac, response signed)
 *                N non-critical command (command mac, response mac)
 *                R critical command sent without the ACB (command DF + signature only, response signed):
 *                  CS02b recovery / contingency
 *                B critical CS02b authorised by the ACB itself: command mac only, response signed
 *                A critical alert (signed, DF only)      a non-critical alert (mac)
 *                H HAN-only device-to-device command (PPMID -> GSME; command mac, response mac)
 *                Z code allocated only for event logging of a ZigBee SE command (no GBCS protection)
 *   R     originator role set (ROLE_SET_KEYS)
 *   D     device set (DEVICE_SET_KEYS)
 *   V     variant role set, '-' when the code has a single form. With K = C the variant is the
 *         non-critical form (mac / mac; no code uses it today); with K = N it is the critical signed form
 *         (signed / signed, DF only: CS02a, CS02e, CS02f).
 *   then the use case, up to the next ','.
 * Criticality: GBCS mapping table "Message Type"; where it is silent (ECS08, ECS30, ECS46c, ECS47, GCS24,
 * ECS26d/e/i, GCS21d/e, ECS35f, ECS61a, GCS60a, ECS100, ECS200, CCS08...) from the RTDS sample or the
 * nearest sibling use case (ECS46c critical like ECS46a: UNCONFIRMED). 0x00D5 (failure to deliver a remote
 * party message to the ESME, sent by the CHF) is taken as a non-critical alert: UNCONFIRMED.
 */
const TABLE =
  ',0001NAc-CCS01,0002NAc-CCS02,0003NAc-CCS03,0004NAc-CCS05/CCS04,0007Nse-CS01a,0008NAayCS02a' +
  ',000ACsa-CS02c,000BCsa-CS02d,000CNAayCS02e,000DCsj-CS03A1,000ENdj-CS03B,000FCdj-CS04AC,0010Ndj-CS04B' +
  ',0012Csk-CS06,0013Nbj-CS07,0014Nbx-CS10a,0015Nsx-CS11,0018a-c-CS14' +
  ',0019Cse-ECS01a,001ACse-ECS02,001BCse-ECS03,001CCse-ECS04a,001DCse-ECS05,001ECse-ECS07,001FCse-ECS08' +
  ',0020Cse-ECS09,0021Nse-ECS10,0022Nse-ECS12,0023Nse-ECS14,0024Nse-ECS15a,0025Nse-ECS16' +
  ',0026Nbe-ECS17a,0027Nbe-ECS17b,0028Nbe-ECS17c,0029Nde-ECS17d,002ANde-ECS17e,002BNbe-ECS18a' +
  ',002CNbe-ECS18b,002DNde-ECS19,002ENde-ECS20a,002FNde-ECS20b,0030Nde-ECS20c,0033Nde-ECS21a' +
  ',0034Nde-ECS21b,0035Nde-ECS21c,0036Nbe-ECS22a,0037Nbe-ECS22b,0038Nbe-ECS22c,0039Nbe-ECS23' +
  ',003ANde-ECS24,003BNde-ECS26a,003CNbe-ECS26b,003DNbe-ECS26c,003ENde-ECS26d,003FNbe-ECS26e' +
  ',0040Nde-ECS26f,0042Nbe-ECS27,0043Cse-ECS28a,0044Nse-ECS28b,0045Nne-ECS29a,0046Cse-ECS30' +
  ',0047Nse-ECS34,0048Nbe-ECS35a,0049Nbe-ECS35b,004ANne-ECS37,004BCse-ECS38,004CNse-ECS39a' +
  ',004DNAe-ECS39b,004ENbe-ECS40,004FCse-ECS42,0050Cse-ECS43,0051Cse-ECS44,0052Nbe-ECS45' +
  ',0053Cse-ECS46a,0054Cse-ECS46c,0055Cse-ECS47,0058NAe-ECS50,0059Nbh-ECS52,005ANne-ECS57' +
  ',005ENde-ECS61c,005FNse-ECS62,0060Nde-ECS66,0061A-e-ECS68,0062Cse-ECS70,0067A-e-ECS80' +
  ',0068Cse-ECS81,0069Nde-ECS82' +
  ',006BCsg-GCS01a,006CCsg-GCS02,006DCsg-GCS03,006ECsg-GCS04,006FCsg-GCS05,0070Csg-GCS06' +
  ',0071Nsg-GCS07,0072Nsp-GCS09,0073Nsg-GCS11,0074Ndg-GCS13a,0075Ndg-GCS14,0076Ndg-GCS15c' +
  ',0077Ndg-GCS16a,0078Ndg-GCS17,0079Ndg-GCS18,007BNdg-GCS21a,007CCsg-GCS23,007DCsg-GCS24' +
  ',007ECsg-GCS25,007FCsg-GCS28,0080NAg-GCS31,0081Csg-GCS32,0082Ndg-GCS33,0083NAg-GCS36' +
  ',0084Ndg-GCS38,0085Csg-GCS39,0086Csg-GCS40a,0087Nsg-GCS41,0088Nsg-GCS44,0089Ndg-GCS46' +
  ',008BA-g-GCS53,008CNAp-GCS59,008DNdg-GCS60,0090H-g-PCS02,0092Nbc-ECS26i,0093Nbc-ECS35c' +
  ',0094Nbc-ECS35d,0096Ndg-GCS16b,0097Nsg-CS01b,009BH-g-PCS01,009DNdg-GCS21d,009ENdx-GCS21e' +
  ',009FNdg-GCS21f,00A0Ndg-GCS61,00A1Nbx-CS10b,00A2Cse-ECS01b,00A3Csg-GCS01b' +
  ',00ABCdj-CS03A2,00ACNse-ECS25a,00ADNsg-GCS20,00AENne-ECS29b,00AFCdj-CS03C,00B0Nne-ECS25b' +
  ',00B2a-p-GCS62,00B3Cse-ECS04b,00B4Csg-GCS40b,00B5Ndg-GCS21b,00B6Ndg-GCS13c,00B7Cse-ECS01c' +
  ',00B8Ndg-GCS13b,00B9Nbe-ECS35e,00BANbe-ECS35f,00BBNde-ECS61a,00BCNbe-ECS23b,00BDNde-ECS24b' +
  ',00BENde-ECS26j,00BFNdg-GCS21j,00C0Csg-GCS40c,00C1Nse-ECS15c,00C2Csg-GCS40d,00C3Ndg-GCS15b' +
  ',00C4Ndg-GCS15d,00C5Ndg-GCS15e,00C6Nbe-ECS26k,00C7Cse-ECS01d,00C9Nde-ECS20d' +
  ',00CAA-k-CS06,00CBA-a-CS02b,00CCA-h-FDEIA-DLMS,00CDA-x-FDEIA-ZigBee,00CEA-h-FDRA-DLMS' +
  ',00CFA-g-FDRA-ZigBee,00D1Nne-ECS29c,00D2Nne-ECS29d,00D3Nne-ECS29e,00D4Nne-ECS29f,00D5a-c-FDRPMA' +
  ',00D7Cse-ECS30a,00D8Csg-GCS25a,00D9Nde-ECS26l,00DANdg-GCS21k,00DBCse-ECS48,00DECse-ECS08a' +
  ',00EANse-ECS25a1,00EBNse-ECS25a2,00ECNse-ECS25a3,00EDNne-ECS25b3,00EENse-ECS25r1,00EFNne-ECS25r2' +
  ',00F0a-e-MIIWA-DLMS,00F1Nsg-GCS20r,00F2a-g-MIIWA-ZigBee,00F9Nbe-ECS26m,00FANbc-ECS26n' +
  ',00FBNdg-GCS21m,00FCCsg-GCS24a,00FDNbe-ECS35g,00FENAc-CCS07' +
  ',0100Csa-CS02b,0101Cwa-CS02b,0102Cda-CS02b,0103Cva-CS02b,0104BAa-CS02b,0105Cwa-CS02b' +
  ',0106Cta-CS02b,0107Cta-CS02b,0108Rra-CS02b,0109Roa-CS02b' +
  ',010ANAc-DBCH01,010BNAc-DBCH02,010CNAc-DBCH03,010DNAc-DBCH04,010ENAc-DBCH05,010FNAc-CCS06' +
  ',0110a-c-DBCH06,0111a-c-DBCH07,0112a-c-DBCH08,0113a-c-DBCH09,0114a-c-DBCH10,0115a-c-DBCH11' +
  ',0116Z-e-PECS01,0117Z-e-PECS02,0118Z-e-PECS03,0119Z-e-HECS01' +
  ',011ACse-ECS46d,011BNAexCS02f,011CNde-ECS61d,011DNde-ECS61e,011ECke-ECS47a,011FCle-ECS47e' +
  ',0120A-e-ECS100,0121A-e-ECS101,0122A-e-ECS102,0123A-e-ECS200,0124A-e-CS02g,0126Cse-CS02g' +
  ',0128A-c-CCS08,0129Ndm-CS08,012ANdg-GCS60a,012BA-m-CS09' +
  ',1000A-a-GCA,1001a-a-GNCA,';

const HEX = '0123456789ABCDEF';

function hex4(code: number): string {
  return HEX.charAt((code >> 12) & 15) + HEX.charAt((code >> 8) & 15) + HEX.charAt((code >> 4) & 15) + HEX.charAt(code & 15);
}

function rolesOf(key: string): RemotePartyRole[] {
  const mask = ROLE_SET_MASKS[ROLE_SET_KEYS.indexOf(key)];
  const out: RemotePartyRole[] = [];
  for (let i = 0; i < ROLES.length; i++) if (mask & (1 << i)) out.push(ROLES[i]);
  return out;
}

function devicesOf(key: string): DeviceType[] {
  const mask = DEVICE_SET_MASKS[DEVICE_SET_KEYS.indexOf(key)];
  const out: DeviceType[] = [];
  for (let i = 0; i < DEVICES.length; i++) if (mask & (1 << i)) out.push(DEVICES[i]);
  return out;
}

/** Decodes the entry starting at `at` (just after its ','). */
function decode(code: number, at: number): MessageCodeInfo {
  const kind = TABLE.charAt(at + 4);
  const variantKey = TABLE.charAt(at + 7);
  const info: MessageCodeInfo = {
    code,
    useCase: TABLE.substring(at + 8, TABLE.indexOf(',', at)),
    critical: kind === 'C' || kind === 'R' || kind === 'B' || kind === 'A',
    originators: rolesOf(TABLE.charAt(at + 5)),
    devices: devicesOf(TABLE.charAt(at + 6)),
  };
  if (kind === 'C') { info.command = 'signed-and-mac'; info.response = 'signed'; }
  else if (kind === 'N' || kind === 'H') { info.command = 'mac'; info.response = 'mac'; }
  else if (kind === 'R') { info.command = 'signed'; info.response = 'signed'; }
  else if (kind === 'B') { info.command = 'mac'; info.response = 'signed'; }
  else if (kind === 'A') info.alert = 'signed';
  else if (kind === 'a') info.alert = 'mac';
  if (kind === 'H' || kind === 'Z') info.hanOnly = true;
  if (variantKey !== '-') {
    const critical = kind !== 'C';
    info.variant = {
      critical,
      originators: rolesOf(variantKey),
      command: critical ? 'signed' : 'mac',
      response: critical ? 'signed' : 'mac',
    };
  }
  return info;
}

/** What GBCS says of a message code, or undefined for a code it does not define (or we do not know). */
export function messageCodeInfo(code: number): MessageCodeInfo | undefined {
  if (code !== (code & 0xffff)) return undefined;
  const key = ',' + hex4(code);
  const at = TABLE.indexOf(key);
  // ',' + 4 hex digits only ever matches an entry's start: use-case names hold no ','. The substring check
  // is for Espruino 2v29, whose indexOf also "finds" a needle that runs past the end of the string
  // (',0001,'.indexOf(',0000') gives 5), i.e. at the table's closing ','.
  return at < 0 || TABLE.substring(at, at + 5) !== key ? undefined : decode(code, at + 1);
}

/**
 * The message codes of a use case, ascending ('CS02b' gives 0x00CB and 0x0100..0x0109). Case-insensitive
 * ('cs03a2' finds CS03A2); a shared code is found by either name ('CCS04' and 'CCS05' both give 0x0004).
 */
export function messageCodesFor(useCase: string): number[] {
  const want = useCase.toUpperCase();
  const out: number[] = [];
  let at = 0;
  for (;;) {
    const end = TABLE.indexOf(',', at + 1);
    if (end < 0) break;
    const names = TABLE.substring(at + 9, end).toUpperCase().split('/');
    if (names.indexOf(want) >= 0) out.push(parseInt(TABLE.substring(at + 1, at + 5), 16));
    at = end;
  }
  return out;
}
