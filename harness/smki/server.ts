/**
 * The SMKI Repository over HTTP (seed §3.7): node:http on loopback (127.0.0.1) by default. Read-only
 * except for certificate requests, which go through the SMKI's own checks — nobody but the SMKI writes
 * the repository. The API is documented in harness/smki/README.md. The server also drives CRL/ARL
 * publication: it calls `tick()` every minute.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toPem } from './der.ts';
import type { CertRow, CertKind, ListKind } from './repository.ts';
import type { TestSmki } from './testSmki.ts';

export interface ServerOptions {
  host?: string;
  port?: number;
  /** ms between CRL/ARL publication checks (default 60,000) */
  tickMs?: number;
  /** largest request body accepted (default 64 MiB: a full batch of 49,999 base64 CSRs is ~25 MB) */
  maxBody?: number;
}
export interface RunningServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

const KINDS: CertKind[] = ['root-oca', 'issuing-oca', 'root-dca', 'issuing-dca', 'organisation', 'device'];

function describe(r: CertRow) {
  return {
    serial: r.serial, kind: r.kind, eui: r.subject_eui, role: r.role, keyUsage: r.key_usage, issuer: r.issuer_serial,
    deviceType: r.device_type, issuedAt: new Date(r.issued_at).toISOString(),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString(), revocationReason: r.revocation_reason,
    pem: toPem(r.der, 'CERTIFICATE'),
  };
}

function send(res: ServerResponse, status: number, body: string | Uint8Array, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body as string), 'cache-control': 'no-store' });
  res.end(body);
}
const json = (res: ServerResponse, status: number, v: unknown) => send(res, status, JSON.stringify(v));

function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) { resolve(undefined); req.destroy(); } else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

export function startServer(smki: TestSmki, opts: ServerOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const maxBody = opts.maxBody ?? 64 * 1024 * 1024;
  const lists: Record<string, ListKind> = { '/v1/crl': 'crl', '/v1/arl/oca': 'arl-oca', '/v1/arl/dca': 'arl-dca' };
  const cas = { 'root-oca': smki.rootOca, 'issuing-oca': smki.issuingOca, 'root-dca': smki.rootDca, 'issuing-dca': smki.issuingDca } as const;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://smki');
    const p = url.pathname;
    if (req.method === 'POST' && p === '/v1/device-certificates') {
      const body = await readBody(req, maxBody);
      if (!body) return json(res, 413, { error: 'body-too-large' });
      let msg: { subscriber?: string; deviceType?: string; csr?: string; installed?: boolean; items?: { deviceType: string; csr: string; installed?: boolean }[] };
      try { msg = JSON.parse(body.toString('utf8')); } catch { return json(res, 400, { error: 'bad-json' }); }
      if (typeof msg.subscriber !== 'string') return json(res, 400, { error: 'missing-subscriber' });
      const out = (r: { ok: boolean; reason?: string; serial?: string; pem?: string; eui?: string; keyUsage?: string; issuer?: string }) =>
        r.ok ? { ok: true, serial: r.serial, eui: r.eui, keyUsage: r.keyUsage, issuer: r.issuer, pem: r.pem } : { ok: false, reason: r.reason };
      if (Array.isArray(msg.items)) {
        // `installed`: the meter is already installed (SEC L3: then only its Supplier may ask).
        const items = msg.items.map((i) => ({ deviceType: String(i.deviceType), csr: Buffer.from(String(i.csr), 'base64'), installed: i.installed === true }));
        const b = await smki.requestDeviceBatch({ subscriber: msg.subscriber, items });
        return b.ok ? json(res, 200, { ok: true, results: b.results.map(out) }) : json(res, 422, b);
      }
      if (typeof msg.csr !== 'string' || typeof msg.deviceType !== 'string') return json(res, 400, { error: 'missing-csr-or-deviceType' });
      const r = smki.requestDeviceCertificate({ subscriber: msg.subscriber, deviceType: msg.deviceType, csr: Buffer.from(msg.csr, 'base64'), installed: msg.installed === true });
      return json(res, r.ok ? 200 : 422, out(r));
    }
    if (req.method !== 'GET') return json(res, 405, { error: 'method-not-allowed' });
    if (p === '/v1/health') return json(res, 200, { ok: true, policy: smki.policy.name });
    if (p === '/v1/ca') {
      return json(res, 200, smki.lookup({ kind: 'root-oca' }).concat(smki.lookup({ kind: 'issuing-oca' }), smki.lookup({ kind: 'root-dca' }), smki.lookup({ kind: 'issuing-dca', limit: 10_000 }))
        .map((r) => ({ ...describe(r), retired: smki.repository.ca(r.serial)?.retired_at != null })));
    }
    const caMatch = /^\/v1\/ca\/(root-oca|issuing-oca|root-dca|issuing-dca)$/.exec(p);
    if (caMatch) return send(res, 200, cas[caMatch[1] as keyof typeof cas]().pem, 'application/x-pem-file');
    if (lists[p]) {
      const l = smki.list(lists[p]!);
      return l ? send(res, 200, l.der, 'application/pkix-crl') : json(res, 404, { error: 'not-published' });
    }
    if (p === '/v1/certificates') {
      const q = url.searchParams;
      const kind = q.get('kind') ?? undefined;
      if (kind && !KINDS.includes(kind as CertKind)) return json(res, 400, { error: 'bad-kind' });
      const rows = smki.lookup({
        ...(q.get('serial') ? { serial: q.get('serial')! } : {}), ...(q.get('eui') ? { eui: q.get('eui')! } : {}),
        ...(q.get('role') ? { role: q.get('role')! } : {}), ...(q.get('keyUsage') ? { keyUsage: q.get('keyUsage')! } : {}),
        ...(q.get('issuer') ? { issuer: q.get('issuer')! } : {}), ...(kind ? { kind: kind as CertKind } : {}),
        ...(q.get('limit') ? { limit: Number(q.get('limit')) } : {}),
      });
      return json(res, 200, rows.map(describe));
    }
    const cert = /^\/v1\/certificates\/([0-9a-fA-F]{1,40})(\.der|\.pem)?$/.exec(p);
    if (cert) {
      const r = smki.repository.certificate(cert[1]!);
      if (!r) return json(res, 404, { error: 'unknown-certificate' });
      if (cert[2] === '.der') return send(res, 200, r.der, 'application/pkix-cert');
      if (cert[2] === '.pem') return send(res, 200, toPem(r.der, 'CERTIFICATE'), 'application/x-pem-file');
      return json(res, 200, describe(r));
    }
    if (p === '/v1/documents') return json(res, 200, smki.repository.documents().map((d) => ({ ...d, lodged_at: new Date(d.lodged_at).toISOString() })));
    const doc = /^\/v1\/documents\/([A-Za-z0-9._-]{1,128})$/.exec(p);
    if (doc) {
      const d = smki.repository.document(doc[1]!);
      return d ? send(res, 200, d.body, d.content_type) : json(res, 404, { error: 'unknown-document' });
    }
    return json(res, 404, { error: 'not-found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: 'internal', message: String(e) });
    });
  });
  server.keepAliveTimeout = 5000;
  const timer = setInterval(() => { smki.tick(); }, opts.tickMs ?? 60_000);
  timer.unref();
  return new Promise((resolve, reject) => {
    // A port that cannot be had (busy, no permission) stops the revocation timer too: it would tick on a
    // repository the caller then closes.
    server.once('error', (e) => { clearInterval(timer); reject(e); });
    server.listen(opts.port ?? 8743, host, () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port, host,
        close: () => new Promise<void>((r) => { clearInterval(timer); server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
