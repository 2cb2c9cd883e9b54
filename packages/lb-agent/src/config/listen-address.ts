/**
 * `host:port` listen addresses of the admin and metrics servers:
 * `127.0.0.1:9470`, `[::1]:9470`, `0.0.0.0:9471`. The host must be an IP
 * address (no name lookups at start-up); port 0 asks the kernel for a free
 * port (tests).
 */
import { isIP } from "node:net";
import { z } from "zod";

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`; null if it is not one. */
export function parseListenAddress(text: string): ListenAddress | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(text);
  if (match === null) return null;
  const host = match[1] ?? match[2] ?? "";
  const port = Number(match[3]);
  if (isIP(host) === 0 || port > 65535) return null;
  if (match[1] !== undefined && isIP(host) !== 6) return null;
  return { host, port };
}

/** `http://127.0.0.1:9470`, `http://[::1]:9470`. */
export function listenUrl(address: ListenAddress): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `http://${host}:${address.port}`;
}

export const listenAddressSchema = z.string().transform((text, ctx): ListenAddress => {
  const parsed = parseListenAddress(text);
  if (parsed === null) {
    ctx.addIssue({ code: "custom", message: "must be ip:port, e.g. 127.0.0.1:9470 or [::1]:9470" });
    return z.NEVER;
  }
  return parsed;
});
