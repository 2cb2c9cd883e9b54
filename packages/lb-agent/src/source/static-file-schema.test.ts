/**
 * The static file's validation: a good file becomes canonical snapshots
 * (defaults applied, endpoints per port, conditions mapped); a bad one is
 * rejected with a SourceError whose problems name each field path.
 */
import { describe, expect, it } from "vitest";
import { SourceError, SourceErrorCode } from "./source-error.js";
import { parseStaticFile } from "./static-file-schema.js";

function problemsOf(text: string): string[] {
  try {
    parseStaticFile(text, "backends.yaml");
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("accepted");
}

describe("parseStaticFile", () => {
  it("turns a valid file into canonical snapshots with defaults applied", () => {
    const services = parseStaticFile(
      `
services:
  - name: shop/web
    vips: [203.0.113.10, "2001:db8::10"]
    ports:
      - { name: http, port: 80, targetPort: 8080 }
      - { name: dns, protocol: UDP, port: 53 }
    backends:
      - { address: 198.19.2.10, ports: { http: 8081 }, zone: z1 }
      - { address: 198.19.1.10, ready: false, serving: true, terminating: true }
      - { address: "2001:db8:1::10", ready: false }
  - name: shop/api
    vips: [203.0.113.11]
    ports: [{ port: 443 }]
`,
      "backends.yaml",
    );
    expect(services.map((s) => s.name)).toEqual(["shop/api", "shop/web"]);
    const [api, web] = services;
    expect(api?.ports).toEqual([{ name: "", protocol: "TCP", port: 443, targetPort: 443 }]);
    expect(api?.endpoints).toEqual([]);
    expect(web?.endpoints.map((e) => `${e.address} ${e.portName}:${e.port} ${e.state}`)).toEqual([
      "198.19.1.10 dns:53 draining",
      "198.19.1.10 http:8080 draining",
      "198.19.2.10 dns:53 live",
      "198.19.2.10 http:8081 live",
      "2001:db8:1::10 dns:53 down",
      "2001:db8:1::10 http:8080 down",
    ]);
    expect(web?.endpoints[2]).toMatchObject({
      zone: "z1",
      conditions: { ready: true, serving: true, terminating: false },
    });
  });

  it("names the field path and the problem of every mistake", () => {
    expect(
      problemsOf(`
services:
  - name: Shop/Web
    vips: [203.0.113.300]
    ports:
      - { name: http, port: 80 }
      - { name: http, port: 70000, protocol: SCTP }
    backends:
      - { address: 198.19.1.1, ports: { nope: 1 } }
      - { address: 198.19.1.1, colour: blue }
`),
    ).toEqual([
      "services[0].name: must be namespace/name (lower-case DNS labels)",
      "services[0].vips[0]: not an IPv4 or IPv6 address",
      "services[0].ports[1].protocol: must be TCP or UDP",
      "services[0].ports[1].port: must be between 1 and 65535",
      'services[0].backends[1]: Unrecognized key: "colour"',
    ]);
    expect(
      problemsOf(`
services:
  - { name: a/b, vips: [203.0.113.1], ports: [{ port: 80 }, { port: 81 }] }
  - { name: a/b, vips: [], ports: [] }
  - name: a/c
    vips: [203.0.113.2]
    ports: [{ name: http, port: 80 }]
    backends: [{ address: 198.19.1.1, ports: { nope: 1 } }, { address: 198.19.1.1 }]
`),
    ).toEqual([
      "services[0].ports[0].name: required when a service has several ports",
      "services[0].ports[1].name: required when a service has several ports",
      'services[0].ports[1].name: duplicate port name ""',
      "services[1].vips: at least one VIP is required",
      "services[1].ports: at least one port is required",
      'services[2].backends[0].ports.nope: no service port named "nope"',
      "services[2].backends[1].address: duplicate backend 198.19.1.1",
      'services[1].name: duplicate service "a/b"',
    ]);
  });

  it("rejects broken YAML with its line and column, and an empty file", () => {
    let caught: unknown;
    try {
      parseStaticFile("services:\n  - name: [unclosed\n", "backends.yaml");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SourceError);
    expect((caught as SourceError).code).toBe(SourceErrorCode.StaticFileSyntax);
    expect((caught as SourceError).message).toMatch(/^backends\.yaml: not valid YAML: line \d+, column \d+/);
    expect(problemsOf("")).toEqual(["services: Invalid input: expected array, received undefined"]);
  });
});
