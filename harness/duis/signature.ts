/**
 * DUIS XML signatures (SOURCE.md "DUIS signatures"; layout as `duis/signed/readfw-response.xml`): one
 * enveloped XMLDSig Signature as the root's last child; SignedInfo canonicalised by exclusive C14N;
 * one Reference URI="" with the enveloped-signature transform only (so the referenced node-set is
 * canonicalised by inclusive C14N, XMLDSig §4.3.3.2); SHA-256 digest; ECDSA-SHA256 whose value is the
 * raw r||s (64 bytes, base64; XMLDSig 1.1 / RFC 4050, which is also what WebCrypto produces); KeyInfo
 * names the signer's organisation certificate by X509IssuerSerial only (no certificate inline).
 *
 * Library: `xmldsigjs` (PeculiarVentures; maintained, TypeScript, WebCrypto), chosen because its
 * signature algorithms run on WebCrypto, which has ECDSA P-256 with raw r||s built in; `xml-crypto`
 * has no ECDSA. Written here only what it does not do: the DUIS layout choices above (exclusive C14N
 * for SignedInfo, no extra transform), the IssuerSerial KeyInfo, and finding the signer's certificate
 * by issuer and serial (the caller's resolver: the test SMKI or a keystore), and signing with a key
 * held in a PKCS#11 token (`DuisSigner`: the library canonicalises, the token signs; ExternalSignerXml
 * says why). Cross-checked with `xmlsec1` both ways (test/duis-gateway.test.ts), and for token keys
 * (test/duis-serve-hsm.test.ts).
 *
 * Expected failures are values: `{ ok: false, reason }`.
 * @module
 */
import * as xmldsig from 'xmldsigjs';
import { setNodeDependencies } from 'xml-core';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { DS_NS, parseXml, serializeXml } from './xml.ts';

setNodeDependencies({ DOMParser, XMLSerializer });
xmldsig.Application.setEngine('NodeJS', webcrypto as unknown as Crypto);

export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: { name: 'SHA-256' } };

export interface IssuerSerial {
  /** RFC 2253 form, most specific RDN first, e.g. `CN=Z1,OU=07`. */
  issuerName: string;
  /** Decimal. */
  serialNumber: string;
}

/** The IssuerSerial that names `cert` (PEM or DER). */
export function issuerSerialOf(cert: string | Uint8Array | X509Certificate): IssuerSerial {
  const c = cert instanceof X509Certificate ? cert : new X509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert));
  const rdns = c.issuer.split('\n').filter((s) => s.length).reverse();
  return { issuerName: rdns.join(','), serialNumber: BigInt('0x' + c.serialNumber).toString(10) };
}

/** Whether two distinguished names name the same issuer (RDN order and spaces after commas ignored). */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.split(/\s*[,\n]\s*/).map((p) => p.trim().replace(/\s*=\s*/, '=').toUpperCase()).filter((p) => p).sort().join(',');
  return norm(a) === norm(b);
}

export function sameSerial(a: string, b: string): boolean {
  try {
    return BigInt(a.trim()) === BigInt(b.trim());
  } catch {
    return false;
  }
}

/**
 * A signing key the process does not hold (a PKCS#11 token's, harness/hsm): ECDSA P-256 with SHA-256
 * over `message`, r || s (64 bytes), as `PrivateKeyRef.sign` gives it.
 */
export type DuisSigner = (message: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/**
 * Why this subclass: xmldsigjs signs only with a WebCrypto CryptoKey (`SignedXml.Sign` reads
 * `key.algorithm` and calls `crypto.subtle.sign`), and a key inside a PKCS#11 token cannot be one; the
 * library takes no custom signer. So the library does everything but the signature: the Reference
 * (enveloped-signature transform, inclusive C14N of the node-set, SHA-256 digest), the SignatureMethod,
 * and the exclusive C14N of SignedInfo (`TransformSignedInfo`, the very bytes `Sign` would sign); the
 * token signs those bytes (ECDSA P-256 over their SHA-256), and its r || s (64 bytes, XMLDSig 1.1 /
 * RFC 4050, what WebCrypto gives too) becomes the SignatureValue. The steps mirror `SignedXml.Sign`
 * (xmldsigjs 2.8): same protected methods, same order.
 */
class ExternalSignerXml extends xmldsig.SignedXml {
  async signWith(signer: DuisSigner, doc: Document, references: NonNullable<Parameters<xmldsig.SignedXml['Sign']>[3]>['references']): Promise<void> {
    const data = (doc.cloneNode(true) as Document).documentElement as Element;
    // The key argument is read only for a KeyValue (not asked for here).
    await this.ApplySignOptions(this.XmlSignature, { name: 'ECDSA' }, undefined as never, { references });
    await this.DigestReferences(data as never);
    this.XmlSignature.SignedInfo.SignatureMethod = xmldsig.CryptoConfig.CreateSignatureMethod(new xmldsig.EcdsaSha256());
    const signedInfo = this.TransformSignedInfo(data as never);
    const value = await signer(new TextEncoder().encode(signedInfo));
    if (value.length !== 64) throw new Error('signDuis: the signer returned ' + value.length + ' bytes, not r || s (64)');
    this.XmlSignature.SignatureValue = new Uint8Array(value);
  }
}

/**
 * Signs a DUIS document as a DCC User or the DCC does: any Signature already there (a template's
 * placeholder) is removed and a fresh one appended as the root's last child. The key is a PEM private
 * key, or a signer for a key held in a token (`DuisSigner`).
 */
export async function signDuis(xml: string, privateKey: string | DuisSigner, certificatePem: string): Promise<string> {
  const parsed = parseXml(xml);
  if (!parsed.ok) throw new Error('signDuis: the document is refused: ' + parsed.reason + ': ' + parsed.detail);
  const doc = parsed.doc;
  const root = doc.documentElement!;
  for (const old of Array.from(doc.getElementsByTagNameNS(DS_NS, 'Signature'))) old.parentNode?.removeChild(old);
  const references = [{ uri: '', hash: 'SHA-256', transforms: ['enveloped'] }];
  let signed: { XmlSignature: xmldsig.Signature; GetXml(): ReturnType<xmldsig.SignedXml['GetXml']> };
  if (typeof privateKey === 'string') {
    const pkcs8 = createPrivateKey(privateKey).export({ format: 'der', type: 'pkcs8' });
    const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const library = new xmldsig.SignedXml();
    library.XmlSignature.SignedInfo.CanonicalizationMethod.Algorithm = EXC_C14N;
    signed = library;
    await library.Sign({ name: 'ECDSA', hash: 'SHA-256' } as never, key as never, doc, { references });
  } else {
    const external = new ExternalSignerXml();
    external.XmlSignature.SignedInfo.CanonicalizationMethod.Algorithm = EXC_C14N;
    await external.signWith(privateKey, doc as never, references);
    signed = external;
  }
  const is = issuerSerialOf(certificatePem);
  const x509 = new xmldsig.KeyInfoX509Data();
  x509.AddIssuerSerial(is.issuerName, is.serialNumber);
  signed.XmlSignature.KeyInfo.Add(x509);
  const el = signed.GetXml();
  if (!el) throw new Error('signDuis: xmldsigjs produced no Signature element');
  root.appendChild(el as never);
  return serializeXml(doc);
}

export type SignatureRefusal =
  | 'no-signature'
  | 'several-signatures'
  | 'signature-not-last'
  | 'unexpected-algorithm'
  | 'no-issuer-serial'
  | 'unknown-certificate'
  | 'bad-digest'
  | 'bad-signature';

export type SignatureVerdict =
  | { ok: true; signer: IssuerSerial; certificate: X509Certificate }
  | { ok: false; reason: SignatureRefusal; detail: string };

/** Finds the organisation certificate named by IssuerSerial (the test SMKI, or a keystore). */
export type CertificateResolver = (name: IssuerSerial) => X509Certificate | undefined;

function attr(el: Element | undefined, name: string): string | undefined {
  return el?.getAttribute(name) ?? undefined;
}

function dsChild(el: Element | undefined, name: string): Element | undefined {
  if (!el) return undefined;
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === DS_NS && (n as Element).localName === name) return n as Element;
  }
  return undefined;
}

/**
 * Verifies the enveloped signature of a parsed DUIS document. The algorithms must be the DUIS ones
 * (checked before any crypto runs), the Reference must cover the whole document (URI ""), and the key
 * comes only from the certificate the resolver returns for the IssuerSerial, never from the message.
 */
export async function verifyDuis(doc: Document, resolve: CertificateResolver): Promise<SignatureVerdict> {
  const sigs = Array.from(doc.getElementsByTagNameNS(DS_NS, 'Signature'));
  if (sigs.length === 0) return { ok: false, reason: 'no-signature', detail: 'the message has no ds:Signature' };
  if (sigs.length > 1) return { ok: false, reason: 'several-signatures', detail: sigs.length + ' ds:Signature elements' };
  const sig = sigs[0];
  const root = doc.documentElement!;
  let last: Node | null = root.lastChild;
  while (last && last.nodeType !== 1) last = last.previousSibling;
  if (sig.parentNode !== root || last !== sig) return { ok: false, reason: 'signature-not-last', detail: 'the ds:Signature must be the last child of the root element' };
  const si = dsChild(sig, 'SignedInfo');
  const refs = si ? Array.from(si.getElementsByTagNameNS(DS_NS, 'Reference')) : [];
  const c14n = attr(dsChild(si, 'CanonicalizationMethod'), 'Algorithm');
  const method = attr(dsChild(si, 'SignatureMethod'), 'Algorithm');
  if (c14n !== EXC_C14N) return { ok: false, reason: 'unexpected-algorithm', detail: 'CanonicalizationMethod ' + c14n + ', expected ' + EXC_C14N };
  if (method !== ECDSA_SHA256) return { ok: false, reason: 'unexpected-algorithm', detail: 'SignatureMethod ' + method + ', expected ' + ECDSA_SHA256 };
  if (refs.length !== 1 || attr(refs[0], 'URI') !== '') return { ok: false, reason: 'unexpected-algorithm', detail: 'exactly one Reference with URI="" expected' };
  const transforms = Array.from(refs[0].getElementsByTagNameNS(DS_NS, 'Transform')).map((t) => attr(t, 'Algorithm'));
  if (transforms.indexOf(ENVELOPED) < 0 || transforms.some((t) => t !== ENVELOPED && t !== EXC_C14N)) {
    return { ok: false, reason: 'unexpected-algorithm', detail: 'Transforms ' + transforms.join(' ') + ': enveloped-signature (and optionally exclusive C14N) expected' };
  }
  const digestMethod = attr(dsChild(refs[0], 'DigestMethod'), 'Algorithm');
  if (digestMethod !== SHA256) return { ok: false, reason: 'unexpected-algorithm', detail: 'DigestMethod ' + digestMethod + ', expected ' + SHA256 };
  const isEl = Array.from(sig.getElementsByTagNameNS(DS_NS, 'X509IssuerSerial'))[0];
  const issuerName = isEl ? (dsChild(isEl, 'X509IssuerName')?.textContent ?? '').trim() : '';
  const serialNumber = isEl ? (dsChild(isEl, 'X509SerialNumber')?.textContent ?? '').trim() : '';
  if (!issuerName || !/^[0-9]+$/.test(serialNumber)) return { ok: false, reason: 'no-issuer-serial', detail: 'KeyInfo must name the signer by X509IssuerSerial' };
  const signer = { issuerName, serialNumber };
  const cert = resolve(signer);
  if (!cert) return { ok: false, reason: 'unknown-certificate', detail: 'no organisation certificate ' + issuerName + ' serial ' + serialNumber };
  const spki = cert.publicKey.export({ format: 'der', type: 'spki' });
  let key: CryptoKey;
  try {
    key = (await webcrypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify'])) as CryptoKey;
  } catch {
    return { ok: false, reason: 'unknown-certificate', detail: 'the named certificate has no P-256 key' };
  }
  const verifier = new xmldsig.SignedXml(doc);
  try {
    verifier.LoadXml(sig);
  } catch (e) {
    return { ok: false, reason: 'bad-signature', detail: 'ds:Signature unreadable: ' + (e as Error).message };
  }
  // xmldsigjs re-imports a public key with the SignatureMethod's parameters, which lack the curve.
  (verifier as unknown as { Algorithm: unknown }).Algorithm = ECDSA_P256;
  try {
    const good = await verifier.Verify(key as never);
    if (!good) return { ok: false, reason: 'bad-signature', detail: 'SignatureValue does not verify with ' + issuerName + ' serial ' + serialNumber };
  } catch (e) {
    const m = (e as Error).message;
    if (/digest/i.test(m)) return { ok: false, reason: 'bad-digest', detail: 'the signed content was changed (reference digest mismatch)' };
    return { ok: false, reason: 'bad-signature', detail: m.split('\n')[0] };
  }
  return { ok: true, signer, certificate: cert };
}
