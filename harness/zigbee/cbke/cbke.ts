/**
 * Certificate-Based Key Establishment, crypto suite 2 (ZigBee SE 1.x Annex C; SEC 1 §3.4 ECMQV, SEC 4
 * ECQV), both roles as message-driven state machines over the cluster 0x0800 commands:
 *
 *   U (initiator)                      V (responder)
 *   Initiate(suite 2, Cert_U)   ->
 *                               <-     Initiate(suite 2, Cert_V)       V checks Cert_U first
 *   Ephemeral(QE_U)             ->
 *                               <-     Ephemeral(QE_V)
 *   both: Q_V (resp. Q_U) = e P + Q_CA from the peer's certificate (ECQV), Z = ECMQV(...),
 *         MacKey || KeyData = KDF(Z), MACU and MACV
 *   Confirm(MACU)               ->                                     V checks MACU
 *                               <-     Confirm(MACV)                   U checks MACV
 *   KeyData is the new link key on both sides.
 *
 * KDF (ANSI X9.63 with the AES-MMO hash, 256 bits, no shared info): Hash(Z || 00000001) || Hash(Z || 00000002);
 * MacKey the first 16 bytes, KeyData the second. MACU = MAC_MacKey(02 || ID_U || ID_V || QE_U || QE_V),
 * MACV = MAC_MacKey(03 || ID_V || ID_U || QE_V || QE_U), MAC the ZigBee keyed hash (mmo.ts), IDs the
 * EUI-64s big-endian as in the certificates' subject, QE the 37-byte compressed ephemeral points.
 * UNCONFIRMED against a published suite-2 vector (none is public here): this layout is the SE 1.x
 * Annex C text as we read it; both roles here share it, so interop with a real meter is untested.
 *
 * Every refusal is a reason plus the Terminate status to send; a session that refused stays refused. @module
 */
import { bytesEqual, concatBytes } from '../../../lib/bytes.ts';
import { checkCertificate, decodeCertificate, type CertificateCheckReason, type CertificateFormatReason } from './certificate.ts';
import {
  CMD_CONFIRM_KEY, CMD_EPHEMERAL_DATA, CMD_INITIATE, SUITE_2, TERMINATE, type KeCommand,
} from './commands.ts';
import { ecmqvSharedSecret } from './ecmqv.ts';
import { randomScalar, reconstructPublicKey } from './ecqv.ts';
import { mmoHash, mmoHmac } from './mmo.ts';
import { G, encodePoint, multiply, parsePublicKey, type Point } from './sect283k1.ts';

export function kdf(z: Uint8Array): { macKey: Uint8Array; keyData: Uint8Array } {
  const h = (counter: number) => mmoHash(concatBytes([z, Uint8Array.of(0, 0, 0, counter)]));
  return { macKey: h(1), keyData: h(2) };
}

export function confirmationMacs(
  macKey: Uint8Array, idU: Uint8Array, idV: Uint8Array, qeU: Uint8Array, qeV: Uint8Array,
): { macU: Uint8Array; macV: Uint8Array } {
  return {
    macU: mmoHmac(macKey, concatBytes([Uint8Array.of(0x02), idU, idV, qeU, qeV])),
    macV: mmoHmac(macKey, concatBytes([Uint8Array.of(0x03), idV, idU, qeV, qeU])),
  };
}

export interface CbkeIdentity {
  eui64: Uint8Array;
  certificate: Uint8Array;
  privateKey: bigint;
}

export interface CbkeTrust {
  caPublic: Point;
  /** the issuer id the CA writes into certificates */
  issuer: Uint8Array;
  /** seconds since 1970 */
  now: () => number;
}

export type CbkeReason =
  | CertificateFormatReason
  | CertificateCheckReason
  | 'certificate-public-key'
  | 'ephemeral-key-invalid'
  | 'ecmqv-point-at-infinity'
  | 'key-confirmation-failed'
  | 'unexpected-command'
  | 'terminated-by-peer'
  | 'session-refused';

export type CbkeStep =
  | { ok: true; send?: KeCommand; linkKey?: Uint8Array }
  | { ok: false; reason: CbkeReason; detail?: string; send?: KeCommand };

function terminate(status: number): KeCommand {
  return { id: 0x03, status, waitTime: 10, suite: SUITE_2 };
}

function certificateStatus(reason: CbkeReason): number {
  return reason === 'certificate-issuer' ? TERMINATE.UNKNOWN_ISSUER : TERMINATE.INVALID_CERTIFICATE;
}

type Phase = 'idle' | 'sent-initiate' | 'sent-ephemeral' | 'sent-confirm' | 'done' | 'refused';

/** One side of one key establishment. `expectedPeer`: the EUI-64 the peer's certificate must name. */
export class CbkeSession {
  readonly role: 'initiator' | 'responder';
  private readonly own: CbkeIdentity;
  private readonly trust: CbkeTrust;
  private readonly expectedPeer: Uint8Array | undefined;
  private phase: Phase = 'idle';
  private peerEui: Uint8Array = new Uint8Array(0);
  private peerStatic: Point | null = null;
  private ephemeralPrivate = 0n;
  private ephemeralPublic: Point | null = null;
  private qeOwn: Uint8Array = new Uint8Array(0);
  private macKey: Uint8Array = new Uint8Array(0);
  private keyData: Uint8Array = new Uint8Array(0);
  private macPeerExpected: Uint8Array = new Uint8Array(0);
  private macOwn: Uint8Array = new Uint8Array(0);
  /** the refusal, once refused */
  reason: CbkeReason | undefined;

  constructor(role: 'initiator' | 'responder', own: CbkeIdentity, trust: CbkeTrust, expectedPeer?: Uint8Array) {
    this.role = role;
    this.own = own;
    this.trust = trust;
    this.expectedPeer = expectedPeer;
  }

  /** The initiator's first command. */
  start(): KeCommand {
    if (this.role !== 'initiator' || this.phase !== 'idle') throw new Error('CbkeSession.start: only an idle initiator starts');
    this.phase = 'sent-initiate';
    return this.initiate();
  }

  get established(): boolean {
    return this.phase === 'done';
  }

  private initiate(): KeCommand {
    return { id: CMD_INITIATE, suite: SUITE_2, ephemeralDataTime: 10, confirmKeyTime: 10, certificate: this.own.certificate };
  }

  private refuse(reason: CbkeReason, status?: number, detail?: string): CbkeStep {
    this.phase = 'refused';
    this.reason = reason;
    this.ephemeralPrivate = 0n;
    const out: CbkeStep = { ok: false, reason };
    if (detail) out.detail = detail;
    if (status !== undefined) out.send = terminate(status);
    return out;
  }

  private ephemeral(): KeCommand {
    this.ephemeralPrivate = randomScalar();
    this.ephemeralPublic = multiply(G, this.ephemeralPrivate);
    this.qeOwn = encodePoint(this.ephemeralPublic as Point);
    return { id: CMD_EPHEMERAL_DATA, ephemeral: this.qeOwn };
  }

  private acceptCertificate(certificate: Uint8Array): CbkeStep | undefined {
    const d = decodeCertificate(certificate);
    if (!d.ok) return this.refuse(d.reason, TERMINATE.INVALID_CERTIFICATE);
    const want: { issuer: Uint8Array; now: number; subject?: Uint8Array } = { issuer: this.trust.issuer, now: this.trust.now() };
    if (this.expectedPeer) want.subject = this.expectedPeer;
    const c = checkCertificate(d.certificate, want);
    if (!c.ok) return this.refuse(c.reason, certificateStatus(c.reason), c.detail);
    const q = reconstructPublicKey(certificate, this.trust.caPublic);
    if (!q.ok) return this.refuse(q.reason, TERMINATE.INVALID_CERTIFICATE);
    this.peerStatic = q.publicKey;
    this.peerEui = d.certificate.subject;
    return undefined;
  }

  /** Z, the keys and both MACs, once both ephemerals are known. */
  private agree(qePeer: Uint8Array): CbkeStep | undefined {
    const pe = parsePublicKey(qePeer);
    if (!pe.ok) return this.refuse('ephemeral-key-invalid', TERMINATE.BAD_MESSAGE, pe.reason);
    const z = ecmqvSharedSecret(
      { staticPrivate: this.own.privateKey, ephemeralPrivate: this.ephemeralPrivate, ephemeralPublic: this.ephemeralPublic as Point },
      this.peerStatic as Point,
      pe.point,
    );
    this.ephemeralPrivate = 0n;
    if (!z.ok) return this.refuse(z.reason, TERMINATE.BAD_MESSAGE);
    const k = kdf(z.z);
    this.macKey = k.macKey;
    this.keyData = k.keyData;
    const u = this.role === 'initiator';
    const macs = confirmationMacs(
      k.macKey, u ? this.own.eui64 : this.peerEui, u ? this.peerEui : this.own.eui64, u ? this.qeOwn : qePeer, u ? qePeer : this.qeOwn,
    );
    this.macOwn = u ? macs.macU : macs.macV;
    this.macPeerExpected = u ? macs.macV : macs.macU;
    return undefined;
  }

  receive(c: KeCommand): CbkeStep {
    if (this.phase === 'refused' || this.phase === 'done') return { ok: false, reason: 'session-refused' };
    if (c.id === 0x03) return this.refuse('terminated-by-peer', undefined, 'status 0x' + c.status.toString(16));
    const u = this.role === 'initiator';
    if (u && this.phase === 'sent-initiate' && c.id === CMD_INITIATE) {
      const bad = this.acceptCertificate(c.certificate);
      if (bad) return bad;
      this.phase = 'sent-ephemeral';
      return { ok: true, send: this.ephemeral() };
    }
    if (!u && this.phase === 'idle' && c.id === CMD_INITIATE) {
      const bad = this.acceptCertificate(c.certificate);
      if (bad) return bad;
      this.phase = 'sent-initiate';
      return { ok: true, send: this.initiate() };
    }
    if (u && this.phase === 'sent-ephemeral' && c.id === CMD_EPHEMERAL_DATA) {
      const bad = this.agree(c.ephemeral);
      if (bad) return bad;
      this.phase = 'sent-confirm';
      return { ok: true, send: { id: CMD_CONFIRM_KEY, mac: this.macOwn } };
    }
    if (!u && this.phase === 'sent-initiate' && c.id === CMD_EPHEMERAL_DATA) {
      const send = this.ephemeral();
      const bad = this.agree(c.ephemeral);
      if (bad) return bad;
      this.phase = 'sent-ephemeral';
      return { ok: true, send };
    }
    if (c.id === CMD_CONFIRM_KEY && ((u && this.phase === 'sent-confirm') || (!u && this.phase === 'sent-ephemeral'))) {
      if (!bytesEqual(c.mac, this.macPeerExpected)) return this.refuse('key-confirmation-failed', TERMINATE.BAD_KEY_CONFIRM);
      this.phase = 'done';
      const out: CbkeStep = { ok: true, linkKey: this.keyData };
      if (!u) out.send = { id: CMD_CONFIRM_KEY, mac: this.macOwn };
      return out;
    }
    return this.refuse('unexpected-command', TERMINATE.BAD_MESSAGE, 'command ' + c.id + ' in phase ' + this.phase);
  }
}

/**
 * Runs both sides against each other in memory (tests, and the lab until the ZCL transport exists):
 * the link keys, or the first refusal and which side made it.
 */
export function runCbke(initiator: CbkeSession, responder: CbkeSession):
  | { ok: true; initiatorKey: Uint8Array; responderKey: Uint8Array; messages: number }
  | { ok: false; side: 'initiator' | 'responder'; reason: CbkeReason; detail?: string; messages: number } {
  let toResponder: KeCommand | undefined = initiator.start();
  let messages = 1;
  let initiatorKey: Uint8Array | undefined;
  let responderKey: Uint8Array | undefined;
  while (toResponder) {
    const r = responder.receive(toResponder);
    if (!r.ok) {
      if (r.send) initiator.receive(r.send);
      const out: { ok: false; side: 'responder'; reason: CbkeReason; detail?: string; messages: number } = { ok: false, side: 'responder', reason: r.reason, messages: messages + (r.send ? 1 : 0) };
      if (r.detail) out.detail = r.detail;
      return out;
    }
    if (r.linkKey) responderKey = r.linkKey;
    if (!r.send) break;
    messages++;
    const i = initiator.receive(r.send);
    if (!i.ok) {
      if (i.send) responder.receive(i.send);
      const out: { ok: false; side: 'initiator'; reason: CbkeReason; detail?: string; messages: number } = { ok: false, side: 'initiator', reason: i.reason, messages: messages + (i.send ? 1 : 0) };
      if (i.detail) out.detail = i.detail;
      return out;
    }
    if (i.linkKey) initiatorKey = i.linkKey;
    toResponder = i.send;
    if (toResponder) messages++;
  }
  if (!initiatorKey || !responderKey) throw new Error('runCbke: exchange ended without keys on both sides');
  return { ok: true, initiatorKey, responderKey, messages };
}
