/**
 * The device's future-dated actions, persisted: GBCS lets a remote party give some commands an execution
 * date-time (CS02b Update Security Credentials, CS06 Activate Firmware, ECS/GCS future-dated
 * instructions); the device answers at once and carries the instruction out when its clock reaches that
 * time, then reports the outcome in an alert (0x00CB CS02b, 0x00CA CS06, 0x00CC/0x00CD DLMS/GBZ
 * instructions: 0x8F66 actioned, 0x8F67 not). An execution date-time of 99991231235959Z cancels what is
 * pending (RTDS 6.23_CS02bSupplierByTransCoS CANCELLATION, 11.3_CS06 CANCELLATION).
 *
 * One action per kind (a short name chosen by the use case: 'cs02b', 'cs06'): scheduling a kind again
 * replaces what was pending, as a later future-dated command supersedes an earlier one. Stored under
 * `pa.<kind>` as due time (u32 seconds since 1970) | the use case's own bytes. Everything here is staged
 * in a StateTx, so scheduling lands in the same commit as the command that asked for it.
 *
 * Who runs them: pipeline/futureDated.ts `runDueActions`, from SmetsDevice on every received frame, at
 * power-on (`openDevice`) and on `device.tick()` (runtime.ts); see there for the executor contract.
 * @module
 */
import type { StateTx } from './stateTx.ts';
import { readU32, u32 } from './stateTx.ts';

export const PENDING_PREFIX = 'pa.';

export interface PendingAction {
  kind: string;
  /** Seconds since 1970 (UTC) at or after which it runs. */
  dueSec: number;
  /** The use case's own record (e.g. the command content it will execute). */
  data: Uint8Array;
}

type Readable = { read(k: string): Uint8Array | undefined };

/**
 * 1..16 of [a-z0-9]. Checked by hand, not with /^[a-z0-9]{1,16}$/: Espruino 2v29's regex has no bounded
 * repeats ({n}, {n,m}) and answers false for every kind (build/engineCompat.ts refuses them).
 */
function isKind(kind: string): boolean {
  if (typeof kind !== 'string' || kind.length < 1 || kind.length > 16) return false;
  for (let i = 0; i < kind.length; i++) {
    const c = kind.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

function keyOf(kind: string): string {
  if (!isKind(kind)) throw new Error('pendingActions: kind must be 1..16 of [a-z0-9], got "' + kind + '"');
  return PENDING_PREFIX + kind;
}

/** Stages `kind` to run at `dueSec`, replacing any action of that kind pending. */
export function schedulePending(tx: StateTx, kind: string, dueSec: number, data: Uint8Array): void {
  if (!(dueSec >= 0 && dueSec <= 0xffffffff) || Math.floor(dueSec) !== dueSec) throw new Error('schedulePending: due time must be u32 seconds, got ' + dueSec);
  const b = new Uint8Array(4 + data.length);
  b.set(u32(dueSec), 0);
  b.set(data, 4);
  tx.write(keyOf(kind), b);
}

/** Stages the removal of the pending action of `kind` (nothing when none is pending). */
export function cancelPending(tx: StateTx, kind: string): void {
  if (tx.read(keyOf(kind)) !== undefined) tx.remove(keyOf(kind));
}

export function readPending(s: Readable, kind: string): PendingAction | undefined {
  const b = s.read(keyOf(kind));
  if (!b || b.length < 4) return undefined;
  return { kind: kind, dueSec: readU32(b, 0), data: b.subarray(4) };
}

/** Every pending action, earliest first. */
export function listPending(s: Readable & { keys(): string[] }): PendingAction[] {
  const keys = s.keys();
  const out: PendingAction[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (keys[i].indexOf(PENDING_PREFIX) !== 0) continue;
    const p = readPending(s, keys[i].substring(PENDING_PREFIX.length));
    if (p) out.push(p);
  }
  return out.sort(function (a, b) {
    return a.dueSec - b.dueSec;
  });
}
