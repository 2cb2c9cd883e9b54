/**
 * The IPVS planner: a PURE function from (current table, desired services,
 * ownership) to the list of ipvsadm operations that turns one into the other.
 *
 * Rules:
 * - Ownership: only services this agent owns are touched. A service in the
 *   desired set is owned by definition; a current service that is not desired
 *   is deleted only if `owns(key)` says so. Everything else in the kernel
 *   (another agent's services, an operator's) is left exactly as it is.
 * - Minimal change: a service whose scheduler/flags/persistence changed is
 *   edited (`-E`), not re-created; a real server whose weight, thresholds or
 *   forwarding changed is edited (`-e`), so its connections live on.
 * - Canonical order: real servers are added in one order, by address
 *   (numeric, IPv4 before IPv6) then port, so that every LB pod builds the
 *   same table. For mh and sh this is not enough: their lookup table depends
 *   on the order in the kernel's list, which also holds servers added long
 *   ago. For those schedulers the plan keeps the longest canonical prefix
 *   that is already in order in the kernel, and deletes and re-adds every
 *   other kept server in canonical order, within the same
 *   `ipvsadm --restore` run. The kernel keeps a deleted destination in
 *   its trash and revives the same object when it is re-added, so existing
 *   connections to it survive.
 * - Determinism: services are handled in order of `serviceId`; the same
 *   inputs always give the same plan, and plan(current = desired) is empty.
 */
import { canonicalAddress, compareAddresses } from "./ip-address.js";
import { IpvsError, IpvsErrorCode } from "./ipvs-error.js";
import {
  type IpvsTable,
  type RealServer,
  realServerId,
  type ServiceKey,
  type ServiceSpec,
  sameRealServer,
  sameServiceSpec,
  serviceId,
  specOf,
  type VirtualService,
} from "./types.js";

export type IpvsOperation =
  | { readonly type: "add-service"; readonly service: ServiceSpec }
  | { readonly type: "edit-service"; readonly service: ServiceSpec }
  | { readonly type: "delete-service"; readonly key: ServiceKey }
  | { readonly type: "add-server"; readonly key: ServiceKey; readonly server: RealServer }
  | { readonly type: "edit-server"; readonly key: ServiceKey; readonly server: RealServer }
  | {
      readonly type: "delete-server";
      readonly key: ServiceKey;
      readonly server: { readonly address: string; readonly port: number };
    };

export interface IpvsPlan {
  readonly operations: readonly IpvsOperation[];
}

/** Which services this agent may delete when they are no longer desired. */
export type Ownership = (key: ServiceKey) => boolean;

/** Schedulers whose lookup table depends on the kernel's order of real servers. */
export const orderSensitiveSchedulers: ReadonlySet<string> = new Set(["mh", "sh"]);

/** Owns the services on the given VIPs (any protocol/port) and the given fwmarks. */
export function ownServicesOn(vips: Iterable<string>, fwmarks: Iterable<number> = []): Ownership {
  const addresses = new Set([...vips].map((vip) => canonicalAddress(vip).text));
  const marks = new Set(fwmarks);
  return (key) =>
    key.kind === "fwmark" ? marks.has(key.fwmark) : addresses.has(canonicalAddress(key.address).text);
}

/** The canonical order of real servers: address (numeric), then port. */
export function compareRealServers(
  a: { readonly address: string; readonly port: number },
  b: { readonly address: string; readonly port: number },
): number {
  return compareAddresses(a.address, b.address) || a.port - b.port;
}

function byServiceId(a: { key: ServiceKey }, b: { key: ServiceKey }): number {
  const ia = serviceId(a.key);
  const ib = serviceId(b.key);
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

function checkUnique(desired: readonly VirtualService[]): void {
  const seen = new Set<string>();
  for (const service of desired) {
    const id = serviceId(service.key);
    if (seen.has(id)) throw new IpvsError(IpvsErrorCode.DuplicateDesired, `service ${id} is desired twice`);
    seen.add(id);
    const servers = new Set<string>();
    for (const server of service.realServers) {
      const sid = realServerId(server);
      if (servers.has(sid)) {
        throw new IpvsError(IpvsErrorCode.DuplicateDesired, `real server ${sid} of ${id} is desired twice`);
      }
      servers.add(sid);
    }
  }
}

/**
 * How many servers of the canonical order can stay where they are: the
 * largest k such that target[0..k) are all kept and already in that order
 * in the kernel's list (other kept servers are deleted and re-added).
 */
function stablePrefix(kept: readonly RealServer[], target: readonly RealServer[]): number {
  const position = new Map(kept.map((s, i) => [realServerId(s), i]));
  let k = 0;
  let last = -1;
  while (k < target.length) {
    const at = position.get(realServerId(target[k]!));
    if (at === undefined || at < last) break;
    last = at;
    k++;
  }
  return k;
}

function planServers(current: VirtualService, desired: VirtualService): IpvsOperation[] {
  const key = desired.key;
  const wanted = new Map(desired.realServers.map((s) => [realServerId(s), s]));
  const target = [...desired.realServers].sort(compareRealServers);
  const kept = current.realServers.filter((s) => wanted.has(realServerId(s)));
  // servers that stay in place: all kept ones, or for mh/sh only the stable canonical prefix
  const staying = new Set(
    (orderSensitiveSchedulers.has(desired.scheduler)
      ? target.slice(0, stablePrefix(kept, target))
      : kept
    ).map(realServerId),
  );
  const operations: IpvsOperation[] = [];
  for (const server of current.realServers) {
    if (!staying.has(realServerId(server))) {
      operations.push({ type: "delete-server", key, server: { address: server.address, port: server.port } });
    }
  }
  for (const server of kept) {
    const want = wanted.get(realServerId(server))!;
    if (staying.has(realServerId(server)) && !sameRealServer(server, want)) {
      operations.push({ type: "edit-server", key, server: want });
    }
  }
  for (const server of target) {
    if (!staying.has(realServerId(server))) operations.push({ type: "add-server", key, server });
  }
  return operations;
}

/**
 * Plans the operations that turn `current` into `desired` for the services
 * this agent owns. Pure. Throws `ERR_IPVS_DUPLICATE_DESIRED` if `desired`
 * names a service or a real server twice (a bug in the caller).
 */
export function planIpvs(current: IpvsTable, desired: readonly VirtualService[], owns: Ownership): IpvsPlan {
  checkUnique(desired);
  const desiredIds = new Set(desired.map((s) => serviceId(s.key)));
  const currentById = new Map(current.services.map((s) => [serviceId(s.key), s]));
  const operations: IpvsOperation[] = [];
  for (const service of [...current.services].sort(byServiceId)) {
    if (!desiredIds.has(serviceId(service.key)) && owns(service.key)) {
      operations.push({ type: "delete-service", key: service.key });
    }
  }
  for (const service of [...desired].sort(byServiceId)) {
    const existing = currentById.get(serviceId(service.key));
    if (existing === undefined) {
      operations.push({ type: "add-service", service: specOf(service) });
      for (const server of [...service.realServers].sort(compareRealServers)) {
        operations.push({ type: "add-server", key: service.key, server });
      }
      continue;
    }
    if (!sameServiceSpec(existing, service))
      operations.push({ type: "edit-service", service: specOf(service) });
    operations.push(...planServers(existing, service));
  }
  return { operations };
}

/** True when the plan changes nothing. */
export function isEmptyPlan(plan: IpvsPlan): boolean {
  return plan.operations.length === 0;
}
