/**
 * The admin API: a small read-only HTTP server (node:http) on loopback or a
 * unix socket by default (never on a public address unless configured).
 *
 *     GET /neighbors          -> NeighborView[]
 *     GET /routes[?prefix=P]  -> PrefixView[]   (P: "203.0.113.10/32"; a bare address means /32 or /128)
 *     GET /healthz            -> { status: "ok", bgpListening, neighbors, established }
 *
 * Anything else is 404 (or 405 for another method). A failing handler
 * answers 500 and is logged; it never takes the daemon down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isIP } from "node:net";
import type { Speaker } from "@portlb/bgp";
import type { Logger } from "pino";
import type { Endpoint } from "../config/listen-address.js";
import { isCidr } from "../config/rr-config-schema.js";
import { closeServer, listenOn } from "../http-endpoint.js";
import { RrLogEvent } from "../log-events.js";
import { neighborView, prefixViews } from "./admin-views.js";

/** What the admin API reads from the speaker. */
export type AdminSource = Pick<Speaker, "neighbors" | "routes" | "listening">;

export interface AdminServerOptions {
  readonly source: AdminSource;
  readonly endpoint: Endpoint;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface AdminServer {
  /** The endpoint actually bound (the real port when asked for port 0). */
  readonly endpoint: Endpoint;
  close(): Promise<void>;
}

/** "203.0.113.10" -> "203.0.113.10/32"; a CIDR stays; null if neither. */
export function normalizePrefix(text: string): string | null {
  const version = isIP(text);
  if (version === 4) return `${text}/32`;
  if (version === 6) return `${text}/128`;
  return isCidr(text) ? text : null;
}

function send(res: ServerResponse, a: Answer): void {
  const text = `${JSON.stringify(a.body, null, 2)}\n`;
  res.writeHead(a.status, {
    ...a.headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

function answer(opts: AdminServerOptions, req: IncomingMessage): Answer {
  const url = new URL(req.url ?? "/", "http://admin");
  const known = ["/neighbors", "/routes", "/healthz"];
  if (!known.includes(url.pathname))
    return { status: 404, body: { error: `no such endpoint: ${url.pathname}` } };
  if (req.method !== "GET" && req.method !== "HEAD")
    return {
      status: 405,
      body: { error: `${req.method ?? "?"} not allowed: the admin API is read-only` },
      headers: { allow: "GET, HEAD" },
    };
  const now = opts.now ?? Date.now;
  const { source } = opts;
  if (url.pathname === "/neighbors")
    return { status: 200, body: source.neighbors().map((n) => neighborView(n, now())) };
  if (url.pathname === "/routes") {
    const raw = url.searchParams.get("prefix");
    if (raw === null || raw === "") return { status: 200, body: prefixViews(source.routes()) };
    const prefix = normalizePrefix(raw);
    if (prefix === null)
      return {
        status: 400,
        body: { error: `prefix: not an address or CIDR prefix: ${JSON.stringify(raw)}` },
      };
    return { status: 200, body: prefixViews(source.routes({ prefix })) };
  }
  const neighbors = source.neighbors();
  return {
    status: 200,
    body: {
      status: "ok",
      bgpListening: source.listening().map((a) => ({ address: a.address, port: a.port })),
      neighbors: neighbors.length,
      established: neighbors.filter((n) => n.state === "Established").length,
    },
  };
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const log = opts.logger;
  const server: Server = createServer((req, res) => {
    try {
      send(res, answer(opts, req));
    } catch (err) {
      log.error({ event: RrLogEvent.adminFailed, err, url: req.url }, "admin request failed");
      if (!res.headersSent) send(res, { status: 500, body: { error: "internal error" } });
      else res.destroy();
    }
  });
  server.on("clientError", (err, socket) => {
    log.debug({ event: RrLogEvent.adminFailed, err: err.message }, "bad admin request");
    socket.destroy();
  });
  const endpoint = await listenOn(server, opts.endpoint);
  return { endpoint, close: () => closeServer(server) };
}
