/**
 * The Gas Proxy Function as a kind of the one device runtime (its use-case table, device/pipeline/useCases.ts;
 * GBCS §13.8,
 * RTDS 4.1.4, 4.3, 4.14, 4.18, 6.21, 8.12.2): which use cases the GPF carries out itself:
 * - GCS59 Restore GPF Device Log (gbcs/contents/hub/gpfDeviceLog.ts; hub/gpf.ts);
 * - the reads of GSME data answered from the GPF's copy (hub/gpf.ts), without waking the GSME: GCS13a/b/c,
 *   GCS14, GCS15c, GCS16a/b, GCS60, GCS60a. The copy holds, per use case, the content the GSME last
 *   published (hub/gsmeMailbox.ts); the response carries it with the command's own invoke/sequence
 *   numbers left as the GSME wrote them (UNCONFIRMED: GBCS's rules for refreshing the copy are not in our
 *   texts). A read with no copy yet gets the "cannot" answer;
 * - the use cases every device carries out (CS02b handovers, CS02c/d/e, CS06, ECS52);
 * - everything else: the "cannot" answer. Commands that must run on the GSME are addressed to the GSME
 *   and queued for it by the hub's router (hub/router.ts), not run here.
 * @module
 */
import { commonExecutorFor, commonHandlerFor, unsupported } from '../device/index.ts';
import type { CommandContext, Execution, Handler, UseCaseTable } from '../device/index.ts';
import { decodeGcs59Command, encodeGcs59Response, GCS59_REFUSED, GCS59_SUCCESS, MESSAGE_CODE_GCS59 } from '../gbcs/contents/hub/gpfDeviceLog.ts';
import { mirroredData, stageRestoreGpfLog } from './gpf.ts';

/** GSME reads the GPF answers from its copy (message codes, gbcs/messageCodes.ts). */
export const READ_FROM_COPY = [0x0074, 0x0075, 0x0076, 0x0077, 0x0096, 0x00b8, 0x00b9, 0x008d, 0x012a];

function restoreLog(ctx: CommandContext): Execution {
  const entries = decodeGcs59Command(ctx.message.content);
  if (!Array.isArray(entries)) return { ok: false, detail: entries.reason + ' at ' + entries.at };
  const done = stageRestoreGpfLog(ctx.tx, entries);
  const results: number[] = [];
  for (let i = 0; i < entries.length; i++) results.push(done ? GCS59_SUCCESS : GCS59_REFUSED);
  return { ok: true, content: encodeGcs59Response(entries, results) };
}

function fromCopy(ctx: CommandContext): Execution {
  const copy = mirroredData(ctx.tx, ctx.message.gs.messageCode);
  return copy ? { ok: true, content: copy } : unsupported(ctx);
}

export function gpfUseCases(): UseCaseTable {
  return {
    handlerFor: function (code: number): Handler {
      if (code === MESSAGE_CODE_GCS59) return restoreLog;
      if (READ_FROM_COPY.indexOf(code) >= 0) return fromCopy;
      return commonHandlerFor(code) || unsupported;
    },
    executorFor: commonExecutorFor,
  };
}
