/**
 * The route-reflector clients of `pnpm bench:rr`, in their own process (not
 * the injector's, not the reflector's): M minimal BGP sessions built from the
 * codec alone. Each connects from its own loopback address (consecutive from
 * `--source`), exchanges OPEN/KEEPALIVE, then counts the distinct IPv4
 * prefixes it holds: NLRI add, Withdrawn Routes remove. Only the NLRI and
 * Withdrawn Routes fields are read (the codec's `decodeNlri`, one Uint32Array
 * per field); attributes are skipped, so a receiver costs far less than the
 * reflector it measures (`bench rr-floor` checks that).
 *
 * Prefixes of the benchmark table (/24-/32 inside 100.64.0.0/10) are counted
 * in a bitmap (4.7 MB per session, allocated on first use); anything else in
 * a Set.
 *
 * With `--listen` the sessions accept connections instead (the floor run:
 * the injector connects straight to a receiver, no reflector in between).
 *
 * Lines on stdout; every time is process.hrtime.bigint() in ns, i.e.
 * CLOCK_MONOTONIC, which all processes on the host share:
 *
 *     start <t>                 connecting begins
 *     established <i> <t>       session i is Established
 *     ready <t>                 every session is Established
 *     complete <i> <t>          session i holds `--expect` prefixes
 *     done <t>                  every session holds them
 *     closed <i> <reason>       session i ended (NOTIFICATION, error)
 *     progress <min> <max>      every second until done: fewest and most prefixes a session holds
 *
 *     node --conditions=@portlb/source --import tsx receivers.ts \
 *       --host 127.0.11.1 --port 11790 --source 127.0.12.10 --count 10 --expect 100000
 */
import net from "node:net";
import { parseArgs } from "node:util";
import {
  Afi,
  decodeMessage,
  decodeNlri,
  encodeMessage,
  Framer,
  formatIpv4,
  Header,
  MessageType,
  type OpenMessage,
  parseIpv4,
} from "@portlb/bgp/wire";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.11.1" },
    port: { type: "string", default: "179" },
    source: { type: "string", default: "127.0.12.10" },
    count: { type: "string", default: "1" },
    expect: { type: "string", default: "0" },
    asn: { type: "string", default: "65001" },
    listen: { type: "boolean", default: false },
    "connect-timeout": { type: "string", default: "60" },
  },
});
const count = Number(values.count);
const expected = Number(values.expect);
const asn = Number(values.asn);
const port = Number(values.port);
const connectDeadline = Date.now() + Number(values["connect-timeout"]) * 1000;
const firstSource = parseIpv4(values.source);

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const now = (): bigint => process.hrtime.bigint();

/** 100.64.0.0/10 as the top 10 bits of an address. */
const benchRangeTop = 0x64400000 >>> 22;

/** Distinct IPv4 prefixes held: a bitmap for the benchmark table, a Set for anything else. */
class PrefixCounter {
  size = 0;
  #bits: Uint32Array | undefined;
  #other = new Set<number>();

  #index(address: number, length: number): number {
    return ((length - 24) << 22) | (address & 0x3fffff);
  }

  add(address: number, length: number): void {
    if (address >>> 22 === benchRangeTop && length >= 24) {
      this.#bits ??= new Uint32Array(((9 << 22) >>> 5) + 1);
      const i = this.#index(address, length);
      const bit = 1 << (i & 31);
      const word = this.#bits[i >>> 5]!;
      if ((word & bit) === 0) {
        this.#bits[i >>> 5] = word | bit;
        this.size++;
      }
      return;
    }
    const key = address * 64 + length;
    if (!this.#other.has(key)) {
      this.#other.add(key);
      this.size++;
    }
  }

  remove(address: number, length: number): void {
    if (address >>> 22 === benchRangeTop && length >= 24) {
      if (this.#bits === undefined) return;
      const i = this.#index(address, length);
      const bit = 1 << (i & 31);
      const word = this.#bits[i >>> 5]!;
      if ((word & bit) !== 0) {
        this.#bits[i >>> 5] = word & ~bit;
        this.size--;
      }
      return;
    }
    if (this.#other.delete(address * 64 + length)) this.size--;
  }
}

let established = 0;
let completed = 0;
/** Prefixes held by each session, for the progress line. */
const held: PrefixCounter[] = [];

/** Runs one session over a connected socket; resolves false when it ended before Established. */
function runSession(index: number, socket: net.Socket, routerId: string): Promise<boolean> {
  return new Promise((resolve) => {
    socket.setNoDelay(true);
    const framer = new Framer();
    const prefixes = new PrefixCounter();
    held[index] = prefixes;
    let sawOpen = false;
    let up = false;
    let complete = false;
    const open: OpenMessage = {
      type: MessageType.Open,
      version: 4,
      myAs: asn > 0xffff ? 23456 : asn,
      holdTime: 240,
      bgpId: routerId,
      capabilities: [
        { kind: "multiprotocol", afi: 1, safi: 1 },
        { kind: "route-refresh" },
        { kind: "four-octet-as", asn },
      ],
    };
    const send = (bytes: Uint8Array): void => {
      if (!socket.destroyed) socket.write(bytes);
    };
    const keepaliveBytes = encodeMessage({ type: MessageType.Keepalive });
    const keepalive = setInterval(() => send(keepaliveBytes), 30_000);
    keepalive.unref();
    send(encodeMessage(open));
    let ended = false;
    const end = (reason: string): void => {
      if (ended) return;
      ended = true;
      clearInterval(keepalive);
      if (up) out(`closed ${index} ${JSON.stringify(reason)}`);
      socket.destroy();
      resolve(up);
    };
    socket.on("error", (err) => end(String(err)));
    socket.on("close", () => end("connection closed"));
    socket.on("data", (chunk: Uint8Array) => {
      let frames: Uint8Array[];
      try {
        frames = framer.push(chunk);
      } catch (err) {
        end(`bad header: ${String(err)}`);
        return;
      }
      for (const frame of frames) {
        const type = frame[Header.length - 1];
        if (type === MessageType.Update) {
          // Withdrawn Routes, then NLRI (RFC 4271 §4.3); attributes are skipped.
          const withdrawnLength = (frame[Header.length]! << 8) | frame[Header.length + 1]!;
          const withdrawnStart = Header.length + 2;
          const attrAt = withdrawnStart + withdrawnLength;
          const attrLength = (frame[attrAt]! << 8) | frame[attrAt + 1]!;
          const nlriStart = attrAt + 2 + attrLength;
          if (withdrawnLength > 0) {
            const w = decodeNlri(frame, withdrawnStart, attrAt, Afi.Ipv4, false).words;
            for (let k = 0; k < w.length; k += 3) prefixes.remove(w[k + 1]!, w[k + 2]!);
          }
          if (nlriStart < frame.length) {
            const w = decodeNlri(frame, nlriStart, frame.length, Afi.Ipv4, false).words;
            for (let k = 0; k < w.length; k += 3) prefixes.add(w[k + 1]!, w[k + 2]!);
          }
        } else if (type === MessageType.Open && !sawOpen) {
          sawOpen = true;
          send(keepaliveBytes);
        } else if (type === MessageType.Keepalive && sawOpen && !up) {
          up = true;
          out(`established ${index} ${now()}`);
          if (++established === count) out(`ready ${now()}`);
        } else if (type === MessageType.Notification) {
          const msg = decodeMessage(frame);
          end(msg.type === MessageType.Notification ? `NOTIFICATION ${msg.code}/${msg.subcode}` : "?");
          return;
        }
      }
      if (!complete && expected > 0 && prefixes.size >= expected) {
        complete = true;
        out(`complete ${index} ${now()} ${prefixes.size}`);
        if (++completed === count) out(`done ${now()}`);
      }
    });
  });
}

/** Connects session `index` from its own source address, retrying until the reflector lets it in. */
async function connectSession(index: number): Promise<void> {
  const source = formatIpv4((firstSource + index) >>> 0);
  for (;;) {
    const socket = net.connect({ host: values.host, port, localAddress: source });
    const connected = await new Promise<boolean>((resolve) => {
      socket.once("connect", () => resolve(true));
      socket.once("error", () => resolve(false));
    });
    if (connected && (await runSession(index, socket, source))) return;
    socket.destroy();
    if (Date.now() > connectDeadline) {
      out(`closed ${index} "could not establish a session from ${source}"`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

out(`start ${now()}`);
if (expected > 0) {
  const progress = setInterval(() => {
    if (completed === count) {
      clearInterval(progress);
      return;
    }
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (let i = 0; i < count; i++) {
      const size = held[i]?.size ?? 0;
      min = Math.min(min, size);
      max = Math.max(max, size);
    }
    out(`progress ${min} ${max}`);
  }, 1000);
  progress.unref();
}
if (values.listen) {
  let next = 0;
  const server = net.createServer((socket) => {
    const index = next++;
    void runSession(index, socket, formatIpv4((firstSource + index) >>> 0));
    if (next === count) server.close();
  });
  server.listen({ host: values.host, port }, () => out(`listening ${now()}`));
} else {
  for (let i = 0; i < count; i++) void connectSession(i);
}
process.on("SIGTERM", () => process.exit(0));
