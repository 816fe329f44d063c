/**
 * The DCC's front door for DUIS: every request is checked in this order, cheap checks before any crypto,
 * and refused with the DUIS response code a DCC would give. Nothing is transformed or sent on a refusal,
 * and a request's counter is recorded only when every check has passed (a refused request does not
 * burn its counter).
 *
 * 1. the XML is safe and well-formed: no DOCTYPE, entities (XXE) or PIs, bounded size  -> E40
 * 2. it is valid against the DUIS 5.4 schema                                           -> E40
 * 3. it is a Request with a RequestID originator:target:counter                        -> E40 / E42
 * 4. the originator is a known DCC User                                                -> E1
 * 5. the signature verifies (DUIS XMLDSig, certificate by IssuerSerial), and the signing certificate
 *    is the originator's (its x500UniqueIdentifier is the RequestID's originator)       -> E41
 * 6. the target is in the inventory, the service applies to its device type            -> E19 / E11
 * 7. the signer's role (certificate OU) may originate the use case (GBCS use-case table) -> E2
 * 8. the RequestID counter is above the last accepted from that originator             -> E42
 * @module
 */
import { RESPONSE_CODES } from './responseCodes.ts';
import type { ResponseCode } from './responseCodes.ts';
import { parseXml } from './xml.ts';
import type { Document } from '@xmldom/xmldom';
import { DuisSchema } from './schema.ts';
import { verifyDuis } from './signature.ts';
import { readRequest } from './request.ts';
import type { DuisRequest } from './request.ts';
import type { PartyDirectory, KnownParty } from './parties.ts';
import { resolveUseCase, rolesAllowed, roleOfOu, NON_DEVICE_SERVICES } from './transform.ts';
import type { Inventory } from './transform.ts';

export type GatewayVerdict =
  | { ok: true; request: DuisRequest; signer: KnownParty; doc: Document; commit: () => void }
  | { ok: false; code: ResponseCode; reason: string; detail: string; requestId?: string };

export interface GatewayOptions {
  /** null only for a caller that has validated the very same text itself (bulk runs: one libxml2 run for many). */
  schema: DuisSchema | null;
  parties: PartyDirectory;
  inventory: Inventory;
}

/** The last accepted RequestID counter per originator (DUIS: it must rise). */
export class CounterBook {
  private last: Record<string, bigint> = {};
  fresh(originator: string, counter: bigint): boolean {
    const l = this.last[originator];
    return l === undefined || counter > l;
  }
  record(originator: string, counter: bigint): void {
    this.last[originator] = counter;
  }
  lastOf(originator: string): bigint | undefined {
    return this.last[originator];
  }
}

export class DuisGateway {
  readonly counters = new CounterBook();
  constructor(private o: GatewayOptions) {}

  async check(body: string | Uint8Array): Promise<GatewayVerdict> {
    const C = RESPONSE_CODES;
    const parsed = parseXml(body);
    if (!parsed.ok) return { ok: false, code: C.invalidXml, reason: 'xml-' + parsed.reason, detail: parsed.detail };
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
    const schema = this.o.schema ? await this.o.schema.validate(text) : { ok: true as const };
    if (!schema.ok) return { ok: false, code: C.invalidXml, reason: 'schema', detail: schema.detail };
    const read = readRequest(parsed.doc);
    if (!read.ok) return { ok: false, code: read.reason === 'bad-request-id' ? C.badRequestId : C.invalidXml, reason: read.reason, detail: read.detail };
    const r = read.request;
    const requestId = r.requestId;
    const candidates = this.o.parties.byEui(r.originator);
    if (candidates.length === 0) return { ok: false, code: C.invalidUser, reason: 'unknown-user', detail: 'originator ' + r.originator + ' is not a known DCC User', requestId };
    const sig = await verifyDuis(parsed.doc, (n) => this.o.parties.byName(n)?.certificate);
    if (!sig.ok) return { ok: false, code: C.badSignature, reason: 'signature-' + sig.reason, detail: sig.detail, requestId };
    const signer = this.o.parties.byName(sig.signer)!;
    if (signer.eui !== r.originator) return { ok: false, code: C.badSignature, reason: 'signer-not-originator', detail: 'signed by ' + signer.eui + ', RequestID names ' + r.originator, requestId };
    // A SignedPreCommand's use case is in its GBCS payload: the server checks its role by message code.
    if (!NON_DEVICE_SERVICES[r.serviceReferenceVariant] && r.service !== 'SignedPreCommand') {
      const role = roleOfOu(signer.roleCode);
      const u = resolveUseCase(r, this.o.inventory, role);
      if (!u.ok) {
        const code = u.reason === 'unknown-device' ? C.unknownDevice : u.reason === 'wrong-device-type' ? C.wrongDeviceType : C.notSupported;
        return { ok: false, code, reason: u.reason, detail: u.detail, requestId };
      }
      const allowed = rolesAllowed(r, this.o.inventory, role) ?? [];
      if (!role || allowed.indexOf(role) < 0) {
        return { ok: false, code: C.roleNotAllowed, reason: 'role-not-allowed', detail: 'role ' + signer.roleCode + ' (' + (role ?? '?') + ') may not send ' + u.entry.useCase + '; allowed: ' + allowed.join(', '), requestId };
      }
    }
    if (!this.counters.fresh(r.originator, r.counter)) {
      return { ok: false, code: C.badRequestId, reason: 'counter-not-rising', detail: 'RequestID counter ' + r.counter + ' is not above ' + this.counters.lastOf(r.originator) + ', the last accepted from ' + r.originator, requestId };
    }
    return { ok: true, request: r, signer, doc: parsed.doc, commit: () => this.counters.record(r.originator, r.counter) };
  }
}
