/**
 * The DCC's view of the devices a DUIS request may address: what the transform (transform.ts) and the
 * use-case contents (useCaseContent.ts) both read, apart so that neither imports the other.
 * @module
 */

export type DeviceType = 'ESME' | 'GSME' | 'CHF' | 'GPF' | 'PPMID' | 'HCALCS';

/** The DCC's inventory (the Smart Metering Inventory): device type by EUI-64 (upper-case hex). */
export type Inventory = Record<string, DeviceType>;
