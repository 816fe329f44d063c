/**
 * `smets dcc serve`: the DCC's DUIS endpoints (harness/duis/server.ts) on 127.0.0.1, with the simulated
 * premises behind them (the lab's ESME, handed to the Supplier), or, with --keys, as the parties of an
 * RTDS-layout keystore (the ZAZ1 users and the ACB's keys): then a request signed by the ZAZ1 Supplier is
 * accepted and serviceT reproduces DCC's reference pre-commands for the RTDS test devices (no premises:
 * serviceS answers E20 for them). With --hsm (lab premises only) every party's key pair, the DCC's
 * response-signing key included, is generated and used in a PKCS#11 token (harness/hsm).
 * @module
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { EXIT_OK, EXIT_USAGE } from '../command.ts';
import { actionOptions } from '../options.ts';
import type { ActionSpec } from '../options.ts';
import { DuisGateway } from '../../duis/gateway.ts';
import { PartyDirectory } from '../../duis/parties.ts';
import { DuisSchema, DEFAULT_SCHEMA_DIR } from '../../duis/schema.ts';
import { labPremises } from '../../duis/premises.ts';
import { serveDuis } from '../../duis/server.ts';
import { listenProblem } from '../net.ts';
import { RTDS_INVENTORY } from '../../duis/transform.ts';
import type { Inventory } from '../../duis/transform.ts';
import type { Premises } from '../../duis/server.ts';
import type { DuisSigner } from '../../duis/signature.ts';
import { DEFAULT_TOKEN, openHsm, SOFTHSM_MODULE, softHsmConf } from '../../hsm/index.ts';
import type { KeyProvider } from '../../hsm/index.ts';

const HELP = `Usage: smets dcc serve [--port 8079] [--keys KEYDIR | --hsm [--hsm-dir DIR] ...] [--push EUI=URL ...] [--out DIR] [--schema DIR]

The DCC as DCC Boxed offers it, over HTTP on 127.0.0.1 (POST application/xml):
  /api/v1/serviceS   send a non-critical request, or a SignedPreCommand; answered I99, the device's
                     response pushed as a signed DUIS Response to the user's URL (--push)
  /api/v1/serviceT   transform: the GBCS pre-command of a request (Command Variant 4), answered I0
  /api/v1/serviceD   non-device services answered from the DCC's inventory: read inventory (8.2),
                     decommission (8.3), CHF status (8.14.2/3), pre-notification (12.2); Update
                     Firmware (11.1: CPL check, distribution, the receipt alert pushed); others E100
Each request is checked: XML safety (XXE), DUIS 5.4 schema, XMLDSig (ECDSA-SHA256, the certificate its
X509IssuerSerial names), the originator's rising RequestID counter, the role for the use case; a refusal
answers with its DUIS code (E1, E2, E11, E13, E19, E40-E42...) and nothing reaches a device.

Options:
  --port N        default 8079 (0: any free port, printed)
  --out DIR       the lab's folder (without --keys; default a temp folder)
  --keys KEYDIR   run as the parties of an RTDS-layout keystore (../shared/vectors/rtds/keystore): the DCC
                  signs with 90b3d51f30000002-ds.key; devices = the RTDS test devices (transform only)
                  Without it: a lab (test SMKI and ESME 00DB1234567890A0 in --out, default a temp folder);
                  the parties' certificates in OUT/keystore/<eui>-ds.pem|-ka.pem (and their .key when
                  the keys are in software), for the users' systems; the manufacturer's firmware
                  packages in OUT/firmware/*.bin, for 11.1 Update Firmware requests
  --hsm           the lab's keys (the DCC's response-signing key, the ACB's, the Supplier's, every party's
                  DS and KA key) are generated and used in a PKCS#11 token and never leave it: by default
                  a fresh SoftHSM2 token in OUT/hsm (Debian's ${SOFTHSM_MODULE})
  --hsm-dir DIR   a SoftHSM2 folder (smets hsm init); its token is reused, keys found by label
  --hsm-module P  another PKCS#11 module (its token must exist; with --hsm-token, --hsm-pin)
  --hsm-token L   token label (default ${DEFAULT_TOKEN});  --hsm-pin PIN  user PIN (or SMETS_HSM_PIN)
  --push EUI=URL  where a user's responses go (repeat as EUI=URL,EUI=URL); loopback URLs only
  --schema DIR    the DUIS schema folder (default ${DEFAULT_SCHEMA_DIR})
  --json          what it prints (set-up, then one line per request) as JSON objects, one per line

Exit codes: 0 stopped, 1 not used (a refused request is answered with its DUIS code, the service runs on),
2 usage error (or the port is taken).
Example:
  smets dcc serve --push 90B3D51F30010000=http://127.0.0.1:8080/duis`;

const ACTIONS: Record<string, ActionSpec> = {
  serve: {
    options: ['port', 'keys', 'push', 'out', 'schema', 'hsm-dir', 'hsm-module', 'hsm-token', 'hsm-pin'],
    flags: ['hsm', 'json'],
    help: HELP, // the command has one action: its help is the command's
  },
};

export const dcc: Command = {
  name: 'dcc',
  summary: 'the DCC over DUIS: serve /api/v1/serviceS|T|D on loopback (signed requests and responses)',
  help: HELP,
  actions: Object.keys(ACTIONS),
  async run(args: string[]): Promise<number> {
    const parsed = actionOptions('smets dcc', HELP, args, ACTIONS);
    if ('exit' in parsed) return parsed.exit;
    const o = parsed.values;
    const port = o.port === undefined ? 8079 : Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) { console.error('smets dcc serve: --port must be 0..65535'); return EXIT_USAGE; }
    const pushUrls: Record<string, string> = {};
    for (const pair of (o.push ?? '').split(',').filter((x) => x)) {
      const m = /^([0-9A-Fa-f]{16})=(http:\/\/(127\.0\.0\.1|localhost)(:[0-9]+)?(\/.*)?)$/.exec(pair);
      if (!m) { console.error('smets dcc serve: --push wants EUI=http://127.0.0.1:PORT/PATH, got ' + JSON.stringify(pair)); return EXIT_USAGE; }
      pushUrls[m[1].toUpperCase()] = m[2];
    }
    // Any --hsm-* option implies --hsm (as for smets lab).
    const hsmOpts: Record<string, string> = {};
    for (const k of ['dir', 'module', 'token', 'pin']) if (o['hsm-' + k] !== undefined) hsmOpts[k] = o['hsm-' + k];
    const hsm = parsed.flags.hsm === true || Object.keys(hsmOpts).length > 0;
    const json = parsed.flags.json === true;
    const say = (line: string) => console.log(json ? JSON.stringify({ at: new Date().toISOString(), log: line }) : line);
    if (hsmOpts.dir && !existsSync(softHsmConf(hsmOpts.dir))) { console.error('smets dcc serve: --hsm-dir ' + hsmOpts.dir + ' holds no SoftHSM2 token (no softhsm2.conf); create one: smets hsm init --dir ' + hsmOpts.dir); return EXIT_USAGE; }
    if (hsm && o.keys) { console.error('smets dcc serve: --hsm generates the lab\'s keys in a token; --keys uses a keystore\'s key files: one or the other\n(smets dcc serve --help)'); return EXIT_USAGE; }
    if (o.keys && !existsSync(o.keys)) { console.error('smets dcc serve: --keys ' + o.keys + ': does not exist'); return EXIT_USAGE; }
    let parties: PartyDirectory;
    let premises: Record<string, Premises> = {};
    let inventory: Inventory;
    let dccKey: { key: string | DuisSigner; certificatePem: string };
    let keys: KeyProvider | undefined;
    let close = async () => undefined as unknown;
    let acbEui: string | undefined;
    try {
      if (o.keys) {
        parties = PartyDirectory.fromKeystore(o.keys);
        dccKey = { key: readFileSync(join(o.keys, '90b3d51f30000002-ds.key'), 'utf8'), certificatePem: readFileSync(join(o.keys, '90b3d51f30000002-ds.pem'), 'utf8') };
        inventory = RTDS_INVENTORY;
        acbEui = '90B3D51F30000002';
      } else {
        const out = o.out ?? mkdtempSync(join(tmpdir(), 'smets-dcc-'));
        if (hsm) {
          const opened = openHsm({
            ...(hsmOpts.module && !hsmOpts.dir ? {} : { dir: hsmOpts.dir ?? join(out, 'hsm') }),
            ...(hsmOpts.module ? { module: hsmOpts.module } : {}), ...(hsmOpts.token ? { token: hsmOpts.token } : {}), ...(hsmOpts.pin ? { pin: hsmOpts.pin } : {}),
          });
          if (!opened.ok) { console.error('smets dcc serve: --hsm: ' + opened.reason); return EXIT_USAGE; }
          keys = opened.provider;
          say('HSM ' + keys.name + (opened.conf ? ' (SOFTHSM2_CONF=' + opened.conf + (opened.created ? ', new token' : '') + ')' : '') + ': the parties\' and the DCC\'s key pairs are generated and used there');
        }
        const lab = await labPremises(out, undefined, keys);
        parties = lab.directory;
        premises = lab.premises;
        inventory = { [lab.deviceEui]: 'ESME' };
        dccKey = lab.dccSigner;
        acbEui = lab.parties.acb.eui;
        // The users' systems need their certificates (and, in software, their keys) to sign requests,
        // and the DCC's to check its responses: RTDS keystore layout, no private key when in a token.
        const ks = join(out, 'keystore');
        mkdirSync(ks, { recursive: true });
        for (const p of Object.values(lab.parties)) {
          for (const [use, c] of [['ds', p.ds], ['ka', p.ka]] as const) {
            writeFileSync(join(ks, p.eui.toLowerCase() + '-' + use + '.pem'), c.certificatePem);
            if (c.privateKeyPem) writeFileSync(join(ks, p.eui.toLowerCase() + '-' + use + '.key'), c.privateKeyPem);
          }
        }
        say('certificates' + (keys ? '' : ' and test private keys') + ' of the lab\'s parties in ' + ks + ' (RTDS keystore layout); the DCC signs as the ACB ' + lab.parties.acb.eui);
        // The manufacturer's packages, for DUIS 11.1 Update Firmware requests (FirmwareImage, base64)
        const fwDir = join(out, 'firmware');
        mkdirSync(fwDir, { recursive: true });
        for (const name of Object.keys(lab.firmware.packages)) writeFileSync(join(fwDir, name + '.bin'), lab.firmware.packages[name].bytes);
        say('firmware packages for 11.1 in ' + fwDir + ': ' + Object.keys(lab.firmware.packages).join(', ') + ' (good, faulty and other are on the CPL)');
        close = lab.close;
      }
    } catch (e) {
      console.error('smets dcc serve: ' + (e as Error).message);
      keys?.close();
      return EXIT_USAGE;
    }
    const closeAll = async () => { await close(); keys?.close(); };
    // One inventory for the gateway and the DCC's SMI (a pre-notified device joins it); a copy, not the RTDS constant
    inventory = { ...inventory };
    const gateway = new DuisGateway({ schema: new DuisSchema(o.schema ?? DEFAULT_SCHEMA_DIR), parties, inventory });
    let server;
    try {
      server = await serveDuis({ gateway, inventory, premises, dcc: dccKey, pushUrls, acb: acbEui ? { eui: acbEui } : undefined, log: say }, port);
    } catch (e) {
      console.error('smets dcc serve: ' + listenProblem(e, '127.0.0.1', port));
      await closeAll();
      return EXIT_USAGE;
    }
    say('DCC DUIS service on ' + server.url + '/api/v1/serviceS|serviceT|serviceD; users: ' + parties.all().map((p) => p.eui + ' (' + p.roleCode + ')').join(', ') + '; devices: ' + Object.keys(inventory).join(', '));
    await new Promise<void>((resolve) => {
      const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    await closeAll();
    return EXIT_OK;
  },
};
