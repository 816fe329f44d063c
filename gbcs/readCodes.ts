/**
 * The GBCS message codes of read use cases: those whose title begins "Read " (gbcs/messageTitles.ts).
 * Kept apart as 4-hex-digit codes (360 bytes) so that firmware deciding "is this code a read?" does not
 * carry every title (~12 kB of text, heap that JerryScript's 256 KiB build does not have to spare).
 * test/messageCodes.test.ts checks it against the titles.
 * @module
 */
const READ_CODES =
  '0004001300140026002700280029002A002B002C002D002E002F00300033003400350036003700380039003A003B003C' +
  '003D003E003F0040004200480049004E00520059005E00600069007400750076007700780079007B008200840089008D' +
  '0092009300940096009D009E009F00A000A100B500B600B800B900BA00BB00BC00BD00BE00BF00C300C400C500C600C9' +
  '00D900DA00EE00EF00F100F900FA00FB00FD00FE010A010B010C010F011C011D0129012A';

/** Whether message code `code` is a read use case's. */
export function isReadCode(code: number): boolean {
  if (!(code >= 0 && code <= 0xffff)) return false;
  let h = code.toString(16).toUpperCase();
  while (h.length < 4) h = '0' + h;
  for (let i = 0; i < READ_CODES.length; i += 4) if (READ_CODES.substring(i, i + 4) === h) return true;
  return false;
}

/** Every read code, for tests. */
export function readCodes(): number[] {
  const out: number[] = [];
  for (let i = 0; i < READ_CODES.length; i += 4) out.push(parseInt(READ_CODES.substring(i, i + 4), 16));
  return out;
}
