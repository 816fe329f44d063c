/**
 * A SMETS2 device's security core: manufacture (identity, key pairs, trust anchors, one commit) and the
 * frame handler that runs every received GBCS frame through the command pipeline and answers accepted
 * commands. The device knows only its Board: frames arrive on `board.link` and responses leave on it.
 *
 * Lab use:
 *   const r = manufactureDevice(board, { eui, environment: 'test', anchors: [{ cell, certificate }] });
 *   const device = openDevice(board);          // undefined if never manufactured
 *   device.attach();                           // answer frames from board.link
 *   const answer = device.receive(frame);      // or drive it directly: { outcome, response?, alerts }
 *   device.tick();                             // from the board's wake-up: due future-dated actions
 * @module
 */
import type { Board } from '../boards/board.ts';
import { runPipeline } from './pipeline/commandPipeline.ts';
import type { PipelineOutcome } from './pipeline/commandPipeline.ts';
import { buildResponse } from './pipeline/responder.ts';
import { sharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import type { SharedSecrets } from '../gbcs/protection/sharedSecrets.ts';
import { executorFor, handlerFor } from './pipeline/useCases.ts';
import { runDueActions } from './pipeline/futureDated.ts';
import { generatePrivateKey } from './credentials/deviceCredentials.ts';
import { readIdentity, writeIdentity } from './state/identity.ts';
import { addIssuingDca } from './state/issuingDcas.ts';
import type { DcaRejection } from './state/issuingDcas.ts';
import type { Environment, Identity } from './state/identity.ts';
import { StateTx } from './state/stateTx.ts';
import { cellFromCertificate, describeCell, writeCell } from './state/trustAnchors.ts';
import type { CellId, CellRejection } from './state/trustAnchors.ts';

export interface AnchorSpec {
  cell: CellId;
  /** The organisation (or root) certificate, DER. */
  certificate: Uint8Array;
  /**
   * Root cell only: accept an Issuing OCA certificate (OU 07) in the root cell as a stand-in trust anchor
   * when the Root OCA certificate is not available (reference replay). Certification paths are then
   * checked up to that CA. Manufacture-time only: no command can set it.
   */
  standIn?: boolean;
}

export interface ManufactureSpec {
  eui: Uint8Array;
  environment: Environment;
  /** Private keys; generated on the board when absent. */
  dsPrivate?: Uint8Array;
  kaPrivate?: Uint8Array;
  dsCertificate?: Uint8Array;
  kaCertificate?: Uint8Array;
  anchors: AnchorSpec[];
  /** Issuing DCA certificates whose device certificates CS02d accepts (state/issuingDcas.ts). */
  issuingDcas?: Uint8Array[];
}

export type ManufactureResult = { ok: true; identity: Identity } | { ok: false; reason: CellRejection | DcaRejection | 'bad-eui' | 'already-manufactured'; cell?: string };

export { generatePrivateKey };

/** Writes a new device's identity and trust anchors in one commit. Every anchor is checked first. */
export function manufactureDevice(board: Board, spec: ManufactureSpec): ManufactureResult {
  if (readIdentity(board.storage)) return { ok: false, reason: 'already-manufactured' };
  if (spec.eui.length !== 8) return { ok: false, reason: 'bad-eui' };
  const tx = new StateTx(board.storage);
  for (let i = 0; i < spec.anchors.length; i++) {
    const a = spec.anchors[i];
    const r = cellFromCertificate(a.cell, a.certificate, spec.environment, a.standIn === true);
    if (!r.ok) return { ok: false, reason: r.reason, cell: describeCell(a.cell) };
    writeCell(tx, r.cell);
  }
  const dcas = spec.issuingDcas || [];
  for (let i = 0; i < dcas.length; i++) {
    const d = addIssuingDca(tx, dcas[i], spec.environment);
    if (!d.ok) return { ok: false, reason: d.reason };
  }
  const id: Identity = {
    eui: spec.eui,
    environment: spec.environment,
    dsPrivate: spec.dsPrivate || generatePrivateKey(board),
    kaPrivate: spec.kaPrivate || generatePrivateKey(board),
  };
  if (spec.dsCertificate) id.dsCertificate = spec.dsCertificate;
  if (spec.kaCertificate) id.kaCertificate = spec.kaCertificate;
  writeIdentity(tx, id);
  tx.commit();
  return { ok: true, identity: id };
}

export interface DeviceAnswer {
  outcome: PipelineOutcome;
  /** The response frame sent for an accepted command (absent when rejected, or when no key to MAC it). */
  response?: Uint8Array;
  /** Why an accepted command got no response. */
  responseProblem?: string;
  /** Alerts raised while handling the frame, in order (after the response): e.g. a refused command's security alert. */
  alerts: Uint8Array[];
}

export class SmetsDevice {
  readonly board: Board;
  /** Static-static ECDH secrets with each remote party, computed once (security/sharedSecrets.ts). */
  readonly secrets: SharedSecrets;

  /**
   * `secrets`: a cache to use instead of a fresh one. A real device starts each power-up with an empty
   * cache; a test that makes many devices with the same keys (power-cut sweeps) may share one, since Z is
   * a pure function of the two keys and the cache holds nothing else (on Espruino one ECDH takes ~18 s).
   */
  constructor(board: Board, secrets?: SharedSecrets) {
    this.board = board;
    this.secrets = secrets || sharedSecrets(board.crypto.ecdh);
  }

  /** The identity as stored now (CS02d may change the device's keys). */
  identity(): Identity {
    const id = readIdentity(this.board.storage);
    if (!id) throw new Error('SmetsDevice: the device has not been manufactured');
    return id;
  }

  /**
   * Runs one frame through the pipeline; returns what happened, the response frame, if any, and the
   * alerts raised: those of future-dated actions that fell due before the frame (run first, so the
   * command sees their effect), then the frame's own (a refused command's security alert).
   */
  receive(frame: Uint8Array): DeviceAnswer {
    const identity = this.identity();
    const alerts = runDueActions(this.board, this.secrets, identity, executorFor);
    const outcome = runPipeline(this.board, this.secrets, identity, frame, handlerFor);
    if (!outcome.ok) {
      if (outcome.alert) alerts.push(outcome.alert);
      return { outcome: outcome, alerts: alerts };
    }
    const r = buildResponse(this.board, this.secrets, identity, outcome);
    if (!r.ok) return { outcome: outcome, responseProblem: r.reason, alerts: alerts };
    return { outcome: outcome, response: r.frame, alerts: alerts };
  }

  /**
   * Time-driven work: runs the future-dated actions now due (pipeline/futureDated.ts), sends their alerts
   * on the board's link and returns them. The board calls it when it wakes (JerryScript has no timers;
   * nothing in the firmware schedules itself); `receive` and `openDevice` (boot) check as well.
   */
  tick(): Uint8Array[] {
    const alerts = runDueActions(this.board, this.secrets, this.identity(), executorFor);
    for (let i = 0; i < alerts.length; i++) this.board.link.send(alerts[i]);
    return alerts;
  }

  /** Answers frames arriving on the board's link: the response, then any alerts, go back on it. */
  attach(): void {
    const self = this;
    this.board.link.onFrame(function (frame: Uint8Array) {
      const a = self.receive(frame);
      if (a.response) self.board.link.send(a.response);
      for (let i = 0; i < a.alerts.length; i++) self.board.link.send(a.alerts[i]);
    });
  }
}

/**
 * The device on this board, or undefined if it was never manufactured. Boot: future-dated actions that
 * fell due while the power was off run now and their alerts go out on the link.
 */
export function openDevice(board: Board, secrets?: SharedSecrets): SmetsDevice | undefined {
  if (!readIdentity(board.storage)) return undefined;
  const device = new SmetsDevice(board, secrets);
  device.tick();
  return device;
}
