/**
 * The backend model: what a backend source (Kubernetes EndpointSlices or a
 * static file) produces, and what the health checks and the IPVS reconciler
 * consume.
 *
 * Plain data only: no classes, no I/O. A source emits one `BackendService`
 * per service every time anything about that service changes; the value is a
 * complete snapshot (never a delta), so a consumer that only keeps the latest
 * value per service is always correct.
 *
 * Data flow: source -> `SourceUpdate` stream -> health checks -> IPVS plan.
 *
 * One `Endpoint` is one real server of one service port: the pair
 * (address, port) behind the virtual service (VIP, `ServicePort.port`). It is
 * tied to its service port by `portName`. Endpoints are kept in canonical
 * order (address, then port name, then port) so that every LB pod adds real
 * servers in the same order (the Maglev scheduler depends on it).
 */

/** Transport protocols an IPVS virtual service can carry. */
export const Protocol = { TCP: "TCP", UDP: "UDP" } as const;
export type Protocol = (typeof Protocol)[keyof typeof Protocol];

/** `namespace/name`, the identity of a service in every source. */
export type ServiceName = string;

/** One port of the service, as clients reach it on the VIP(s). */
export interface ServicePort {
  /** The port's name; "" for the single unnamed port of a service. */
  readonly name: string;
  readonly protocol: Protocol;
  /** The port on the VIP. */
  readonly port: number;
  /**
   * Where the backends listen: a number, or the name of a container port
   * (Kubernetes named target port). The resolved number of each real server
   * is `Endpoint.port`.
   */
  readonly targetPort: number | string;
}

/**
 * The conditions of an endpoint, with the meaning Kubernetes gives them
 * (discovery.k8s.io/v1 EndpointConditions), nil values already resolved:
 * ready defaults to true, serving defers to ready, terminating defaults to false.
 */
export interface EndpointConditions {
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

/**
 * What the conditions mean for load balancing:
 * - `live`: takes new connections (weight as configured);
 * - `draining`: serving but terminating: keeps its existing flows, no new
 *   ones (weight 0);
 * - `down`: neither: not a real server at all.
 */
export type EndpointState = "live" | "draining" | "down";

export interface Endpoint {
  /** An IPv4 or IPv6 address, in the form the source gave it. */
  readonly address: string;
  /** The resolved target port of this real server. */
  readonly port: number;
  /** The `ServicePort.name` this real server belongs to. */
  readonly portName: string;
  readonly conditions: EndpointConditions;
  readonly state: EndpointState;
  readonly nodeName?: string;
  readonly zone?: string;
}

/** The complete backend state of one service. */
export interface BackendService {
  readonly name: ServiceName;
  /** The service's virtual IPs (IPv4 and/or IPv6). */
  readonly vips: readonly string[];
  readonly ports: readonly ServicePort[];
  /** Every endpoint of every port, in canonical order. */
  readonly endpoints: readonly Endpoint[];
}

/** One item of a source's update stream. */
export type SourceUpdate =
  | { readonly type: "service"; readonly service: BackendService }
  | { readonly type: "removed"; readonly name: ServiceName };

/** Derives the load-balancing state from an endpoint's conditions. */
export function endpointState(conditions: EndpointConditions): EndpointState {
  if (conditions.ready) return "live";
  if (conditions.serving && conditions.terminating) return "draining";
  return "down";
}

/**
 * Resolves Kubernetes' optional conditions to booleans, following the API
 * documentation: a nil `ready` is an unknown state to be treated as ready; a
 * nil `serving` defers to `ready`; a nil `terminating` means not terminating.
 */
export function resolveConditions(raw: {
  readonly ready?: boolean | null | undefined;
  readonly serving?: boolean | null | undefined;
  readonly terminating?: boolean | null | undefined;
}): EndpointConditions {
  const ready = raw.ready ?? true;
  return { ready, serving: raw.serving ?? ready, terminating: raw.terminating ?? false };
}

const stateRank: Record<EndpointState, number> = { live: 2, draining: 1, down: 0 };

/** Canonical order of endpoints: address, port name, port. */
export function compareEndpoints(a: Endpoint, b: Endpoint): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  if (a.portName !== b.portName) return a.portName < b.portName ? -1 : 1;
  return a.port - b.port;
}

/**
 * Sorts endpoints canonically and merges duplicates (the same address and
 * port name seen twice, as happens while Kubernetes moves an endpoint between
 * EndpointSlices): the entry with the most useful state wins.
 */
export function canonicalEndpoints(endpoints: readonly Endpoint[]): Endpoint[] {
  const byKey = new Map<string, Endpoint>();
  for (const e of endpoints) {
    const key = `${e.address}\u0000${e.portName}\u0000${e.port}`;
    const seen = byKey.get(key);
    if (seen === undefined || stateRank[e.state] > stateRank[seen.state]) byKey.set(key, e);
  }
  return [...byKey.values()].sort(compareEndpoints);
}

/** The endpoints that are real servers of the given service port, in canonical order. */
export function endpointsOfPort(service: BackendService, portName: string): Endpoint[] {
  return service.endpoints.filter((e) => e.portName === portName && e.state !== "down");
}

/** Structural equality of two snapshots (both assumed canonical). */
export function sameService(a: BackendService, b: BackendService): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
