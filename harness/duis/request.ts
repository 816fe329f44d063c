/**
 * The header of a DUIS service request (DUIS 5.4 `sr:Request`): RequestID
 * `originator EUI-64:target EUI-64:counter` (EUIs written as 8 dash-separated hex pairs, counter a
 * decimal uint64), CommandVariant (1..8), ServiceReference and ServiceReferenceVariant, and the one
 * body element that names the service. Read from a document `parseXml` accepted and the schema passed.
 * @module
 */
import { child, childElements, SR_NS, textOf } from './xml.ts';
import type { Document, Element } from '@xmldom/xmldom';

export interface DuisRequest {
  originator: string;
  target: string;
  counter: bigint;
  requestId: string;
  commandVariant: number;
  serviceReference: string;
  serviceReferenceVariant: string;
  /** Local name of the body element, e.g. `ReadFirmwareVersion`. */
  service: string;
  body: Element;
}

export type RequestRead = { ok: true; request: DuisRequest } | { ok: false; reason: 'not-a-request' | 'bad-request-id'; detail: string };

const EUI = /^([0-9A-Fa-f]{2}-){7}[0-9A-Fa-f]{2}$/;
const UINT64_MAX = (1n << 64n) - 1n;

/** `90-B3-D5-1F-30-01-00-00` -> `90B3D51F30010000`, or undefined. */
export function euiOf(dashed: string): string | undefined {
  return EUI.test(dashed) ? dashed.replace(/-/g, '').toUpperCase() : undefined;
}

export function dashedEui(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join('-');
}

export function readRequest(doc: Document): RequestRead {
  const root = doc.documentElement!;
  if (root.namespaceURI !== SR_NS || root.localName !== 'Request') return { ok: false, reason: 'not-a-request', detail: 'root element is ' + root.localName + ', expected sr:Request' };
  const header = child(root, 'Header');
  const bodyEl = child(root, 'Body');
  const requestId = textOf(header && child(header, 'RequestID')) ?? '';
  const parts = requestId.split(':');
  const originator = euiOf(parts[0] ?? '');
  const target = euiOf(parts[1] ?? '');
  if (parts.length !== 3 || !originator || !target || !/^[0-9]{1,20}$/.test(parts[2])) {
    return { ok: false, reason: 'bad-request-id', detail: 'RequestID ' + JSON.stringify(requestId) + ' is not originator:target:counter' };
  }
  const counter = BigInt(parts[2]);
  if (counter > UINT64_MAX) return { ok: false, reason: 'bad-request-id', detail: 'RequestID counter ' + parts[2] + ' exceeds 64 bits' };
  const bodyChildren = bodyEl ? childElements(bodyEl, SR_NS) : [];
  if (!header || bodyChildren.length !== 1) return { ok: false, reason: 'not-a-request', detail: 'sr:Body must hold exactly one service element' };
  return {
    ok: true,
    request: {
      originator,
      target,
      counter,
      requestId,
      commandVariant: Number(textOf(child(header, 'CommandVariant'))),
      serviceReference: textOf(child(header, 'ServiceReference')) ?? '',
      serviceReferenceVariant: textOf(child(header, 'ServiceReferenceVariant')) ?? '',
      service: bodyChildren[0].localName!,
      body: bodyChildren[0],
    },
  };
}
