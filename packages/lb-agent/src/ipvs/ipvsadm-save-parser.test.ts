/**
 * The ipvsadm-save parser against golden output captured from ipvsadm 1.31
 * on Linux 6.1 (fixtures/ipvsadm-save-full.txt: every flag ipvsadm-save
 * emits, IPv4, IPv6, fwmark, TCP/UDP/SCTP), plus malformed input.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IpvsError, IpvsErrorCode } from "./ipvs-error.js";
import { parseIpvsadmSave, splitHostPort } from "./ipvsadm-save-parser.js";
import { planIpvs } from "./plan.js";
import { renderRestoreScript } from "./restore-script.js";
import { emptyTable, serviceId, virtualService } from "./types.js";

const golden = readFileSync(new URL("./fixtures/ipvsadm-save-full.txt", import.meta.url), "utf8");

function parseError(text: string): IpvsError {
  try {
    parseIpvsadmSave(text);
  } catch (error) {
    if (error instanceof IpvsError) return error;
    throw error;
  }
  throw new Error("expected a parse error");
}

describe("parseIpvsadmSave on golden ipvsadm-save -n output", () => {
  const table = parseIpvsadmSave(golden);
  const byId = new Map(table.services.map((s) => [serviceId(s.key), s]));

  it("finds every service, in the printed order", () => {
    expect(table.services.map((s) => serviceId(s.key))).toEqual([
      "tcp/203.0.113.10/80",
      "tcp/203.0.113.11/443",
      "tcp/203.0.113.13/0",
      "udp/203.0.113.12/53",
      "udp/203.0.113.15/4789",
      "sctp/203.0.113.14/3868",
      "tcp/2001:db8::10/443",
      "fwmark/inet/42",
      "fwmark/inet6/43",
    ]);
  });

  it("mh with mh-fallback,mh-port and masquerading real servers with weights (incl. 0)", () => {
    expect(byId.get("tcp/203.0.113.10/80")).toEqual(
      virtualService({
        key: { kind: "address", protocol: "tcp", address: "203.0.113.10", port: 80 },
        scheduler: "mh",
        schedulerFlags: ["mh-fallback", "mh-port"],
        realServers: [
          { address: "198.18.0.9", port: 8080, forwarding: "masq", weight: 0 },
          { address: "198.18.0.11", port: 8080, forwarding: "masq", weight: 1 },
          { address: "198.18.0.12", port: 8080, forwarding: "masq", weight: 3 },
        ],
      }),
    );
  });

  it("persistence with an IPv4 netmask, gatewaying and ipip tunneling", () => {
    expect(byId.get("tcp/203.0.113.11/443")).toEqual(
      virtualService({
        key: { kind: "address", protocol: "tcp", address: "203.0.113.11", port: 443 },
        scheduler: "wrr",
        persistence: { timeoutSeconds: 1800, netmaskPrefix: 24 },
        realServers: [
          { address: "198.18.0.11", port: 443, forwarding: "route", weight: 2 },
          { address: "198.18.0.12", port: 443, forwarding: "tunnel", weight: 1, tunnel: { type: "ipip" } },
        ],
      }),
    );
  });

  it("--pe sip on a port-0 persistent service", () => {
    expect(byId.get("tcp/203.0.113.13/0")).toMatchObject({
      scheduler: "lc",
      persistence: { timeoutSeconds: 5, netmaskPrefix: 32 },
      persistenceEngine: "sip",
      realServers: [],
    });
  });

  it("UDP sh with -o (one-packet) and sh-fallback,sh-port", () => {
    expect(byId.get("udp/203.0.113.12/53")).toMatchObject({
      scheduler: "sh",
      schedulerFlags: ["sh-fallback", "sh-port"],
      onePacket: true,
      persistence: null,
      realServers: [{ address: "198.18.0.11", port: 5353, forwarding: "masq", weight: 1 }],
    });
  });

  it("gre and gue tunnels with their options, SCTP", () => {
    expect(byId.get("udp/203.0.113.15/4789")?.realServers[0]?.tunnel).toEqual({
      type: "gre",
      port: 0,
      checksum: "csum",
    });
    expect(byId.get("sctp/203.0.113.14/3868")?.realServers[0]).toMatchObject({
      forwarding: "tunnel",
      tunnel: { type: "gue", port: 6080, checksum: "csum" },
    });
  });

  it("IPv6: bracketed addresses, prefix-length netmask", () => {
    expect(byId.get("tcp/2001:db8::10/443")).toMatchObject({
      scheduler: "mh",
      schedulerFlags: ["mh-port"],
      persistence: { timeoutSeconds: 60, netmaskPrefix: 64 },
      realServers: [
        { address: "2001:db8:0:1::11", port: 8443 },
        { address: "2001:db8:0:1::12", port: 8443 },
      ],
    });
  });

  it("fwmark services, IPv4 and IPv6 (-6), real servers with port 0", () => {
    expect(byId.get("fwmark/inet/42")).toMatchObject({
      key: { kind: "fwmark", family: "inet", fwmark: 42 },
      scheduler: "wlc",
      persistence: { timeoutSeconds: 300, netmaskPrefix: 32 },
      realServers: [{ address: "198.18.0.13", port: 0, forwarding: "masq", weight: 5 }],
    });
    expect(byId.get("fwmark/inet6/43")).toMatchObject({
      key: { kind: "fwmark", family: "inet6", fwmark: 43 },
      realServers: [{ address: "2001:db8::11", port: 0, weight: 2 }],
    });
  });

  it("thresholds are not in the save: they parse as 0", () => {
    expect(table.services.flatMap((s) => s.realServers).every((r) => r.upperThreshold === 0)).toBe(true);
  });

  it("round trip: rendering the table as restore input parses back to the same table", () => {
    const script = renderRestoreScript(planIpvs(emptyTable, table.services, () => true));
    const again = parseIpvsadmSave(script);
    const sorted = (t: typeof table) =>
      [...t.services].sort((a, b) => (serviceId(a.key) < serviceId(b.key) ? -1 : 1));
    expect(sorted(again)).toEqual(sorted(table));
  });
});

describe("parseIpvsadmSave edge cases", () => {
  it("empty output is an empty table", () => {
    expect(parseIpvsadmSave("")).toEqual(emptyTable);
    expect(parseIpvsadmSave("\n")).toEqual(emptyTable);
  });

  it("accepts long options, an `ipvsadm` prefix, a bare -p and a real server without port", () => {
    const table = parseIpvsadmSave(
      "ipvsadm --add-service --tcp-service 203.0.113.20:80 --scheduler rr --persistent\n" +
        "--add-server --tcp-service 203.0.113.20:80 --real-server 198.18.0.11 --masquerading --weight 4 -x 9 -y 2\n",
    );
    expect(table.services[0]).toMatchObject({
      scheduler: "rr",
      persistence: { timeoutSeconds: 360 },
      realServers: [{ address: "198.18.0.11", port: 80, weight: 4, upperThreshold: 9, lowerThreshold: 2 }],
    });
  });

  it("a service without -s gets ipvsadm's default scheduler wlc; a real server without -g/-i/-m is gatewaying", () => {
    const table = parseIpvsadmSave("-A -t 203.0.113.20:80\n-a -t 203.0.113.20:80 -r 198.18.0.11:80\n");
    expect(table.services[0]).toMatchObject({
      scheduler: "wlc",
      realServers: [{ forwarding: "route", weight: 1 }],
    });
  });

  it("canonicalises IPv6 spelling", () => {
    const table = parseIpvsadmSave("-A -t [2001:DB8:0:0::10]:80 -s rr\n");
    expect(table.services[0]?.key).toEqual({
      kind: "address",
      protocol: "tcp",
      address: "2001:db8::10",
      port: 80,
    });
  });

  it.each([
    ["an unknown option", "-A -t 203.0.113.20:80 -s rr --frobnicate\n", 1],
    ["a missing option value", "-A -t 203.0.113.20:80 -s\n", 1],
    ["a real server before its service", "-a -t 203.0.113.20:80 -r 198.18.0.11:80 -m -w 1\n", 1],
    ["a bad address", "-A -t 203.0.113.300:80 -s rr\n", 1],
    ["a bad port", "-A -t 203.0.113.20:99999 -s rr\n", 1],
    ["a non-numeric weight", "-A -t 203.0.113.20:80 -s rr\n-a -t 203.0.113.20:80 -r 198.18.0.1:80 -w x\n", 2],
    ["a non-contiguous netmask", "-A -t 203.0.113.20:80 -s rr -p 10 -M 255.0.255.0\n", 1],
    ["a line that is not a rule", "-A -t 203.0.113.20:80 -s rr\nIP Virtual Server version 1.2.1\n", 2],
    ["a service twice", "-A -t 203.0.113.20:80 -s rr\n-A -t 203.0.113.20:80 -s rr\n", 2],
    ["no service address", "-A -s rr\n", 1],
    [
      "lower threshold above upper",
      "-A -t 203.0.113.20:80\n-a -t 203.0.113.20:80 -r 198.18.0.1:80 -y 5\n",
      2,
    ],
  ])("rejects %s with ERR_IPVS_PARSE naming the line", (_what, text, line) => {
    const error = parseError(text);
    expect(error.code).toBe(IpvsErrorCode.ParseError);
    expect(error.line).toBe(line);
    expect(error.message).toContain(`line ${line}`);
  });
});

describe("splitHostPort", () => {
  it("splits IPv4 and bracketed IPv6, port optional", () => {
    expect(splitHostPort("203.0.113.1:80")).toEqual({ address: "203.0.113.1", port: 80 });
    expect(splitHostPort("[2001:db8::1]:443")).toEqual({ address: "2001:db8::1", port: 443 });
    expect(splitHostPort("[2001:db8::1]")).toEqual({ address: "2001:db8::1", port: 0 });
    expect(splitHostPort("host.example:80")).toBeNull();
  });
});
