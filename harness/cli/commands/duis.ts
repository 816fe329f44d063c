/**
 * `smets duis sign|verify|transform FILE`: users' own DUIS files, with the same code the DCC runs
 * (harness/duis/). sign: a DUIS request or response signed (enveloped XMLDSig, ECDSA-SHA256, exclusive
 * C14N, KeyInfo X509IssuerSerial) with --key and --cert; verify: XML safety, DUIS 5.4 schema and the
 * signature against the certificates of --keys (an RTDS-layout keystore) or --cert; transform: the
 * GBCS pre-command the DCC makes of a request (hex), after the same checks as serviceT.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from '../command.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import { actionOptions } from '../options.ts';
import { fileProblem, mustBeWritable, mustExist } from '../../userInput/files.ts';
import { readP256PrivateKey } from '../../userInput/p256KeyFile.ts';
import type { ActionSpec } from '../options.ts';
import { PartyDirectory } from '../../duis/parties.ts';
import { DuisSchema, DEFAULT_SCHEMA_DIR } from '../../duis/schema.ts';
import { signDuis, verifyDuis } from '../../duis/signature.ts';
import { parseXml } from '../../duis/xml.ts';
import { DuisGateway } from '../../duis/gateway.ts';
import { roleOfOu, RTDS_INVENTORY, transform } from '../../duis/transform.ts';
import { toHex } from '../../../lib/bytes.ts';

const DEFAULT_KEYS = new URL('../../../../shared/vectors/rtds/keystore/', import.meta.url).pathname;

const HELP = `Usage: smets duis <action> FILE [options]

DUIS (DCC User Interface Specification) XML files, checked and signed as the DCC does.

Actions:
  sign FILE --key KEY.pem --cert CERT.pem [--out OUT]
      sign a request or response (any placeholder Signature is replaced); prints it or writes OUT
  verify FILE [--keys KEYDIR | --cert CERT.pem] [--schema DIR]
      XML safety (no DOCTYPE, entities, PIs), DUIS 5.4 schema, and the signature against the
      organisation certificate its X509IssuerSerial names (KEYDIR: *-ds.pem, RTDS keystore layout)
  transform FILE [--keys KEYDIR] [--schema DIR] [--now ISO-TIME] [--acb-counter N]
      the GBCS pre-command the DCC makes of a signed request (hex), after the serviceT checks
      (schema, signature, role, device); the device inventory is the RTDS/DCC Boxed test devices.
      --now: the DCC's clock (a GSME command's Issuer Event ID; default now; the RTDS's is
      2015-01-01T00:00:00Z); --acb-counter: the ACB's (90B3D51F30000002) originator counter, for the
      use cases the DCC sends as the ACB on the user's behalf (without it they are not built)

Defaults: --keys ${DEFAULT_KEYS}
          --schema ${DEFAULT_SCHEMA_DIR}

Every action takes --json: the result (or the refusal, with its DUIS response code) as one JSON object.

Exit codes: 0 done / valid, 1 refused (the reason and DUIS response code are printed), 2 usage error.

Example:
  smets duis sign ECS52_11.2_SUCCESS_REQUEST_DUIS.XML --key 90b3d51f30010000-ds.key --cert 90b3d51f30010000-ds.pem --out signed.xml
  smets duis transform signed.xml`;

const DUIS_EXIT_CODES = 'Exit codes: 0 done / valid, 1 refused (the reason and DUIS response code are printed), 2 usage error.';
const FILE = { min: 1, max: 1, name: 'FILE' };
const ACTIONS: Record<string, ActionSpec> = {
  sign: { options: ['key', 'cert', 'out'], flags: ['json'], positionals: FILE,
    help: 'Usage: smets duis sign FILE --key KEY.pem --cert CERT.pem [--out OUT]\n\nSigns a request or response (any placeholder Signature is replaced); prints it or writes OUT.\n--json: the result (or the refusal, with its DUIS code) as one JSON object.\n\n' + DUIS_EXIT_CODES },
  verify: { options: ['keys', 'cert', 'schema'], flags: ['json'], positionals: FILE,
    help: 'Usage: smets duis verify FILE [--keys KEYDIR | --cert CERT.pem] [--schema DIR]\n\nXML safety, the DUIS 5.4 schema and the signature.\n--json: the result (or the refusal, with its DUIS code) as one JSON object.\n\n' + DUIS_EXIT_CODES },
  transform: { options: ['keys', 'schema', 'now', 'acb-counter'], flags: ['json'], positionals: FILE,
    help: 'Usage: smets duis transform FILE [--keys KEYDIR] [--schema DIR] [--now ISO-TIME] [--acb-counter N]\n\nThe GBCS pre-command the DCC makes of a signed request (hex), after the serviceT checks.\n--now: the DCC\'s clock (Issuer Event ID of GSME commands); --acb-counter: the ACB\'s originator counter for the commands the DCC sends as the ACB.\n--json: the result (or the refusal, with its DUIS code) as one JSON object.\n\n' + DUIS_EXIT_CODES },
};

export const duis: Command = {
  name: 'duis',
  summary: 'DUIS XML: sign, verify (schema, XMLDSig) and transform a request to its GBCS pre-command',
  help: HELP,
  actions: Object.keys(ACTIONS),
  async run(args: string[]): Promise<number> {
    const parsed = actionOptions('smets duis', HELP, args, ACTIONS);
    if ('exit' in parsed) return parsed.exit;
    const action = parsed.action;
    const file = parsed.positionals[0];
    const o = parsed.values;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      console.error('smets duis: ' + fileProblem(file, e));
      return EXIT_USAGE;
    }
    const json = parsed.flags.json === true;
    /** A refusal: a line for people, or one JSON object. */
    const refused = (code: string, reason: string) => {
      console.log(json ? JSON.stringify({ ok: false, code, reason }) : 'refused (' + code + '): ' + reason);
      return EXIT_CHECK_FAILED;
    };
    if (action === 'sign') {
      if (!o.key || !o.cert) {
        console.error('smets duis sign: --key and --cert are required');
        return EXIT_USAGE;
      }
      const parsedXml = parseXml(text);
      if (!parsedXml.ok) {
        console.error('smets duis sign: refused: ' + parsedXml.reason + ': ' + parsedXml.detail);
        return EXIT_CHECK_FAILED;
      }
      const key = readP256PrivateKey(o.key, '--key');
      if (!key.ok) { console.error('smets duis sign: ' + key.message); return EXIT_USAGE; }
      const absent = mustExist(o.cert, '--cert') ?? (o.out ? mustBeWritable(o.out, '--out') : undefined);
      if (absent) { console.error('smets duis sign: ' + absent); return EXIT_USAGE; }
      const signed = await signDuis(text, readFileSync(o.key, 'utf8'), readFileSync(o.cert, 'utf8'));
      if (o.out) writeFileSync(o.out, signed);
      else if (!json) process.stdout.write(signed + '\n');
      if (json) console.log(JSON.stringify({ ok: true, ...(o.out ? { file: o.out } : { xml: signed }) }));
      return EXIT_OK;
    }
    if (action !== 'verify' && action !== 'transform') {
      console.error('smets duis: unknown action ' + JSON.stringify(action) + ' (sign, verify, transform)');
      return EXIT_USAGE;
    }
    const parties = new PartyDirectory();
    try {
      if (o.cert) parties.add(readFileSync(o.cert, 'utf8'));
      else for (const p of PartyDirectory.fromKeystore(o.keys ?? DEFAULT_KEYS).all()) parties.add(new Uint8Array(p.certificate.raw));
    } catch (e) {
      console.error('smets duis: ' + (e as Error).message);
      return EXIT_USAGE;
    }
    const schema = new DuisSchema(o.schema ?? DEFAULT_SCHEMA_DIR);
    if (action === 'verify') {
      const x = parseXml(text);
      if (!x.ok) return refused('E40', 'xml-' + x.reason + ': ' + x.detail);
      const s = await schema.validate(text);
      if (!s.ok) return refused('E40', 'schema: ' + s.errors.join('\n  '));
      const v = await verifyDuis(x.doc, (n) => parties.byName(n)?.certificate);
      if (!v.ok) return refused('E41', 'signature-' + v.reason + ': ' + v.detail);
      const who = parties.byName(v.signer);
      if (json) { console.log(JSON.stringify({ ok: true, signer: v.signer, ...(who ? { eui: who.eui, role: who.roleCode } : {}) })); return EXIT_OK; }
      console.log('valid: DUIS 5.4 schema; signature by ' + v.signer.issuerName + ' serial ' + v.signer.serialNumber + (who ? ' (entity ' + who.eui + ', role ' + who.roleCode + ')' : ''));
      return EXIT_OK;
    }
    const g = await new DuisGateway({ schema, parties, inventory: RTDS_INVENTORY }).check(text);
    if (!g.ok) return refused(g.code, g.reason + ': ' + g.detail);
    let now: number | undefined;
    if (o.now !== undefined) {
      now = Date.parse(o.now) / 1000;
      if (!(now >= 0)) { console.error('smets duis transform: --now must be an ISO date-time, got ' + JSON.stringify(o.now)); return EXIT_USAGE; }
    }
    let acb: { eui: string; counter: number } | undefined;
    if (o['acb-counter'] !== undefined) {
      const n = Number(o['acb-counter']);
      if (!/^\d+$/.test(o['acb-counter']) || !Number.isSafeInteger(n)) { console.error('smets duis transform: --acb-counter must be a non-negative integer, got ' + JSON.stringify(o['acb-counter'])); return EXIT_USAGE; }
      acb = { eui: '90B3D51F30000002', counter: n };
    }
    const t = transform(g.request, RTDS_INVENTORY, roleOfOu(g.signer.roleCode), { now, acb });
    if (!t.ok) {
      console.log(json ? JSON.stringify({ ok: false, reason: t.reason, detail: t.detail }) : 'no pre-command: ' + t.reason + ': ' + t.detail);
      return EXIT_CHECK_FAILED;
    }
    if (json) {
      console.log(JSON.stringify({ ok: true, precommand: toHex(t.precommand).toUpperCase(), useCase: t.useCase, messageCode: t.messageCode, critical: t.critical }));
      return EXIT_OK;
    }
    console.log(toHex(t.precommand).toUpperCase());
    console.error(t.useCase + ' message code 0x' + t.messageCode.toString(16).padStart(4, '0') + (t.critical ? ', critical: sign it (40 r s) and send it as a SignedPreCommand' : ', non-critical'));
    return EXIT_OK;
  },
};
