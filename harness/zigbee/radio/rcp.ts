/**
 * An emulated 802.15.4 radio co-processor (RCP) speaking Spinel over HDLC-lite on a TCP socket, so that
 * zigbee-herdsman's `zoh` adapter (zigbee-on-host) can run a real ZigBee coordinator with no radio:
 * `transport: { path: 'tcp://127.0.0.1:PORT', adapter: 'zoh' }`. Frames the host sends (STREAM_RAW)
 * go onto a SimulatedAir; frames heard on the air that pass the address filter go to the host as
 * unsolicited STREAM_RAW with metadata (rssi, noise floor, flags). Unicast frames asking for an ACK are
 * retried as many times as the host's tx settings say (zigbee-on-host asks 4), then answered NO_ACK.
 *
 * What zigbee-on-host 0.3.0 asks of the RCP (read from its driver; recorded in `asked` for the report):
 * GET PROTOCOL_VERSION, NCP_VERSION, INTERFACE_TYPE, RCP_API_VERSION, RCP_MIN_HOST_API_VERSION; RESET
 * (answered by an unsolicited LAST_STATUS RESET_SOFTWARE); SET PHY_ENABLED, PHY_CHAN, PHY_TX_POWER,
 * MAC_15_4_LADDR / SADDR / PANID, MAC_RX_ON_WHEN_IDLE_MODE, MAC_RAW_STREAM_ENABLED; GET PHY_TX_POWER,
 * PHY_RSSI, PHY_RX_SENSITIVITY, PHY_CCA_THRESHOLD; then STREAM_RAW. A SET is answered with PROP_VALUE_IS
 * echoing the value under the same transaction id; an unknown GET with LAST_STATUS PROP_NOT_FOUND. @module
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Radio, SimulatedAir } from './air.ts';
import { HdlcReader, encodeHdlc } from './hdlc.ts';
import { addressedTo, readMacAddressing } from './macAddress.ts';
import { CMD, PROP, STATUS, decodeSpinel, encodeSpinel, packUint, propPayload, unpackUint, type SpinelFrame } from './spinel.ts';

const NCP_VERSION = 'SMETS-EMULATED-RCP/0.1; simulated air\0';

/** Emulated RCPs listening in this process, by TCP port. */
const LISTENING: Record<number, EmulatedRcp> = {};

export class EmulatedRcp implements Radio {
  private readonly air: SimulatedAir;
  private server: Server | undefined;
  private socket: Socket | undefined;
  private reader = new HdlcReader();
  private detach: (() => void) | undefined;
  private props: Record<number, Uint8Array> = {};
  /** property ids the host read (GET) and wrote (SET), and commands by id: what the host asked of us */
  readonly asked = { get: new Set<number>(), set: new Set<number>(), commands: new Map<number, number>() };
  readonly stats = { toAir: 0, fromAir: 0, noAck: 0, badHdlc: 0 };

  constructor(air: SimulatedAir) {
    this.air = air;
    this.props[PROP.PHY_CHAN] = Uint8Array.of(11);
    this.props[PROP.PHY_TX_POWER] = Uint8Array.of(5);
    this.props[PROP.PHY_RSSI] = Uint8Array.of(0x9c); // -100 dBm
    this.props[PROP.PHY_RX_SENSITIVITY] = Uint8Array.of(0x9c);
    this.props[PROP.PHY_CCA_THRESHOLD] = Uint8Array.of(0xb5); // -75 dBm
    this.props[PROP.MAC_15_4_PANID] = Uint8Array.of(0xff, 0xff);
    this.props[PROP.MAC_15_4_SADDR] = Uint8Array.of(0xfe, 0xff);
    this.props[PROP.MAC_15_4_LADDR] = new Uint8Array(8);
  }

  /** The air of an EmulatedRcp listening in this process on 127.0.0.1:`port` (a --zigbee-port naming it). */
  static airAt(port: number): SimulatedAir | undefined {
    return LISTENING[port]?.air;
  }

  /** Listens on 127.0.0.1 (port 0 = any); resolves with the port. One host connection at a time. */
  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((s) => this.connect(s));
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.server = server;
        this.detach = this.air.attach(this);
        const at = (server.address() as { port: number }).port;
        LISTENING[at] = this;
        resolve(at);
      });
    });
  }

  close(): Promise<void> {
    for (const k of Object.keys(LISTENING)) if (LISTENING[Number(k)] === this) delete LISTENING[Number(k)];
    this.detach?.();
    this.socket?.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private connect(s: Socket): void {
    this.socket?.destroy();
    this.socket = s;
    this.reader = new HdlcReader();
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => {
      for (const f of this.reader.push(chunk)) this.onFrame(f);
      this.stats.badHdlc = this.reader.badFrames;
    });
    s.on('error', () => undefined);
  }

  private send(f: SpinelFrame): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(encodeHdlc(encodeSpinel(f)));
  }

  private reply(tid: number, prop: number, value: Uint8Array | number[]): void {
    this.send({ tid, iid: 0, command: CMD.PROP_VALUE_IS, payload: propPayload(prop, value) });
  }

  private status(tid: number, status: number): void {
    this.reply(tid, PROP.LAST_STATUS, packUint(status));
  }

  private onFrame(bytes: Uint8Array): void {
    const d = decodeSpinel(bytes);
    if (!d.ok) return;
    const f = d.frame;
    this.asked.commands.set(f.command, (this.asked.commands.get(f.command) ?? 0) + 1);
    switch (f.command) {
      case CMD.NOOP:
        return this.status(f.tid, STATUS.OK);
      case CMD.RESET:
        // Spinel §4.2: the RCP resets and announces it with an unsolicited LAST_STATUS
        this.props[PROP.PHY_ENABLED] = Uint8Array.of(0);
        this.props[PROP.MAC_RAW_STREAM_ENABLED] = Uint8Array.of(0);
        return this.status(0, STATUS.RESET_SOFTWARE);
      case CMD.PROP_VALUE_GET:
        return this.get(f);
      case CMD.PROP_VALUE_SET:
        return this.set(f);
      default:
        return this.status(f.tid, STATUS.INVALID_ARGUMENT);
    }
  }

  private get(f: SpinelFrame): void {
    const p = unpackUint(f.payload, 0);
    if (!p) return this.status(f.tid, STATUS.INVALID_ARGUMENT);
    const prop = p[0];
    this.asked.get.add(prop);
    switch (prop) {
      case PROP.PROTOCOL_VERSION:
        return this.reply(f.tid, prop, [...packUint(4), ...packUint(3)]);
      case PROP.NCP_VERSION:
        return this.reply(f.tid, prop, Array.from(Buffer.from(NCP_VERSION, 'utf8')));
      case PROP.INTERFACE_TYPE:
        return this.reply(f.tid, prop, packUint(3)); // 3 = Thread/802.15.4 RCP
      case PROP.RCP_API_VERSION:
        return this.reply(f.tid, prop, packUint(10));
      case PROP.RCP_MIN_HOST_API_VERSION:
        return this.reply(f.tid, prop, packUint(4));
    }
    const v = this.props[prop];
    if (!v) return this.status(f.tid, STATUS.PROP_NOT_FOUND);
    return this.reply(f.tid, prop, v);
  }

  private set(f: SpinelFrame): void {
    const p = unpackUint(f.payload, 0);
    if (!p) return this.status(f.tid, STATUS.INVALID_ARGUMENT);
    const prop = p[0];
    const value = new Uint8Array(f.payload.subarray(p[1]));
    this.asked.set.add(prop);
    if (prop === PROP.STREAM_RAW) {
      void this.transmit(f.tid, value);
      return;
    }
    this.props[prop] = value;
    this.reply(f.tid, prop, value);
  }

  /** STREAM_RAW from the host: u16 LE length, PSDU (with FCS), then tx settings we do not model. */
  private async transmit(tid: number, value: Uint8Array): Promise<void> {
    if (value.length < 2) return this.status(tid, STATUS.INVALID_ARGUMENT);
    const len = value[0] | (value[1] << 8);
    if (value.length < 2 + len || len > 127) return this.status(tid, STATUS.INVALID_ARGUMENT); // aMaxPHYPacketSize
    const psdu = value.subarray(2, 2 + len);
    const a = readMacAddressing(psdu);
    const ackRequested = !!a && a.ackRequest;
    // tx settings after the PSDU: channel, max CSMA backoffs, max frame retries, ... (zoh sends 4 retries)
    const maxRetries = value.length > 2 + len + 2 ? value[2 + len + 2] : 3;
    this.stats.toAir++;
    const r = await this.air.send(this, new Uint8Array(psdu), ackRequested, maxRetries);
    if (ackRequested && !r.acked) {
      this.stats.noAck++;
      return this.status(tid, STATUS.NO_ACK);
    }
    this.status(tid, STATUS.OK);
  }

  // ---- Radio (the air side)

  channel(): number {
    return this.props[PROP.PHY_CHAN][0];
  }

  private on(prop: number): boolean {
    const v = this.props[prop];
    return !!v && v[0] === 1;
  }

  hear(psdu: Uint8Array): { accepted: boolean; framePending?: boolean } {
    if (!this.on(PROP.PHY_ENABLED) || !this.on(PROP.MAC_RAW_STREAM_ENABLED)) return { accepted: false };
    const a = readMacAddressing(psdu);
    if (!a) return { accepted: false };
    const pan = this.props[PROP.MAC_15_4_PANID];
    const saddr = this.props[PROP.MAC_15_4_SADDR];
    const laddr = this.props[PROP.MAC_15_4_LADDR];
    const own = {
      pan: pan[0] | (pan[1] << 8),
      short: saddr[0] | (saddr[1] << 8),
      extended: BigInt('0x' + Buffer.from(laddr).toString('hex')), // Spinel EUI-64 is big-endian (zoh writes it with writeBigUInt64BE)
      panCoordinator: (saddr[0] | (saddr[1] << 8)) === 0,
    };
    const promiscuous = !!this.props[PROP.MAC_PROMISCUOUS_MODE] && this.props[PROP.MAC_PROMISCUOUS_MODE][0] !== 0;
    const accepted = addressedTo(a, own);
    if (!accepted && !promiscuous) return { accepted: false };
    this.stats.fromAir++;
    const meta = [0xce /* rssi -50 */, 0x9c /* noise floor -100 */, 0, 0];
    const payload = [len16(psdu.length), Array.from(psdu), meta].flat();
    this.send({ tid: 0, iid: 0, command: CMD.PROP_VALUE_IS, payload: propPayload(PROP.STREAM_RAW, payload) });
    // OpenThread RCPs without a source-match table mark every ACK to a data request as frame pending
    return { accepted, framePending: true };
  }
}

function len16(n: number): number[] {
  return [n & 0xff, n >> 8];
}
