/**
 * The SMKI Repository (seed §3.7; SEC L5): every certificate the SMKI issues, the CRL and ARLs, and
 * the SMKI documents the operator lodges — in SQLite (better-sqlite3), one file `smki.sqlite` in a
 * folder the user names. Only the SMKI writes (this module's write methods are called by
 * index.ts/revocation.ts, never by the HTTP server); readers get look-ups by serial, subject
 * (EUI, role), key usage and issuer. The CA private keys live in the same file (table `cas`): this
 * is a TEST PKI; a retired Issuing DCA's key is overwritten and set NULL (destroyed).
 * @module
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type CertKind = 'root-oca' | 'issuing-oca' | 'root-dca' | 'issuing-dca' | 'organisation' | 'device';
export type ListKind = 'crl' | 'arl-oca' | 'arl-dca';

export interface CertRow {
  serial: string;
  kind: CertKind;
  subject_eui: string | null;
  role: string | null;
  key_usage: string | null;
  issuer_serial: string | null;
  device_type: string | null;
  der: Buffer;
  issued_at: number;
  revoked_at: number | null;
  revocation_reason: number | null;
}
export interface CaRow {
  serial: string;
  kind: 'root-oca' | 'issuing-oca' | 'root-dca' | 'issuing-dca';
  label: string;
  private_key: Buffer | null;
  activated_at: number;
  issued_count: number;
  retired_at: number | null;
  generation: number;
}
export interface ListRow {
  kind: ListKind;
  number: number;
  this_update: number;
  next_update: number;
  der: Buffer;
}
export interface DocumentRow {
  name: string;
  content_type: string;
  body: Buffer;
  lodged_at: number;
}

export interface LookupQuery {
  serial?: string;
  eui?: string;
  role?: string;
  keyUsage?: string;
  issuer?: string;
  kind?: CertKind;
  limit?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS certificates (
  serial TEXT PRIMARY KEY, kind TEXT NOT NULL, subject_eui TEXT, role TEXT, key_usage TEXT,
  issuer_serial TEXT, device_type TEXT, der BLOB NOT NULL, issued_at INTEGER NOT NULL,
  revoked_at INTEGER, revocation_reason INTEGER);
CREATE INDEX IF NOT EXISTS certificates_eui ON certificates(subject_eui);
CREATE INDEX IF NOT EXISTS certificates_role ON certificates(role);
CREATE INDEX IF NOT EXISTS certificates_ku ON certificates(key_usage);
CREATE INDEX IF NOT EXISTS certificates_issuer ON certificates(issuer_serial);
CREATE TABLE IF NOT EXISTS cas (
  serial TEXT PRIMARY KEY, kind TEXT NOT NULL, label TEXT NOT NULL, private_key BLOB,
  activated_at INTEGER NOT NULL, issued_count INTEGER NOT NULL DEFAULT 0, retired_at INTEGER, generation INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS lists (
  kind TEXT NOT NULL, number INTEGER NOT NULL, this_update INTEGER NOT NULL, next_update INTEGER NOT NULL,
  der BLOB NOT NULL, PRIMARY KEY (kind, number));
CREATE TABLE IF NOT EXISTS documents (name TEXT PRIMARY KEY, content_type TEXT NOT NULL, body BLOB NOT NULL, lodged_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS subscribers (id TEXT PRIMARY KEY, kind TEXT NOT NULL, device_types TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export class Repository {
  readonly db: Database.Database;
  private readonly insertCert: Database.Statement;
  private readonly bySerial: Database.Statement;
  /**
   * Prepared statements by SQL text: preparing costs tens of µs and allocates on every call, which the
   * look-up server would pay per request. The texts are fixed or built from a bounded set of clauses.
   */
  private readonly statements = new Map<string, Database.Statement>();

  /** Opens (creating if needed) `<dir>/smki.sqlite`. `readonly` opens an existing repository for look-ups only. */
  constructor(readonly dir: string, opts: { readonly?: boolean } = {}) {
    if (!opts.readonly) mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, 'smki.sqlite'), { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
    }
    this.insertCert = opts.readonly
      ? (undefined as unknown as Database.Statement)
      : this.db.prepare(`INSERT INTO certificates (serial, kind, subject_eui, role, key_usage, issuer_serial, device_type, der, issued_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`); // positional: binding an object's names costs ~1.5 µs/row more
    this.bySerial = this.db.prepare('SELECT * FROM certificates WHERE serial = ?');
  }

  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  close(): void {
    this.db.close();
  }

  getMeta(key: string): string | undefined {
    const r = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value;
  }
  setMeta(key: string, value: string): void {
    this.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  addCertificate(r: Omit<CertRow, 'revoked_at' | 'revocation_reason'>): void {
    this.insertCert.run(r.serial, r.kind, r.subject_eui, r.role, r.key_usage, r.issuer_serial, r.device_type, r.der, r.issued_at);
  }
  /** Many rows in one transaction (batches). */
  addCertificates(rows: Omit<CertRow, 'revoked_at' | 'revocation_reason'>[]): void {
    this.db.transaction((rs: typeof rows) => { for (const r of rs) this.addCertificate(r); })(rows);
  }
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  certificate(serial: string): CertRow | undefined {
    return this.bySerial.get(serial.toLowerCase()) as CertRow | undefined;
  }

  /** Look-up by any combination of serial, subject EUI, role, key usage, issuer serial and kind. */
  lookup(q: LookupQuery): CertRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.serial) { where.push('serial = ?'); args.push(q.serial.toLowerCase()); }
    if (q.eui) { where.push('subject_eui = ?'); args.push(q.eui.toLowerCase()); }
    if (q.role) { where.push('role = ?'); args.push(q.role.toUpperCase()); }
    if (q.keyUsage) { where.push('key_usage = ?'); args.push(q.keyUsage); }
    if (q.issuer) { where.push('issuer_serial = ?'); args.push(q.issuer.toLowerCase()); }
    if (q.kind) { where.push('kind = ?'); args.push(q.kind); }
    args.push(Math.min(Math.max(1, q.limit ?? 100), 10_000));
    const sql = `SELECT * FROM certificates ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY issued_at, serial LIMIT ?`;
    return this.stmt(sql).all(...args) as CertRow[];
  }

  markRevoked(serial: string, at: number, reason: number): void {
    this.stmt('UPDATE certificates SET revoked_at = ?, revocation_reason = ? WHERE serial = ?').run(at, reason, serial);
  }
  revokedIssuedBy(issuerSerial: string): CertRow[] {
    return this.stmt('SELECT * FROM certificates WHERE issuer_serial = ? AND revoked_at IS NOT NULL ORDER BY revoked_at, serial')
      .all(issuerSerial) as CertRow[];
  }
  revokedOfKinds(kinds: CertKind[]): CertRow[] {
    return this.stmt(`SELECT * FROM certificates WHERE revoked_at IS NOT NULL AND kind IN (${kinds.map(() => '?').join(',')}) ORDER BY revoked_at, serial`)
      .all(...kinds) as CertRow[];
  }

  addCa(row: CaRow): void {
    this.stmt(`INSERT INTO cas (serial, kind, label, private_key, activated_at, issued_count, retired_at, generation)
      VALUES (@serial, @kind, @label, @private_key, @activated_at, @issued_count, @retired_at, @generation)`).run(row);
  }
  ca(serial: string): CaRow | undefined {
    return this.stmt('SELECT * FROM cas WHERE serial = ?').get(serial) as CaRow | undefined;
  }
  cas(kind: CaRow['kind']): CaRow[] {
    return this.stmt('SELECT * FROM cas WHERE kind = ? ORDER BY generation').all(kind) as CaRow[];
  }
  addIssued(serial: string, n: number): void {
    this.stmt('UPDATE cas SET issued_count = issued_count + ? WHERE serial = ?').run(n, serial);
  }
  /** Retirement: the key bytes are overwritten in place, then the column is set NULL. */
  destroyCaKey(serial: string, at: number): void {
    const r = this.ca(serial);
    if (r?.private_key) this.stmt('UPDATE cas SET private_key = zeroblob(?) WHERE serial = ?').run(r.private_key.length, serial);
    this.stmt('UPDATE cas SET private_key = NULL, retired_at = ? WHERE serial = ?').run(at, serial);
  }

  addList(row: ListRow): void {
    this.stmt('INSERT INTO lists (kind, number, this_update, next_update, der) VALUES (@kind, @number, @this_update, @next_update, @der)').run(row);
  }
  latestList(kind: ListKind): ListRow | undefined {
    return this.stmt('SELECT * FROM lists WHERE kind = ? ORDER BY number DESC LIMIT 1').get(kind) as ListRow | undefined;
  }
  lists(kind: ListKind): ListRow[] {
    return this.stmt('SELECT * FROM lists WHERE kind = ? ORDER BY number').all(kind) as ListRow[];
  }

  lodgeDocument(doc: DocumentRow): void {
    this.stmt(`INSERT INTO documents (name, content_type, body, lodged_at) VALUES (@name, @content_type, @body, @lodged_at)
      ON CONFLICT(name) DO UPDATE SET content_type = excluded.content_type, body = excluded.body, lodged_at = excluded.lodged_at`).run(doc);
  }
  document(name: string): DocumentRow | undefined {
    return this.stmt('SELECT * FROM documents WHERE name = ?').get(name) as DocumentRow | undefined;
  }
  documents(): Omit<DocumentRow, 'body'>[] {
    return this.stmt('SELECT name, content_type, lodged_at FROM documents ORDER BY name').all() as Omit<DocumentRow, 'body'>[];
  }

  putSubscriber(id: string, kind: string, deviceTypes: string[]): void {
    this.stmt(`INSERT INTO subscribers (id, kind, device_types) VALUES (?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, device_types = excluded.device_types`).run(id, kind, JSON.stringify(deviceTypes));
  }
  subscriber(id: string): { id: string; kind: string; deviceTypes: string[] } | undefined {
    const r = this.stmt('SELECT * FROM subscribers WHERE id = ?').get(id) as { id: string; kind: string; device_types: string } | undefined;
    return r ? { id: r.id, kind: r.kind, deviceTypes: JSON.parse(r.device_types) as string[] } : undefined;
  }
}
