/**
 * The message-code table on every engine: look-ups decode the packed table the same way everywhere, and
 * the table's size shows in the engine's memory figure (Espruino's variable pool).
 * @module
 */
import { messageCodeInfo, messageCodesFor } from '../../gbcs/messageCodes.ts';
import { equal, ok } from './assert.ts';
import type { Suite } from './selftest.ts';

export const suite: Suite = {
  name: 'messageCodes',
  // Own bundle: the default self-test bundle is near Espruino's pool limit (its storage cases peak at ~5,600
  // of 12,000 variables when run from a file); this suite alone measures the table's cost.
  bundle: 'selftest-gbcs',
  cases: [
    {
      name: 'CS06, ECS52, alerts and CS02b decode',
      run() {
        const a = messageCodeInfo(0x0012);
        ok(a, '0x0012 known');
        equal(a!.useCase, 'CS06', '0x0012 use case');
        equal(a!.critical, true, '0x0012 critical');
        equal(a!.command, 'signed-and-mac', '0x0012 command');
        equal(a!.response, 'signed', '0x0012 response');
        equal(a!.originators.join(','), 'supplier', '0x0012 originators');
        const b = messageCodeInfo(0x0059);
        equal(b!.useCase + ' ' + b!.critical + ' ' + b!.command + ' ' + b!.devices.join('+'), 'ECS52 false mac ESME+CHF', '0x0059');
        equal(messageCodeInfo(0x00cc)!.alert, 'signed', '0x00CC alert');
        equal(messageCodeInfo(0x1001)!.alert, 'mac', '0x1001 alert');
        equal(messageCodeInfo(0x0104)!.command + '/' + messageCodeInfo(0x0104)!.response, 'mac/signed', '0x0104');
        const f = messageCodeInfo(0x011b)!;
        equal(f.variant ? f.variant.command + ' ' + f.variant.originators.join(',') : 'none', 'signed supplier,transCoS', 'CS02f variant');
        equal(messageCodesFor('CS02b').length, 11, 'CS02b codes');
        equal(messageCodesFor('ccs04').join(','), '4', 'CCS04 shares 0x0004');
      },
    },
    {
      name: 'unknown codes give undefined',
      run() {
        const bad = [0, 5, 0x0125, 0x2000, 0xffff, -1, 0x10012];
        for (let i = 0; i < bad.length; i++) equal(messageCodeInfo(bad[i]), undefined, 'code ' + bad[i]);
        let n = 0;
        for (let c = 0; c < 0x130; c++) if (messageCodeInfo(c)) n++;
        equal(n, 237, 'codes below 0x130');
      },
    },
  ],
};
