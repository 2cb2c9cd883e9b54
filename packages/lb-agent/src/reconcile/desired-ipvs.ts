/**
 * The desired IPVS table, as a PURE function of the backend snapshots, the
 * health of each real server and the per-service settings:
 * `desiredIpvs(services, health, balancing) -> { services, status, announce }`.
 *
 * One virtual service per (VIP, service port); its real servers are the
 * service's endpoints of that port. Per endpoint:
 * - ready and healthy (or not health-checked)          -> the configured weight;
 * - serving + terminating (Kubernetes), or unhealthy
 *   but still within its drain timeout                 -> weight 0: existing
 *                                                         flows go on, no new ones;
 * - not serving, removed by the health check after the
 *   drain timeout, or ready but not yet proven healthy  -> absent.
 * A terminating endpoint stays at weight 0 even before its first health
 * check (it may carry flows an earlier agent run sent it); only a check
 * that saw it fail takes it out.
 *
 * With tunnel forwarding a real server's port is the VIP's port: IPVS
 * forwards the packet unchanged (ipvsadm would rewrite any other port,
 * and the table would never match the plan).
 *
 * The hashing schedulers (mh, sh) always get their fallback flag: without
 * it the kernel drops a new connection that hashes to a weight-0 real
 * server instead of picking another one, so draining would refuse clients.
 * The fallback is deterministic, so LB pods with the same table still agree.
 *
 * Real servers come out in canonical order (address, then port), the order
 * plan.ts adds them in, so every LB pod running mh builds the same Maglev
 * table. Two services claiming one (protocol, VIP, port) is a conflict: the
 * first by name keeps it, the other is reported in its status.
 *
 * A service is announce-eligible when at least `minHealthy` of its real
 * servers take new connections (weight > 0) and it has a virtual service;
 * `announce` is the set of VIPs of the eligible services.
 */

import type { ServiceBalancing } from "../config/balancing-schema.js";
import type { HealthState } from "../health/health-machine.js";
import { canonicalAddress, compareAddresses, parseAddress } from "../ipvs/ip-address.js";
import { compareRealServers } from "../ipvs/plan.js";
import { type RealServerInput, serviceId, type VirtualService, virtualService } from "../ipvs/types.js";
import type { BackendService, Endpoint } from "../model.js";

/** The health of one real server of a service; undefined while it has no checker yet. */
export type HealthLookup = (service: string, address: string, port: number) => HealthState | undefined;

export type RealServerHealth = "healthy" | "unhealthy" | "unknown" | "unchecked";

export interface RealServerStatus {
  readonly address: string;
  readonly port: number;
  readonly portName: string;
  /** From the source: live, draining (serving + terminating) or down. */
  readonly state: Endpoint["state"];
  readonly health: RealServerHealth;
  /** The IPVS weight; null when the server is not in the table. */
  readonly weight: number | null;
}

export interface ServiceStatus {
  readonly name: string;
  readonly vips: readonly string[];
  /** Endpoints that are not down (each address+port once). */
  readonly total: number;
  /** Real servers taking new connections (weight > 0). */
  readonly healthy: number;
  /** Real servers at weight 0 (terminating or draining after a failed check). */
  readonly draining: number;
  readonly minHealthy: number;
  readonly eligible: boolean;
  /** `tcp/203.0.113.10/80` keys of this service taken by another service. */
  readonly conflicts: readonly string[];
  /**
   * Tunnel forwarding only: endpoints whose port is not the VIP's, as
   * `198.19.2.11:8080 -> 80` (traffic arrives on the VIP's port; the health
   * check probes the endpoint's).
   */
  readonly portMismatches: readonly string[];
  readonly servers: readonly RealServerStatus[];
}

export interface DesiredIpvs {
  /** Sorted by service id; real servers in canonical order. */
  readonly services: readonly VirtualService[];
  /** Per backend service, in name order. */
  readonly status: readonly ServiceStatus[];
  /** VIPs to announce (canonical text, numeric order). */
  readonly announce: readonly string[];
  /** Every VIP of every service (canonical text, numeric order). */
  readonly vips: readonly string[];
  /** VIPs of the services that use masquerading. */
  readonly masqueradeVips: readonly string[];
  /** IPVS service id -> owning backend service name. */
  readonly owners: ReadonlyMap<string, string>;
}

function healthOf(state: HealthState | undefined, balancing: ServiceBalancing): RealServerHealth {
  if (balancing.healthCheck === null) return "unchecked";
  if (state === undefined || state.checks === 0) return "unknown";
  return state.healthy ? "healthy" : "unhealthy";
}

/** The weight rule of the module header; null = absent. */
export function realServerWeight(
  endpoint: Endpoint,
  state: HealthState | undefined,
  balancing: ServiceBalancing,
): number | null {
  if (endpoint.state === "down") return null;
  const check = balancing.healthCheck;
  if (check === null) return endpoint.state === "live" ? balancing.weight : 0;
  const presence = state?.presence ?? (check.initial === "healthy" ? "active" : "removed");
  if (endpoint.state === "draining") {
    const provenDead = presence === "removed" && state?.unhealthySince !== undefined;
    return provenDead ? null : 0;
  }
  return presence === "active" ? balancing.weight : presence === "draining" ? 0 : null;
}

const protocolOf = { TCP: "tcp", UDP: "udp" } as const;

function sortedVips(vips: Iterable<string>): string[] {
  const valid = [...vips].filter((v) => parseAddress(v) !== null);
  return [...new Set(valid.map((v) => canonicalAddress(v).text))].sort(compareAddresses);
}

export function desiredIpvs(
  services: readonly BackendService[],
  health: HealthLookup,
  balancing: (service: string) => ServiceBalancing,
): DesiredIpvs {
  const out: VirtualService[] = [];
  const owners = new Map<string, string>();
  const status: ServiceStatus[] = [];
  const announce: string[] = [];
  const all: string[] = [];
  const masq: string[] = [];
  for (const service of [...services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const b = balancing(service.name);
    const servers: RealServerStatus[] = [];
    const weights = new Map<string, number | null>();
    for (const e of service.endpoints) {
      // sources validate addresses; an unparseable one is never a real server
      if (e.state === "down" || parseAddress(e.address) === null) continue;
      const state = health(service.name, e.address, e.port);
      const weight = realServerWeight(e, state, b);
      weights.set(`${e.portName}\u0000${e.address}\u0000${e.port}`, weight);
      servers.push({
        address: e.address,
        port: e.port,
        portName: e.portName,
        state: e.state,
        health: healthOf(state, b),
        weight,
      });
    }
    const conflicts: string[] = [];
    const portMismatches = new Set<string>();
    let emitted = 0;
    for (const vip of service.vips) {
      if (parseAddress(vip) === null) continue;
      const address = canonicalAddress(vip);
      const family = address.family;
      for (const port of service.ports) {
        const realServers: RealServerInput[] = [];
        for (const e of service.endpoints) {
          if (e.portName !== port.name || e.state === "down") continue;
          // a real server must be of the VIP's address family
          if (parseAddress(e.address)?.family !== family) continue;
          const weight = weights.get(`${e.portName}\u0000${e.address}\u0000${e.port}`) ?? null;
          if (weight === null) continue;
          if (b.forwarding !== "masq" && e.port !== port.port) {
            portMismatches.add(
              `${e.address.includes(":") ? `[${e.address}]` : e.address}:${e.port} -> ${port.port}`,
            );
          }
          realServers.push({
            address: e.address,
            // tunnelled packets keep the VIP's port (ipvsadm itself sets a tunnel real server's port to
            // the service's), so the backend must accept the VIP's port
            port: b.forwarding === "masq" ? e.port : port.port,
            forwarding: b.forwarding,
            weight,
            ...(b.tunnel === null ? {} : { tunnel: b.tunnel }),
          });
        }
        const vs = virtualService({
          key: {
            kind: "address",
            protocol: protocolOf[port.protocol],
            address: address.text,
            port: port.port,
          },
          scheduler: b.scheduler,
          schedulerFlags: withFallback(b),
          persistence:
            b.persistence === null
              ? null
              : {
                  timeoutSeconds: b.persistence.timeoutSeconds,
                  netmaskPrefix:
                    family === "inet" ? b.persistence.netmaskPrefix : b.persistence.netmaskPrefix6,
                },
          realServers: dedupe(realServers),
        });
        const id = serviceId(vs.key);
        if (owners.has(id)) {
          conflicts.push(id);
          continue;
        }
        owners.set(id, service.name);
        out.push({ ...vs, realServers: [...vs.realServers].sort(compareRealServers) });
        emitted++;
      }
    }
    const unique = dedupeStatus(servers);
    const healthy = unique.filter((s) => s.weight !== null && s.weight > 0).length;
    const draining = unique.filter((s) => s.weight === 0).length;
    const eligible = emitted > 0 && healthy >= b.minHealthy;
    const vips = sortedVips(service.vips);
    all.push(...vips);
    if (b.forwarding === "masq") masq.push(...vips);
    if (eligible) announce.push(...vips);
    status.push({
      name: service.name,
      vips,
      total: unique.length,
      healthy,
      draining,
      minHealthy: b.minHealthy,
      eligible,
      conflicts,
      portMismatches: [...portMismatches].sort(),
      servers: unique,
    });
  }
  out.sort((a, b) => {
    const ia = serviceId(a.key);
    const ib = serviceId(b.key);
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  return {
    services: out,
    status,
    announce: sortedVips(announce),
    vips: sortedVips(all),
    masqueradeVips: sortedVips(masq),
    owners,
  };
}

/** The same address:port listed for two port names keeps its first entry. */
function dedupe(servers: readonly RealServerInput[]): RealServerInput[] {
  const seen = new Set<string>();
  return servers.filter((s) => {
    const id = `${canonicalAddress(s.address).text}/${s.port}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function dedupeStatus(servers: readonly RealServerStatus[]): RealServerStatus[] {
  const seen = new Set<string>();
  return servers
    .filter((s) => {
      const id = `${s.address}/${s.port}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    })
    .sort(compareRealServers);
}

/** The configured flags plus mh-fallback / sh-fallback for the hashing schedulers. */
function withFallback(b: ServiceBalancing): ServiceBalancing["schedulerFlags"] {
  if (b.scheduler !== "mh" && b.scheduler !== "sh") return b.schedulerFlags;
  const fallback = `${b.scheduler}-fallback` as const;
  return b.schedulerFlags.includes(fallback) ? b.schedulerFlags : [...b.schedulerFlags, fallback];
}
