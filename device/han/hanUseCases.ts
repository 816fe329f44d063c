/**
 * The HAN devices that are neither meter nor hub — PPMID, IHD, HCALCS — as kinds of the one device runtime
 * (their use-case table, pipeline/useCases.ts `UseCaseTable`), with the use cases GBCS gives them that the RTDS sample shows (11.2_CS08):
 * - CS08 Read PPMID/HCALCS Firmware Version (0x0129): content ASN.1 NULL (05 00); response
 *   SEQUENCE { OCTET STRING firmware version, INTEGER 0 } (RTDS: `30 09 04 04 0123ABCD 02 01 00`), the
 *   version of the image the board runs (firmwareUpdate/bootSelector.ts). CS08 names PPMID and HCALCS only:
 *   an IHD answers it as RTDS's error response does, version 00000000 and result 1;
 * - the use cases every device carries out (pipeline/useCases.ts `commonHandlerFor`);
 * - everything else gets the "cannot" answer (e.g. CS03/CS04 pairing until the join store lands).
 * @module
 */
import { derOctetString, derSequence, derSmallInteger } from '../../gbcs/der.ts';
import { runningVersion } from '../firmwareUpdate/bootSelector.ts';
import type { CommandContext, Execution, Handler } from '../pipeline/commandContext.ts';
import { commonHandlerFor, executorFor, unsupported } from '../pipeline/useCases.ts';
import type { UseCaseTable } from '../pipeline/useCases.ts';
import { registerUseCases } from '../pipeline/useCaseTables.ts';

export const MESSAGE_CODE_CS08 = 0x0129;

function readFirmwareVersion(supported: boolean): Handler {
  return function (ctx: CommandContext): Execution {
    const c = ctx.message.content;
    if (c.length !== 2 || c[0] !== 0x05 || c[1] !== 0x00) return { ok: false, detail: 'CS08 content is not ASN.1 NULL' };
    if (!supported) return { ok: true, content: derSequence([derOctetString(new Uint8Array(4)), derSmallInteger(1)]) };
    return { ok: true, content: derSequence([derOctetString(runningVersion(ctx.tx)), derSmallInteger(0)]) };
  };
}

/** The use cases of a PPMID, IHD or HCALCS (`name` is the GBCS device type). */
export function hanUseCases(name: 'PPMID' | 'IHD' | 'HCALCS'): UseCaseTable {
  const cs08 = readFirmwareVersion(name !== 'IHD');
  return {
    handlerFor: function (code: number): Handler {
      if (code === MESSAGE_CODE_CS08) return cs08;
      return commonHandlerFor(code) || unsupported;
    },
    executorFor: executorFor,
  };
}

/**
 * Registers the PPMID's, IHD's and HCALCS's tables with the runtime (pipeline/useCaseTables.ts): a firmware
 * (or a harness) that makes or runs these devices calls it once; the meters' bundles leave it out.
 */
export function carryHanKinds(): void {
  registerUseCases('PPMID', hanUseCases('PPMID'));
  registerUseCases('IHD', hanUseCases('IHD'));
  registerUseCases('HCALCS', hanUseCases('HCALCS'));
}
