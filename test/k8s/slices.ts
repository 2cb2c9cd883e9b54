/**
 * Builders of EndpointSlice objects (as JSON, the way the API server stores
 * them) for the Kubernetes tests. Addresses follow the test address plan:
 * pods in 198.19.0.0/16 and 2001:db8::/32.
 */
import type { StoredObject } from "./slice-store.js";

export interface SliceEndpoint {
  readonly ip: string;
  readonly ready?: boolean | null;
  readonly serving?: boolean | null;
  readonly terminating?: boolean | null;
  readonly nodeName?: string;
  readonly zone?: string;
}

export interface SliceSpec {
  readonly namespace?: string;
  readonly name: string;
  readonly service: string;
  readonly addressType?: "IPv4" | "IPv6" | "FQDN";
  readonly ports?: readonly { name?: string; port: number; protocol?: "TCP" | "UDP" }[];
  readonly endpoints: readonly SliceEndpoint[];
}

export function slice(spec: SliceSpec): StoredObject {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: spec.name,
      namespace: spec.namespace ?? "default",
      labels: {
        "kubernetes.io/service-name": spec.service,
        "endpointslice.kubernetes.io/managed-by": "test",
      },
    },
    addressType: spec.addressType ?? "IPv4",
    ports: (spec.ports ?? [{ name: "http", port: 8080 }]).map((p) => ({
      name: p.name ?? "",
      port: p.port,
      protocol: p.protocol ?? "TCP",
    })),
    endpoints: spec.endpoints.map((e) => {
      const conditions: Record<string, boolean> = {};
      if (e.ready !== undefined && e.ready !== null) conditions.ready = e.ready;
      if (e.serving !== undefined && e.serving !== null) conditions.serving = e.serving;
      if (e.terminating !== undefined && e.terminating !== null) conditions.terminating = e.terminating;
      return {
        addresses: [e.ip],
        conditions,
        ...(e.nodeName === undefined ? {} : { nodeName: e.nodeName }),
        ...(e.zone === undefined ? {} : { zone: e.zone }),
      };
    }),
  };
}
