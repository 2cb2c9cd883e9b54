/**
 * BIRD 2 configuration text from a typed description: BGP neighbors (iBGP or
 * eBGP by AS, passive or active, ADD-PATH, graceful restart RFC 4724, route
 * reflector client RFC 4456), static routes to announce, and a kernel protocol
 * that writes BGP routes into the namespace's FIB, with `merge paths` so equal
 * BGP paths become one ECMP route (BIRD merges only "mergeable" paths: same
 * preference, LOCAL_PREF, AS_PATH length, ORIGIN, MED).
 *
 * Timers default to test-friendly values: BIRD otherwise waits 5 s before the
 * first connect and 60 s or more after an error before trying again.
 */
import { type Family, familyOf } from "./bgp-route.js";

export type BirdAddPaths = "on" | "rx" | "tx";

/** What a channel exports to the neighbor: "static" = only our own static routes. */
export type BirdExport = "all" | "none" | "static";

export interface BirdNeighbor {
  /** Protocol name in BIRD (letters, digits, underscore). */
  readonly name: string;
  readonly localAddress: string;
  readonly localAs: number;
  readonly address: string;
  readonly as: number;
  /** Address families carried on this session (default: the family of `address`). */
  readonly families?: readonly Family[];
  readonly port?: number;
  /** Only accept incoming connections. */
  readonly passive?: boolean;
  readonly addPaths?: BirdAddPaths;
  /**
   * Graceful restart (RFC 4724): true = on, "aware" = helper only. Default
   * off: BIRD is otherwise "aware" and keeps the routes of a peer that went
   * away without a NOTIFICATION (FRR's bgpd on SIGTERM) as stale for the
   * peer's restart time (120 s), so a stopped speaker would not vanish.
   */
  readonly gracefulRestart?: boolean | "aware";
  readonly gracefulRestartTime?: number;
  readonly holdTime?: number;
  readonly keepaliveTime?: number;
  readonly import?: "all" | "none";
  readonly export?: BirdExport;
  readonly nextHopSelf?: boolean;
  readonly rrClient?: boolean;
  /** IPv6 channel over an IPv4 session etc.: `extended next hop on` (RFC 8950). */
  readonly extendedNextHop?: boolean;
  /** Extra statements inside the protocol block, verbatim. */
  readonly extra?: readonly string[];
}

export interface BirdStaticRoute {
  readonly prefix: string;
  /** Gateway; default: a blackhole route (announced, never forwarded to). */
  readonly via?: string;
}

export interface BirdKernelExport {
  /** Merge equal BGP paths into one multipath kernel route (ECMP). */
  readonly mergePaths?: boolean;
  /** At most this many next hops in a merged route (BIRD's default 16). */
  readonly limit?: number;
  readonly families?: readonly Family[];
}

export interface BirdConfig {
  readonly routerId: string;
  readonly neighbors: readonly BirdNeighbor[];
  readonly staticRoutes?: readonly BirdStaticRoute[];
  /** Export BGP routes into the kernel FIB of the namespace. */
  readonly kernel?: BirdKernelExport;
  /** Extra top-level text, verbatim. */
  readonly extra?: string;
}

const exportFilter: Record<BirdExport, string> = {
  all: "all",
  none: "none",
  static: "where source = RTS_STATIC",
};

export function birdConfig(config: BirdConfig): string {
  const lines = [`router id ${config.routerId};`, "log stderr all;", "protocol device { }"];
  for (const family of ["ipv4", "ipv6"] as const) {
    const routes = (config.staticRoutes ?? []).filter((r) => familyOf(r.prefix) === family);
    if (routes.length === 0) continue;
    const body = routes.map(
      (r) => `  route ${r.prefix} ${r.via === undefined ? "blackhole" : `via ${r.via}`};`,
    );
    lines.push(`protocol static static_${family} {`, `  ${family};`, ...body, "}");
  }
  if (config.kernel !== undefined) {
    const k = config.kernel;
    const merge = k.mergePaths ? `  merge paths on${k.limit === undefined ? "" : ` limit ${k.limit}`};` : "";
    for (const family of k.families ?? ["ipv4", "ipv6"]) {
      lines.push(
        `protocol kernel kernel_${family} {`,
        `  ${family} { import none; export where source = RTS_BGP; };`,
        ...(merge === "" ? [] : [merge]),
        "}",
      );
    }
  }
  for (const n of config.neighbors) lines.push(...neighborBlock(n));
  if (config.extra !== undefined) lines.push(config.extra);
  return `${lines.join("\n")}\n`;
}

function neighborBlock(n: BirdNeighbor): string[] {
  const port = n.port === undefined ? "" : ` port ${n.port}`;
  const body = [
    `local ${n.localAddress} as ${n.localAs};`,
    `neighbor ${n.address}${port} as ${n.as};`,
    `hold time ${n.holdTime ?? 9};`,
    `keepalive time ${n.keepaliveTime ?? 3};`,
    "connect delay time 1;",
    "connect retry time 2;",
    "error wait time 1, 4;",
  ];
  if (n.passive) body.push("passive on;");
  if (n.localAs !== n.as) body.push("direct;");
  if (n.gracefulRestart === true || n.gracefulRestart === "aware") {
    body.push(`graceful restart ${n.gracefulRestart === true ? "on" : "aware"};`);
    if (n.gracefulRestartTime !== undefined) body.push(`graceful restart time ${n.gracefulRestartTime};`);
  } else {
    body.push("graceful restart off;", "long lived graceful restart off;");
  }
  if (n.rrClient) body.push("rr client;");
  for (const family of n.families ?? [familyOf(n.address)]) {
    const channel = [`import ${n.import ?? "all"};`, `export ${exportFilter[n.export ?? "static"]};`];
    if (n.addPaths !== undefined) channel.push(`add paths ${n.addPaths};`);
    if (n.nextHopSelf) channel.push("next hop self;");
    if (n.extendedNextHop && family !== familyOf(n.address)) channel.push("extended next hop on;");
    body.push(`${family} { ${channel.join(" ")} };`);
  }
  body.push(...(n.extra ?? []));
  return [`protocol bgp ${n.name} {`, ...body.map((l) => `  ${l}`), "}"];
}
