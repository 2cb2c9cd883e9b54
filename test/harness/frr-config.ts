/**
 * FRR (bgpd, optionally zebra) configuration text from a typed description:
 * neighbors (iBGP/eBGP, passive, ADD-PATH tx/rx RFC 7911, graceful restart
 * RFC 4724, route-reflector clients RFC 4456, next hop set on export), the
 * networks to originate, and `maximum-paths` for ECMP into zebra.
 *
 * Test-friendly defaults: eBGP needs no policy (FRR otherwise applies
 * RFC 8212 and sends nothing), networks need no IGP route, advertisement
 * interval 0 (FRR's eBGP default of 30 s in "traditional" mode would delay
 * every change), short keepalive/hold and connect-retry timers.
 */
import { type Family, familyOf } from "./bgp-route.js";

export interface FrrNeighbor {
  readonly address: string;
  /** Remote AS, or "internal"/"external". */
  readonly as: number | "internal" | "external";
  /** Families activated on the session (default: the family of `address`). */
  readonly families?: readonly Family[];
  readonly passive?: boolean;
  /** `update-source`: local address of the session. */
  readonly updateSource?: string;
  readonly port?: number;
  /** Send all paths (RFC 7911) to this neighbor. */
  readonly addPathTxAll?: boolean;
  /** FRR advertises ADD-PATH receive by default; false sends `disable-addpath-rx`. */
  readonly addPathRx?: boolean;
  readonly rrClient?: boolean;
  readonly nextHopSelf?: boolean;
  /** Rewrite NEXT_HOP on export to this neighbor (per family), via an outbound route-map. */
  readonly nextHopOut?: { readonly ipv4?: string; readonly ipv6?: string };
  readonly holdTime?: number;
  readonly keepaliveTime?: number;
  readonly extra?: readonly string[];
}

export interface FrrConfig {
  readonly as: number;
  readonly routerId: string;
  readonly neighbors: readonly FrrNeighbor[];
  /** Prefixes to originate (`network`), IPv4 and IPv6. */
  readonly networks?: readonly string[];
  /** ECMP width for eBGP and iBGP (`maximum-paths`, `maximum-paths ibgp`). */
  readonly maximumPaths?: number;
  /** Treat paths with AS_PATHs of equal length but different ASes as multipath. */
  readonly multipathRelax?: boolean;
  /**
   * Graceful restart (RFC 4724) for all neighbors. Default off
   * (`bgp graceful-restart-disable`): FRR is otherwise a helper and keeps a
   * vanished peer's routes as stale for its restart time.
   */
  readonly gracefulRestart?: boolean;
  readonly clusterId?: string;
  /** Extra lines inside `router bgp`, verbatim. */
  readonly extraRouter?: readonly string[];
  /** Extra top-level text, verbatim. */
  readonly extra?: string;
}

/**
 * `withZebra` false (bgpd -Z): bgpd cannot tell whether an eBGP neighbor is
 * on a connected network and then never connects to it, so every eBGP
 * neighbor gets `disable-connected-check`.
 */
export function frrBgpdConfig(config: FrrConfig, hostname: string, withZebra: boolean): string {
  const r: string[] = [
    `router bgp ${config.as}`,
    ` bgp router-id ${config.routerId}`,
    " no bgp ebgp-requires-policy",
    " no bgp network import-check",
    " no bgp default ipv4-unicast",
  ];
  r.push(config.gracefulRestart ? " bgp graceful-restart" : " bgp graceful-restart-disable");
  if (config.multipathRelax) r.push(" bgp bestpath as-path multipath-relax");
  if (config.clusterId !== undefined) r.push(` bgp cluster-id ${config.clusterId}`);
  const routeMaps: string[] = [];
  for (const n of config.neighbors) {
    const a = ` neighbor ${n.address}`;
    r.push(`${a} remote-as ${n.as}`, `${a} timers ${n.keepaliveTime ?? 3} ${n.holdTime ?? 9}`);
    r.push(`${a} timers connect 1`, `${a} advertisement-interval 0`);
    if (n.passive) r.push(`${a} passive`);
    if (!withZebra && n.as !== "internal" && n.as !== config.as) r.push(`${a} disable-connected-check`);
    if (n.updateSource !== undefined) r.push(`${a} update-source ${n.updateSource}`);
    if (n.port !== undefined) r.push(`${a} port ${n.port}`);
    for (const line of n.extra ?? []) r.push(`${a} ${line}`);
  }
  r.push(...(config.extraRouter ?? []).map((l) => ` ${l}`));
  for (const family of ["ipv4", "ipv6"] as const) {
    const af: string[] = [];
    for (const prefix of config.networks ?? [])
      if (familyOf(prefix) === family) af.push(`  network ${prefix}`);
    if (config.maximumPaths !== undefined) {
      af.push(`  maximum-paths ${config.maximumPaths}`, `  maximum-paths ibgp ${config.maximumPaths}`);
    }
    for (const n of config.neighbors) {
      if (!(n.families ?? [familyOf(n.address)]).includes(family)) continue;
      const a = `  neighbor ${n.address}`;
      af.push(`${a} activate`);
      if (n.addPathTxAll) af.push(`${a} addpath-tx-all-paths`);
      if (n.addPathRx === false) af.push(`${a} disable-addpath-rx`);
      if (n.rrClient) af.push(`${a} route-reflector-client`);
      if (n.nextHopSelf) af.push(`${a} next-hop-self`);
      const nh = n.nextHopOut?.[family];
      if (nh !== undefined) {
        const map = `NH_${family}_${n.address.replace(/[.:]/g, "_")}`;
        af.push(`${a} route-map ${map} out`);
        const set = family === "ipv4" ? `set ip next-hop ${nh}` : `set ipv6 next-hop global ${nh}`;
        routeMaps.push(`route-map ${map} permit 10`, ` ${set}`, "!");
      }
    }
    if (af.length > 0) r.push(` address-family ${family} unicast`, ...af, " exit-address-family");
  }
  const lines = [
    "frr defaults traditional",
    `hostname ${hostname}`,
    "log stdout informational",
    "!",
    ...r,
    "!",
    ...routeMaps,
  ];
  if (config.extra !== undefined) lines.push(config.extra);
  return `${lines.join("\n")}\n`;
}

export function frrZebraConfig(hostname: string): string {
  return `hostname ${hostname}\nlog stdout informational\n!\n`;
}
