/**
 * The kernel routing table as typed data, from `ip -j route show` in a
 * namespace. A multipath (ECMP) route carries `nexthops` (one entry per
 * `nexthop via …`); a single-path route carries `gateway`/`dev` directly.
 */
import { asArray, asNumber, asRecord, asString, parseJson } from "./json.js";

export interface KernelNexthop {
  readonly gateway: string | undefined;
  readonly dev: string | undefined;
  readonly weight: number | undefined;
  readonly flags: readonly string[];
}

export interface KernelRoute {
  /** As printed by ip: "203.0.113.10" for a host route, "198.18.0.0/24", "default". */
  readonly dst: string;
  readonly gateway: string | undefined;
  readonly dev: string | undefined;
  /** "kernel", "bird", "bgp", "static", … */
  readonly protocol: string | undefined;
  readonly metric: number | undefined;
  readonly type: string | undefined;
  /** Nexthop-object id (FRR's zebra installs routes through nexthop groups). */
  readonly nhid: number | undefined;
  readonly nexthops: readonly KernelNexthop[];
  readonly flags: readonly string[];
}

export function parseKernelRoutes(json: string): KernelRoute[] {
  const out: KernelRoute[] = [];
  for (const item of asArray(parseJson(json, "ip -j route"))) {
    const r = asRecord(item);
    const dst = asString(r?.dst);
    if (r === undefined || dst === undefined) continue;
    out.push({
      dst,
      gateway: asString(r.gateway),
      dev: asString(r.dev),
      protocol: asString(r.protocol),
      metric: asNumber(r.metric),
      type: asString(r.type),
      nhid: asNumber(r.nhid),
      nexthops: asArray(r.nexthops).map((n) => {
        const nh = asRecord(n);
        return {
          gateway: asString(nh?.gateway),
          dev: asString(nh?.dev),
          weight: asNumber(nh?.weight),
          flags: asArray(nh?.flags).flatMap((f) => asString(f) ?? []),
        };
      }),
      flags: asArray(r.flags).flatMap((f) => asString(f) ?? []),
    });
  }
  return out;
}

/** The gateways a route forwards to: every ECMP leg, or its single gateway. */
export function gatewaysOf(route: KernelRoute): string[] {
  if (route.nexthops.length > 0) return route.nexthops.flatMap((n) => n.gateway ?? []);
  return route.gateway === undefined ? [] : [route.gateway];
}

/** "203.0.113.10/32" and "203.0.113.10" name the same host route; ip prints the latter. */
export function sameDestination(printed: string, wanted: string): boolean {
  const host = (p: string): string => p.replace(/\/(32|128)$/, "");
  return host(printed.toLowerCase()) === host(wanted.toLowerCase());
}
