/**
 * The pure desired-table function: weights from conditions and health,
 * canonical order, address families, conflicts, and announce eligibility.
 */
import { describe, expect, it } from "vitest";
import type { HealthState } from "../health/health-machine.js";
import { planIpvs } from "../ipvs/plan.js";
import { renderRestoreScript } from "../ipvs/restore-script.js";
import { emptyTable } from "../ipvs/types.js";
import { desiredIpvs } from "./desired-ipvs.js";
import { checked, ep, svc, unchecked } from "./reconcile-test-kit.js";

const none = () => undefined;

function health(entries: Record<string, Partial<HealthState>>) {
  return (service: string, address: string, port: number): HealthState | undefined => {
    const e = entries[`${service} ${address}:${port}`];
    if (e === undefined) return undefined;
    return {
      healthy: true,
      presence: "active",
      successes: 0,
      failures: 0,
      nextCheckAt: 0,
      lastCheckId: 0,
      lastTransitionAt: 0,
      checks: 1,
      ...e,
    };
  };
}

function script(
  services: Parameters<typeof desiredIpvs>[0],
  h: Parameters<typeof desiredIpvs>[1],
  b = unchecked(),
) {
  const desired = desiredIpvs(services, h, () => b);
  return renderRestoreScript(planIpvs(emptyTable, desired.services, () => true));
}

describe("desiredIpvs", () => {
  it("maps ready -> weight, serving+terminating -> 0, not serving -> absent, in canonical order", () => {
    const s = svc(
      "shop/web",
      ["203.0.113.10"],
      ["198.19.1.10", "198.19.1.9:draining", "198.19.1.2:down", "198.19.1.1"],
    );
    expect(script([s], none, unchecked({ weight: 5, schedulerFlags: ["mh-port"] }))).toBe(
      [
        "-A -t 203.0.113.10:80 -s mh -b mh-fallback,mh-port",
        "-a -t 203.0.113.10:80 -r 198.19.1.1:8080 -m -w 5",
        "-a -t 203.0.113.10:80 -r 198.19.1.9:8080 -m -w 0",
        "-a -t 203.0.113.10:80 -r 198.19.1.10:8080 -m -w 5",
        "",
      ].join("\n"),
    );
  });

  it("uses health: healthy -> weight, unhealthy draining -> 0, removed or never proven -> absent", () => {
    const s = svc(
      "shop/web",
      ["203.0.113.10"],
      ["198.19.1.1", "198.19.1.2", "198.19.1.3", "198.19.1.4", "198.19.1.5:draining"],
    );
    const h = health({
      "shop/web 198.19.1.1:8080": {},
      "shop/web 198.19.1.2:8080": { healthy: false, presence: "draining", unhealthySince: 0 },
      "shop/web 198.19.1.3:8080": { healthy: false, presence: "removed", unhealthySince: 0 },
      // 198.19.1.4: no result yet, initial "unhealthy" -> absent
      // 198.19.1.5: terminating, never checked -> still weight 0 (may hold flows)
    });
    const desired = desiredIpvs([s], h, () => checked());
    expect(desired.services[0]?.realServers.map((r) => `${r.address}=${r.weight}`)).toEqual([
      "198.19.1.1=1",
      "198.19.1.2=0",
      "198.19.1.5=0",
    ]);
    expect(desired.status[0]).toMatchObject({ total: 5, healthy: 1, draining: 2, eligible: true });
    expect(desired.status[0]?.servers.map((x) => x.health)).toEqual([
      "healthy",
      "unhealthy",
      "unhealthy",
      "unknown",
      "unknown",
    ]);
    // a terminating endpoint that a check proved dead is taken out
    const dead = health({
      "shop/web 198.19.1.5:8080": { healthy: false, presence: "removed", unhealthySince: 1 },
    });
    expect(desiredIpvs([s], dead, () => checked()).services[0]?.realServers.map((r) => r.address)).toEqual(
      [],
    );
  });

  it("puts real servers only under VIPs of their address family, one virtual service per VIP and port", () => {
    const s = svc("shop/web", ["2001:db8::10", "203.0.113.10"], ["2001:db8:1::2", "198.19.1.1"]);
    expect(script([s], none)).toBe(
      [
        // services in serviceId order (the planner's): "tcp/2001:..." sorts before "tcp/203...."
        "-A -t [2001:db8::10]:80 -s mh -b mh-fallback",
        "-a -t [2001:db8::10]:80 -r [2001:db8:1::2]:8080 -m -w 1",
        "-A -t 203.0.113.10:80 -s mh -b mh-fallback",
        "-a -t 203.0.113.10:80 -r 198.19.1.1:8080 -m -w 1",
        "",
      ].join("\n"),
    );
  });

  it("renders tunnel forwarding (real servers on the VIP's port, as ipvsadm sets them) and per-family persistence netmasks", () => {
    const s = svc("shop/web", ["203.0.113.10", "2001:db8::10"], ["198.19.1.1", "2001:db8:1::2"]);
    const b = unchecked({
      scheduler: "sh",
      schedulerFlags: ["sh-port"],
      forwarding: "tunnel",
      tunnel: { type: "gue", port: 6080, checksum: "csum" },
      persistence: { timeoutSeconds: 300, netmaskPrefix: 24, netmaskPrefix6: 64 },
    });
    expect(script([s], none, b)).toBe(
      [
        "-A -t [2001:db8::10]:80 -s sh -p 300 -M 64 -b sh-fallback,sh-port",
        "-a -t [2001:db8::10]:80 -r [2001:db8:1::2]:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum",
        "-A -t 203.0.113.10:80 -s sh -p 300 -M 255.255.255.0 -b sh-fallback,sh-port",
        "-a -t 203.0.113.10:80 -r 198.19.1.1:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum",
        "",
      ].join("\n"),
    );
  });

  it("reports tunnel endpoints whose port is not the VIP's (masquerade may translate it)", () => {
    const s = svc("shop/web", ["203.0.113.10", "2001:db8::10"], ["198.19.1.1", "2001:db8:1::2"]);
    const tunnel = unchecked({ forwarding: "tunnel", tunnel: { type: "ipip", port: 0, checksum: "nocsum" } });
    expect(desiredIpvs([s], none, () => tunnel).status[0]?.portMismatches).toEqual([
      "198.19.1.1:8080 -> 80",
      "[2001:db8:1::2]:8080 -> 80",
    ]);
    expect(desiredIpvs([s], none, () => unchecked()).status[0]?.portMismatches).toEqual([]);
  });

  it("announces only services with at least minHealthy live real servers", () => {
    const a = svc("shop/a", ["203.0.113.10"], ["198.19.1.1", "198.19.1.2:draining"]);
    const b = svc("shop/b", ["203.0.113.11", "2001:db8::11"], ["198.19.1.3", "198.19.1.4"]);
    const c = svc("shop/c", ["203.0.113.12"], []);
    const desired = desiredIpvs([c, b, a], none, () => unchecked({ minHealthy: 2 }));
    expect(desired.status.map((s) => [s.name, s.healthy, s.eligible])).toEqual([
      ["shop/a", 1, false],
      ["shop/b", 2, true],
      ["shop/c", 0, false],
    ]);
    expect(desired.announce).toEqual(["203.0.113.11", "2001:db8::11"]);
    expect(desired.vips).toEqual(["203.0.113.10", "203.0.113.11", "203.0.113.12", "2001:db8::11"]);
    expect(desiredIpvs([a], none, () => unchecked({ minHealthy: 0 })).announce).toEqual(["203.0.113.10"]);
  });

  it("gives a contested VIP:port to the first service by name and reports the conflict", () => {
    const a = svc("shop/a", ["203.0.113.10"], ["198.19.1.1"]);
    const b = svc("shop/b", ["203.0.113.10"], ["198.19.1.2"]);
    const desired = desiredIpvs([b, a], none, () => unchecked());
    expect(desired.services).toHaveLength(1);
    expect(desired.services[0]?.realServers[0]?.address).toBe("198.19.1.1");
    expect(desired.status[1]).toMatchObject({
      name: "shop/b",
      conflicts: ["tcp/203.0.113.10/80"],
      eligible: false,
    });
  });

  it("lists masqueraded VIPs apart from tunnelled ones and skips unparseable addresses", () => {
    const a = svc("shop/a", ["203.0.113.10"], ["198.19.1.1", ep("not-an-ip")]);
    const b = svc("shop/b", ["203.0.113.11"], ["198.19.1.2"]);
    const desired = desiredIpvs([a, b], none, (name) =>
      unchecked(
        name === "shop/b"
          ? { forwarding: "tunnel", tunnel: { type: "ipip", port: 0, checksum: "nocsum" } }
          : {},
      ),
    );
    expect(desired.masqueradeVips).toEqual(["203.0.113.10"]);
    expect(desired.status[0]?.total).toBe(1);
  });
});
