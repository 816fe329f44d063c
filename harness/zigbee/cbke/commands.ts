/**
 * Key Establishment cluster 0x0800 command payloads, suite 2 (ZigBee SE 1.x §C.3; field layout as
 * Wireshark's packet-zbee-zcl-se.c dissects it). The same command ids go both ways (client -> server
 * "request", server -> client "response"). The ZCL header around them is not this module's job. @module
 */
import { CERTIFICATE_BYTES } from './certificate.ts';
import { POINT_BYTES } from './sect283k1.ts';

export const KEY_ESTABLISHMENT_CLUSTER = 0x0800;
export const SUITE_2 = 0x0002; // CBKE K283 (bitmask value of the KeyEstablishmentSuite attribute)
export const CMD_INITIATE = 0x00;
export const CMD_EPHEMERAL_DATA = 0x01;
export const CMD_CONFIRM_KEY = 0x02;
export const CMD_TERMINATE = 0x03;
export const MAC_BYTES = 16;

/** Terminate Key Establishment status codes (SE §C.3.1.2.2.4; Wireshark zbee_zcl_ke_status_names). */
export const TERMINATE = {
  UNKNOWN_ISSUER: 0x01,
  BAD_KEY_CONFIRM: 0x02,
  BAD_MESSAGE: 0x03,
  NO_RESOURCES: 0x04,
  UNSUPPORTED_SUITE: 0x05,
  INVALID_CERTIFICATE: 0x06,
} as const;

export type KeCommand =
  | { id: 0x00; suite: number; ephemeralDataTime: number; confirmKeyTime: number; certificate: Uint8Array }
  | { id: 0x01; ephemeral: Uint8Array }
  | { id: 0x02; mac: Uint8Array }
  | { id: 0x03; status: number; waitTime: number; suite: number };

export type KeCommandReason = 'ke-unknown-command' | 'ke-length' | 'ke-unsupported-suite';

export function encodeKeCommand(c: KeCommand): Uint8Array {
  switch (c.id) {
    case CMD_INITIATE: {
      const out = new Uint8Array(4 + c.certificate.length);
      out[0] = c.suite & 0xff;
      out[1] = c.suite >> 8;
      out[2] = c.ephemeralDataTime;
      out[3] = c.confirmKeyTime;
      out.set(c.certificate, 4);
      return out;
    }
    case CMD_EPHEMERAL_DATA:
      return new Uint8Array(c.ephemeral);
    case CMD_CONFIRM_KEY:
      return new Uint8Array(c.mac);
    case CMD_TERMINATE:
      return Uint8Array.of(c.status, c.waitTime, c.suite & 0xff, c.suite >> 8);
  }
}

/** Suite 2 only: an Initiate for another suite is refused by name (the caller answers Terminate UNSUPPORTED_SUITE). */
export function decodeKeCommand(id: number, p: Uint8Array): { ok: true; command: KeCommand } | { ok: false; reason: KeCommandReason } {
  switch (id) {
    case CMD_INITIATE: {
      if (p.length < 4) return { ok: false, reason: 'ke-length' };
      const suite = p[0] | (p[1] << 8);
      if (suite !== SUITE_2) return { ok: false, reason: 'ke-unsupported-suite' };
      if (p.length !== 4 + CERTIFICATE_BYTES) return { ok: false, reason: 'ke-length' };
      return { ok: true, command: { id, suite, ephemeralDataTime: p[2], confirmKeyTime: p[3], certificate: new Uint8Array(p.subarray(4)) } };
    }
    case CMD_EPHEMERAL_DATA:
      if (p.length !== POINT_BYTES) return { ok: false, reason: 'ke-length' };
      return { ok: true, command: { id, ephemeral: new Uint8Array(p) } };
    case CMD_CONFIRM_KEY:
      if (p.length !== MAC_BYTES) return { ok: false, reason: 'ke-length' };
      return { ok: true, command: { id, mac: new Uint8Array(p) } };
    case CMD_TERMINATE:
      if (p.length !== 4) return { ok: false, reason: 'ke-length' };
      return { ok: true, command: { id, status: p[0], waitTime: p[1], suite: p[2] | (p[3] << 8) } };
    default:
      return { ok: false, reason: 'ke-unknown-command' };
  }
}
