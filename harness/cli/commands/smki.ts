/**
 * `smets smki`: the test SMKI (harness/smki) from the command line — set up a test PKI, issue
 * organisation credentials and device certificates (single or batched), revoke, look up, serve the
 * repository over HTTP, register subscribers and lodge SMKI documents.
 * @module
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import { actionOptions, suggestion } from '../options.ts';
import { mustBeWritable, mustExist, type Read } from '../../userInput/files.ts';
import { readP256PrivateKey } from '../../userInput/p256KeyFile.ts';
import { listenProblem } from '../net.ts';
import { columns, progress } from '../output.ts';
import { buildDeviceCsr, buildOrganisationCsr, checkDeviceCsr, checkOrganisationCsr } from '../../smki/csr.ts';
import { SUBSCRIBER_KINDS } from '../../smki/subscribers.ts';
import type { ActionSpec, OptionSet } from '../options.ts';
import { BATCH_MAX, BATCH_MIN, createTestSmki, writeKeystoreEntry, type TestSmki } from '../../smki/testSmki.ts';
import { fromPem, toPem } from '../../smki/der.ts';
import { startServer } from '../../smki/server.ts';
import { REASONS, type ReasonName } from '../../smki/revocation.ts';
import type { CertKind } from '../../smki/repository.ts';

/** Each action: its usage line(s), what it accepts, and its own help. */
const ACTIONS: Record<string, { usage: string; about: string } & OptionSet> = {
  init: {
    usage: 'init --dir DIR [--policy toolkit|zaz1]',
    about: 'set up the hierarchy (once; the only action that creates DIR); writes DIR/ca/*.pem',
    options: ['dir', 'policy'],
    flags: ['json'],
  },
  csr: {
    usage: 'csr --device --eui <16 hex> --key-usage ds|ka --out <file.pem> [--key KEY.pem | --key-out KEY.pem]\n' +
      '  csr --org --role <2 hex> --eui <16 hex> --key-usage ds|ka [--cn <name>] --out <file.pem> [--key KEY.pem | --key-out KEY.pem]',
    about: 'a certificate signing request in the SMKI profile: a device\'s (empty subject, keyUsage and the\n' +
      'hardwareModuleName SAN with the EUI-64, as a CS02c response carries) or an organisation\'s (OU = role,\n' +
      'x500UniqueIdentifier = EUI-64, keyUsage); P-256 key given with --key or generated (written to --key-out,\n' +
      'default <out>.key); needs no --dir',
    options: ['eui', 'key-usage', 'role', 'cn', 'out', 'key', 'key-out'],
    flags: ['device', 'org'],
  },
  register: {
    usage: 'register --dir DIR --id <eui> --kind <kind> [--device-types ESME,GSME,...]',
    about: 'register a subscriber; kinds: electricity-supplier gas-supplier network-operator dcc manufacturer other-user',
    options: ['dir', 'id', 'kind', 'device-types'],
    flags: ['json'],
  },
  issue: {
    usage: 'issue --dir DIR --org --role <2 hex> --eui <16 hex> --key-usage ds|ka [--cn <name>] [--keystore <folder>]\n' +
      '  issue --dir DIR --csr <file.der|.pem> --subscriber <eui> --device-type <type> [--out <file.pem>]',
    about: 'organisation credentials (key pair generated here; prints the certificate and key PEM, or writes\n' +
      '<eui>-ds.pem/.key (or -ka) into --keystore), or a device certificate from a CS02c CSR',
    options: ['dir', 'role', 'eui', 'key-usage', 'cn', 'keystore', 'csr', 'subscriber', 'device-type', 'out'],
    flags: ['org', 'json'],
  },
  batch: {
    usage: 'batch --dir DIR --csrs <file> --subscriber <eui> --device-type <type> --out <folder>',
    about: '2..49,999 device CSRs, one base64 DER per line; writes <serial>.pem per certificate and\n' +
      'results.jsonl (one result per input line); progress on stderr',
    options: ['dir', 'csrs', 'subscriber', 'device-type', 'out'],
    flags: ['json'],
  },
  revoke: {
    usage: 'revoke --dir DIR --serial <hex> [--reason <RFC 5280 reason, e.g. keyCompromise>]',
    about: 'organisation/issuing CA certificates; device certificates cannot be revoked',
    options: ['dir', 'serial', 'reason'],
    flags: ['json'],
  },
  lookup: {
    usage: 'lookup --dir DIR [--serial <hex>] [--eui <16 hex>] [--role <2 hex>] [--key-usage digitalSignature|keyAgreement|keyCertSign]\n' +
      '         [--issuer <serial>] [--kind device|organisation|root-oca|issuing-oca|root-dca|issuing-dca] [--limit N] [--pem]',
    about: 'certificates matching every option given (all without one), a table with a header (--json: one\n' +
      'object per line); exit 1 when none match',
    options: ['dir', 'serial', 'eui', 'role', 'key-usage', 'issuer', 'kind', 'limit'],
    flags: ['pem', 'json'],
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

Actions (smets smki <action> --help for one; every action takes --json):
${Object.values(ACTIONS).map((a) => '  ' + a.usage + '\n      ' + a.about.replace(/\n/g, '\n      ')).join('\n')}

${EXIT_CODES}
Example: smets smki init --dir ./pki && smets smki issue --dir ./pki --org --role 02 --eui 90B3D51F30010000 --key-usage ds --keystore ./keys`;

const actionSpecs: Record<string, ActionSpec> = {};
for (const [name, a] of Object.entries(ACTIONS)) {
  // Every action takes --json: its result (or refusal) as JSON, one object per line.
  actionSpecs[name] = { ...a, flags: [...new Set([...(a.flags ?? []), 'json'])], help: `Usage: smets smki ${a.usage} [--json]\n\n${a.about}\n--json: the result (or the refusal) as JSON, one object per line.\n\n${EXIT_CODES}` };
}

const usage = (msg: string) => { console.error(`smets smki: ${msg}\n(smets smki --help for usage)`); return EXIT_USAGE; };

/** A CSR file's DER (a DER file, or a PEM "CERTIFICATE REQUEST"), or what is wrong with it. */
function readCsrFile(path: string, option: string): Read<Uint8Array> {
  const absent = mustExist(path, option);
  if (absent) return { ok: false, message: absent };
  const b = readFileSync(path);
  if (b[0] === 0x30) return { ok: true, value: b };
  const text = b.toString('utf8');
  if (/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(text)) {
    const der = fromPem(text);
    if (der) return { ok: true, value: der };
  }
  if (/-----BEGIN CERTIFICATE-----/.test(text)) return { ok: false, message: `${option} ${path}: is a certificate, expected a certificate signing request (smets smki csr makes one)` };
  return { ok: false, message: `${option} ${path}: neither a DER nor a PEM certificate request` };
}

/**
 * A refusal of the SMKI, with what it means and what to do. The reason code comes first (scripts and
 * the README use it), then the explanation.
 */
export function refusalText(reason: string, o: { dir?: string; subscriber?: string; count?: number } = {}): string {
  const dir = o.dir ?? 'DIR';
  const hints: Record<string, string> = {
    'unknown-subscriber': `${o.subscriber ?? 'the subscriber'} is not registered in ${dir}; register it first: ` +
      `smets smki register --dir ${dir} --id ${o.subscriber ?? '<eui>'} --kind <${SUBSCRIBER_KINDS.join('|')}>`,
    'batch-size': `a batch holds ${BATCH_MIN}..${BATCH_MAX.toLocaleString('en-GB')} CSRs` + (o.count !== undefined ? `, this file has ${o.count.toLocaleString('en-GB')}` : '') +
      ` (one CSR: smets smki issue --csr FILE)`,
    'missing-key-usage': 'the CSR requests no keyUsage extension; the SMKI profile needs keyUsage digitalSignature or keyAgreement ' +
      '(an openssl CSR carries none unless asked): make the CSR with smets smki csr',
    'bad-key-usage': 'the CSR\'s keyUsage is not exactly one of digitalSignature or keyAgreement (critical): make the CSR with smets smki csr',
    'missing-hardware-module-name': 'a device CSR needs the hardwareModuleName subjectAltName with the device\'s EUI-64: smets smki csr --device makes one',
    'bad-hardware-module-name': 'the hardwareModuleName subjectAltName does not hold an EUI-64 as the SMKI profile says: smets smki csr --device makes one',
    'subject-not-empty': 'a device CSR has an empty subject (the EUI-64 goes in the hardwareModuleName subjectAltName): smets smki csr --device',
    'bad-subject': 'an organisation CSR\'s subject is OU = role (two hex digits) and x500UniqueIdentifier = EUI-64: smets smki csr --org',
    'unexpected-extension': 'the CSR requests an extension the SMKI profile does not allow (only keyUsage, and the SAN for a device)',
    'unsupported-key': 'the CSR\'s key is not a P-256 key (uncompressed point)',
    'unsupported-signature-algorithm': 'the CSR is not signed with ecdsa-with-SHA256',
    'proof-of-possession-failed': 'the CSR\'s signature does not verify with its own key',
    malformed: 'not a DER certificate request',
    'unknown-device-type': 'device types: ESME, GSME, CHF, GPF, PPMID, HCALCS, IHD, ...; see harness/smki/subscribers.ts',
    'subscriber-not-eligible-for-device-type': `the subscriber's kind may not request this device type; register it with --device-types (smets smki register --help)`,
  };
  return reason + (hints[reason] ? ': ' + hints[reason] : '');
}

/** Opens the SMKI in `dir`; only `init` may create one (a mistyped --dir must not quietly make a new PKI). */
async function withSmki(dir: string, fn: (s: TestSmki) => Promise<number> | number, o: { create?: boolean; policy?: string } = {}): Promise<number> {
  if (!o.create && !existsSync(join(dir, 'smki.sqlite'))) {
    return usage(`--dir ${dir} holds no test SMKI (no smki.sqlite there); check the folder, or create one: smets smki init --dir ${dir}`);
  }
  const s = createTestSmki({ dir, ...(o.policy === 'zaz1' || o.policy === 'toolkit' ? { policy: o.policy } : {}) });
  try { return await fn(s); } finally { await s.close(); }
}

/** `smets smki csr`: a CSR in the SMKI profile, its key given or generated. */
function makeCsr(opts: Record<string, string>, flags: Set<string>): number {
  const device = flags.has('device');
  if (device === flags.has('org')) return usage('csr needs --device or --org (one of them)');
  const ku = opts['key-usage'] === 'ds' ? 'digitalSignature' : opts['key-usage'] === 'ka' ? 'keyAgreement' : undefined;
  const problems: string[] = [];
  if (!opts.eui || !/^[0-9A-Fa-f]{16}$/.test(opts.eui)) problems.push('--eui is the EUI-64 as 16 hex digits' + (opts.eui ? `, got ${JSON.stringify(opts.eui)}` : ''));
  if (!ku) problems.push('--key-usage is ds or ka' + (opts['key-usage'] ? `, got ${JSON.stringify(opts['key-usage'])}` : ''));
  if (!device && (!opts.role || !/^[0-9A-Fa-f]{2}$/.test(opts.role))) problems.push('--role is two hex digits (02 supplier, 03 network operator, 7F manufacturer, ...)');
  if (device && (opts.role || opts.cn)) problems.push('--role and --cn are for --org (a device CSR has an empty subject)');
  if (!opts.out) problems.push('--out <file.pem> is required');
  else {
    const unwritable = mustBeWritable(opts.out, '--out');
    if (unwritable) problems.push(unwritable);
  }
  if (opts.key && opts['key-out']) problems.push('--key uses your key, --key-out names where a generated one goes: one or the other');
  if (problems.length) return usage('csr: ' + problems.join('; '));
  let key: KeyObject;
  let keyFile: string | undefined;
  if (opts.key) {
    const k = readP256PrivateKey(opts.key, '--key');
    if (!k.ok) return usage(k.message);
    key = k.value.key;
  } else {
    keyFile = opts['key-out'] ?? opts.out.replace(/\.(pem|der|csr)$/i, '') + '.key';
    if (existsSync(keyFile)) return usage(`${keyFile} exists; the generated key is not written over a file (give --key-out or --key)`);
    key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  }
  const der = device
    ? buildDeviceCsr(opts.eui.toUpperCase(), ku!, key)
    : buildOrganisationCsr({ role: opts.role.toUpperCase(), eui: opts.eui.toUpperCase(), keyUsage: ku!, ...(opts.cn ? { commonName: opts.cn } : {}) }, key);
  const check = device ? checkDeviceCsr(der) : checkOrganisationCsr(der);
  if (!check.ok) throw new Error('smets smki csr: the CSR built does not pass its own profile check: ' + check.reason);
  writeFileSync(opts.out, toPem(der, 'CERTIFICATE REQUEST'));
  if (keyFile) writeFileSync(keyFile, key.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
  if (flags.has('json')) console.log(JSON.stringify({ ok: true, kind: device ? 'device' : 'organisation', eui: opts.eui.toUpperCase(), keyUsage: ku, csr: opts.out, ...(keyFile ? { key: keyFile } : {}) }));
  else console.log(`${device ? 'device' : 'organisation'} CSR for ${opts.eui.toUpperCase()} (${ku}) -> ${opts.out}` + (keyFile ? `; new P-256 key -> ${keyFile}` : ''));
  return EXIT_OK;
}

const LOOKUP_HEADER = ['serial', 'kind', 'eui', 'role', 'keyUsage', 'deviceType', 'issuer', 'status'];

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
    const json = flags.has('json');
    if (sub === 'csr') return makeCsr(opts, flags);
    const dir = opts.dir;
    if (!dir) return usage('--dir <repository folder> is required');
    for (const [k, v] of [['csr', opts.csr], ['csrs', opts.csrs], ['file', opts.file]] as const) {
      const absent = v === undefined ? undefined : mustExist(v, '--' + k);
      if (absent) return usage(absent);
    }
    if (sub === 'issue' && opts.out) {
      const unwritable = mustBeWritable(opts.out, '--out');
      if (unwritable) return usage(unwritable);
    }
    const refused = (reason: string, ctx: { subscriber?: string; count?: number } = {}) => {
      if (json) console.log(JSON.stringify({ ok: false, reason }));
      console.error('refused: ' + refusalText(reason, { dir, ...ctx }));
      return EXIT_CHECK_FAILED;
    };
    switch (sub) {
      case 'init': {
        if (opts.policy && !['toolkit', 'zaz1'].includes(opts.policy)) return usage('--policy is toolkit or zaz1');
        return withSmki(dir, (s) => {
          mkdirSync(join(dir, 'ca'), { recursive: true });
          const cas = [s.rootOca(), s.issuingOca(), s.rootDca(), s.issuingDca()];
          for (const ca of cas) writeFileSync(join(dir, 'ca', `${ca.kind}.pem`), ca.pem);
          if (json) console.log(JSON.stringify({ ok: true, policy: s.policy, cas: cas.map((ca) => ({ kind: ca.kind, serial: ca.serial, label: ca.label, file: join(dir, 'ca', `${ca.kind}.pem`) })) }));
          else {
            for (const ca of cas) console.log(`${ca.kind.padEnd(12)} ${ca.serial} ${ca.label}`);
            console.log(`policy ${s.policy.name}: organisation ${s.policy.organisation}, device ${s.policy.device}`);
          }
          return EXIT_OK;
        }, { create: true, ...(opts.policy ? { policy: opts.policy } : {}) });
      }
      case 'register':
        if (!opts.id || !opts.kind) return usage('register needs --id and --kind');
        if (!(SUBSCRIBER_KINDS as readonly string[]).includes(opts.kind)) return usage(`--kind is one of ${SUBSCRIBER_KINDS.join(', ')}, got ${JSON.stringify(opts.kind)}` + suggestion(opts.kind, [...SUBSCRIBER_KINDS]));
        return withSmki(dir, (s) => {
          const r = s.registerSubscriber(opts.id!, opts.kind!, opts['device-types']?.split(','));
          if (!r.ok) return refused(r.reason);
          if (json) console.log(JSON.stringify(r));
          else console.log(`registered ${r.subscriber.id.toUpperCase()} (${r.subscriber.kind}); device types: ${r.subscriber.deviceTypes.join(', ') || 'none'}`);
          return EXIT_OK;
        });
      case 'issue':
        if (flags.has('org')) {
          const ku = opts['key-usage'] === 'ds' ? 'digitalSignature' : opts['key-usage'] === 'ka' ? 'keyAgreement' : undefined;
          if (!opts.role || !/^[0-9A-Fa-f]{2}$/.test(opts.role) || !opts.eui || !/^[0-9A-Fa-f]{16}$/.test(opts.eui) || !ku) {
            return usage('issue --org needs --role <2 hex> --eui <16 hex> --key-usage ds|ka');
          }
          return withSmki(dir, (s) => {
            const c = s.issueOrganisationCredentials({ role: opts.role!, eui: opts.eui!, keyUsage: ku, ...(opts.cn ? { commonName: opts.cn } : {}) });
            const files = opts.keystore ? writeKeystoreEntry(opts.keystore, opts.eui!, ku, c.certificate.pem, c.privateKeyPem) : [];
            if (json) console.log(JSON.stringify({ ok: true, serial: c.certificate.serial, eui: opts.eui!.toUpperCase(), keyUsage: ku, files }));
            else if (opts.keystore) console.log(files.join('\n'));
            else process.stdout.write(c.certificate.pem + c.privateKeyPem);
            return EXIT_OK;
          });
        }
        if (!opts.csr || !opts.subscriber || !opts['device-type']) return usage('issue needs --org ... or --csr, --subscriber and --device-type');
        return withSmki(dir, (s) => {
          const csr = readCsrFile(opts.csr!, '--csr');
          if (!csr.ok) return usage(csr.message);
          const r = s.requestDeviceCertificate({ subscriber: opts.subscriber!, deviceType: opts['device-type']!, csr: csr.value });
          if (!r.ok) return refused(r.reason, { subscriber: opts.subscriber! });
          if (opts.out) writeFileSync(opts.out, r.pem); else if (!json) process.stdout.write(r.pem);
          if (json) console.log(JSON.stringify({ ok: true, serial: r.serial, eui: r.eui.toUpperCase(), keyUsage: r.keyUsage, issuer: r.issuer, ...(opts.out ? { file: opts.out } : { pem: r.pem }) }));
          else console.error(`issued ${r.serial} for ${r.eui.toUpperCase()} (${r.keyUsage}) by Issuing DCA ${r.issuer}`);
          return EXIT_OK;
        });
      case 'batch': {
        if (!opts.csrs || !opts.subscriber || !opts['device-type'] || !opts.out) return usage('batch needs --csrs, --subscriber, --device-type and --out');
        const lines = readFileSync(opts.csrs, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
        return withSmki(dir, async (s) => {
          const bar = progress('smki batch', lines.length);
          const r = await s.requestDeviceBatch({
            subscriber: opts.subscriber!,
            items: lines.map((l) => ({ deviceType: opts['device-type']!, csr: Buffer.from(l, 'base64') })),
            onProgress: (done) => bar.update(done),
          });
          bar.done();
          if (!r.ok) return refused(r.reason, { subscriber: opts.subscriber!, count: lines.length });
          mkdirSync(opts.out!, { recursive: true });
          const out: string[] = [];
          for (const x of r.results) {
            if (x.ok) writeFileSync(join(opts.out!, `${x.serial}.pem`), x.pem);
            out.push(JSON.stringify(x.ok ? { ok: true, serial: x.serial, eui: x.eui.toUpperCase(), keyUsage: x.keyUsage, issuer: x.issuer } : x));
          }
          writeFileSync(join(opts.out!, 'results.jsonl'), out.join('\n') + '\n');
          const issued = r.results.filter((x) => x.ok).length;
          const reasons: Record<string, number> = {};
          for (const x of r.results) if (!x.ok) reasons[x.reason] = (reasons[x.reason] ?? 0) + 1;
          if (json) console.log(JSON.stringify({ ok: issued === r.results.length, issued, total: r.results.length, refused: reasons, results: join(opts.out!, 'results.jsonl') }));
          else {
            console.log(`issued ${issued} of ${r.results.length}; results in ${join(opts.out!, 'results.jsonl')}`);
            for (const [reason, n] of Object.entries(reasons)) console.log(`  refused ${n}: ${refusalText(reason, { dir, subscriber: opts.subscriber! })}`);
          }
          return issued === r.results.length ? EXIT_OK : EXIT_CHECK_FAILED;
        });
      }
      case 'revoke':
        if (!opts.serial) return usage('revoke needs --serial');
        if (opts.reason && !(opts.reason in REASONS)) return usage(`--reason is one of ${Object.keys(REASONS).join(' ')}`);
        return withSmki(dir, (s) => {
          const r = s.revoke(opts.serial!, (opts.reason ?? 'unspecified') as ReasonName);
          if (!r.ok) return refused(r.reason);
          if (json) console.log(JSON.stringify(r));
          else console.log(`revoked ${r.serial}: on ${r.list.toUpperCase()} number ${r.listNumber}`);
          return EXIT_OK;
        });
      case 'lookup':
        if (opts.limit !== undefined && !/^[1-9][0-9]*$/.test(opts.limit)) return usage('--limit is a whole number from 1');
        return withSmki(dir, (s) => {
          const rows = s.lookup({
            ...(opts.serial ? { serial: opts.serial } : {}), ...(opts.eui ? { eui: opts.eui } : {}), ...(opts.role ? { role: opts.role } : {}),
            ...(opts['key-usage'] ? { keyUsage: opts['key-usage'] } : {}), ...(opts.issuer ? { issuer: opts.issuer } : {}),
            ...(opts.kind ? { kind: opts.kind as CertKind } : {}), ...(opts.limit ? { limit: Number(opts.limit) } : {}),
          });
          const table = rows.map((r): string[] => [r.serial, r.kind, r.subject_eui?.toUpperCase() ?? '-', r.role ?? '-', r.key_usage ?? '-', r.device_type ?? '-', r.issuer_serial ?? '-', r.revoked_at ? 'REVOKED' : 'valid']);
          if (flags.has('pem')) for (const r of rows) process.stdout.write(toPem(r.der, 'CERTIFICATE'));
          else if (json) for (const t of table) console.log(JSON.stringify(Object.fromEntries(LOOKUP_HEADER.map((h, i) => [h, t[i] === '-' ? null : t[i]]))));
          else if (rows.length) for (const line of columns([LOOKUP_HEADER, ...table]).split('\n')) console.log(line);
          return rows.length ? EXIT_OK : EXIT_CHECK_FAILED;
        });
      case 'lodge':
        if (!opts.name || !opts.file) return usage('lodge needs --name and --file');
        return withSmki(dir, (s) => {
          s.lodgeDocument(opts.name!, readFileSync(opts.file!), opts.type ?? 'application/octet-stream');
          console.log(json ? JSON.stringify({ ok: true, lodged: opts.name }) : `lodged ${opts.name}`);
          return EXIT_OK;
        });
      case 'serve': {
        const port = opts.port ? Number(opts.port) : 8743;
        if (!Number.isInteger(port) || port < 0 || port > 65535) return usage('--port is 0..65535');
        if (!existsSync(join(dir, 'smki.sqlite'))) return usage(`--dir ${dir} holds no test SMKI (no smki.sqlite there); create one: smets smki init --dir ${dir}`);
        const host = opts.host ?? '127.0.0.1';
        const s = createTestSmki({ dir });
        let server;
        try {
          server = await startServer(s, { port, host });
        } catch (e) {
          await s.close();
          return usage(listenProblem(e, host, port));
        }
        const url = `http://${server.host}:${server.port}/v1/`;
        console.log(json ? JSON.stringify({ serving: url }) : `smki repository on ${url} (Ctrl-C stops)`);
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
