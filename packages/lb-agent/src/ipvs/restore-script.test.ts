/**
 * Rendering of plan operations as `ipvsadm --restore` lines: every option,
 * IPv6 brackets, fwmark -6, full re-statement of edits.
 */
import { describe, expect, it } from "vitest";
import { renderOperation, renderRestoreScript } from "./restore-script.js";
import { realServer, type ServiceKey, serviceSpec } from "./types.js";

const vip: ServiceKey = { kind: "address", protocol: "tcp", address: "203.0.113.10", port: 80 };
const vip6: ServiceKey = { kind: "address", protocol: "udp", address: "2001:db8::10", port: 53 };
const mark6: ServiceKey = { kind: "fwmark", family: "inet6", fwmark: 43 };

describe("renderOperation", () => {
  it("add-service with scheduler, flags, persistence and netmask", () => {
    const service = serviceSpec({
      key: vip,
      scheduler: "mh",
      schedulerFlags: ["mh-port", "mh-fallback"],
      persistence: { timeoutSeconds: 600, netmaskPrefix: 24 },
    });
    expect(renderOperation({ type: "add-service", service })).toBe(
      "-A -t 203.0.113.10:80 -s mh -p 600 -M 255.255.255.0 -b mh-fallback,mh-port",
    );
  });

  it("edit-service restates every attribute; --pe and -o; IPv6 netmask as prefix length", () => {
    const service = serviceSpec({
      key: vip6,
      scheduler: "sh",
      schedulerFlags: ["sh-port"],
      persistence: { timeoutSeconds: 30, netmaskPrefix: 64 },
      persistenceEngine: "sip",
      onePacket: true,
    });
    expect(renderOperation({ type: "edit-service", service })).toBe(
      "-E -u [2001:db8::10]:53 -s sh -p 30 -M 64 -b sh-port --pe sip -o",
    );
    expect(renderOperation({ type: "add-service", service: serviceSpec({ key: mark6 }) })).toBe(
      "-A -f 43 -6 -s wlc",
    );
  });

  it("a full-length netmask is not rendered", () => {
    const service = serviceSpec({ key: vip, scheduler: "rr", persistence: { timeoutSeconds: 300 } });
    expect(renderOperation({ type: "add-service", service })).toBe("-A -t 203.0.113.10:80 -s rr -p 300");
  });

  it("real servers: forwarding, weight, thresholds, tunnel options", () => {
    const masq = realServer({ address: "198.18.0.11", port: 8080, forwarding: "masq", weight: 0 });
    expect(renderOperation({ type: "add-server", key: vip, server: masq })).toBe(
      "-a -t 203.0.113.10:80 -r 198.18.0.11:8080 -m -w 0",
    );
    const route = realServer({
      address: "198.18.0.12",
      port: 80,
      forwarding: "route",
      upperThreshold: 100,
      lowerThreshold: 10,
    });
    expect(renderOperation({ type: "edit-server", key: vip, server: route })).toBe(
      "-e -t 203.0.113.10:80 -r 198.18.0.12:80 -g -w 1 -x 100 -y 10",
    );
    const gue = realServer({
      address: "2001:db8::12",
      port: 53,
      forwarding: "tunnel",
      tunnel: { type: "gue", port: 6080, checksum: "remcsum" },
    });
    expect(renderOperation({ type: "add-server", key: vip6, server: gue })).toBe(
      "-a -u [2001:db8::10]:53 -r [2001:db8::12]:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum",
    );
    const ipip = realServer({ address: "198.18.0.13", port: 80, forwarding: "tunnel" });
    expect(renderOperation({ type: "add-server", key: vip, server: ipip })).toContain(
      "-i -w 1 --tun-type ipip",
    );
  });

  it("deletes name only the key and the real server", () => {
    expect(renderOperation({ type: "delete-service", key: mark6 })).toBe("-D -f 43 -6");
    expect(
      renderOperation({ type: "delete-service", key: { kind: "fwmark", family: "inet", fwmark: 7 } }),
    ).toBe("-D -f 7");
    expect(
      renderOperation({
        type: "delete-server",
        key: { ...vip, protocol: "sctp" },
        server: { address: "198.18.0.11", port: 80 },
      }),
    ).toBe("-d --sctp-service 203.0.113.10:80 -r 198.18.0.11:80");
  });
});

describe("renderRestoreScript", () => {
  it("one line per operation, newline-terminated, no comments or blank lines", () => {
    const script = renderRestoreScript({
      operations: [
        { type: "add-service", service: serviceSpec({ key: vip, scheduler: "rr" }) },
        { type: "delete-service", key: mark6 },
      ],
    });
    expect(script).toBe("-A -t 203.0.113.10:80 -s rr\n-D -f 43 -6\n");
  });

  it("an empty plan renders as the empty string", () => {
    expect(renderRestoreScript({ operations: [] })).toBe("");
  });
});
