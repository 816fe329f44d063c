/**
 * The Communications Hub Function as a kind of the one device runtime (its use-case table, device/pipeline/
 * useCases.ts `UseCaseTable`): the
 * GBCS security pipeline (MAC, counters, roles, security log, responses) is the runtime's; this file only
 * says which use cases the CHF carries out, by message code (GBCS use-case texts; RTDS 6.13, 6.31, 6.32,
 * 8.9, 8.11, NA_CS02bWPByWP):
 * - CCS01, CCS02, CCS03, CCS05/CCS04, CCS06, CCS07: the CHF device log (hub/chf.ts), staged in the
 *   command's own transaction; when the log changed, the CS14 alert (message code 0x0018, alert code
 *   0x8F12, the whole log) to the command's originator, its device counter in the same commit;
 * - ECS35d Read CHF Security Log: the runtime's security log, as ECS35b reads an ESME's;
 * - the use cases every device carries out (CS02b including wanProviderByWanProvider, CS02c/d/e, CS06, ECS52);
 * - everything else, including ECS35c (the CHF keeps no event log yet) and DBCH01/DBCH02 (this CHF has no
 *   Sub GHz radio), gets the runtime's answer for an instruction the device cannot carry out.
 * @module
 */
import { commonExecutorFor, commonHandlerFor, readSecurityLog, unsupported } from '../device/index.ts';
import type { CommandContext, Execution, Handler, UseCaseTable } from '../device/index.ts';
import { MESSAGE_CODE_CS14 } from '../gbcs/contents/hub/chfDeviceLog.ts';
import type { Counter64 } from '../gbcs/counter64.ts';
import { cs14AlertContent, isDeviceLogCode, stageDeviceLogCommand } from './chf.ts';
import type { LinkStats } from './chf.ts';

export const MESSAGE_CODE_ECS35D = 0x0094;

function deviceLogHandler(stats: LinkStats): Handler {
  return function (ctx: CommandContext): Execution {
    const now = ctx.board.clock.nowSec();
    const sha256 = ctx.board.crypto.sha256;
    const r = stageDeviceLogCommand(ctx.tx, sha256, now, ctx.message.gs.messageCode, ctx.message.content, stats);
    if (!r.ok) return { ok: false, detail: r.reason + ' at ' + r.at };
    if (!r.changed) return { ok: true, content: r.response };
    const tx = ctx.tx;
    return {
      ok: true,
      content: r.response,
      alerts: [
        {
          messageCode: MESSAGE_CODE_CS14,
          recipient: ctx.message.gs.originator,
          content: function (counter: Counter64) {
            return cs14AlertContent(tx, sha256, counter, now);
          },
        },
      ],
    };
  };
}

/**
 * The CHF's use cases. `stats`: the link figures the CHF keeps in RAM per HAN device (CCS05/CCS06; not stored, see
 * hub/deviceLog.ts), shared with the HAN side that measures them.
 */
export function chfUseCases(stats?: LinkStats): UseCaseTable {
  const log = deviceLogHandler(stats || {});
  return {
    handlerFor: function (code: number): Handler {
      if (isDeviceLogCode(code)) return log;
      if (code === MESSAGE_CODE_ECS35D) return readSecurityLog;
      return commonHandlerFor(code) || unsupported;
    },
    executorFor: commonExecutorFor,
  };
}
