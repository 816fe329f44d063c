/**
 * The RTDS round trip on every engine: each sampled RTDS 4.5.0 file decodes and re-encodes byte for
 * byte. The sample (369 KB of hex) is split into self-test bundles of about 24 KB of hex each
 * (`selftest-rtds-01` ...), by use-case folder, so each fits Espruino's 12,000-variable pool and
 * JerryScript's 256 KiB heap with the codec. test/codecChunks.test.ts checks that the chunks cover
 * every folder of the sample exactly once.
 * @module
 */
import { fromHex } from '../../lib/bytes.ts';
import { decodeMessage, encodeMessage } from '../../gbcs/message.ts';
import { bytesEqual } from '../../lib/bytes.ts';
import { describeRejection } from '../../gbcs/reject.ts';
import type { Suite } from './selftest.ts';

export const RTDS_DIR = 'rtds/RTDS-4.5.0/';

/** Use-case folders of the sample, grouped into one self-test bundle each (about 24 KB of hex). */
export const RTDS_CHUNKS: string[][] = [
  ['1.2.1_ECS01b', '1.2.1_GCS01b'],
  ['1.5_ECS04a', '1.6_ECS03', '1.6_GCS02', '11.2_CS08', '11.2_ECS52', '11.2_GCS38', '11.3_CS06', '14.1_GCS31'],
  ['2.1_ECS08'],
  ['2.1_ECS08a'],
  ['2.1_GCS05', '2.2_CS01b', '2.3_ECS07', '2.3_GCS04', '2.5_ECS09', '2.5_GCS06', '3.1_ECS10', '3.1_GCS07', '3.2_ECS12', '3.3_ECS15a', '3.3_ECS15c', '3.4_ECS16', '3.4_GCS44', '3.5_ECS14'],
  ['4.1.1_ECS17b', '4.1.2_ECS17d', '4.1.3_ECS17e', '4.1.4_GCS13b', '4.11.1_ECS24', '4.11.1_GCS21f', '4.11.2_ECS24b', '4.12.2_ECS18a', '4.13_GCS21b'],
  ['4.14_ECS21b', '4.14_GCS16b', '4.15_ECS27', '4.16_ECS17c', '4.18_GCS60', '4.18_GCS60a', '4.2_ECS17a', '4.3_ECS19', '4.3_GCS14'],
  ['4.4.2_ECS20b', '4.4.2_GCS15b', '4.4.3_ECS20c', '4.4.4_ECS20a', '4.4.4_GCS15d', '4.4.5_ECS20d', '4.4.5_GCS15e'],
  ['4.6.1_ECS21a', '4.6.1_GCS16a', '4.6.2_ECS21c', '4.8.1_ECS22b', '4.8.3_ECS22a', '6.11_ECS70', '6.11_GCS28', '6.12_ECS34'],
  ['6.13_CS10b', '6.13_ECS35a', '6.13_ECS35c', '6.13_ECS35d', '6.13_ECS35f', '6.13_ECS35g', '6.14.1_ECS46a', '6.15.1_CS02bNOByNO'],
  ['6.15.1_CS02gLoadControllerBySupplier'],
  ['6.18.1_ECS37', '6.2.10_ECS25r1', '6.2.10_ECS25r2', '6.2.1_ECS26b', '6.2.2_ECS26c', '6.2.3_ECS26d', '6.2.3_ECS26l', '6.2.3_GCS21k', '6.2.4_GCS21e', '6.2.7_ECS40', '6.2.8_GCS21a', '6.2.9_ECS26j', '6.2.9_GCS21j', '6.20.2_ECS39b', '6.21_CS02bNOByNOHandover', '6.21_CS02bSupplierBySupplierHandover', '6.22_ECS25a', '6.22_ECS25a1', '6.22_ECS25b', '6.22_ECS25b3'],
  ['6.22_GCS20', '6.23_CS02bSupplierByTransCoS', '6.24.1_CS02aMAC', '6.24.1_CS02fMAC', '6.26_ECS48', '6.27_ECS29e', '6.27_ECS29f', '6.31_DBCH01', '6.32_DBCH02'],
  ['6.4.1_ECS28a', '6.4.2_ECS28b', '6.5_ECS29a', '6.5_ECS29b', '6.6_GCS23', '6.7_GCS24a', '6.8_ECS30', '6.8_GCS25', '6.8_GCS25a', '7.11_ECS61c', '7.14_ECS61d', '7.15_ECS61e'],
  ['7.16_ECS47e', '7.1_ECS42', '7.2_GCS32', '7.3_GCS39', '7.4_ECS45', '7.4_GCS33', '7.6_ECS47Deactivate', '7.7_ECS61a', '7.8_ECS47Reset', '8.1.1_ECS70Commission', '8.1.1_GCS28Commission', '8.11_CCS01', '8.11_CCS02', '8.12.2_GCS59', '8.5_CS02bACBByACB', '8.7.1_CS03A2Critical'],
  ['8.7.1_CS03CCritical', '8.7.2_CS03B', '8.8.2_CS04ACNonCritical', '8.8.2_CS04B', '8.9_CCS05CCS04', '8.9_CS07', '9.1_ECS50', '9.1_GCS36', 'NA_CCS08', 'NA_CS02bAnyByContingency', 'NA_CS02bAnyExceptAbnormalRootByRecovery', 'NA_CS02bTransCoSByTransCoS'],
  ['NA_CS02bWPByWP', 'NA_CS02fSignature', 'NA_CS09', 'NA_DBCH07', 'NA_ECS101', 'NA_ECS102', 'NA_ECS68', 'NA_ECS80', 'NA_FDRA-DLMS', 'NA_FDRA-ZigBee', 'NA_GCA-DLMS', 'NA_GCA-ZigBee', 'NA_GCS53', 'NA_GNCA-DLMS', 'NA_GNCA-ZigBee', 'NA_MIIWA-ZigBee', 'NA_PCS01', 'NA_PCS02'],
];

/** The suite of chunk `i` (0-based): one case per use-case folder. */
export function rtdsChunkSuite(i: number): Suite {
  const folders = RTDS_CHUNKS[i];
  const n = i + 1 < 10 ? '0' + (i + 1) : String(i + 1);
  const cases = folders.map((folder) => ({
    name: 'round trip ' + folder,
    run(ctx: { vectorPaths(prefix: string): string[]; vector(path: string): string }) {
      const paths = ctx.vectorPaths(RTDS_DIR + folder + '/');
      if (paths.length === 0) throw new Error('no files in ' + folder);
      const bad: string[] = [];
      for (let p = 0; p < paths.length; p++) {
        const bytes = fromHex(ctx.vector(paths[p]));
        if (!bytes) {
          bad.push(paths[p] + ': not hex');
          continue;
        }
        const m = decodeMessage(bytes);
        if (!m.ok) bad.push(paths[p] + ': ' + describeRejection(m));
        else if (!bytesEqual(encodeMessage(m), bytes)) bad.push(paths[p] + ': re-encoding differs');
      }
      if (bad.length) throw new Error(bad.length + ' of ' + paths.length + ' failed: ' + bad.join('; '));
    },
  }));
  return { name: 'rtds ' + n, bundle: 'selftest-rtds-' + n, vectors: folders.map((f) => RTDS_DIR + f + '/'), cases: cases };
}

export const rtds01: Suite = rtdsChunkSuite(0);
export const rtds02: Suite = rtdsChunkSuite(1);
export const rtds03: Suite = rtdsChunkSuite(2);
export const rtds04: Suite = rtdsChunkSuite(3);
export const rtds05: Suite = rtdsChunkSuite(4);
export const rtds06: Suite = rtdsChunkSuite(5);
export const rtds07: Suite = rtdsChunkSuite(6);
export const rtds08: Suite = rtdsChunkSuite(7);
export const rtds09: Suite = rtdsChunkSuite(8);
export const rtds10: Suite = rtdsChunkSuite(9);
export const rtds11: Suite = rtdsChunkSuite(10);
export const rtds12: Suite = rtdsChunkSuite(11);
export const rtds13: Suite = rtdsChunkSuite(12);
export const rtds14: Suite = rtdsChunkSuite(13);
export const rtds15: Suite = rtdsChunkSuite(14);
export const rtds16: Suite = rtdsChunkSuite(15);
export const rtds17: Suite = rtdsChunkSuite(16);
