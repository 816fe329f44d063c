/**
 * A GBCS message as people read it: the codec's decode (gbcs/message.ts) laid out field by field,
 * with the message-code table's use case and title (messageCodes.ts, messageTitles.ts). For the report.
 * @module
 */
import { toHex } from '../../lib/bytes.ts';
import { counterToHex } from '../../gbcs/counter64.ts';
import { decodeMessage } from '../../gbcs/message.ts';
import { messageCodeInfo } from '../../gbcs/messageCodes.ts';
import { messageTitle } from '../../gbcs/messageTitles.ts';
import { describeRejection } from '../../gbcs/reject.ts';

const CRA = ['', 'command', 'response', 'alert'];

/** [field, value] rows; one row saying why when the bytes do not decode. */
export function messageFields(bytes: Uint8Array): Array<[string, string]> {
  const m = decodeMessage(bytes);
  if (!m.ok) return [['decode', 'does not decode: ' + describeRejection(m)]];
  const gs = m.gs;
  const code = gs.messageCode;
  const info = messageCodeInfo(code);
  const rows: Array<[string, string]> = [
    ['wrapper', m.wrapper === 'ciphered' ? 'General Ciphering (DD) with a MAC' : gs.signatureForm === 'absent' ? 'General Signing (DF), pre-command: no signature field' : 'General Signing (DF)'],
    ['CRA', gs.cra + ' (' + (CRA[gs.cra] ?? '?') + ')'],
    ['originator counter', counterToHex(gs.counter)],
    ['originator', toHex(gs.originator).toUpperCase()],
    ['recipient', toHex(gs.recipient).toUpperCase()],
    ['message code', '0x' + ('000' + code.toString(16).toUpperCase()).slice(-4) + (info ? ' ' + info.useCase + (info.critical ? ' (critical)' : ' (non-critical)') : ' (unknown)') + (messageTitle(code) ? ': ' + messageTitle(code) : '')],
  ];
  if (gs.dateTime) rows.push(['date-time', toHex(gs.dateTime)]);
  if (gs.supplementary) rows.push(['supplementary remote party', toHex(gs.supplementary.remoteParty).toUpperCase()]);
  rows.push(['content (' + gs.content.length + ' bytes)', toHex(gs.content)]);
  rows.push(['signature', gs.signatureForm === 'ecdsa' ? 'ECDSA r||s ' + toHex(m.signature!) : gs.signatureForm === 'null' ? 'none (00)' : 'absent (pre-command)']);
  if (m.mac) rows.push(['MAC', toHex(m.mac)]);
  return rows;
}
