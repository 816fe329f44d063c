/**
 * The hub's entry: loading it registers the CHF's and the GPF's use-case tables with the one device
 * runtime (device/pipeline/useCaseTables.ts `registerUseCases`), so a CHF or GPF is manufactured as its
 * own kind (device/kinds.ts) and opens with its own table, like an ESME or a GSME. device/ cannot import
 * hub/ (portable layering: harness -> transport -> hub -> device), hence registration from this side.
 * A firmware without hub/ refuses to manufacture a CHF or GPF ('kind-not-carried').
 * @module
 */
import { registerUseCases } from '../device/index.ts';
import { chfUseCases } from './chfUseCases.ts';
import { gpfUseCases } from './gpfUseCases.ts';

registerUseCases('CHF', chfUseCases());
registerUseCases('GPF', gpfUseCases());

export { chfUseCases, gpfUseCases };
export { CommunicationsHub } from './communicationsHub.ts';
export type { HanLink, HubConfig, HubRefusal, ImageHanded, JoinRefusal, RouteRefusal, Routed } from './communicationsHub.ts';
export { gpfMailbox } from './gsmeMailbox.ts';
export type { GsmeMailbox } from './gsmeMailbox.ts';
