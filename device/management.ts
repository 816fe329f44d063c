/**
 * The board's management port: the serial link's second channel (lib/serialLink.ts, channel 1), CBOR
 * (lib/cbor.ts) both ways. What a factory and a lab need of a board that is not GBCS:
 *
 *   request (map)                                          answer (map; `id` echoed, `ok` true or false + `reason`)
 *   {op:"status"}                                          manufactured, eui, firmware, board, native, memory, link stats,
 *                                                          the security log's length
 *   {op:"keygen", eui, seed?}                              the two key pairs generated on the board (held in RAM, never
 *                                                          sent), their PKCS#10 requests (CS02c shape) and public keys;
 *                                                          `seed` (>= 32 bytes of the factory's entropy) is provisioned
 *                                                          first into the board's DRBG (boards/portable/drbg.ts), which
 *                                                          an MCU board needs before it may generate keys;
 *                                                          `storage-full` when the DRBG's state does not fit
 *   {op:"provision", eui, environment, dsCertificate,      manufactureDevice (manufacture.ts) with the held keys: one
 *     kaCertificate, anchors:[{role,keyUsage,cellUsage,     commit, every input checked first; `storage-full` when
 *     certificate}], issuingDcas?, manufacturerKey?,         the medium has no room (nothing stored, the keys
 *     capacity?}                                           still held: the same provision once room is made)
 *   {op:"reboot"}                                          answered, then the device powers on again from flash (boot.ts)
 *   {op:"clock", offset}                                   the board's clock runs `offset` seconds ahead (a lab's clock steps)
 *   {op:"tick"}                                            the RTC wake-up: due future-dated actions (alerts on channel 0)
 *   unsolicited: {log: line}                               every board.log line
 *
 * A request that does not decode, or lacks a field, is answered `{ok:false, reason}` when it carries an
 * id, else counted and dropped. Keys generated for provisioning never leave the board.
 * @module
 */
import type { Board, Link } from '../boards/board.ts';
import { cborDecode, cborEncode } from '../lib/cbor.ts';
import type { CborValue } from '../lib/cbor.ts';
import { KEY_USAGE_DIGITAL_SIGNATURE, KEY_USAGE_KEY_AGREEMENT } from '../gbcs/smki/certificate.ts';
import { boot } from './boot.ts';
import type { Booted } from './boot.ts';
import { deviceCertificationRequest, generatePrivateKey } from './credentials/deviceCredentials.ts';
import { FIRMWARE_VERSION } from './firmwareVersion.ts';
import { manufactureDevice } from './manufacture.ts';
import type { AnchorSpec } from './manufacture.ts';
import { readIdentity } from './state/identity.ts';
import { logCount } from './state/securityLog.ts';
import { provisionRandomSeed } from '../boards/portable/drbg.ts';

/** The management channel as the firmware sees it: whole CBOR messages. */
export interface ManagementChannel {
  send(message: Uint8Array): void;
  onMessage(handler: (message: Uint8Array) => void): void;
}

export interface ManagedBoard {
  /** The board the device runs on; its clock and log are wrapped here (offset, log lines to the channel). */
  board: Board;
  channel: ManagementChannel;
  /** The link's counters, for the status answer. */
  linkStats?: () => CborValue;
}

type Request = { [key: string]: CborValue };

function bytesField(r: Request, name: string): Uint8Array | undefined {
  const v = r[name];
  return v instanceof Uint8Array ? v : undefined;
}

function numberField(r: Request, name: string): number | undefined {
  const v = r[name];
  return typeof v === 'number' ? v : undefined;
}

/**
 * Powers the device on behind a management port: boots it (device/boot.ts) and answers the channel.
 * Returns the port's state, for tests: the last boot and the count of requests dropped as malformed.
 */
export function serveManagement(m: ManagedBoard): { booted(): Booted; dropped(): number } {
  const base = m.board;
  let offset = 0;
  let dropped = 0;
  let keys: { eui: Uint8Array; ds: Uint8Array; ka: Uint8Array } | undefined;
  function send(v: CborValue): void {
    const bytes = cborEncode(v);
    if (bytes) m.channel.send(bytes);
  }
  const board: Board = {
    name: base.name,
    crypto: base.crypto,
    storage: base.storage,
    clock: {
      nowSec: function () {
        return base.clock.nowSec() + offset;
      },
    },
    link: base.link,
    log: function (line: string) {
      base.log(line);
      send({ log: line });
    },
    memory: function () {
      return base.memory();
    },
  };
  let booted = boot(board);

  function status(): CborValue {
    const id = readIdentity(board.storage);
    const mem = board.memory();
    const out: Request = {
      manufactured: id !== undefined, firmware: FIRMWARE_VERSION, board: board.name, native: board.crypto.native === true, clockOffset: offset,
    };
    if (id) {
      out.eui = id.eui;
      // Security events logged so far (a command refused as a replay is one): what a line test compares.
      out.securityLog = logCount(board.storage);
    }
    if (mem) out.memory = { used: mem.used, total: mem.total, unit: mem.unit };
    if (m.linkStats) out.link = m.linkStats();
    return out;
  }

  function keygen(r: Request): Request {
    const eui = bytesField(r, 'eui');
    if (!eui || eui.length !== 8) return { ok: false, reason: 'bad-eui' };
    if (readIdentity(board.storage)) return { ok: false, reason: 'already-manufactured' };
    const seed = bytesField(r, 'seed');
    if (seed !== undefined) {
      if (seed.length < 32) return { ok: false, reason: 'seed-too-short' };
      // No room for the DRBG state: refused, the former state (if any) as it was.
      if (!provisionRandomSeed(board.storage, board.crypto.sha256, seed).ok) return { ok: false, reason: 'storage-full' };
    }
    // A DRBG board withholds bytes whose next state it could not store.
    const ds = generatePrivateKey(board);
    const ka = ds && generatePrivateKey(board);
    if (!ds || !ka) return { ok: false, reason: 'storage-full' };
    keys = { eui: eui, ds: ds, ka: ka };
    return {
      ok: true,
      dsPublic: board.crypto.p256PublicKey(ds), kaPublic: board.crypto.p256PublicKey(ka),
      dsRequest: deviceCertificationRequest(board, eui, KEY_USAGE_DIGITAL_SIGNATURE, ds),
      kaRequest: deviceCertificationRequest(board, eui, KEY_USAGE_KEY_AGREEMENT, ka),
    };
  }

  function provision(r: Request): Request {
    const eui = bytesField(r, 'eui');
    if (!keys || !eui || keys.eui.length !== eui.length || keys.eui.join() !== eui.join()) return { ok: false, reason: 'no-keys-for-this-eui' };
    const env = r.environment;
    if (env !== 'test' && env !== 'live') return { ok: false, reason: 'bad-environment' };
    const list = r.anchors;
    if (!Array.isArray(list)) return { ok: false, reason: 'bad-anchors' };
    const anchors: AnchorSpec[] = [];
    for (let i = 0; i < list.length; i++) {
      const a = list[i] as Request;
      const cert = a && typeof a === 'object' ? bytesField(a, 'certificate') : undefined;
      const role = a && typeof a === 'object' ? numberField(a, 'role') : undefined;
      const keyUsage = a && typeof a === 'object' ? numberField(a, 'keyUsage') : undefined;
      if (!cert || role === undefined || keyUsage === undefined) return { ok: false, reason: 'bad-anchors', index: i };
      anchors.push({ cell: { role: role, keyUsage: keyUsage, cellUsage: numberField(a, 'cellUsage') || 0 }, certificate: cert });
    }
    const dcaList = r.issuingDcas;
    const dcas: Uint8Array[] = [];
    if (Array.isArray(dcaList)) for (let i = 0; i < dcaList.length; i++) if (dcaList[i] instanceof Uint8Array) dcas.push(dcaList[i] as Uint8Array);
    const mk = bytesField(r, 'manufacturerKey');
    const capacity = numberField(r, 'capacity');
    const made = manufactureDevice(board, {
      eui: eui, environment: env, dsPrivate: keys.ds, kaPrivate: keys.ka,
      dsCertificate: bytesField(r, 'dsCertificate'), kaCertificate: bytesField(r, 'kaCertificate'), anchors: anchors, issuingDcas: dcas,
      firmware: mk && capacity !== undefined ? { manufacturerKey: mk, capacity: capacity } : undefined,
    });
    if (!made.ok) return made.cell ? { ok: false, reason: made.reason, cell: made.cell } : { ok: false, reason: made.reason };
    keys = undefined;
    return { ok: true };
  }

  function answer(r: Request): Request {
    const op = r.op;
    if (op === 'status') {
      const s = status() as Request;
      s.ok = true;
      return s;
    }
    if (op === 'keygen') return keygen(r);
    if (op === 'provision') return provision(r);
    if (op === 'clock') {
      const o = numberField(r, 'offset');
      if (o === undefined) return { ok: false, reason: 'bad-offset' };
      offset = o;
      return { ok: true, clockOffset: offset };
    }
    if (op === 'tick') {
      if (!booted.manufactured) return { ok: false, reason: 'not-manufactured' };
      return { ok: true, alerts: booted.device.tick().length };
    }
    if (op === 'reboot') return { ok: true };
    return { ok: false, reason: 'unknown-op' };
  }

  m.channel.onMessage(function (bytes: Uint8Array) {
    const d = cborDecode(bytes);
    if (!d.ok || d.value === null || typeof d.value !== 'object' || Array.isArray(d.value) || d.value instanceof Uint8Array) {
      dropped++;
      return;
    }
    const r = d.value as Request;
    const id = r.id;
    if (typeof id !== 'number') {
      dropped++;
      return;
    }
    let a: Request;
    try {
      a = answer(r);
    } catch (e) {
      // A programming error on the board: said on the port rather than leaving the factory waiting.
      a = { ok: false, reason: 'board-error: ' + (e as Error).message };
    }
    a.id = id;
    send(a);
    if (r.op === 'reboot' && a.ok) booted = boot(board);
  });
  return {
    booted: function () {
      return booted;
    },
    dropped: function () {
      return dropped;
    },
  };
}
