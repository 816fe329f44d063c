/**
 * The firmware version the device reports (ECS52 and the boot line). Apart from boot.ts so the
 * device core can read it without importing the start-up code.
 * @module
 */
export const FIRMWARE_VERSION = '0.1.0';
