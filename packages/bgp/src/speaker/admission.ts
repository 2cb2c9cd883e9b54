/**
 * Who may connect, decided before any OPEN is read (issue 4: a speaker
 * from outside the dynamic ranges is refused at once), and the listeners
 * that accept connections.
 *
 *     accept ─> configured neighbor?  ─ yes ─> its Peer takes the socket
 *               in a dynamic range?    ─ no ──> closed ("not a configured neighbor")
 *               range has room?        ─ no ──> closed ("dynamic range is full")
 *               └─> a new dynamic peer takes the socket
 */
import net from "node:net";
import type { Logger } from "pino";
import { matchRange } from "./neighbor-match.js";
import type { DynamicRangeConfig, ListenConfig } from "./speaker-config.js";

export type Admission<E> =
  | { readonly kind: "known"; readonly entry: E }
  | { readonly kind: "dynamic"; readonly range: DynamicRangeConfig }
  | { readonly kind: "refused"; readonly reason: string; readonly details: Record<string, unknown> };

/** What to do with a connection from `remote`. */
export function admit<E extends { readonly dynamic: DynamicRangeConfig | undefined }>(
  remote: string,
  peers: ReadonlyMap<string, E>,
  ranges: readonly DynamicRangeConfig[],
  stopped: boolean,
): Admission<E> {
  const known = peers.get(remote);
  if (known !== undefined) return { kind: "known", entry: known };
  const range = matchRange(remote, ranges);
  if (range === undefined || stopped)
    return {
      kind: "refused",
      reason: "connection refused: not a configured neighbor or dynamic range",
      details: { remote },
    };
  let count = 0;
  for (const e of peers.values()) if (e.dynamic?.name === range.name) count++;
  if (count >= range.maxPeers)
    return {
      kind: "refused",
      reason: "connection refused: dynamic range is full",
      details: { remote, range: range.name, maxPeers: range.maxPeers },
    };
  return { kind: "dynamic", range };
}

/** Opens a paused-on-connect listener per address; resolves once all listen. */
export async function listenAll(
  listen: readonly ListenConfig[],
  onSocket: (socket: net.Socket) => void,
  log: Logger,
): Promise<net.Server[]> {
  const servers: net.Server[] = [];
  for (const l of listen) {
    const server = net.createServer({ pauseOnConnect: true }, onSocket);
    server.on("error", (err) => log.error({ err: err.message }, "listener error"));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: l.address, port: l.port }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    servers.push(server);
    log.info({ address: l.address, port: (server.address() as net.AddressInfo).port }, "listening");
  }
  return servers;
}

/** "::ffff:198.18.0.1" (a v4 client on a dual-stack socket) -> "198.18.0.1". */
export function normalize(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
