/**
 * Reading DUIS XML safely. A DUIS message never carries a document type declaration, so any DOCTYPE,
 * ENTITY or entity reference other than the five predefined ones and character references is refused
 * before a parser sees the text: that closes external entities (XXE, `duis/signed/duis-xxe.xml`),
 * entity expansion ("billion laughs") and external DTD fetches in one rule. Processing instructions
 * other than the XML declaration are refused too, and the size is bounded.
 *
 * Parser: `@xmldom/xmldom` (a maintained W3C DOM in plain JS, what `xmldsigjs` is built to run on in
 * Node; it never fetches anything). Its warnings and errors are made fatal here: a DUIS request that is
 * not well-formed is refused, not repaired.
 * @module
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';

export const SR_NS = 'http://www.dccinterface.co.uk/ServiceUserGateway';
export const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** Bound on a request's size (a DUIS request with a firmware image inline is the largest we expect). */
export const MAX_XML_BYTES = 4 * 1024 * 1024;

export type XmlRefusal = 'too-large' | 'doctype' | 'entity' | 'processing-instruction' | 'not-well-formed' | 'not-utf8';
export type ParsedXml = { ok: true; doc: Document } | { ok: false; reason: XmlRefusal; detail: string };

const PREDEFINED = /^(lt|gt|amp|apos|quot|#[0-9]+|#x[0-9a-fA-F]+)$/;

/** The document, or why it is refused. Never resolves an entity or fetches anything. */
export function parseXml(input: string | Uint8Array): ParsedXml {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    if (input.length > MAX_XML_BYTES) return { ok: false, reason: 'too-large', detail: input.length + ' bytes > ' + MAX_XML_BYTES };
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return { ok: false, reason: 'not-utf8', detail: 'the body is not UTF-8' };
    }
  }
  if (text.length > MAX_XML_BYTES) return { ok: false, reason: 'too-large', detail: text.length + ' characters > ' + MAX_XML_BYTES };
  if (/<!DOCTYPE/i.test(text)) return { ok: false, reason: 'doctype', detail: 'a document type declaration (DOCTYPE) is not allowed in DUIS' };
  if (/<!ENTITY/i.test(text)) return { ok: false, reason: 'entity', detail: 'an entity declaration is not allowed in DUIS' };
  const refs = text.match(/&[^;\s<&]*;?/g) ?? [];
  for (const r of refs) {
    const name = r.slice(1, r.endsWith(';') ? -1 : undefined);
    if (!r.endsWith(';') || !PREDEFINED.test(name)) return { ok: false, reason: 'entity', detail: 'entity reference ' + r + ' is not allowed' };
  }
  const pis = text.match(/<\?[^?]*\?>/g) ?? [];
  for (let i = 0; i < pis.length; i++) {
    const pi = pis[i] as string;
    if (!(i === 0 && /^<\?xml\s/.test(pi) && text.indexOf(pi) === text.search(/\S/))) {
      return { ok: false, reason: 'processing-instruction', detail: 'processing instruction ' + pi.slice(0, 40) + ' is not allowed' };
    }
  }
  const problems: string[] = [];
  const parser = new DOMParser({
    onError: (level: string, msg: string) => { problems.push(level + ': ' + msg); },
  } as never);
  let doc: Document | undefined;
  try {
    doc = parser.parseFromString(text, 'application/xml') as unknown as Document;
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (problems.length || !doc || !doc.documentElement) {
    return { ok: false, reason: 'not-well-formed', detail: (problems[0] ?? 'no root element').split('\n')[0] };
  }
  return { ok: true, doc };
}

export function serializeXml(node: Node): string {
  return new XMLSerializer().serializeToString(node as never);
}

/** Child elements of `el` in namespace `ns` (all namespaces when omitted). */
export function childElements(el: Element, ns?: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (ns === undefined || (n as Element).namespaceURI === ns)) out.push(n as Element);
  }
  return out;
}

export function child(el: Element, localName: string, ns = SR_NS): Element | undefined {
  return childElements(el, ns).find((c) => c.localName === localName);
}

export function textOf(el: Element | undefined): string | undefined {
  return el ? (el.textContent ?? '').trim() : undefined;
}
