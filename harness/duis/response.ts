/**
 * DUIS responses from the DCC (DUIS 5.4 `sr:Response`; layout as `duis/signed/readfw-response.xml`):
 * Header {RequestID, ResponseID, ResponseCode, ResponseDateTime}, Body {ResponseMessage {ServiceReference,
 * ServiceReferenceVariant, GBCSPayload | PreCommand}}, then the DCC's enveloped signature (signature.ts).
 * ResponseID is `device:user:counter` (the request's, reversed), as the DCC's example shows; refusals
 * carry no ResponseID and no body content beyond the service reference.
 * @module
 */
import { dashedEui } from './request.ts';
import type { DuisRequest } from './request.ts';

export interface ResponseFields {
  request?: Pick<DuisRequest, 'originator' | 'target' | 'counter' | 'serviceReference' | 'serviceReferenceVariant'>;
  /** A RequestID as received, for refusals of requests whose header could not be read fully. */
  requestId?: string;
  code: string;
  at: Date;
  gbcsPayload?: Uint8Array;
  preCommand?: { gbcsVersion: string; payload: Uint8Array };
  /** A non-device answer's content after ServiceReferenceVariant (e.g. `<sr:DSPInventory>`), already escaped XML. */
  bodyXml?: string;
}

/** A device alert pushed to its recipient (alerts.ts): `sr:DeviceAlertMessage`, ResponseID device:recipient:counter. */
export function buildDeviceAlert(a: { device: string; recipient: string; counter: bigint; alertCode: number; payload: Uint8Array }, at: Date): string {
  const code = a.alertCode.toString(16).toUpperCase().padStart(4, '0');
  return '<?xml version="1.0" encoding="UTF-8"?>' +
    '<sr:Response xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" schemaVersion="5.4">' +
    '<sr:Header><sr:ResponseID>' + dashedEui(a.device) + ':' + dashedEui(a.recipient) + ':' + a.counter.toString() + '</sr:ResponseID>' +
    '<sr:ResponseCode>I0</sr:ResponseCode><sr:ResponseDateTime>' + at.toISOString() + '</sr:ResponseDateTime></sr:Header>' +
    '<sr:Body><sr:DeviceAlertMessage><sr:AlertCode>' + code + '</sr:AlertCode><sr:GBCSPayload>' + Buffer.from(a.payload).toString('base64') + '</sr:GBCSPayload></sr:DeviceAlertMessage></sr:Body></sr:Response>';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function buildResponse(f: ResponseFields): string {
  const r = f.request;
  const requestId = r ? dashedEui(r.originator) + ':' + dashedEui(r.target) + ':' + r.counter : f.requestId;
  const responseId = r && /^I/.test(f.code) ? dashedEui(r.target) + ':' + dashedEui(r.originator) + ':' + r.counter : undefined;
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  let payload = '';
  if (f.gbcsPayload) payload = '<sr:GBCSPayload>' + b64(f.gbcsPayload) + '</sr:GBCSPayload>';
  else if (f.bodyXml) payload = f.bodyXml;
  else if (f.preCommand) payload = '<sr:PreCommand><sr:GBCSVersion>' + esc(f.preCommand.gbcsVersion) + '</sr:GBCSVersion><sr:GBCSPayload>' + b64(f.preCommand.payload) + '</sr:GBCSPayload></sr:PreCommand>';
  const body = r && r.serviceReference
    ? '<sr:Body><sr:ResponseMessage><sr:ServiceReference>' + esc(r.serviceReference) + '</sr:ServiceReference><sr:ServiceReferenceVariant>' + esc(r.serviceReferenceVariant) + '</sr:ServiceReferenceVariant>' + payload + '</sr:ResponseMessage></sr:Body>'
    : '';
  return '<?xml version="1.0" encoding="UTF-8"?>' +
    '<sr:Response xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" schemaVersion="5.4">' +
    '<sr:Header>' + (requestId && /^([0-9A-F]{2}-){7}[0-9A-F]{2}:([0-9A-F]{2}-){7}[0-9A-F]{2}:[0-9]{1,20}$/.test(requestId) ? '<sr:RequestID>' + requestId + '</sr:RequestID>' : '') +
    (responseId ? '<sr:ResponseID>' + responseId + '</sr:ResponseID>' : '') +
    '<sr:ResponseCode>' + esc(f.code) + '</sr:ResponseCode><sr:ResponseDateTime>' + f.at.toISOString() + '</sr:ResponseDateTime></sr:Header>' +
    body + '</sr:Response>';
}
