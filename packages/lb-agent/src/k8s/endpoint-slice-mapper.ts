/**
 * EndpointSlices -> one service snapshot. Pure.
 *
 * A Service's endpoints are spread over any number of EndpointSlices (one
 * per address family at least, more past 100 endpoints); this merges them.
 * Per endpoint (discovery.k8s.io/v1 semantics):
 * - `ready` (nil = ready) -> live;
 * - `serving` and `terminating` -> draining: weight 0, existing flows go on;
 * - otherwise down (kept in the snapshot, never a real server).
 * Only the first address of an endpoint is used (the API calls them
 * fungible); FQDN slices are ignored; an endpoint listed in two slices while
 * it moves between them is merged, its most useful state winning.
 */
import type { V1EndpointSlice } from "@kubernetes/client-node";
import {
  type BackendService,
  canonicalEndpoints,
  type Endpoint,
  endpointState,
  type Protocol,
  resolveConditions,
  type ServicePort,
} from "../model.js";
import type { K8sServiceConfig } from "./k8s-source-config.js";

/** The label that ties an EndpointSlice to its Service. */
export const serviceNameLabel = "kubernetes.io/service-name";

export interface IgnoredSlice {
  readonly slice: string;
  readonly reason: string;
}

/** The target port each slice gives a service port, if any. */
function slicePortFor(
  slice: V1EndpointSlice,
  port: { name: string; protocol: Protocol },
): number | undefined {
  const match = (slice.ports ?? []).find(
    (p) => (p.name ?? "") === port.name && (p.protocol ?? "TCP") === port.protocol,
  );
  return match?.port ?? undefined;
}

export function serviceFromSlices(
  config: K8sServiceConfig,
  slices: readonly V1EndpointSlice[],
  ignored: (info: IgnoredSlice) => void = () => {},
): BackendService {
  const endpoints: Endpoint[] = [];
  const resolved = new Map<string, Set<number>>();
  for (const slice of slices) {
    const sliceName = slice.metadata?.name ?? "(unnamed)";
    if (slice.addressType !== "IPv4" && slice.addressType !== "IPv6") {
      ignored({ slice: sliceName, reason: `addressType ${slice.addressType} is not routable by IPVS` });
      continue;
    }
    for (const port of config.ports) {
      const targetPort = slicePortFor(slice, port);
      if (targetPort === undefined) continue;
      const seen = resolved.get(port.name) ?? new Set<number>();
      resolved.set(port.name, seen.add(targetPort));
      for (const e of slice.endpoints ?? []) {
        const address = e.addresses[0];
        if (address === undefined) continue;
        const conditions = resolveConditions(e.conditions ?? {});
        endpoints.push({
          address,
          port: targetPort,
          portName: port.name,
          conditions,
          state: endpointState(conditions),
          ...(e.nodeName === undefined || e.nodeName === null ? {} : { nodeName: e.nodeName }),
          ...(e.zone === undefined || e.zone === null ? {} : { zone: e.zone }),
        });
      }
    }
  }
  const ports: ServicePort[] = config.ports.map((p) => {
    const numbers = resolved.get(p.name);
    const uniform = numbers?.size === 1 ? [...numbers][0] : undefined;
    return {
      name: p.name,
      protocol: p.protocol,
      port: p.port,
      targetPort: p.targetPort ?? uniform ?? (p.name === "" ? p.port : p.name),
    };
  });
  return { name: config.name, vips: [...config.vips], ports, endpoints: canonicalEndpoints(endpoints) };
}
