/**
 * The ECMQV primitive (SEC 1 v2 §3.4; ANSI X9.63), cofactor form, as ZigBee SE CBKE uses it:
 *
 *   x̄(Q) = (x_Q mod 2^ceil(f/2)) + 2^ceil(f/2),  f = ceil(log2 n) = 281, so 2^141
 *   s = d_2U + x̄(Q_2U) d_1U mod n               (own ephemeral d_2U, own static d_1U)
 *   P = h s (Q_2V + x̄(Q_2V) Q_1V)               (peer ephemeral Q_2V, peer static Q_1V; h = 4)
 *   P = O is an error; Z = x_P (36 bytes)
 *
 * The field element x_Q is read as an integer bit for bit (SEC 1 §2.3.9). @module
 */
import { COFACTOR, N, addPoints, multiply, xBytes, type Point } from './sect283k1.ts';

const HALF = 141n; // ceil(281 / 2)
const TWO_HALF = 1n << HALF;

export function associate(q: Point): bigint {
  return (q.x & (TWO_HALF - 1n)) + TWO_HALF;
}

export interface MqvKeys {
  staticPrivate: bigint;
  ephemeralPrivate: bigint;
  ephemeralPublic: Point;
}

/** Z, or 'ecmqv-point-at-infinity' (the peer's keys were bad; the caller has validated them already). */
export function ecmqvSharedSecret(
  own: MqvKeys,
  peerStatic: Point,
  peerEphemeral: Point,
): { ok: true; z: Uint8Array } | { ok: false; reason: 'ecmqv-point-at-infinity' } {
  const s = (own.ephemeralPrivate + associate(own.ephemeralPublic) * own.staticPrivate) % N;
  const inner = addPoints(peerEphemeral, multiply(peerStatic, associate(peerEphemeral)));
  const P = multiply(inner, (COFACTOR * s));
  if (P === null) return { ok: false, reason: 'ecmqv-point-at-infinity' };
  return { ok: true, z: xBytes(P) };
}
