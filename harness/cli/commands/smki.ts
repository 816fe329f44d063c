/**
 * `smets smki`: the test SMKI (harness/smki) from the command line — set up a test PKI, issue
 * organisation credentials and device certificates (single or batched), revoke, look up, serve the
 * repository over HTTP, register subscribers and lodge SMKI documents.
 * @module
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import { actionOptions } from '../options.ts';
import type { ActionSpec, OptionSet } from '../options.ts';
import { createTestSmki, writeKeystoreEntry, type TestSmki } from '../../smki/testSmki.ts';
import { fromPem, toPem } from '../../smki/der.ts';
import { startServer } from '../../smki/server.ts';
import { REASONS, type ReasonName } from '../../smki/revocation.ts';
import type { CertKind } from '../../smki/repository.ts';

/** Each action: its usage line(s), what it accepts, and its own help. */
const ACTIONS: Record<string, { usage: string; about: string } & OptionSet> = {
  init: {
    usage: 'init --dir DIR [--policy toolkit|zaz1]',
    about: 'set up the hierarchy (once); writes DIR/ca/*.pem',
    options: ['dir', 'policy'],
  },
  register: {
    usage: 'register --dir DIR --id <eui> --kind <kind> [--device-types ESME,GSME,...]',
    about: 'register a subscriber; kinds: electricity-supplier gas-supplier network-operator dcc manufacturer other-user',
    options: ['dir', 'id', 'kind', 'device-types'],
  },
  issue: {
    usage: 'issue --dir DIR --org --role <2 hex> --eui <16 hex> --key-usage ds|ka [--cn <name>] [--keystore <folder>]\n' +
      '  issue --dir DIR --csr <file.der|.pem> --subscriber <eui> --device-type <type> [--out <file.pem>]',
    about: 'organisation credentials (key pair generated here; prints the certificate and key PEM, or writes\n' +
      '<eui>-ds.pem/.key (or -ka) into --keystore), or a device certificate from a CS02c CSR',
    options: ['dir', 'role', 'eui', 'key-usage', 'cn', 'keystore', 'csr', 'subscriber', 'device-type', 'out'],
    flags: ['org'],
  },
  batch: {
    usage: 'batch --dir DIR --csrs <file> --subscriber <eui> --device-type <type> --out <folder>',
    about: '2..49,999 device CSRs, one base64 DER per line; writes <serial>.pem per certificate and\n' +
      'results.jsonl (one result per input line); progress on stderr',
    options: ['dir', 'csrs', 'subscriber', 'device-type', 'out'],
  },
  revoke: {
    usage: 'revoke --dir DIR --serial <hex> [--reason <RFC 5280 reason, e.g. keyCompromise>]',
    about: 'organisation/issuing CA certificates; device certificates cannot be revoked',
    options: ['dir', 'serial', 'reason'],
  },
  lookup: {
    usage: 'lookup --dir DIR [--serial <hex>] [--eui <16 hex>] [--role <2 hex>] [--key-usage digitalSignature|keyAgreement|keyCertSign]\n' +
      '         [--issuer <serial>] [--kind device|organisation|root-oca|issuing-oca|root-dca|issuing-dca] [--limit N] [--pem]',
    about: 'certificates matching every option given (all without one); exit 1 when none match',
    options: ['dir', 'serial', 'eui', 'role', 'key-usage', 'issuer', 'kind', 'limit'],
    flags: ['pem'],
  },
  lodge: {
    usage: 'lodge --dir DIR --name <document name> --file <path> [--type <content type>]',
    about: 'lodge an SMKI document',
    options: ['dir', 'name', 'file', 'type'],
  },
  serve: {
    usage: 'serve --dir DIR [--port 8743] [--host 127.0.0.1]',
    about: 'the repository HTTP API (harness/smki/README.md); publishes CRL/ARLs',
    options: ['dir', 'port', 'host'],
  },
};

const EXIT_CODES = 'Exit codes: 0 done, 1 the SMKI refused (a rejected request, revocation or empty look-up), 2 usage error.';

const help = `smets smki <action> --dir <repository folder> [options]

The test SMKI: Root OCA -> Issuing OCA -> organisation certificates, Root DCA -> Issuing DCA -> device
certificates, P-256/ECDSA-SHA256, profiles as the real SMKI's, every certificate marked TEST by its
certificate policy. State (certificates, CA keys, CRL/ARLs, documents) is in <dir>/smki.sqlite.

Actions (smets smki <action> --help for one):
${Object.values(ACTIONS).map((a) => '  ' + a.usage + '\n      ' + a.about.replace(/\n/g, '\n      ')).join('\n')}

${EXIT_CODES}
Example: smets smki init --dir ./pki && smets smki issue --dir ./pki --org --role 02 --eui 90B3D51F30010000 --key-usage ds --keystore ./keys`;

const actionSpecs: Record<string, ActionSpec> = {};
for (const [name, a] of Object.entries(ACTIONS)) {
  actionSpecs[name] = { ...a, help: `Usage: smets smki ${a.usage}\n\n${a.about}\n\n${EXIT_CODES}` };
}

const usage = (msg: string) => { console.error(`smets smki: ${msg}\n(smets smki --help for usage)`); return EXIT_USAGE; };
const readDer = (path: string) => {
  const b = readFileSync(path);
  return b[0] === 0x30 ? b : fromPem(b.toString('utf8'));
};

async function withSmki(dir: string, fn: (s: TestSmki) => Promise<number> | number, policy?: string): Promise<number> {
  const s = createTestSmki({ dir, ...(policy === 'zaz1' || policy === 'toolkit' ? { policy } : {}) });
  try { return await fn(s); } finally { await s.close(); }
}

export const smki: Command = {
  name: 'smki',
  summary: 'test SMKI: set up a test PKI, issue/batch/revoke certificates, look up, serve the repository',
  help,
  actions: Object.keys(ACTIONS),
  async run(args) {
    const parsed = actionOptions('smets smki', help, args, actionSpecs);
    if ('exit' in parsed) return parsed.exit;
    const sub = parsed.action;
    const opts = parsed.values;
    const flags = new Set(Object.keys(parsed.flags));
    const dir = opts.dir;
    if (!dir) return usage('--dir <repository folder> is required');
    switch (sub) {
      case 'init': {
        if (opts.policy && !['toolkit', 'zaz1'].includes(opts.policy)) return usage('--policy is toolkit or zaz1');
        return withSmki(dir, (s) => {
          mkdirSync(join(dir, 'ca'), { recursive: true });
          for (const ca of [s.rootOca(), s.issuingOca(), s.rootDca(), s.issuingDca()]) {
            writeFileSync(join(dir, 'ca', `${ca.kind}.pem`), ca.pem);
            console.log(`${ca.kind.padEnd(12)} ${ca.serial} ${ca.label}`);
          }
          console.log(`policy ${s.policy.name}: organisation ${s.policy.organisation}, device ${s.policy.device}`);
          return EXIT_OK;
        }, opts.policy);
      }
      case 'register':
        if (!opts.id || !opts.kind) return usage('register needs --id and --kind');
        return withSmki(dir, (s) => {
          const r = s.registerSubscriber(opts.id!, opts.kind!, opts['device-types']?.split(','));
          console.log(JSON.stringify(r));
          return r.ok ? EXIT_OK : EXIT_CHECK_FAILED;
        });
      case 'issue':
        if (flags.has('org')) {
          const ku = opts['key-usage'] === 'ds' ? 'digitalSignature' : opts['key-usage'] === 'ka' ? 'keyAgreement' : undefined;
          if (!opts.role || !/^[0-9A-Fa-f]{2}$/.test(opts.role) || !opts.eui || !/^[0-9A-Fa-f]{16}$/.test(opts.eui) || !ku) {
            return usage('issue --org needs --role <2 hex> --eui <16 hex> --key-usage ds|ka');
          }
          return withSmki(dir, (s) => {
            const c = s.issueOrganisationCredentials({ role: opts.role!, eui: opts.eui!, keyUsage: ku, ...(opts.cn ? { commonName: opts.cn } : {}) });
            if (opts.keystore) console.log(writeKeystoreEntry(opts.keystore, opts.eui!, ku, c.certificate.pem, c.privateKeyPem).join('\n'));
            else process.stdout.write(c.certificate.pem + c.privateKeyPem);
            return EXIT_OK;
          });
        }
        if (!opts.csr || !opts.subscriber || !opts['device-type']) return usage('issue needs --org ... or --csr, --subscriber and --device-type');
        return withSmki(dir, (s) => {
          const csr = readDer(opts.csr!);
          if (!csr) return usage(`${opts.csr} is neither DER nor PEM`);
          const r = s.requestDeviceCertificate({ subscriber: opts.subscriber!, deviceType: opts['device-type']!, csr });
          if (!r.ok) { console.error(`refused: ${r.reason}`); return EXIT_CHECK_FAILED; }
          if (opts.out) writeFileSync(opts.out, r.pem); else process.stdout.write(r.pem);
          console.error(`issued ${r.serial} for ${r.eui} (${r.keyUsage}) by Issuing DCA ${r.issuer}`);
          return EXIT_OK;
        });
      case 'batch': {
        if (!opts.csrs || !opts.subscriber || !opts['device-type'] || !opts.out) return usage('batch needs --csrs, --subscriber, --device-type and --out');
        const lines = readFileSync(opts.csrs, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
        return withSmki(dir, async (s) => {
          const started = Date.now();
          let last = 0;
          const r = await s.requestDeviceBatch({
            subscriber: opts.subscriber!,
            items: lines.map((l) => ({ deviceType: opts['device-type']!, csr: Buffer.from(l, 'base64') })),
            onProgress: (done, total) => {
              if (Date.now() - last < 200 && done < total) return;
              last = Date.now();
              process.stderr.write(`\rsmki batch: ${done}/${total} (${Math.round((100 * done) / total)}%) ${((Date.now() - started) / 1000).toFixed(1)} s`);
            },
          });
          process.stderr.write('\n');
          if (!r.ok) { console.error(`refused: ${r.reason}`); return EXIT_CHECK_FAILED; }
          mkdirSync(opts.out!, { recursive: true });
          const out: string[] = [];
          for (const x of r.results) {
            if (x.ok) writeFileSync(join(opts.out!, `${x.serial}.pem`), x.pem);
            out.push(JSON.stringify(x.ok ? { ok: true, serial: x.serial, eui: x.eui, keyUsage: x.keyUsage, issuer: x.issuer } : x));
          }
          writeFileSync(join(opts.out!, 'results.jsonl'), out.join('\n') + '\n');
          const issued = r.results.filter((x) => x.ok).length;
          console.log(`issued ${issued} of ${r.results.length}; results in ${join(opts.out!, 'results.jsonl')}`);
          return issued === r.results.length ? EXIT_OK : EXIT_CHECK_FAILED;
        });
      }
      case 'revoke':
        if (!opts.serial) return usage('revoke needs --serial');
        if (opts.reason && !(opts.reason in REASONS)) return usage(`--reason is one of ${Object.keys(REASONS).join(' ')}`);
        return withSmki(dir, (s) => {
          const r = s.revoke(opts.serial!, (opts.reason ?? 'unspecified') as ReasonName);
          console.log(JSON.stringify(r));
          return r.ok ? EXIT_OK : EXIT_CHECK_FAILED;
        });
      case 'lookup':
        if (opts.limit !== undefined && !/^[1-9][0-9]*$/.test(opts.limit)) return usage('--limit is a whole number from 1');
        return withSmki(dir, (s) => {
          const rows = s.lookup({
            ...(opts.serial ? { serial: opts.serial } : {}), ...(opts.eui ? { eui: opts.eui } : {}), ...(opts.role ? { role: opts.role } : {}),
            ...(opts['key-usage'] ? { keyUsage: opts['key-usage'] } : {}), ...(opts.issuer ? { issuer: opts.issuer } : {}),
            ...(opts.kind ? { kind: opts.kind as CertKind } : {}), ...(opts.limit ? { limit: Number(opts.limit) } : {}),
          });
          for (const r of rows) {
            if (flags.has('pem')) process.stdout.write(toPem(r.der, 'CERTIFICATE'));
            else console.log([r.serial, r.kind, r.subject_eui ?? '-', r.role ?? '-', r.key_usage ?? '-', r.device_type ?? '-', r.issuer_serial, r.revoked_at ? 'REVOKED' : 'valid'].join('\t'));
          }
          return rows.length ? EXIT_OK : EXIT_CHECK_FAILED;
        });
      case 'lodge':
        if (!opts.name || !opts.file) return usage('lodge needs --name and --file');
        return withSmki(dir, (s) => {
          s.lodgeDocument(opts.name!, readFileSync(opts.file!), opts.type ?? 'application/octet-stream');
          console.log(`lodged ${opts.name}`);
          return EXIT_OK;
        });
      case 'serve': {
        const port = opts.port ? Number(opts.port) : 8743;
        if (!Number.isInteger(port) || port < 0 || port > 65535) return usage('--port is 0..65535');
        const s = createTestSmki({ dir });
        const server = await startServer(s, { port, host: opts.host ?? '127.0.0.1' });
        console.log(`smki repository on http://${server.host}:${server.port}/v1/ (Ctrl-C stops)`);
        await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
        await server.close();
        await s.close();
        return EXIT_OK;
      }
      default:
        throw new Error('smets smki: action ' + sub + ' is declared but not handled');
    }
  },
};
