/**
 * A minimal BGP injector built from the codec alone: connects, exchanges
 * OPEN/KEEPALIVE, then writes a pre-encoded table as fast as the socket
 * takes it and answers nothing but keepalives. The same injector feeds every
 * implementation under test, so they all see the same bytes.
 */
import net from "node:net";
import {
  type BgpMessage,
  decodeMessage,
  encodeMessage,
  Framer,
  MessageType,
  type OpenMessage,
} from "../src/wire/index.js";

export interface InjectOptions {
  readonly host: string;
  readonly port: number;
  readonly localAddress: string;
  readonly asn: number;
  readonly routerId: string;
  /** UPDATE messages to send once Established (End-of-RIB included by the caller). */
  readonly messages: readonly Uint8Array[];
  /** Give up connecting after this long. */
  readonly timeoutMs?: number;
  /** Once Established, wait for this before writing (to start several injections at the same moment). */
  readonly startWhen?: Promise<unknown>;
  /** Called when the session is Established, before waiting for `startWhen`. */
  readonly onEstablished?: () => void;
}

export interface Injection {
  /** process.hrtime.bigint() when the first UPDATE octet was handed to the socket. */
  readonly startedAt: bigint;
  /** Resolves when every octet was written to the kernel. */
  readonly written: Promise<bigint>;
  close(): void;
}

/** Connects (retrying until the target listens), brings the session up and starts sending. */
export async function inject(opts: InjectOptions): Promise<Injection> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    try {
      return await attempt(opts);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function attempt(opts: InjectOptions): Promise<Injection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
    socket.setNoDelay(true);
    const framer = new Framer();
    let sawOpen = false;
    let established = false;
    const open: OpenMessage = {
      type: MessageType.Open,
      version: 4,
      myAs: opts.asn > 0xffff ? 23456 : opts.asn,
      holdTime: 240,
      bgpId: opts.routerId,
      capabilities: [
        { kind: "multiprotocol", afi: 1, safi: 1 },
        { kind: "route-refresh" },
        { kind: "four-octet-as", asn: opts.asn },
      ],
    };
    const send = (m: BgpMessage) => socket.write(encodeMessage(m));
    const keepalive = setInterval(() => send({ type: MessageType.Keepalive }), 30_000);
    socket.once("connect", () => send(open));
    socket.on("error", (err) => {
      clearInterval(keepalive);
      if (!established) reject(err);
    });
    socket.on("close", () => {
      clearInterval(keepalive);
      if (!established) reject(new Error("closed before Established"));
    });
    socket.on("data", (chunk: Uint8Array) => {
      for (const frame of framer.push(chunk)) {
        const msg = decodeMessage(frame);
        if (msg.type === MessageType.Notification) {
          reject(new Error(`NOTIFICATION ${msg.code}/${msg.subcode}`));
          socket.destroy();
          return;
        }
        if (msg.type === MessageType.Open && !sawOpen) {
          sawOpen = true;
          send({ type: MessageType.Keepalive });
        } else if (msg.type === MessageType.Keepalive && sawOpen && !established) {
          established = true;
          opts.onEstablished?.();
          const start = (): void => {
            const startedAt = process.hrtime.bigint();
            const written = new Promise<bigint>((done) => {
              let last = true;
              for (const m of opts.messages) last = socket.write(m);
              if (last) done(process.hrtime.bigint());
              else socket.once("drain", () => done(process.hrtime.bigint()));
            });
            resolve({
              startedAt,
              written,
              close: () => {
                clearInterval(keepalive);
                socket.destroy();
              },
            });
          };
          if (opts.startWhen === undefined) start();
          else void opts.startWhen.then(start);
        }
      }
    });
  });
}
