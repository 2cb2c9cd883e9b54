/**
 * The admin HTTP API (loopback by default) and the metrics endpoint:
 *
 *   GET /status   200, the agent's status as JSON (what `lb-agent status` prints)
 *   GET /healthz  200 "ok" while the process runs (liveness)
 *   GET /readyz   200 when the source is synced and IPVS is in sync, else 503
 *   GET /metrics  Prometheus text, when a registry is mounted on this server
 *
 * Only GET (and HEAD); anything else is 405, unknown paths 404. A handler
 * that throws answers 500 and is logged; the server never takes the agent
 * down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { ListenAddress } from "../config/listen-address.js";

export interface AdminRoutes {
  readonly status?: () => unknown;
  readonly ready?: () => boolean;
  readonly metrics?: Registry;
}

export interface RunningServer {
  /** The address actually bound (port 0 resolved). */
  readonly address: ListenAddress;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

async function handle(routes: AdminRoutes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    send(res, 405, "text/plain", "method not allowed\n");
    return;
  }
  if (path === "/healthz") {
    send(res, 200, "text/plain", "ok\n");
  } else if (path === "/status" && routes.status !== undefined) {
    send(res, 200, "application/json", `${JSON.stringify(routes.status(), null, 2)}\n`);
  } else if (path === "/readyz" && routes.ready !== undefined) {
    const ready = routes.ready();
    send(res, ready ? 200 : 503, "text/plain", ready ? "ready\n" : "not ready\n");
  } else if (path === "/metrics" && routes.metrics !== undefined) {
    send(res, 200, routes.metrics.contentType, await routes.metrics.metrics());
  } else {
    send(res, 404, "text/plain", "not found\n");
  }
}

/** Starts a server with these routes. @throws the listen error (EADDRINUSE, EACCES). */
export function startAdminServer(
  listen: ListenAddress,
  routes: AdminRoutes,
  logger: Logger,
): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    handle(routes, req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, "admin request failed");
      if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
      else res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      const bound = server.address() as AddressInfo;
      resolve({
        address: { host: bound.address, port: bound.port },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
