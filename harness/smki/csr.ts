/**
 * Certificate requests (PKCS#10, RFC 2986): building them (as a device's CS02c and an organisation
 * would) and checking them (structure, proof of possession = the request's own ECDSA-SHA256 signature
 * verified with the public key it carries, and the SMKI's content rules).
 *
 * Device requests (GBCS-FACTS, CS02c): empty subject; extensionRequest (PKCS#9, 1.2.840.113549.1.9.14)
 * with keyUsage (exactly digitalSignature or keyAgreement) and subjectAltName = otherName
 * hardwareModuleName whose hwSerialNum is the device EUI-64.
 * Organisation requests: subject OU = role (two hex digits), x500UniqueIdentifier = entity EUI-64,
 * optional CN; extensionRequest with keyUsage.
 * Checking is a lean DER walk (der.ts) because it runs 49,999 times per batch. One request is checked
 * here in one go (checkDeviceCsr); batch workers run the same steps with the proof of possession done
 * for a whole chunk at once (readCsrEnvelope, pop.ts, readCsrContent, deviceRules).
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { bits, children, content, decodeOid, explicit, readNode, seq, set, smallInt, TAG, whole, type Node } from './der.ts';
import { P256_SPKI_PREFIX, signDer, spkiDer } from './keys.ts';
import { verifyPop } from './pop.ts';
import {
  ECDSA_SHA256, euiBytes, extension, hardwareModuleNameSan, KEY_USAGE_VALUE, name, OID, type KeyUsageName, type NameAttr,
} from './profiles.ts';
import { oid } from './der.ts';

function request(subject: Buffer, key: KeyObject, extensions: Buffer[]): Buffer {
  // attributes [0] IMPLICIT SET OF Attribute (RFC 2986 §4.1): the [0] tag replaces the SET tag
  const attrs = explicit(0, seq(oid(OID.extensionRequest), set(seq(...extensions))));
  const cri = seq(smallInt(0), subject, spkiDer(key), attrs);
  return seq(cri, ECDSA_SHA256, bits(signDer(cri, key)));
}

/** A CSR shaped like a device's CS02c response (empty subject, keyUsage + SAN requested). */
export function buildDeviceCsr(eui: string, keyUsage: KeyUsageName, privateKey: KeyObject): Buffer {
  return request(seq(), privateKey, [
    extension(OID.keyUsage, true, KEY_USAGE_VALUE[keyUsage]),
    extension(OID.subjectAltName, true, hardwareModuleNameSan(euiBytes(eui))),
  ]);
}

/** An organisation CSR: subject [CN], OU = role, x500UniqueIdentifier = entity id; keyUsage requested. */
export function buildOrganisationCsr(
  o: { role: string; eui: string; commonName?: string; keyUsage: KeyUsageName }, privateKey: KeyObject,
): Buffer {
  const attrs: NameAttr[] = [];
  if (o.commonName) attrs.push({ type: OID.commonName, form: 'utf8', value: o.commonName });
  attrs.push({ type: OID.organizationalUnitName, form: 'utf8', value: o.role });
  attrs.push({ type: OID.x500UniqueIdentifier, form: 'eui', value: o.eui });
  return request(name(attrs), privateKey, [extension(OID.keyUsage, true, KEY_USAGE_VALUE[o.keyUsage])]);
}

export type CsrRejection =
  | 'malformed'
  | 'unsupported-signature-algorithm'
  | 'unsupported-key'
  | 'proof-of-possession-failed'
  | 'subject-not-empty'
  | 'bad-subject'
  | 'missing-key-usage'
  | 'bad-key-usage'
  | 'missing-hardware-module-name'
  | 'bad-hardware-module-name'
  | 'unexpected-extension';

export interface ParsedCsr {
  /** the 65-byte uncompressed P-256 point */
  point: Uint8Array;
  /** the 91-byte SPKI DER */
  spki: Uint8Array;
  subject: { oid: string; tag: number; value: Uint8Array }[];
  extensions: { oid: string; critical: boolean; value: Uint8Array }[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; reason: CsrRejection };
const no = (reason: CsrRejection): { ok: false; reason: CsrRejection } => ({ ok: false, reason });

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/**
 * What proof of possession needs, read before anything else: the outer structure, the algorithm, the
 * version, the key (an uncompressed P-256 point) and the signature. Subject and attributes are read
 * after the proof of possession (readCsrContent), so a request that fails both is refused for its
 * signature, whichever path checks it.
 */
export interface CsrEnvelope {
  /** certificationRequestInfo DER: the signed bytes */
  signed: Uint8Array;
  /** ECDSA-Sig-Value DER */
  signature: Uint8Array;
  /** the 65-byte uncompressed P-256 point */
  point: Uint8Array;
  /** the 91-byte SPKI DER */
  spki: Uint8Array;
  subject: Node;
  attributes: Node;
}

export function readCsrEnvelope(der: Uint8Array): Result<CsrEnvelope> {
  const top = readNode(der, 0);
  if (!top || top.tag !== TAG.SEQUENCE || top.end !== der.length) return no('malformed');
  const parts = children(der, top);
  if (!parts || parts.length !== 3) return no('malformed');
  const [criN, algN, sigN] = parts as [Node, Node, Node];
  if (criN.tag !== TAG.SEQUENCE || sigN.tag !== TAG.BIT_STRING) return no('malformed');
  if (!sameBytes(whole(der, algN), ECDSA_SHA256)) return no('unsupported-signature-algorithm');
  const cri = children(der, criN);
  if (!cri || cri.length !== 4) return no('malformed');
  const [verN, subjN, spkiN, attrN] = cri as [Node, Node, Node, Node];
  if (verN.tag !== TAG.INTEGER || verN.end - verN.body !== 1 || der[verN.body] !== 0) return no('malformed');
  if (subjN.tag !== TAG.SEQUENCE || attrN.tag !== 0xa0) return no('malformed');
  const spki = whole(der, spkiN);
  if (spki.length !== 91 || !sameBytes(spki.subarray(0, P256_SPKI_PREFIX.length), P256_SPKI_PREFIX) || spki[26] !== 4) {
    return no('unsupported-key');
  }
  const sigBits = content(der, sigN);
  if (sigBits[0] !== 0) return no('malformed');
  return {
    ok: true,
    value: { signed: whole(der, criN), signature: sigBits.subarray(1), point: spki.subarray(26), spki, subject: subjN, attributes: attrN },
  };
}

/** Subject attributes and requested extensions (PKCS#9 extensionRequest); other attributes are ignored. */
export function readCsrContent(der: Uint8Array, env: CsrEnvelope): Result<ParsedCsr> {
  const subject: ParsedCsr['subject'] = [];
  for (const rdn of children(der, env.subject) ?? []) {
    const atvs = children(der, rdn);
    if (rdn.tag !== TAG.SET || !atvs) return no('malformed');
    for (const atv of atvs) {
      const tv = children(der, atv);
      if (!tv || tv.length !== 2 || tv[0]!.tag !== TAG.OID) return no('malformed');
      subject.push({ oid: decodeOid(content(der, tv[0]!)), tag: tv[1]!.tag, value: content(der, tv[1]!) });
    }
  }
  const extensions: ParsedCsr['extensions'] = [];
  for (const attr of children(der, env.attributes) ?? []) {
    const av = children(der, attr);
    if (!av || av.length !== 2 || av[0]!.tag !== TAG.OID || av[1]!.tag !== TAG.SET) return no('malformed');
    if (decodeOid(content(der, av[0]!)) !== OID.extensionRequest) continue; // other attributes are not used by the SMKI
    const vals = children(der, av[1]!);
    if (!vals || vals.length !== 1) return no('malformed');
    for (const ext of children(der, vals[0]!) ?? []) {
      const e = children(der, ext);
      if (!e || e.length < 2 || e.length > 3 || e[0]!.tag !== TAG.OID) return no('malformed');
      const critical = e.length === 3 && e[1]!.tag === TAG.BOOLEAN && der[e[1]!.body] === 0xff;
      const val = e[e.length - 1]!;
      if (val.tag !== TAG.OCTET_STRING) return no('malformed');
      extensions.push({ oid: decodeOid(content(der, e[0]!)), critical, value: content(der, val) });
    }
  }
  return { ok: true, value: { point: env.point, spki: env.spki, subject, extensions } };
}

/** Structure + proof of possession (RFC 2986 §4.2: the signature over certificationRequestInfo), one request. */
export function parseCsr(der: Uint8Array): Result<ParsedCsr> {
  const env = readCsrEnvelope(der);
  if (!env.ok) return env;
  const pop = verifyPop(env.value.point, env.value.signed, env.value.signature);
  if (pop) return no(pop);
  return readCsrContent(der, env.value);
}

function keyUsageOf(exts: ParsedCsr['extensions']): Result<KeyUsageName> {
  const ku = exts.find((e) => e.oid === OID.keyUsage);
  if (!ku) return no('missing-key-usage');
  if (sameBytes(ku.value, KEY_USAGE_VALUE.digitalSignature)) return { ok: true, value: 'digitalSignature' };
  if (sameBytes(ku.value, KEY_USAGE_VALUE.keyAgreement)) return { ok: true, value: 'keyAgreement' };
  return no('bad-key-usage'); // GBCS: exactly one of digitalSignature or keyAgreement
}

export interface DeviceRequest {
  eui: Uint8Array;
  keyUsage: KeyUsageName;
  point: Uint8Array;
}

/** Reads the hwSerialNum out of GeneralNames { otherName hardwareModuleName } (RFC 4108 §5). */
function hardwareModuleEui(v: Uint8Array): Uint8Array | undefined {
  const gns = readNode(v, 0);
  const list = gns && gns.end === v.length && gns.tag === TAG.SEQUENCE ? children(v, gns) : undefined;
  if (!list || list.length !== 1 || list[0]!.tag !== 0xa0) return undefined;
  const on = children(v, list[0]!);
  if (!on || on.length !== 2 || on[0]!.tag !== TAG.OID || decodeOid(content(v, on[0]!)) !== OID.hardwareModuleName) return undefined;
  if (on[1]!.tag !== 0xa0) return undefined;
  const hmnWrap = children(v, on[1]!);
  if (!hmnWrap || hmnWrap.length !== 1 || hmnWrap[0]!.tag !== TAG.SEQUENCE) return undefined;
  const hmn = children(v, hmnWrap[0]!);
  if (!hmn || hmn.length !== 2 || hmn[0]!.tag !== TAG.OID || hmn[1]!.tag !== TAG.OCTET_STRING) return undefined;
  const eui = content(v, hmn[1]!);
  return eui.length === 8 ? eui : undefined;
}

/** A device (CS02c) request: parse, proof of possession, then the Device CP content rules. */
export function checkDeviceCsr(der: Uint8Array): Result<DeviceRequest> {
  const p = parseCsr(der);
  return p.ok ? deviceRules(p.value) : p;
}

/** The Device CP content rules for a CS02c request whose proof of possession has been checked. */
export function deviceRules(csr: ParsedCsr): Result<DeviceRequest> {
  if (csr.subject.length !== 0) return no('subject-not-empty');
  const ku = keyUsageOf(csr.extensions);
  if (!ku.ok) return ku;
  const san = csr.extensions.find((e) => e.oid === OID.subjectAltName);
  if (!san) return no('missing-hardware-module-name');
  const eui = hardwareModuleEui(san.value);
  if (!eui) return no('bad-hardware-module-name');
  for (const e of csr.extensions) if (e.oid !== OID.keyUsage && e.oid !== OID.subjectAltName) return no('unexpected-extension');
  return { ok: true, value: { eui, keyUsage: ku.value, point: csr.point } };
}

export interface OrganisationRequest {
  role: string;
  eui: string;
  commonName?: string;
  keyUsage: KeyUsageName;
  spki: Uint8Array;
  point: Uint8Array;
}

/** An organisation request: parse, proof of possession, role OU + x500UniqueIdentifier + keyUsage. */
export function checkOrganisationCsr(der: Uint8Array): Result<OrganisationRequest> {
  const p = parseCsr(der);
  if (!p.ok) return p;
  const csr = p.value;
  const ou = csr.subject.filter((a) => a.oid === OID.organizationalUnitName);
  const uid = csr.subject.filter((a) => a.oid === OID.x500UniqueIdentifier);
  const cn = csr.subject.filter((a) => a.oid === OID.commonName);
  if (ou.length !== 1 || uid.length !== 1 || cn.length > 1 || csr.subject.length !== ou.length + uid.length + cn.length) {
    return no('bad-subject');
  }
  const role = Buffer.from(ou[0]!.value).toString('utf8');
  const u = uid[0]!;
  if (!/^[0-9A-Fa-f]{2}$/.test(role) || u.tag !== TAG.BIT_STRING || u.value.length !== 9 || u.value[0] !== 0) return no('bad-subject');
  const ku = keyUsageOf(csr.extensions);
  if (!ku.ok) return ku;
  for (const e of csr.extensions) if (e.oid !== OID.keyUsage) return no('unexpected-extension');
  const out: OrganisationRequest = {
    role: role.toUpperCase(),
    eui: Buffer.from(u.value.subarray(1)).toString('hex'),
    keyUsage: ku.value,
    spki: csr.spki,
    point: csr.point,
  };
  if (cn.length) out.commonName = Buffer.from(cn[0]!.value).toString('utf8');
  return { ok: true, value: out };
}
