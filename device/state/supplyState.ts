/**
 * The ESME supply state (load switch): on (enabled), armed (the consumer must press a button to turn it on)
 * or off (disabled) — set by ECS16 family commands and read by ECS... (GBCS DLMS "Supply Control" /
 * disconnect control object, class 70, OBIS 0-0:96.3.10.255; states 0 disconnected, 1 connected,
 * 2 ready for reconnection). Stored `supply` (1 byte, the DLMS control-state value).
 * @module
 */
import type { StateTx } from './stateTx.ts';

export type SupplyState = 'off' | 'on' | 'armed';

const KEY = 'supply';
const VALUES: SupplyState[] = ['off', 'on', 'armed'];

export function readSupply(s: { read(k: string): Uint8Array | undefined }): SupplyState {
  const b = s.read(KEY);
  return b && b.length === 1 && b[0] < 3 ? VALUES[b[0]] : 'on';
}

/** The DLMS disconnect-control control_state (0 disconnected, 1 connected, 2 ready for reconnection). */
export function supplyControlState(s: SupplyState): number {
  return VALUES.indexOf(s);
}

export function writeSupply(tx: StateTx, state: SupplyState): void {
  tx.write(KEY, new Uint8Array([VALUES.indexOf(state)]));
}
