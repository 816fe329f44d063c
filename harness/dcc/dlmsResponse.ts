/**
 * Reading a device's DLMS access-response (IEC 62056-5-3 ACCESS service, GBCS §8): the invoke id it
 * echoes, one Data per specification, and one result per specification. Only the Data types the lab's
 * use cases return are decoded (null, array, structure, octet-string, integers, enum); anything else is
 * a typed failure, never a guess.
 * ```
 * access-response = DA long-invoke-id(4) date-time(00) 00 count {Data}* count {kind result}*
 * ```
 * @module
 */

export type DlmsData = null | number | Uint8Array | DlmsData[];

export interface AccessResponse {
  invokeId: Uint8Array;
  data: DlmsData[];
  results: Array<{ kind: number; result: number }>;
}

function readData(c: Uint8Array, at: number): { value: DlmsData; next: number } | undefined {
  if (at >= c.length) return undefined;
  const tag = c[at];
  const need = (n: number) => (at + 1 + n <= c.length ? true : false);
  switch (tag) {
    case 0x00: return { value: null, next: at + 1 };
    case 0x01:
    case 0x02: {
      if (!need(1)) return undefined;
      const n = c[at + 1];
      const out: DlmsData[] = [];
      let p = at + 2;
      for (let i = 0; i < n; i++) {
        const e = readData(c, p);
        if (!e) return undefined;
        out.push(e.value);
        p = e.next;
      }
      return { value: out, next: p };
    }
    case 0x09: {
      if (!need(1)) return undefined;
      const n = c[at + 1];
      if (n > 0x7f || at + 2 + n > c.length) return undefined;
      return { value: c.subarray(at + 2, at + 2 + n), next: at + 2 + n };
    }
    case 0x06: return need(4) ? { value: ((c[at + 1] << 24) >>> 0) + (c[at + 2] << 16) + (c[at + 3] << 8) + c[at + 4], next: at + 5 } : undefined;
    case 0x12: return need(2) ? { value: (c[at + 1] << 8) | c[at + 2], next: at + 3 } : undefined;
    case 0x11:
    case 0x16:
    case 0x0f: return need(1) ? { value: c[at + 1], next: at + 2 } : undefined;
    default: return undefined;
  }
}

/** Decodes an access-response, or says why it is not one. */
export function readAccessResponse(c: Uint8Array): AccessResponse | string {
  if (c.length < 8 || c[0] !== 0xda) return 'not a DLMS access-response (DA)';
  let at = 5;
  if (c[at] !== 0x00) return 'unexpected date-time in the access-response';
  at += 2;
  const n = c[at++];
  const data: DlmsData[] = [];
  for (let i = 0; i < n; i++) {
    const d = readData(c, at);
    if (!d) return 'undecodable DLMS Data at byte ' + at;
    data.push(d.value);
    at = d.next;
  }
  if (at >= c.length) return 'no result list';
  const m = c[at++];
  if (at + 2 * m !== c.length) return 'result list length does not match';
  const results: Array<{ kind: number; result: number }> = [];
  for (let i = 0; i < m; i++) results.push({ kind: c[at + 2 * i], result: c[at + 2 * i + 1] });
  return { invokeId: c.subarray(1, 5), data, results };
}
