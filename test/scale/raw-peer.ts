/**
 * A bare BGP peer for the scale tests, built from the codec alone: OPEN,
 * KEEPALIVE every second, and every UPDATE kept as the octets that arrived
 * (to compare what several peers were sent) and counted by walking its NLRI
 * (no decode per prefix, so a million prefixes cost little). IPv4 unicast.
 */
import net from "node:net";
import {
  type Capability,
  decodeMessage,
  encodeMessage,
  Framer,
  Header,
  MessageType,
  type OpenMessage,
} from "../../packages/bgp/src/wire/index.js";

export interface RawPeerOptions {
  readonly host: string;
  readonly port: number;
  readonly localAddress: string;
  readonly asn: number;
  readonly routerId: string;
  readonly holdTime?: number;
  /** Negotiate ADD-PATH receive for IPv4 unicast (RFC 7911). */
  readonly addPathReceive?: boolean;
  /** Keep every UPDATE's octets (off for a million prefixes). */
  readonly record?: boolean;
}

export class RawPeer {
  readonly updates: Uint8Array[] = [];
  /** NLRI entries announced minus withdrawn. */
  prefixes = 0;
  announced = 0;
  withdrawn = 0;
  endOfRib = 0;
  notification: { code: number; subcode: number } | undefined;
  readonly established: Promise<void>;
  readonly #socket: net.Socket;
  readonly #opts: RawPeerOptions;
  #keepalive: NodeJS.Timeout | undefined;
  readonly #waiters: (() => void)[] = [];

  constructor(opts: RawPeerOptions) {
    this.#opts = opts;
    const socket = net.connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
    this.#socket = socket;
    const framer = new Framer();
    const capabilities: Capability[] = [
      { kind: "multiprotocol", afi: 1, safi: 1 },
      { kind: "route-refresh" },
      { kind: "four-octet-as", asn: opts.asn },
    ];
    if (opts.addPathReceive === true)
      capabilities.push({ kind: "add-path", families: [{ afi: 1, safi: 1, direction: 1 }] });
    const open: OpenMessage = {
      type: MessageType.Open,
      version: 4,
      myAs: opts.asn,
      holdTime: opts.holdTime ?? 240,
      bgpId: opts.routerId,
      capabilities,
    };
    this.established = new Promise((resolve, reject) => {
      let sawOpen = false;
      let up = false;
      socket.once("connect", () => socket.write(encodeMessage(open)));
      socket.on("error", (err) => {
        if (!up) reject(err);
      });
      socket.on("close", () => {
        clearInterval(this.#keepalive);
        if (!up) reject(new Error("closed before Established"));
      });
      socket.on("data", (chunk: Uint8Array) => {
        for (const frame of framer.push(chunk)) {
          const type = frame[Header.length - 1];
          if (type === MessageType.Update) {
            this.#update(frame);
            continue;
          }
          const msg = decodeMessage(frame);
          if (msg.type === MessageType.Notification) {
            this.notification = { code: msg.code, subcode: msg.subcode };
            reject(new Error(`NOTIFICATION ${msg.code}/${msg.subcode}`));
          } else if (msg.type === MessageType.Open && !sawOpen) {
            sawOpen = true;
            socket.write(encodeMessage({ type: MessageType.Keepalive }));
            this.#keepalive = setInterval(
              () => socket.write(encodeMessage({ type: MessageType.Keepalive })),
              1000,
            );
          } else if (msg.type === MessageType.Keepalive && sawOpen && !up) {
            up = true;
            resolve();
          }
        }
      });
    });
  }

  /** Writes octets (e.g. a ROUTE-REFRESH) to the speaker. */
  send(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** Resolves once `check` holds (tested after every UPDATE and every 50 ms). */
  async until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what} (prefixes=${this.prefixes})`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): void {
    clearInterval(this.#keepalive);
    this.#socket.destroy();
  }

  #update(frame: Uint8Array): void {
    if (this.#opts.record === true) this.updates.push(frame);
    const extra = this.#opts.addPathReceive === true ? 5 : 1;
    const withdrawnLength = (frame[19]! << 8) | frame[20]!;
    let p = 21;
    const withdrawnEnd = p + withdrawnLength;
    let w = 0;
    while (p < withdrawnEnd) {
      p += extra + ((frame[p + extra - 1]! + 7) >>> 3);
      w++;
    }
    const attrLength = (frame[p]! << 8) | frame[p + 1]!;
    p += 2 + attrLength;
    let a = 0;
    while (p < frame.length) {
      p += extra + ((frame[p + extra - 1]! + 7) >>> 3);
      a++;
    }
    if (w === 0 && a === 0 && attrLength === 0) this.endOfRib++;
    this.announced += a;
    this.withdrawn += w;
    this.prefixes += a - w;
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
