/**
 * `smets dcc serve`: the DCC's DUIS endpoints over HTTP on loopback, as DCC Boxed has them:
 *   POST /api/v1/serviceT  transform: the GBCS pre-command the DCC makes of a request (synchronous, I0)
 *   POST /api/v1/serviceS  send: a non-critical request, or a SignedPreCommand (critical, signed by the
 *                          user after serviceT), goes to the device; acknowledged synchronously (I99),
 *                          the device's answer pushed as a signed DUIS Response (I0, GBCSPayload) to the
 *                          user's registered URL
 *   POST /api/v1/serviceD  non-device service requests answered from the DCC's Smart Metering Inventory
 *                          (nonDevice.ts: read inventory, decommission, CHF status, pre-notification), and
 *                          11.1 Update Firmware through the premises' DCC (CPL check, distribution)
 * Every request passes the gateway (gateway.ts) first; a refusal answers with its DUIS code and nothing
 * reaches a device. Every answer is signed with the DCC's (ACB's) DS key. Loopback only.
 * @module
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DuisGateway } from './gateway.ts';
import { buildDeviceAlert, buildResponse } from './response.ts';
import { readDeviceAlert } from './alerts.ts';
import type { ResponseFields } from './response.ts';
import { signDuis, verifyDuis } from './signature.ts';
import type { DuisSigner } from './signature.ts';
import { parseXml } from './xml.ts';
import { RESPONSE_CODES as C } from './responseCodes.ts';
import { NON_DEVICE_SERVICES, roleOfOu, transform } from './transform.ts';
import { answerNonDevice, SmartMeteringInventory } from './nonDevice.ts';
import type { Inventory } from './transform.ts';
import type { DuisRequest } from './request.ts';
import { child, textOf } from './xml.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import { messageCodeInfo } from '../../gbcs/messageCodes.ts';
import { bytesEqual, fromHex, toHex } from '../../lib/bytes.ts';
import { nodeCrypto } from '../../boards/node/nodeCrypto.ts';
import { verifyPrecommandSignature } from './precommandSignature.ts';

/** What reaches a device: a completed pre-command in, the device's GBCS answer (or why none) out. */
export interface Premises {
  /** The user id (in the premises' DCC) for an originator EUI-64, if that party may reach this device. */
  userFor(originator: string): string | undefined;
  deliver(userId: string, target: string, pre: Uint8Array, completed: Uint8Array, messageCode: number, critical: boolean): Promise<({ ok: true; response: Uint8Array } | { ok: false; reason: string }) & { alerts?: Uint8Array[] }>;
  /** The originator's DS public key (uncompressed point), to check a SignedPreCommand. */
  dsPublic(originator: string): Uint8Array | undefined;
  /**
   * DUIS 11.1 Update Firmware to this device: the DCC checks the package against the CPL and distributes it;
   * the device's alerts (its 8F72 receipt) come back for their recipients.
   */
  updateFirmware?(userId: string, image: Uint8Array): Promise<{ verdict: string; reason?: string; alerts: Uint8Array[] }>;
}

export interface ServeOptions {
  gateway: DuisGateway;
  inventory: Inventory;
  /** The DCC's (ACB's) DS key: a PEM private key, or a signer for a key held in a token. */
  dcc: { key: string | DuisSigner; certificatePem: string };
  premises: Record<string, Premises>;
  /** Where each user's responses are pushed (originator EUI -> URL, loopback). */
  pushUrls: Record<string, string>;
  log?: (line: string) => void;
  gbcsVersion?: string;
  /** The DCC's Smart Metering Inventory (device statuses); default: every device of `inventory` Commissioned. */
  smi?: SmartMeteringInventory;
  /**
   * The ACB's EUI-64 (hex), for the use cases the DCC sends as the ACB on a user's behalf; its counter starts at
   * `firstCounter` (default 1300, as the RTDS's ACB commands) and rises per such command.
   */
  acb?: { eui: string; firstCounter?: number };
}

export interface DuisServer {
  server: Server;
  url: string;
  /** Pushes still in flight (tests await them). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) { resolve(undefined); req.destroy(); return; }
      parts.push(c);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(parts))));
    req.on('error', () => resolve(undefined));
  });
}

/** UNCONFIRMED: DUIS 11.1's first service-specific code, for a package the DCC refuses (CPL check). */
const FIRMWARE_REFUSED = 'E110101';

export async function serveDuis(o: ServeOptions, port = 8079): Promise<DuisServer> {
  const log = o.log ?? (() => undefined);
  const smi = o.smi ?? new SmartMeteringInventory(o.inventory);
  let acbCounter = o.acb?.firstCounter ?? 1300;
  const pending: Promise<unknown>[] = [];
  const sign = (f: ResponseFields) => signDuis(buildResponse(f), o.dcc.key, o.dcc.certificatePem);
  const answer = async (res: ServerResponse, status: number, f: ResponseFields) => {
    const xml = await sign(f);
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(xml);
  };
  const push = (r: DuisRequest, f: ResponseFields) => {
    const url = o.pushUrls[r.originator];
    if (!url) { log('no registered URL for ' + r.originator + ': response ' + f.code + ' kept back'); return; }
    pending.push((async () => {
      const xml = await sign(f);
      try {
        const resp = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
        log('pushed ' + f.code + ' for ' + r.requestId + ' to ' + url + ': HTTP ' + resp.status);
      } catch (e) {
        log('push to ' + url + ' failed: ' + (e as Error).message);
      }
    })());
  };

  const server = createServer(async (req, res) => {
    const now = () => new Date();
    const path = (req.url ?? '').split('?')[0];
    const service = /^\/api\/v1\/service([STD])$/.exec(path)?.[1];
    if (req.method !== 'POST' || !service) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('POST application/xml to /api/v1/serviceS, serviceT or serviceD\n'); return; }
    if (!/application\/xml|text\/xml/.test(String(req.headers['content-type'] ?? ''))) { res.writeHead(415, { 'content-type': 'text/plain' }); res.end('content-type must be application/xml\n'); return; }
    const body = await readBody(req, 4 * 1024 * 1024);
    if (!body) { await answer(res, 413, { code: C.invalidXml, at: now() }); return; }
    const v = await o.gateway.check(body);
    if (!v.ok) {
      log('service' + service + ' refused ' + v.code + ' ' + v.reason + ': ' + v.detail);
      await answer(res, 400, { code: v.code, requestId: v.requestId, at: now() });
      return;
    }
    const r = v.request;
    if (service === 'D') {
      if (r.service === 'SignedPreCommand' || !NON_DEVICE_SERVICES[r.serviceReferenceVariant]) { await answer(res, 400, { code: C.wrongUrl, request: r, at: now() }); return; }
      if (r.serviceReferenceVariant === '11.1') { await updateFirmware(res, r, () => v.commit()); return; }
      const d = answerNonDevice(r, smi);
      log('serviceD ' + r.requestId + ' ' + r.serviceReferenceVariant + ' -> ' + d.code + ': ' + d.detail);
      const ok = d.code === C.success || d.code === C.acknowledged;
      if (ok) v.commit();
      await answer(res, ok ? 200 : 400, { code: d.code, request: r, at: now(), bodyXml: d.bodyXml });
      return;
    }
    // A command to a device whose SMI status does not permit it (decommissioned, withdrawn, suspended, pending): E5
    if (!smi.commandable(r.target)) {
      log('service' + service + ' ' + r.requestId + ': device ' + r.target + ' is ' + smi.get(r.target)?.status);
      await answer(res, 400, { code: C.invalidDeviceStatus, request: r, at: now() });
      return;
    }
    if (r.service === 'SignedPreCommand') {
      if (service !== 'S') { await answer(res, 400, { code: C.wrongUrl, request: r, at: now() }); return; }
      const completed = fromHex(Buffer.from(textOf(child(r.body, 'GBCSPayload')) ?? '', 'base64').toString('hex'))!;
      const m = decodeMessage(completed);
      const premises = o.premises[r.target];
      const pub = premises?.dsPublic(r.originator);
      if (!m.ok || !premises || !pub) { await answer(res, 400, { code: m.ok ? C.noCommunication : C.invalidXml, request: r, at: now() }); return; }
      const gs = m.gs;
      if (toHex(gs.originator).toUpperCase() !== r.originator || toHex(gs.recipient).toUpperCase() !== r.target) { await answer(res, 400, { code: C.notAuthorisedForDevice, request: r, at: now() }); return; }
      const checked = verifyPrecommandSignature(nodeCrypto(), pub, completed);
      if (!checked.ok) { log('SignedPreCommand refused: ' + checked.reason); await answer(res, 400, { code: C.badSignature, request: r, at: now() }); return; }
      const info = messageCodeInfo(gs.messageCode);
      const role = roleOfOu(v.signer.roleCode);
      if (!info || !role || (info.originators.indexOf(role) < 0 && !(info.variant && info.variant.originators.indexOf(role) >= 0))) {
        await answer(res, 400, { code: C.roleNotAllowed, request: r, at: now() });
        return;
      }
      v.commit();
      await answer(res, 200, { code: C.acknowledged, request: r, at: now() });
      pending.push(deliverAndPush(r, premises, checked.precommand, completed, gs.messageCode, info?.critical ?? true));
      return;
    }
    const t = transform(r, o.inventory, roleOfOu(v.signer.roleCode), { acb: o.acb ? { eui: o.acb.eui, counter: acbCounter } : undefined });
    if (t.ok && t.sender === 'acb') acbCounter++;
    if (!t.ok) {
      const code = t.reason === 'non-device' ? C.wrongUrl : t.reason === 'unknown-device' ? C.unknownDevice : t.reason === 'wrong-device-type' ? C.wrongDeviceType : C.notSupported;
      log('service' + service + ' ' + r.requestId + ': ' + t.reason + ': ' + t.detail);
      await answer(res, 400, { code, request: r, at: now() });
      return;
    }
    // DUIS Command Variants: 4 (and 5, 6, 8 with a future date / local) ask for the transform only.
    const transformOnly = r.commandVariant >= 4;
    if (service === 'T') {
      if (!transformOnly) { await answer(res, 400, { code: C.wrongCommandVariant, request: r, at: now() }); return; }
      v.commit();
      log('serviceT ' + r.requestId + ' -> ' + t.useCase + ' pre-command ' + t.precommand.length + ' bytes');
      await answer(res, 200, { code: C.success, request: r, at: now(), preCommand: { gbcsVersion: o.gbcsVersion ?? '4.0', payload: t.precommand } });
      return;
    }
    if (transformOnly || t.critical) { await answer(res, 400, { code: transformOnly ? C.wrongUrl : C.wrongCommandVariant, request: r, at: now() }); return; }
    // The lab's premises take commands from their users; a command the DCC sends as the ACB (supplementary remote
    // party form) is given by serviceT only.
    if (t.sender === 'acb') { log('serviceS ' + r.requestId + ': ' + t.useCase + ' is sent as the ACB, not delivered by this DCC'); await answer(res, 400, { code: C.notSupported, request: r, at: now() }); return; }
    const premises = o.premises[r.target];
    if (!premises) { await answer(res, 400, { code: C.noCommunication, request: r, at: now() }); return; }
    v.commit();
    await answer(res, 200, { code: C.acknowledged, request: r, at: now() });
    pending.push(deliverAndPush(r, premises, t.precommand, new Uint8Array([...t.precommand, 0x00]), t.messageCode, false));
  });

  async function deliverAndPush(r: DuisRequest, premises: Premises, pre: Uint8Array, completed: Uint8Array, code: number, critical: boolean): Promise<void> {
    const user = premises.userFor(r.originator);
    if (!user) { push(r, { code: C.notAuthorisedForDevice, request: r, at: new Date() }); return; }
    const d = await premises.deliver(user, r.target, pre, completed, code, critical);
    log('device ' + r.target + ' for ' + r.requestId + ': ' + (d.ok ? 'response ' + d.response.length + ' bytes' : d.reason));
    push(r, d.ok ? { code: C.success, request: r, at: new Date(), gbcsPayload: d.response } : { code: C.noResponse, request: r, at: new Date() });
    for (const frame of d.alerts ?? []) pushAlert(frame);
  }

  /**
   * DUIS 11.1 Update Firmware (serviceD): acknowledged (I99) when every device listed is known, permits it and
   * has premises here; then, for each device, the DCC's CPL check and the distribution; the device's receipt
   * alert (8F72) is pushed as a DeviceAlertMessage, a refusal by the DCC as the 11.1 response with E110101
   * (UNCONFIRMED: the first of DUIS's 11.1 codes, whose meanings the schema does not give).
   */
  async function updateFirmware(res: ServerResponse, r: DuisRequest, commit: () => void): Promise<void> {
    const at = () => new Date();
    const image = new Uint8Array(Buffer.from(textOf(child(r.body, 'FirmwareImage')) ?? '', 'base64'));
    const ids = (textOf(child(r.body, 'DeviceIDList')) ?? '').split(',').map((x) => x.replace(/-/g, '').toUpperCase()).filter((x) => x);
    const user = ids.length ? o.premises[ids[0]]?.userFor(r.originator) : undefined;
    for (const id of ids) {
      const d = smi.get(id);
      if (!d) { await answer(res, 400, { code: C.unknownDevice, request: r, at: at() }); return; }
      if (!smi.commandable(id) && d.status !== 'Suspended') { await answer(res, 400, { code: C.invalidDeviceStatus, request: r, at: at() }); return; }
      if (!o.premises[id]?.updateFirmware || !o.premises[id].userFor(r.originator)) { await answer(res, 400, { code: C.noCommunication, request: r, at: at() }); return; }
    }
    if (image.length === 0 || !user) { await answer(res, 400, { code: C.invalidXml, request: r, at: at() }); return; }
    commit();
    await answer(res, 200, { code: C.acknowledged, request: r, at: at() });
    for (const id of ids) {
      const premises = o.premises[id];
      pending.push((async () => {
        const u = await premises.updateFirmware!(premises.userFor(r.originator)!, image);
        log('UpdateFirmware ' + r.requestId + ' to ' + id + ': ' + u.verdict + (u.reason ? ' (' + u.reason + ')' : ''));
        if (u.verdict === 'refused-by-dcc') push(r, { code: FIRMWARE_REFUSED, request: r, at: at() });
        for (const frame of u.alerts) pushAlert(frame);
      })());
    }
  }

  /** A device alert, signed, to the URL registered for its recipient (as DCC Boxed pushes alerts). */
  function pushAlert(frame: Uint8Array): void {
    const a = readDeviceAlert(frame);
    if (!a.ok) { log('alert not pushed: ' + a.reason); return; }
    const url = o.pushUrls[a.alert.recipient];
    if (!url) { log('alert ' + a.alert.alertCode.toString(16).toUpperCase() + ' for ' + a.alert.recipient + ': no URL registered'); return; }
    pending.push((async () => {
      try {
        const body = await signDuis(buildDeviceAlert(a.alert, new Date()), o.dcc.key, o.dcc.certificatePem);
        const resp = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/xml' }, body });
        log('pushed alert ' + a.alert.alertCode.toString(16).toUpperCase() + ' from ' + a.alert.device + ' to ' + url + ': HTTP ' + resp.status);
      } catch (e) {
        log('alert push to ' + url + ' failed: ' + (e as Error).message);
      }
    })());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    server,
    url: 'http://127.0.0.1:' + a.port,
    settled: async () => { while (pending.length) await pending.shift(); },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export { bytesEqual, parseXml, verifyDuis };
