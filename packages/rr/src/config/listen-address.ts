/**
 * Where ts-rr's own HTTP servers listen: `host:port` (`127.0.0.1:50179`,
 * `[::1]:9179`) or, for the admin API, a unix socket (`unix:/run/ts-rr.sock`
 * or just an absolute path). Hosts must be IP addresses: no name lookups at
 * start-up. Port 0 asks the kernel for a free port (tests).
 */
import { isIP } from "node:net";
import { z } from "zod";

export interface TcpEndpoint {
  readonly kind: "tcp";
  readonly host: string;
  readonly port: number;
}

export interface UnixEndpoint {
  readonly kind: "unix";
  readonly path: string;
}

export type Endpoint = TcpEndpoint | UnixEndpoint;

/** Parses `host:port`; null if it is not one. */
export function parseHostPort(text: string): TcpEndpoint | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(text);
  if (match === null) return null;
  const host = match[1] ?? match[2] ?? "";
  const port = Number(match[3]);
  if (isIP(host) === 0 || port > 65535) return null;
  if (match[1] !== undefined && isIP(host) !== 6) return null;
  return { kind: "tcp", host, port };
}

/** Parses `host:port`, `unix:/path` or `/path`; null if it is none of them. */
export function parseEndpoint(text: string): Endpoint | null {
  if (text.startsWith("unix:")) {
    const path = text.slice("unix:".length);
    return path.startsWith("/") ? { kind: "unix", path } : null;
  }
  if (text.startsWith("/")) return { kind: "unix", path: text };
  return parseHostPort(text);
}

/** `127.0.0.1:9179`, `[::1]:9179`, `unix:/run/ts-rr.sock`. */
export function formatEndpoint(e: Endpoint): string {
  if (e.kind === "unix") return `unix:${e.path}`;
  return e.host.includes(":") ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** True for 127.0.0.0/8 and ::1 (and unix sockets): not reachable from other hosts. */
export function isLocalOnly(e: Endpoint): boolean {
  if (e.kind === "unix") return true;
  return e.host.startsWith("127.") || e.host === "::1";
}

export const hostPortSchema = z.string().transform((text, ctx): TcpEndpoint => {
  const parsed = parseHostPort(text);
  if (parsed === null) {
    ctx.addIssue({ code: "custom", message: "must be ip:port, e.g. 127.0.0.1:9179 or [::1]:9179" });
    return z.NEVER;
  }
  return parsed;
});

export const endpointSchema = z.string().transform((text, ctx): Endpoint => {
  const parsed = parseEndpoint(text);
  if (parsed === null) {
    ctx.addIssue({
      code: "custom",
      message: "must be ip:port (127.0.0.1:50179), unix:/path or an absolute socket path",
    });
    return z.NEVER;
  }
  return parsed;
});
