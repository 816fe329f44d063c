/**
 * A device kind: what makes an ESME, a CHF or a GPF different inside the ONE device runtime (runtime.ts)
 * and its one security pipeline (commandPipeline.ts): the use cases it carries out, by message code, and
 * the executors of the future-dated actions it schedules. Everything else (authentication, counters, the
 * security log, responses, alerts, power-cut safety) is the runtime's, the same for every kind.
 *
 * GBCS device types (GBCS §4 "Device types"): ESME, GSME, CHF, GPF, PPMID, IHD, HCALCS. The ESME kind is
 * `ESME_KIND` (pipeline/useCases.ts); the hub's kinds are registered in hub/ (hub/kinds.ts) and reach the
 * runtime through `openDevice(board, secrets, kind)`.
 * @module
 */
import type { Handler } from './commandContext.ts';
import type { DueExecutor } from './futureDated.ts';

export interface DeviceKind {
  /** The GBCS device type: 'ESME', 'GSME', 'CHF', 'GPF', 'PPMID', 'IHD', 'HCALCS'. */
  name: string;
  /** The handler of an authenticated, authorised command (an unsupported code gets the kind's "cannot" answer). */
  handlerFor(code: number): Handler;
  /** The executor of a due future-dated action of `kind` (pipeline/futureDated.ts); undefined leaves it pending. */
  executorFor(kind: string): DueExecutor | undefined;
}
