/** Messages between batch.ts and batchWorker.ts. @module */
import type { CsrRejection } from './csr.ts';
import type { DeviceTemplate } from './deviceTemplate.ts';

export const REJECTION_CODES: CsrRejection[] = [
  'malformed', 'unsupported-signature-algorithm', 'unsupported-key', 'proof-of-possession-failed', 'subject-not-empty',
  'bad-subject', 'missing-key-usage', 'bad-key-usage', 'missing-hardware-module-name', 'bad-hardware-module-name', 'unexpected-extension',
];

export interface JobMessage {
  id: number;
  dca: { serial: string; keyPkcs8: Uint8Array; template: Omit<DeviceTemplate, 'tbs'> & { tbs: Uint8Array } };
  notBefore: string;
  csrs: Uint8Array;
  offsets: Uint32Array;
}
export interface ResultMessage {
  id: number;
  /** 0 issued, else 1 + index in REJECTION_CODES */
  status: Uint8Array;
  certs: Uint8Array;
  certOffsets: Uint32Array;
}
