/**
 * `RrConfig` -> the `SpeakerOptions` of @portlb/bgp. Pure. What makes the
 * speaker a route reflector for LB pods:
 *   - a CLUSTER_ID (default: the router ID), so dynamic peers can be
 *     route-reflector clients (RFC 4456);
 *   - dynamic ranges: passive peers from the overlay CIDRs, clients by
 *     default, ADD-PATH receive only when asked for;
 *   - upstreams: ADD-PATH send on every family by default (RFC 7911), so the
 *     router learns every LB path and can do ECMP; a router that does not
 *     negotiate ADD-PATH receive gets the best path only;
 *   - the graceful-restart time we advertise (RFC 4724), so a restart of
 *     ts-rr does not make the router drop the routes.
 */
import type {
  DynamicRangeConfig,
  Family,
  NeighborConfig,
  PolicyConfig,
  SessionSettings,
  SpeakerOptions,
} from "@portlb/bgp";
import type { Logger } from "pino";
import type { DynamicRange, RrConfig, Upstream } from "./rr-config-schema.js";

const allFamilies: readonly Family[] = ["ipv4-unicast", "ipv6-unicast"];

type SessionFields = Pick<
  DynamicRange,
  "families" | "holdTime" | "keepaliveTime" | "connectRetryTime" | "maxPrefixes"
>;

function sessionSettings(s: SessionFields): SessionSettings {
  const max = s.maxPrefixes;
  return {
    ...(s.families === undefined ? {} : { families: s.families }),
    ...(s.holdTime === undefined ? {} : { holdTime: s.holdTime }),
    ...(s.keepaliveTime === undefined ? {} : { keepaliveTime: s.keepaliveTime }),
    ...(s.connectRetryTime === undefined ? {} : { connectRetryTime: s.connectRetryTime }),
    ...(max === undefined
      ? {}
      : {
          maxPrefixes: {
            limit: max.limit,
            ...(max.restartAfter === undefined ? {} : { restartAfter: max.restartAfter }),
          },
        }),
  };
}

function addPathFor(
  families: readonly Family[],
  direction: "send" | "receive",
): NonNullable<SessionSettings["addPath"]> {
  return Object.fromEntries(families.map((f) => [f, direction]));
}

export function rangeConfig(r: DynamicRange): DynamicRangeConfig {
  return {
    name: r.name,
    prefixes: r.prefixes,
    asns: r.asns,
    maxPeers: r.maxPeers,
    routeReflectorClient: r.routeReflectorClient,
    ...(r.addPathReceive ? { addPath: addPathFor(r.families ?? allFamilies, "receive") } : {}),
    ...sessionSettings(r),
  };
}

export function neighborConfig(u: Upstream): NeighborConfig {
  return {
    address: u.address,
    asn: u.asn,
    port: u.port,
    passive: u.passive,
    ...(u.description === undefined ? {} : { description: u.description }),
    ...(u.localAddress === undefined ? {} : { localAddress: u.localAddress }),
    ...(u.addPathSend ? { addPath: addPathFor(u.families ?? allFamilies, "send") } : {}),
    ...(u.addPathSendMax === undefined ? {} : { addPathSendMax: u.addPathSendMax }),
    ...sessionSettings(u),
  };
}

function policies(upstreams: readonly Upstream[]): Record<string, PolicyConfig> {
  const out: Record<string, PolicyConfig> = {};
  for (const u of upstreams) {
    if (u.import === "default" && u.export === "default") continue;
    out[u.address] = {
      ...(u.import === "accept" ? { import: "accept" } : {}),
      ...(u.export === "accept" ? { export: "accept" } : {}),
    };
  }
  return out;
}

export function toSpeakerOptions(c: RrConfig, logger?: Logger): SpeakerOptions {
  return {
    localAs: c.localAs,
    routerId: c.routerId,
    clusterId: c.clusterId ?? c.routerId,
    listen: [{ address: c.listen.address, port: c.listen.port }],
    gracefulRestartTime: c.gracefulRestartTime,
    // Every start may be a restart: with GR on, the upstream router keeps our
    // previous paths (stale) until the LB clients are back and End-of-RIB goes out.
    restarting: c.gracefulRestartTime > 0,
    endOfRibDeferral: c.gracefulRestartTime > 0 ? c.endOfRibDeferral : 0,
    dynamicNeighbors: c.dynamicRanges.map(rangeConfig),
    neighbors: c.upstreams.map(neighborConfig),
    policies: policies(c.upstreams),
    ...(logger === undefined ? {} : { logger }),
  };
}
