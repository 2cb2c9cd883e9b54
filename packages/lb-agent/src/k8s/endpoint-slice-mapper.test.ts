/**
 * EndpointSlices -> snapshot, pure: conditions (nil values included) map to
 * live / draining / down; ports match by Service port name and protocol;
 * slices merge, with an endpoint seen in two slices kept once in its best
 * state; FQDN slices are reported and skipped; the order is canonical.
 */
import type { V1EndpointSlice } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { slice } from "../../../../test/k8s/slices.js";
import { serviceFromSlices } from "./endpoint-slice-mapper.js";
import { parseK8sSourceConfig } from "./k8s-source-config.js";

const asSlice = (o: ReturnType<typeof slice>) => o as unknown as V1EndpointSlice;
const config = parseK8sSourceConfig({
  services: [
    {
      name: "shop/web",
      vips: ["203.0.113.10"],
      ports: [
        { name: "http", port: 80 },
        { name: "dns", protocol: "UDP", port: 53, targetPort: "dns-port" },
      ],
    },
  ],
}).services[0]!;

describe("serviceFromSlices", () => {
  it("maps conditions, with nil values resolved as the API documents", () => {
    const s = serviceFromSlices(config, [
      asSlice(
        slice({
          name: "a",
          service: "web",
          ports: [{ name: "http", port: 8080 }],
          endpoints: [
            { ip: "198.19.1.1" }, // all nil: ready
            { ip: "198.19.1.2", ready: false }, // serving defers to ready: down
            { ip: "198.19.1.3", ready: false, serving: true, terminating: true },
            { ip: "198.19.1.4", ready: false, serving: true }, // serving, not terminating: down
            { ip: "198.19.1.5", ready: true, terminating: true }, // ready wins (publishNotReadyAddresses)
          ],
        }),
      ),
    ]);
    expect(s.endpoints.map((e) => `${e.address} ${e.state}`)).toEqual([
      "198.19.1.1 live",
      "198.19.1.2 down",
      "198.19.1.3 draining",
      "198.19.1.4 down",
      "198.19.1.5 live",
    ]);
  });

  it("matches ports by name and protocol, merges slices and de-duplicates moving endpoints", () => {
    const ignored: string[] = [];
    const s = serviceFromSlices(
      config,
      [
        asSlice(
          slice({
            name: "b",
            service: "web",
            ports: [
              { name: "http", port: 8080 },
              { name: "dns", port: 5353, protocol: "UDP" },
            ],
            endpoints: [{ ip: "198.19.2.1", ready: false, serving: true, terminating: true }],
          }),
        ),
        asSlice(
          slice({
            name: "a",
            service: "web",
            ports: [
              { name: "http", port: 8080 },
              { name: "dns", port: 5353, protocol: "TCP" },
            ],
            endpoints: [{ ip: "198.19.2.1" }, { ip: "198.19.1.1" }],
          }),
        ),
        asSlice(
          slice({
            name: "c",
            service: "web",
            addressType: "IPv6",
            ports: [{ name: "http", port: 8080 }],
            endpoints: [{ ip: "2001:db8:1::1" }],
          }),
        ),
        asSlice(
          slice({
            name: "f",
            service: "web",
            addressType: "FQDN",
            ports: [{ name: "http", port: 8080 }],
            endpoints: [{ ip: "x.example" }],
          }),
        ),
      ],
      (i) => ignored.push(`${i.slice}: ${i.reason}`),
    );
    expect(s.endpoints.map((e) => `${e.address} ${e.portName}:${e.port} ${e.state}`)).toEqual([
      "198.19.1.1 http:8080 live",
      "198.19.2.1 dns:5353 draining", // only slice b has dns over UDP
      "198.19.2.1 http:8080 live", // in slices a and b: the live entry wins
      "2001:db8:1::1 http:8080 live",
    ]);
    expect(ignored).toEqual(["f: addressType FQDN is not routable by IPVS"]);
    expect(s.ports).toEqual([
      { name: "http", protocol: "TCP", port: 80, targetPort: 8080 },
      { name: "dns", protocol: "UDP", port: 53, targetPort: "dns-port" },
    ]);
  });

  it("gives an empty snapshot when there are no slices", () => {
    const s = serviceFromSlices(config, []);
    expect(s).toEqual({
      name: "shop/web",
      vips: ["203.0.113.10"],
      ports: [
        { name: "http", protocol: "TCP", port: 80, targetPort: "http" },
        { name: "dns", protocol: "UDP", port: 53, targetPort: "dns-port" },
      ],
      endpoints: [],
    });
  });
});

describe("parseK8sSourceConfig", () => {
  it("names every bad field", () => {
    expect(() =>
      parseK8sSourceConfig({
        services: [
          { name: "web", vips: ["203.0.113.10"], ports: [{ port: 80 }] },
          { name: "shop/db", vips: ["2001:db8::zz"], ports: [{ port: 5432, protocol: "SCTP" }] },
        ],
        backoff: { initialMs: 0, maxMs: 10 },
      }),
    ).toThrow(
      "kubernetes: services[0].name: must be namespace/name (lower-case DNS labels); services[1].vips[0]: not an IPv4 or IPv6 address; services[1].ports[0].protocol: must be TCP or UDP; backoff.initialMs: Too small: expected number to be >0",
    );
  });
});
