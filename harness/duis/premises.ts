/**
 * The simulated premises behind `smets dcc serve`: the lab's set-up (harness/lab/runLab.ts) without a
 * scenario — a test SMKI in the working folder, the ZAZ1-id parties' organisation credentials, an ESME
 * made by the factory on the Node board with the DCC's trust anchors, reached through the in-process
 * transport by the DCC player, and handed to the Supplier by CS02b (as the lab's first step). DUIS
 * requests reach it through `Premises.deliver` (DccPlayer.deliver): the ACB's MAC, the device, the
 * response check.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { memoryLinkPair } from '../../boards/memoryLink.ts';
import { nodeBoard } from '../../boards/node/index.ts';
import { nodeCrypto } from '../../boards/node/nodeCrypto.ts';
import { fromHex } from '../../lib/bytes.ts';
import { createTestSmki } from '../smki/testSmki.ts';
import { DccPlayer } from '../dcc/dccPlayer.ts';
import { issueParty, TEST_ENTITIES } from '../dcc/users.ts';
import type { Party, User } from '../dcc/users.ts';
import { inProcessTransport } from '../transport/inProcess.ts';
import { boot } from '../../device/index.ts';
import { manufactureEsme } from '../lab/factory.ts';
import { PartyDirectory } from './parties.ts';
import type { KeyProvider } from '../hsm/keyProvider.ts';
import type { Premises } from './server.ts';
import type { DuisSigner } from './signature.ts';
import { DEVICE_MODEL, setUpFirmwareLab } from '../lab/firmwareLab.ts';
import type { FirmwareLab } from '../lab/firmwareLab.ts';

export interface LabPremises {
  premises: Record<string, Premises>;
  parties: Record<string, Party>;
  directory: PartyDirectory;
  deviceEui: string;
  /** What signs the DCC's DUIS responses (ServeOptions.dcc). */
  dccSigner: { key: string | DuisSigner; certificatePem: string };
  /** The lab's manufacturer, signed packages (good, faulty, other, tampered, bad-signature) and the CPL. */
  firmware: FirmwareLab;
  close(): Promise<void>;
}

/**
 * With `keys` (a PKCS#11 token: `smets dcc serve --hsm`) every party's DS and KA key pair, the ACB's
 * (the DCC's) included, is generated in the provider and used through it, as the lab does with --hsm.
 */
export async function labPremises(out: string, deviceEui = '00DB1234567890A0', keys?: KeyProvider): Promise<LabPremises> {
  mkdirSync(out, { recursive: true });
  const crypto = keys ? keys.crypto(nodeCrypto()) : nodeCrypto();
  const smki = createTestSmki({ dir: join(out, 'smki'), workers: 1 });
  let fw: FirmwareLab | undefined;
  try {
    const parties: Record<string, Party> = {};
    for (const id of Object.keys(TEST_ENTITIES)) parties[id] = issueParty(smki, crypto, TEST_ENTITIES[id], keys);
    // The manufacturer's packages and the CPL the DCC checks them against (DUIS 11.1 Update Firmware)
    fw = setUpFirmwareLab(smki, crypto, join(out, 'smki'), deviceEui, () => Date.now(), () => undefined);
    const link = memoryLinkPair();
    const board = nodeBoard({ storageDir: join(out, 'device-' + deviceEui.toLowerCase()), link: link.device, log: () => undefined });
    const made = manufactureEsme({
      eui: deviceEui, deviceType: 'ESME', board, smki,
      anchors: { recovery: parties.recovery, acb: parties.acb, wanProvider: parties.wanProvider, transCoS: parties.transCoS, networkOperator: parties.networkOperator },
      firmware: { manufacturerKey: fw.manufacturer.publicKey, capacity: 512 * 1024 },
    });
    if (!made.ok) throw new Error('labPremises: the factory failed at ' + made.step + ': ' + made.reason);
    // Power on: the device boots as firmware.js does and serves GBCS on its link.
    if (!boot(board).manufactured) throw new Error('labPremises: the device did not boot as manufactured');
    const users: User[] = Object.keys(parties).map((id) => ({ id, name: parties[id].name, party: parties[id] }));
    users.push({ id: 'dcc', name: 'DCC', party: parties.acb });
    const dcc = new DccPlayer({
      crypto, transport: inProcessTransport(link.host), acb: parties.acb, users, parties, issuingOca: new Uint8Array(smki.issuingOca().der),
      device: { eui: deviceEui, euiBytes: fromHex(deviceEui)!, deviceType: 'ESME', dsPublic: made.ds.publicKey, kaPublic: made.ka.publicKey },
      nowUnix: () => Math.floor(Date.now() / 1000),
      cpl: fw.cpl, deviceModel: DEVICE_MODEL, suspension: fw.suspension,
    });
    const handover = await dcc.submit('dcc', 'update-security-credentials', { to: 'supplier' });
    if (handover.verdict !== 'accepted') throw new Error('labPremises: CS02b hand-over to the Supplier failed: ' + handover.verdict + ' ' + (handover.reason ?? ''));
    const directory = new PartyDirectory();
    for (const p of Object.values(parties)) directory.add(p.ds.certificatePem);
    const byEui = (eui: string) => Object.keys(parties).find((id) => parties[id].eui === eui.toUpperCase());
    const esme: Premises = {
      userFor: (originator) => byEui(originator),
      dsPublic: (originator) => { const id = byEui(originator); return id ? parties[id].ds.publicKey : undefined; },
      async deliver(userId, _target, pre, completed, messageCode, critical) {
        const x = await dcc.deliver(userId, pre, completed, messageCode, critical, 'duis');
        const resp = x.frames.find((f) => f.kind === 'RESPONSE');
        // Alerts the device sent meanwhile (e.g. the security alert for a command it refused) go to their recipients.
        const alerts = dcc.alerts();
        if (x.verdict === 'accepted' && resp) return { ok: true, response: resp.bytes, alerts };
        return { ok: false, reason: x.verdict + (x.reason ? ': ' + x.reason : ''), alerts };
      },
      async updateFirmware(userId, image) {
        const x = await dcc.updateFirmware(userId, image);
        const alerts = x.frames.filter((f) => f.kind === 'ALERT').map((f) => f.bytes).concat(dcc.alerts());
        return { verdict: x.verdict, reason: x.reason, alerts };
      },
    };
    // The DCC's DUIS signer: the ACB's DS key, in software (PEM) or in the token (its handle, signed there).
    const acbDs = parties.acb.ds;
    const dccSigner = { key: acbDs.privateKeyPem ?? ((m: Uint8Array) => crypto.p256Sign(acbDs.privateKey, m)), certificatePem: acbDs.certificatePem };
    const firmware = fw;
    return { premises: { [deviceEui]: esme }, parties, directory, deviceEui, dccSigner, firmware, close: async () => { firmware.cpl.close(); await smki.close(); } };
  } catch (e) {
    fw?.cpl.close();
    await smki.close();
    throw e;
  }
}
