/**
 * The meter's Device Log (GBCS §13.7: the devices this meter is joined with, by CS03, removed by CS04,
 * read by CS07): for each, its entity identifier (EUI-64), GBCS device type, the join method it was
 * joined by, and the credential the join gave the meter:
 * - Method C (GSME with PPMID): the PPMID's Key Agreement public key, from the certificate the command
 *   carried (GBCS JoinDevice: present if and only if the join is between a GSME and a PPMID), for the
 *   shared secret between the two;
 * - Method A: none stored here; the link key comes from CBKE on the HAN (ZigBee, another issue);
 * - Method B (Type 2 devices, and the GPF of a GSME): none (GBCS gives Type 2 devices no credentials).
 *
 * Stored as one key, `han.joined`: count (1 byte), then per entry eui (8), device type (1), method (1),
 * key length (1: 0 or 65), key. Written in the command's transaction, so the record changes with the
 * originator counter in one commit (stateTx.ts) or not at all.
 * @module
 */
import { bytesEqual, concatBytes, copyBytes } from '../../lib/bytes.ts';
import type { StateTx } from './stateTx.ts';

export const JOINED_KEY = 'han.joined';

/**
 * How many devices a meter holds in its Device Log. UNCONFIRMED: SMETS2 sets the meters' Device Log
 * size and our texts do not carry it; RTDS 8.9_CS07 shows a GSME holding three. A build for a product
 * takes its figure here.
 */
export const JOINED_CAPACITY = 5;

export interface JoinedDevice {
  eui: Uint8Array;
  /** GBCS DeviceType (gbcs/contents/join.ts DEVICE_*). */
  deviceType: number;
  /** The JoinMethodAndRole the meter was joined by (METHOD_*). */
  method: number;
  /** Method C: the other device's Key Agreement public key (65-byte uncompressed P-256 point). */
  kaPublicKey?: Uint8Array;
}

/** The Device Log as stored (empty when never written). A record that does not read is a programming error. */
export function readJoined(s: { read(k: string): Uint8Array | undefined }): JoinedDevice[] {
  const b = s.read(JOINED_KEY);
  if (!b) return [];
  const out: JoinedDevice[] = [];
  let at = 1;
  for (let i = 0; i < b[0]; i++) {
    if (at + 11 > b.length) throw new Error('joinedDevices: truncated record');
    const keyLength = b[at + 10];
    if (at + 11 + keyLength > b.length) throw new Error('joinedDevices: truncated key');
    const e: JoinedDevice = { eui: copyBytes(b, at, at + 8), deviceType: b[at + 8], method: b[at + 9] };
    if (keyLength > 0) e.kaPublicKey = copyBytes(b, at + 11, at + 11 + keyLength);
    out.push(e);
    at += 11 + keyLength;
  }
  if (at !== b.length) throw new Error('joinedDevices: trailing bytes');
  return out;
}

/** Stages the whole Device Log (the caller has checked capacity). */
export function writeJoined(tx: StateTx, entries: JoinedDevice[]): void {
  if (entries.length > 255) throw new Error('joinedDevices: too many entries');
  const parts: Uint8Array[] = [new Uint8Array([entries.length])];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.eui.length !== 8) throw new Error('joinedDevices: an EUI-64 is 8 bytes');
    const key = e.kaPublicKey || new Uint8Array(0);
    parts.push(e.eui, new Uint8Array([e.deviceType, e.method, key.length]), key);
  }
  tx.write(JOINED_KEY, concatBytes(parts));
}

/** The index of `eui` in `entries`, or -1. */
export function indexOfJoined(entries: JoinedDevice[], eui: Uint8Array): number {
  for (let i = 0; i < entries.length; i++) if (bytesEqual(entries[i].eui, eui)) return i;
  return -1;
}
