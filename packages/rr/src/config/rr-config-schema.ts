/**
 * The schema of ts-rr's YAML configuration (zod 4). Pure: unknown keys are
 * rejected (a typo must not silently fall back to a default), every field
 * error carries a message an operator can act on, and defaults are applied
 * here so the rest of the daemon sees one complete `RrConfig`.
 *
 * Defaults: BGP listens on 0.0.0.0:179 (all IPv4 addresses: LB pods connect
 * from the overlay); the admin API on 127.0.0.1:50179 and metrics on
 * 127.0.0.1:9179 (loopback: never public unless configured); cluster ID =
 * router ID; graceful-restart time 120 s; dynamic peers are route-reflector
 * clients without ADD-PATH receive; upstreams get ADD-PATH send on every
 * family (RFC 7911), so the router learns every LB path.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { type Endpoint, endpointSchema, hostPortSchema, type TcpEndpoint } from "./listen-address.js";

export const RrDefaults = {
  bgpListen: { address: "0.0.0.0", port: 179 },
  adminListen: { kind: "tcp", host: "127.0.0.1", port: 50179 } as Endpoint,
  metricsListen: { kind: "tcp", host: "127.0.0.1", port: 9179 } as TcpEndpoint,
  gracefulRestartTime: 120,
  endOfRibDeferral: 10,
  logLevel: "info",
} as const;

const families = ["ipv4-unicast", "ipv6-unicast"] as const;
export type RrFamily = (typeof families)[number];

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

/** "198.19.0.0/16", "2001:db8::/32": an address and a prefix length that fits it. */
export function isCidr(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash < 0) return false;
  const version = isIP(text.slice(0, slash));
  const length = text.slice(slash + 1);
  if (version === 0 || !/^[0-9]{1,3}$/.test(length)) return false;
  return Number(length) <= (version === 4 ? 32 : 128);
}

/** A zod error option: "is required" for a missing value, `message` otherwise. */
function invalid(message: string): { error: (issue: { input?: unknown }) => string } {
  return { error: (issue) => (issue.input === undefined ? "is required" : message) };
}

const asn = z
  .int(invalid("must be an AS number from 1 to 4294967295"))
  .min(1, { error: "must be an AS number from 1 to 4294967295" })
  .max(0xffffffff, { error: "must be an AS number from 1 to 4294967295" });

const ipAddress = z
  .string(invalid("must be an IPv4 or IPv6 address"))
  .refine((s) => isIP(s) !== 0, { error: "must be an IPv4 or IPv6 address" });

/** Router ID and cluster ID: a non-zero dotted quad (RFC 6286, RFC 4456 §7). */
const dottedQuad = z
  .string(invalid("must be a non-zero IPv4 address"))
  .refine((s) => isIP(s) === 4 && s !== "0.0.0.0", { error: "must be a non-zero IPv4 address" });

const port = z
  .int(invalid("must be a port number 0-65535"))
  .min(0, { error: "must be a port number 0-65535" })
  .max(65535, { error: "must be a port number 0-65535" });

const holdTime = z
  .int({ error: "must be a whole number of seconds" })
  .refine((h) => h === 0 || (h >= 3 && h <= 65535), { error: "must be 0 or 3-65535 s (RFC 4271 §4.2)" });

const seconds = z.int(invalid("must be a whole number of seconds")).min(1, { error: "must be at least 1 s" });

/** `maxPrefixes: 1000` or `maxPrefixes: { limit: 1000, restartAfter: 60 }`. */
const maxPrefixes = z.preprocess(
  (v) => (typeof v === "number" ? { limit: v } : v),
  z.strictObject({
    limit: z.int(invalid("must be a positive integer")).positive({ error: "must be a positive integer" }),
    restartAfter: z
      .int(invalid("must be a whole number of seconds"))
      .min(0, { error: "must not be negative" })
      .optional(),
  }),
);

/** Settings both kinds of peers share. */
const session = {
  families: z.array(z.enum(families)).min(1, { error: "must list at least one family" }).optional(),
  holdTime: holdTime.optional(),
  keepaliveTime: seconds.optional(),
  connectRetryTime: seconds.optional(),
  maxPrefixes: maxPrefixes.optional(),
};

const dynamicRange = z.strictObject({
  name: z.string().min(1, { error: "must not be empty" }),
  prefixes: z
    .array(z.string().refine(isCidr, { error: "must be a CIDR range, e.g. 198.19.0.0/16" }))
    .min(1, { error: "must list at least one CIDR range" }),
  asns: z.array(asn).min(1, { error: "must list at least one AS number" }),
  maxPeers: z.int(invalid("must be a positive integer")).positive({ error: "must be a positive integer" }),
  routeReflectorClient: z.boolean().default(true),
  addPathReceive: z.boolean().default(false),
  ...session,
});

const policy = z.enum(["default", "accept"]).default("default");

const upstream = z.strictObject({
  address: ipAddress,
  asn,
  description: z.string().optional(),
  port: port.min(1, { error: "must be a port number 1-65535" }).default(179),
  passive: z.boolean().default(false),
  localAddress: ipAddress.optional(),
  addPathSend: z.boolean().default(true),
  addPathSendMax: z
    .int({ error: "must be a positive integer" })
    .positive({ error: "must be a positive integer" })
    .optional(),
  /** "accept" lifts the RFC 8212 default deny; needed for an eBGP upstream. */
  import: policy,
  export: policy,
  ...session,
});

export const rrConfigSchema = z
  .strictObject({
    localAs: asn,
    routerId: dottedQuad,
    clusterId: dottedQuad.optional(),
    listen: z
      .strictObject({
        address: ipAddress.default(RrDefaults.bgpListen.address),
        port: port.default(RrDefaults.bgpListen.port),
      })
      .default(RrDefaults.bgpListen),
    gracefulRestartTime: z
      .int({ error: "must be 0-4095 s (RFC 4724 §3)" })
      .min(0, { error: "must be 0-4095 s (RFC 4724 §3)" })
      .max(4095, { error: "must be 0-4095 s (RFC 4724 §3)" })
      .default(RrDefaults.gracefulRestartTime),
    /** Seconds after start during which End-of-RIB is withheld from upstreams (RFC 4724 §4.1). */
    endOfRibDeferral: z
      .number({ error: "must be a number of seconds" })
      .min(0, { error: "must be 0 or more seconds" })
      .max(3600, { error: "must be at most 3600 s" })
      .default(RrDefaults.endOfRibDeferral),
    dynamicRanges: z.array(dynamicRange).default([]),
    upstreams: z.array(upstream).default([]),
    admin: z
      .strictObject({ listen: endpointSchema.default(RrDefaults.adminListen) })
      .default({ listen: RrDefaults.adminListen }),
    metrics: z
      .strictObject({ listen: hostPortSchema.default(RrDefaults.metricsListen) })
      .default({ listen: RrDefaults.metricsListen }),
    log: z
      .strictObject({ level: z.enum(logLevels).default(RrDefaults.logLevel) })
      .default({ level: RrDefaults.logLevel }),
  })
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.dynamicRanges.forEach((r, i) => {
      if (names.has(r.name))
        ctx.addIssue({
          code: "custom",
          path: ["dynamicRanges", i, "name"],
          message: `${r.name} is used twice`,
        });
      names.add(r.name);
    });
    const addresses = new Set<string>();
    c.upstreams.forEach((u, i) => {
      if (addresses.has(u.address))
        ctx.addIssue({
          code: "custom",
          path: ["upstreams", i, "address"],
          message: `${u.address} is configured twice`,
        });
      addresses.add(u.address);
    });
  });

/** A complete, validated ts-rr configuration (defaults applied). */
export type RrConfig = z.output<typeof rrConfigSchema>;
export type DynamicRange = RrConfig["dynamicRanges"][number];
export type Upstream = RrConfig["upstreams"][number];
