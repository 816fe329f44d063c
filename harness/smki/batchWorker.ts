/**
 * Worker thread for device-certificate batches (batch.ts): checks each CS02c request of a chunk
 * (structure, proof of possession, content rules) and signs its certificate from the Issuing DCA's
 * template. One worker per core; the signing KeyObject and template are cached per Issuing DCA serial.
 * Per chunk: every request's envelope is read and its key imported first (pop.ts: WebCrypto 'raw',
 * all imports started before any is awaited), then each is verified and signed. The certificates go
 * back in one transferred buffer; 16 random bytes per serial come from one randomFillSync per chunk.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { createPrivateKey, randomFillSync, type KeyObject } from 'node:crypto';
import { deviceRules, readCsrContent, readCsrEnvelope, type CsrEnvelope, type CsrRejection } from './csr.ts';
import { maxCertificateLength, signInto, type DeviceTemplate } from './deviceTemplate.ts';
import { importPoints, verifyWith } from './pop.ts';
import { REJECTION_CODES, type JobMessage, type ResultMessage } from './batchProtocol.ts';

interface Signer {
  serial: string;
  key: KeyObject;
  template: DeviceTemplate;
  /** scratch TBS, see deviceTemplate.signInto */
  tbs: Buffer;
}
let cached: Signer | undefined;

function signerFor(m: JobMessage): Signer {
  if (!cached || cached.serial !== m.dca.serial) {
    const tbs = Buffer.from(m.dca.template.tbs);
    cached = {
      serial: m.dca.serial,
      key: createPrivateKey({ key: Buffer.from(m.dca.keyPkcs8), format: 'der', type: 'pkcs8' }),
      template: { ...m.dca.template, tbs },
      tbs: Buffer.from(tbs),
    };
  }
  return cached;
}

const code = (reason: CsrRejection) => REJECTION_CODES.indexOf(reason) + 1;

async function run(m: JobMessage): Promise<ResultMessage> {
  const s = signerFor(m); // taken now: a later chunk for another Issuing DCA may replace `cached`
  const n = m.offsets.length - 1;
  const status = new Uint8Array(n);
  const csrs: Uint8Array[] = new Array(n);
  const envs: (CsrEnvelope | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    csrs[i] = m.csrs.subarray(m.offsets[i]!, m.offsets[i + 1]!);
    const e = readCsrEnvelope(csrs[i]!);
    if (e.ok) envs[i] = e.value;
    else status[i] = code(e.reason);
  }
  const keys = await importPoints(envs.map((e) => e?.point));
  const random = randomFillSync(Buffer.allocUnsafe(16 * n));
  const certs = Buffer.from(new ArrayBuffer(n * maxCertificateLength(s.template)));
  const certOffsets = new Uint32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = envs[i];
    if (e) {
      const key = keys[i];
      if (!key) status[i] = code('unsupported-key');
      else if (!verifyWith(key, e.signed, e.signature)) status[i] = code('proof-of-possession-failed');
      else {
        const c = readCsrContent(csrs[i]!, e);
        const r = c.ok ? deviceRules(c.value) : c;
        if (!r.ok) status[i] = code(r.reason);
        else total += signInto(s.template, s.key, s.tbs, random.subarray(16 * i), r.value.point, r.value.eui, r.value.keyUsage, m.notBefore, certs, total);
      }
    }
    certOffsets[i + 1] = total;
  }
  return { id: m.id, status, certs: new Uint8Array(certs.buffer, 0, total), certOffsets };
}

// A failure is left unhandled: it ends the worker with an 'error' event, which fails the run (batch.ts).
parentPort!.on('message', (m: JobMessage) => {
  void run(m).then((reply) => {
    parentPort!.postMessage(reply, [reply.status.buffer as ArrayBuffer, reply.certs.buffer as ArrayBuffer, reply.certOffsets.buffer as ArrayBuffer]);
  });
});
