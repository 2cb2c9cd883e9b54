/**
 * Starting and stopping ts-rr's own HTTP servers (admin API, metrics) on an
 * `Endpoint`: TCP `host:port`, or a unix socket whose stale file from an
 * earlier run is removed first and whose mode is 0660 (owner and group).
 */
import { chmod, lstat, unlink } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Endpoint, formatEndpoint } from "./config/listen-address.js";

async function removeStaleSocket(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isSocket()) await unlink(path);
  } catch {
    // Nothing there: fine.
  }
}

/** Listens; resolves with the endpoint actually bound (the real port for port 0). */
export async function listenOn(server: Server, endpoint: Endpoint): Promise<Endpoint> {
  if (endpoint.kind === "unix") await removeStaleSocket(endpoint.path);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      resolve();
    };
    if (endpoint.kind === "unix") server.listen(endpoint.path, done);
    else server.listen({ host: endpoint.host, port: endpoint.port }, done);
  });
  if (endpoint.kind === "unix") {
    await chmod(endpoint.path, 0o660);
    return endpoint;
  }
  const bound = server.address() as AddressInfo;
  return { kind: "tcp", host: endpoint.host, port: bound.port };
}

/** Closes the server and any idle keep-alive connections. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** `http://127.0.0.1:50179` or `unix:/path` (for logs). */
export function describeEndpoint(e: Endpoint): string {
  return e.kind === "unix" ? formatEndpoint(e) : `http://${formatEndpoint(e)}`;
}
