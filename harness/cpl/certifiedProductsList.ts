/**
 * The Certified Products List (SEC Appendix F, F2; seed ¶287-292, ¶295): for each certified device model
 * and firmware version, the manufacturer's SHA-256 of the firmware image and firmware ID (otaImage.ts:
 * the Image Hash, over the OTA header — which carries the Firmware ID — and the Manufacturer Image), the
 * Firmware ID, and the expiry of the product's CPA certificate. Entries are added, changed and removed,
 * each change recorded as an event and handed to every listener (the notifications of ¶287-291: the lab
 * prints them, the CLI lists them). An entry whose CPA certificate has expired is `expired` (¶292):
 * `expire(nowMs)` marks every due entry and reports them (the DCC then suspends the devices, dcc/suspension.ts).
 *
 * Storage: SQLite (better-sqlite3) in `cpl.sqlite`, in the same folder as the SMKI repository
 * (`smki.sqlite`): a sibling file rather than tables inside it, so the SMKI's schema stays its own.
 * Rejections are values: { ok: false, reason }.
 * @module
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';

export type CplStatus = 'certified' | 'expired' | 'removed';

export interface CplEntry {
  /** Manufacturer's model, e.g. "1234-0001" (OTA manufacturer code - image type, hex). */
  model: string;
  /** Firmware version, 8 hex digits (the OTA file version). */
  version: string;
  /** Firmware ID, 16 hex digits (manufacturer code | image type | file version). */
  firmwareId: string;
  /** SHA-256 of the image and firmware ID, 64 hex digits. */
  imageHash: string;
  /** CPA certificate expiry, ISO 8601 UTC. */
  cpaExpiry: string;
  status: CplStatus;
}

export type CplEventKind = 'add' | 'change' | 'remove' | 'expire';

export interface CplEvent {
  at: string;
  kind: CplEventKind;
  model: string;
  version: string;
  detail: string;
}

export type CplResult = { ok: true; entry: CplEntry } | { ok: false; reason: string };

const HEX = (n: number) => new RegExp('^[0-9a-f]{' + n + '}$');

export function cplPath(dir: string): string {
  return join(dir, 'cpl.sqlite');
}

export class CertifiedProductsList {
  private readonly db: Database.Database;
  private readonly listeners: Array<(e: CplEvent) => void> = [];

  constructor(dir: string, private readonly now: () => number = Date.now) {
    this.db = new Database(cplPath(dir));
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS cpl_entries (model TEXT NOT NULL, version TEXT NOT NULL, firmware_id TEXT NOT NULL,
        image_hash TEXT NOT NULL, cpa_expiry TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (model, version));
      CREATE TABLE IF NOT EXISTS cpl_events (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL,
        model TEXT NOT NULL, version TEXT NOT NULL, detail TEXT NOT NULL);`);
  }

  /** Called with every change (the notifications). */
  onEvent(listener: (e: CplEvent) => void): void {
    this.listeners.push(listener);
  }

  private record(kind: CplEventKind, model: string, version: string, detail: string): void {
    const e: CplEvent = { at: new Date(this.now()).toISOString(), kind, model, version, detail };
    this.db.prepare('INSERT INTO cpl_events (at, kind, model, version, detail) VALUES (?, ?, ?, ?, ?)').run(e.at, e.kind, e.model, e.version, e.detail);
    for (const l of this.listeners) l(e);
  }

  private static check(e: Omit<CplEntry, 'status'>): string | undefined {
    if (!/^[0-9a-f]{4}-[0-9a-f]{4}$/.test(e.model)) return 'model must be "<manufacturer code>-<image type>", 4 hex digits each, got ' + JSON.stringify(e.model);
    if (!HEX(8).test(e.version)) return 'version must be 8 hex digits, got ' + JSON.stringify(e.version);
    if (!HEX(16).test(e.firmwareId)) return 'firmware id must be 16 hex digits, got ' + JSON.stringify(e.firmwareId);
    if (!HEX(64).test(e.imageHash)) return 'image hash must be 64 hex digits (SHA-256), got ' + JSON.stringify(e.imageHash);
    if (Number.isNaN(Date.parse(e.cpaExpiry))) return 'CPA expiry must be an ISO 8601 date-time, got ' + JSON.stringify(e.cpaExpiry);
    return undefined;
  }

  private static row(r: Record<string, string>): CplEntry {
    return { model: r.model, version: r.version, firmwareId: r.firmware_id, imageHash: r.image_hash, cpaExpiry: r.cpa_expiry, status: r.status as CplStatus };
  }

  get(model: string, version: string): CplEntry | undefined {
    const r = this.db.prepare('SELECT * FROM cpl_entries WHERE model = ? AND version = ?').get(model.toLowerCase(), version.toLowerCase()) as Record<string, string> | undefined;
    return r ? CertifiedProductsList.row(r) : undefined;
  }

  /** The entry (any status) listing this image hash. */
  byHash(imageHash: string): CplEntry | undefined {
    const r = this.db.prepare('SELECT * FROM cpl_entries WHERE image_hash = ?').get(imageHash.toLowerCase()) as Record<string, string> | undefined;
    return r ? CertifiedProductsList.row(r) : undefined;
  }

  list(): CplEntry[] {
    return (this.db.prepare('SELECT * FROM cpl_entries ORDER BY model, version').all() as Record<string, string>[]).map(CertifiedProductsList.row);
  }

  events(): CplEvent[] {
    return this.db.prepare('SELECT at, kind, model, version, detail FROM cpl_events ORDER BY id').all() as CplEvent[];
  }

  add(input: Omit<CplEntry, 'status'>): CplResult {
    const e = { ...input, model: input.model.toLowerCase(), version: input.version.toLowerCase(), firmwareId: input.firmwareId.toLowerCase(), imageHash: input.imageHash.toLowerCase() };
    const bad = CertifiedProductsList.check(e);
    if (bad) return { ok: false, reason: 'bad-entry: ' + bad };
    const old = this.get(e.model, e.version);
    if (old && old.status !== 'removed') return { ok: false, reason: 'already-listed: ' + e.model + ' ' + e.version + ' (use change)' };
    this.db.prepare('INSERT OR REPLACE INTO cpl_entries VALUES (?, ?, ?, ?, ?, ?)').run(e.model, e.version, e.firmwareId, e.imageHash, new Date(e.cpaExpiry).toISOString(), 'certified');
    this.record('add', e.model, e.version, 'hash ' + e.imageHash + ', CPA expires ' + new Date(e.cpaExpiry).toISOString());
    return { ok: true, entry: this.get(e.model, e.version)! };
  }

  /** Changes the hash, firmware id or CPA expiry of a listed entry (a renewed CPA certificate re-certifies it). */
  change(model: string, version: string, changes: Partial<Pick<CplEntry, 'imageHash' | 'firmwareId' | 'cpaExpiry'>>): CplResult {
    const old = this.get(model, version);
    if (!old || old.status === 'removed') return { ok: false, reason: 'not-listed: ' + model + ' ' + version };
    const next = { ...old, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined).map(([k, v]) => [k, k === 'cpaExpiry' ? new Date(v as string).toISOString() : (v as string).toLowerCase()])) };
    const bad = CertifiedProductsList.check(next);
    if (bad) return { ok: false, reason: 'bad-entry: ' + bad };
    const expiry = new Date(next.cpaExpiry).toISOString();
    const status: CplStatus = Date.parse(expiry) > this.now() ? 'certified' : old.status;
    this.db.prepare('UPDATE cpl_entries SET firmware_id = ?, image_hash = ?, cpa_expiry = ?, status = ? WHERE model = ? AND version = ?')
      .run(next.firmwareId, next.imageHash, expiry, status, old.model, old.version);
    const what = Object.keys(changes).filter((k) => (changes as Record<string, unknown>)[k] !== undefined).map((k) => k + ' ' + (old as unknown as Record<string, string>)[k] + ' -> ' + (next as unknown as Record<string, string>)[k]);
    this.record('change', old.model, old.version, what.join('; ') || 'no change');
    return { ok: true, entry: this.get(old.model, old.version)! };
  }

  remove(model: string, version: string, why = 'removed by the Panel'): CplResult {
    const old = this.get(model, version);
    if (!old || old.status === 'removed') return { ok: false, reason: 'not-listed: ' + model + ' ' + version };
    this.db.prepare("UPDATE cpl_entries SET status = 'removed' WHERE model = ? AND version = ?").run(old.model, old.version);
    this.record('remove', old.model, old.version, why);
    return { ok: true, entry: this.get(old.model, old.version)! };
  }

  /** Marks every certified entry whose CPA certificate expired by `nowMs`; returns them (¶292). */
  expire(nowMs: number = this.now()): CplEntry[] {
    const due = this.list().filter((e) => e.status === 'certified' && Date.parse(e.cpaExpiry) <= nowMs);
    for (const e of due) {
      this.db.prepare("UPDATE cpl_entries SET status = 'expired' WHERE model = ? AND version = ?").run(e.model, e.version);
      this.record('expire', e.model, e.version, 'CPA certificate expired ' + e.cpaExpiry);
    }
    return due.map((e) => ({ ...e, status: 'expired' as const }));
  }

  /** The list as published: JSON (entries and events) or CSV (entries). */
  export(format: 'json' | 'csv'): string {
    const entries = this.list();
    if (format === 'json') return JSON.stringify({ exported: new Date(this.now()).toISOString(), entries, events: this.events() }, null, 2) + '\n';
    const head = 'model,version,firmware_id,image_hash,cpa_expiry,status';
    return [head, ...entries.map((e) => [e.model, e.version, e.firmwareId, e.imageHash, e.cpaExpiry, e.status].join(','))].join('\n') + '\n';
  }

  close(): void {
    this.db.close();
  }
}
