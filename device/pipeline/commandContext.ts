/**
 * The use-case contract: what the command pipeline (commandPipeline.ts) hands a handler once a command is
 * authenticated and authorised, and what the handler answers. Apart from the pipeline so that the use
 * cases (credentials, firmware, ...) depend on this contract and not on the pipeline that calls them,
 * which itself depends on some of them (CS02b contingency's authority).
 * @module
 */
import type { Board } from '../../boards/board.ts';
import type { GbcsMessage } from '../../gbcs/message.ts';
import type { MessageCodeInfo } from '../../gbcs/messageCodes.ts';
import type { SharedSecrets } from '../../gbcs/protection/sharedSecrets.ts';
import type { Identity } from '../state/identity.ts';
import type { StateTx } from '../state/stateTx.ts';
import type { AlertSpec } from '../alerts/alertSender.ts';

/** What the pipeline hands a use-case handler once a command is authenticated and authorised. */
export interface CommandContext {
  board: Board;
  /** The device's ECDH secret cache (one per device, over the board's ecdh). */
  secrets: SharedSecrets;
  tx: StateTx;
  identity: Identity;
  message: GbcsMessage;
  info: MessageCodeInfo;
  /** The originator's remote party role number. */
  role: number;
  /** Whether the command was handled in its critical form (signed response). */
  critical: boolean;
}

/**
 * A handler's answer: the response content, or a refusal that leaves state unchanged (nothing sent).
 * `alerts`: alerts the command raises (e.g. the CHF's CS14 when CCS01 changed its log); the pipeline stages
 * their device counters in the command's one commit and the runtime sends them after the response.
 * A refusal is 'execution-refused' with its detail, or 'storage-full' (`reason`) when something the handler
 * had to store on its own first (CS02c: the random source's state) did not fit.
 */
export type Execution = { ok: true; content: Uint8Array; alerts?: AlertSpec[] } | { ok: false; detail: string; reason?: 'storage-full' };

export type Handler = (ctx: CommandContext) => Execution;
