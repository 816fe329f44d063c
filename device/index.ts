/**
 * The device's public entry: everything outside `device/` (the harness, the Communications Hub later)
 * reaches a device through this file and the board's link, never through `device/` internals
 * (../shared/tools/import-graph.py --public device/index.ts device/boot.ts counts the exceptions).
 *
 * - power-on and the runtime: `boot` (what firmware.js runs), `openDevice`, `SmetsDevice`
 * - the factory's side: `manufactureDevice` (one commit before the first boot), `generatePrivateKey`
 * - read-only views of stored state that evidence and the RTDS replay check: the security log's size,
 *   the device's alert counter, the root cell and whether it carries the contingency key, the Device Log
 *   of joined HAN devices (CS03/CS04)
 * - the HAN side of pairing: the requests a joined device may make, and the CHF view the hub gives
 * - use-case tables (pipeline/useCases.ts `UseCaseTable`): the contract another kind's use cases plug into
 *   (the hub's CHF and GPF in hub/), the ESME's, the use cases common to every kind, the "cannot" answer
 * The GBCS content codecs the harness shares with the device belong in `gbcs/`, not here.
 * @module
 */
export { boot } from './boot.ts';
export type { Booted } from './boot.ts';
export { openDevice, SmetsDevice } from './runtime.ts';
export type { DeviceAnswer, TransferAnswer } from './runtime.ts';
export { generatePrivateKey, manufactureDevice } from './manufacture.ts';
export type { AnchorSpec, ManufactureResult, ManufactureSpec } from './manufacture.ts';
export type { FirmwareConfig } from './firmwareUpdate/imageStore.ts';
export type { BootOutcome } from './firmwareUpdate/bootSelector.ts';
export type { CellId } from './state/trustAnchors.ts';
export type { Environment, Identity } from './state/identity.ts';
export { DEVICE_KINDS, certificateTypeOf } from './kinds.ts';
export type { DeviceKind } from './kinds.ts';
export type { ZclAttributeValue } from './gsme/zclStore.ts';
export { readAttribute } from './gsme/zclStore.ts';
export { LOG_PREFIX, logCount } from './state/securityLog.ts';
export { DEVICE_COUNTER, readDeviceCounter } from './state/deviceCounter.ts';
export { MESSAGE_CODE_CONTINGENCY, rootSigner } from './credentials/contingencyAuthority.ts';
export { JOINED_KEY, readJoined } from './state/joinedDevices.ts';
export type { JoinedDevice } from './state/joinedDevices.ts';
export { chfViewOf } from './pairing/hanRequests.ts';
export type { ChfView, HanOutcome, HanRefusal, HanRequest, HanRequestKind } from './pairing/hanRequests.ts';
export type { UseCaseTable } from './pipeline/useCases.ts';
export { registerUseCases } from './pipeline/useCaseTables.ts';
export { carryGsme } from './gsme/index.ts';
export type { CommandContext, Execution, Handler } from './pipeline/commandContext.ts';
export type { DueContext, DueExecutor } from './pipeline/futureDated.ts';
export type { AlertSpec } from './alerts/alertSender.ts';
export { commonHandlerFor, executorFor as commonExecutorFor, ESME_USE_CASES, readSecurityLog, unsupported } from './pipeline/useCases.ts';
export { StateTx } from './state/stateTx.ts';
export { carryHanKinds, hanUseCases } from './han/hanUseCases.ts';
export { gsmeWake, meterBalanceContent, FLAG_MESSAGE_WAITING, MESSAGE_CODE_GCS60 } from './gsme/wake.ts';
export type { GpfMailboxView, WakeReport } from './gsme/wake.ts';
