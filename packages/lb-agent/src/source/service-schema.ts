/**
 * The zod schema pieces every source shares to describe a service's identity
 * and front end: the `namespace/name`, the VIPs, the ports. The static file
 * schema and the Kubernetes source configuration are built from these, so
 * both reject the same mistakes with the same messages.
 */
import { isIP } from "node:net";
import { z } from "zod";

/** A DNS-1123 label, as Kubernetes requires for namespaces and service names. */
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const serviceNameSchema = z.string().refine(
  (s) => {
    const parts = s.split("/");
    return parts.length === 2 && parts.every((p) => dnsLabel.test(p));
  },
  { error: "must be namespace/name (lower-case DNS labels)" },
);

export const ipAddressSchema = z
  .string()
  .refine((s) => isIP(s) !== 0, { error: "not an IPv4 or IPv6 address" });

export const portNumberSchema = z
  .number({ error: "must be a port number" })
  .int({ error: "must be an integer" })
  .min(1, { error: "must be between 1 and 65535" })
  .max(65535, { error: "must be between 1 and 65535" });

export const protocolSchema = z.enum(["TCP", "UDP"], { error: "must be TCP or UDP" });

/** An IANA_SVC_NAME-like port name (lower-case, digits, dashes). */
export const portNameSchema = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "must be a lower-case port name" })
  .max(63);

export const vipsSchema = z.array(ipAddressSchema).min(1, { error: "at least one VIP is required" });

interface PortLike {
  readonly name?: string | undefined;
  readonly protocol: string;
  readonly port: number;
}

/**
 * Cross-field rules on a service's ports: names are required when there is
 * more than one port, names are unique, and no (protocol, port) appears twice.
 */
export function checkPorts(ports: readonly PortLike[], ctx: z.RefinementCtx, path: PropertyKey[]): void {
  const names = new Set<string>();
  const fronts = new Set<string>();
  ports.forEach((p, i) => {
    const name = p.name ?? "";
    if (ports.length > 1 && name === "") {
      ctx.addIssue({
        code: "custom",
        path: [...path, i, "name"],
        message: "required when a service has several ports",
      });
    }
    if (names.has(name))
      ctx.addIssue({ code: "custom", path: [...path, i, "name"], message: `duplicate port name "${name}"` });
    names.add(name);
    const front = `${p.protocol}/${p.port}`;
    if (fronts.has(front))
      ctx.addIssue({ code: "custom", path: [...path, i, "port"], message: `duplicate ${front}` });
    fronts.add(front);
  });
}

/** Services must not appear twice in one list. */
export function checkUniqueNames(
  items: readonly { readonly name: string }[],
  ctx: z.RefinementCtx,
  path: PropertyKey[],
): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name))
      ctx.addIssue({
        code: "custom",
        path: [...path, i, "name"],
        message: `duplicate service "${item.name}"`,
      });
    seen.add(item.name);
  });
}
