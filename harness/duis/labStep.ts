/**
 * A lab scenario step written as a DUIS request (scenario step `{ "as": user, "duis": FILE }`): the lab plays
 * the user's system and the DCC's DUIS front door around its DCC player. The request file's RequestID is
 * rewritten to the user's EUI-64, the lab device and the user's next counter (the GBCS originator counter, so
 * it rises with the user's other commands); the request is signed with the user's organisation DS key, checked
 * by the gateway (schema, signature, counter, role, device: gateway.ts) and transformed (transform.ts); a
 * critical pre-command is signed by the user as its system would, a non-critical one completed with the null
 * signature; then the DCC player delivers it (ACB MAC, device, response checks). A refusal before the device is
 * the step's `refused-by-dcc` with the DUIS response code first in the reason (e.g. "E2 role-not-allowed: ...").
 * @module
 */
import { readFileSync } from 'node:fs';
import type { BoardCrypto } from '../../boards/board.ts';
import type { DccPlayer, Exchange } from '../dcc/dccPlayer.ts';
import type { Party } from '../dcc/users.ts';
import { counterToHex } from '../../gbcs/counter64.ts';
import { signPrecommand } from '../../gbcs/protection/protection.ts';
import { DuisGateway } from './gateway.ts';
import { PartyDirectory } from './parties.ts';
import { dashedEui } from './request.ts';
import { RESPONSE_CODES as C } from './responseCodes.ts';
import type { DuisSchema } from './schema.ts';
import { signDuis } from './signature.ts';
import { roleOfOu, transform } from './transform.ts';

export interface DuisLab {
  crypto: BoardCrypto;
  dcc: DccPlayer;
  parties: Record<string, Party>;
  deviceEui: string;
  /** The DUIS 5.4 schema check (null: skipped). */
  schema: DuisSchema | null;
  nowUnix: () => number;
}

/** Gateway state shared by the steps of one run (the per-originator RequestID counters). */
export function duisGateway(lab: DuisLab): DuisGateway {
  const directory = new PartyDirectory();
  for (const p of Object.values(lab.parties)) directory.add(p.ds.certificatePem);
  return new DuisGateway({ schema: lab.schema, parties: directory, inventory: { [lab.deviceEui]: 'ESME' } });
}

export async function runDuisStep(lab: DuisLab, gateway: DuisGateway, userId: string, file: string): Promise<Exchange> {
  const user = lab.dcc.user(userId);
  const base: Exchange = { user: userId, request: 'duis', folder: 'duis', verdict: 'refused-by-dcc', frames: [], checks: [], reading: {} };
  if (!user) return { ...base, reason: 'unknown user ' + userId };
  const party = user.party;
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch (e) {
    return { ...base, reason: 'cannot read ' + file + ': ' + (e as Error).message };
  }
  const counter = lab.dcc.nextCounter(party.eui);
  const n = BigInt('0x' + counterToHex(counter));
  const rewritten = xml.replace(/<sr:RequestID>[^<]*<\/sr:RequestID>/, '<sr:RequestID>' + dashedEui(party.eui) + ':' + dashedEui(lab.deviceEui) + ':' + n.toString() + '</sr:RequestID>');
  if (rewritten === xml && !/<sr:RequestID>/.test(xml)) return { ...base, reason: C.invalidXml + ' ' + file + ' has no sr:RequestID' };
  const key = party.ds.privateKeyPem ?? ((m: Uint8Array) => lab.crypto.p256Sign(party.ds.privateKey, m));
  let signed: string;
  try {
    signed = await signDuis(rewritten, key, party.ds.certificatePem);
  } catch (e) {
    // The user's system cannot sign what is not a safe, well-formed DUIS document
    return { ...base, reason: C.invalidXml + ' ' + file + ' cannot be signed: ' + (e as Error).message };
  }
  const v = await gateway.check(signed);
  if (!v.ok) return { ...base, reason: v.code + ' ' + v.reason + ': ' + v.detail };
  const t = transform(v.request, { [lab.deviceEui]: 'ESME' }, roleOfOu(v.signer.roleCode), { now: lab.nowUnix() });
  if (!t.ok) return { ...base, reason: (t.reason === 'unknown-device' ? C.unknownDevice : t.reason === 'wrong-device-type' ? C.wrongDeviceType : t.reason === 'non-device' ? C.wrongUrl : C.notSupported) + ' ' + t.reason + ': ' + t.detail };
  if (t.sender === 'acb') return { ...base, reason: C.notSupported + ' ' + t.useCase + ' is sent by the DCC as the ACB, not delivered in the lab' };
  v.commit();
  const completed = t.critical ? signPrecommand(lab.crypto, party.ds.privateKey, t.precommand) : new Uint8Array([...t.precommand, 0x00]);
  const x = await lab.dcc.deliver(userId, t.precommand, completed, t.messageCode, t.critical, 'duis');
  return { ...x, request: 'duis ' + v.request.service + ' (' + t.useCase + ')' };
}
