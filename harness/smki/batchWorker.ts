/**
 * Worker thread for device-certificate batches (batch.ts): checks each CS02c request (structure,
 * proof of possession) and signs its certificate from the Issuing DCA's template. One worker per
 * core; the signing KeyObject and template are cached per Issuing DCA serial.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { checkDeviceCsr } from './csr.ts';
import { issueFromTemplate, type DeviceTemplate } from './deviceTemplate.ts';
import { REJECTION_CODES, type JobMessage, type ResultMessage } from './batchProtocol.ts';

let cached: { serial: string; key: KeyObject; template: DeviceTemplate } | undefined;

parentPort!.on('message', (m: JobMessage) => {
  if (!cached || cached.serial !== m.dca.serial) {
    cached = {
      serial: m.dca.serial,
      key: createPrivateKey({ key: Buffer.from(m.dca.keyPkcs8), format: 'der', type: 'pkcs8' }),
      template: { ...m.dca.template, tbs: Buffer.from(m.dca.template.tbs) },
    };
  }
  const n = m.offsets.length - 1;
  const status = new Uint8Array(n);
  const out: Buffer[] = [];
  const certOffsets = new Uint32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const csr = m.csrs.subarray(m.offsets[i]!, m.offsets[i + 1]!);
    const r = checkDeviceCsr(csr);
    if (!r.ok) {
      status[i] = REJECTION_CODES.indexOf(r.reason) + 1;
    } else {
      const c = issueFromTemplate(cached.template, cached.key, r.value.point, r.value.eui, r.value.keyUsage, m.notBefore);
      out.push(c.der);
      total += c.der.length;
    }
    certOffsets[i + 1] = total;
  }
  const certs = Buffer.concat(out, total);
  const reply: ResultMessage = { id: m.id, status, certs: new Uint8Array(certs.buffer, certs.byteOffset, certs.length), certOffsets };
  parentPort!.postMessage(reply);
});
