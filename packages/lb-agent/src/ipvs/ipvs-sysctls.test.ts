/** The net.ipv4.vs.* sysctls, written under an injected /proc/sys root. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IpvsErrorCode } from "./ipvs-error.js";
import { applyIpvsSysctls, productionIpvsSysctls, sysctlPath } from "./ipvs-sysctls.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "portlb-procsys-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("IPVS sysctls", () => {
  it("lists what production needs, each with a reason", () => {
    const byName = new Map(productionIpvsSysctls.map((s) => [s.name, s.value]));
    expect(byName.get("net.ipv4.vs.conntrack")).toBe("1");
    expect(byName.get("net.ipv4.vs.expire_nodest_conn")).toBe("1");
    expect(byName.get("net.ipv4.vs.sloppy_tcp")).toBe("1");
    expect(byName.has("net.ipv4.vs.conn_reuse_mode")).toBe(true);
    expect(productionIpvsSysctls.every((s) => s.reason.length > 20)).toBe(true);
  });

  it("maps names to /proc/sys paths", () => {
    expect(sysctlPath("net.ipv4.vs.conntrack")).toBe("/proc/sys/net/ipv4/vs/conntrack");
  });

  it("writes every value under the given root", async () => {
    mkdirSync(join(root, "net/ipv4/vs"), { recursive: true });
    for (const s of productionIpvsSysctls) writeFileSync(sysctlPath(s.name, root), "0\n");
    expect(await applyIpvsSysctls({ procSysRoot: root })).toEqual({ ok: true, value: undefined });
    for (const s of productionIpvsSysctls) {
      expect(readFileSync(sysctlPath(s.name, root), "utf8")).toBe(`${s.value}\n`);
    }
  });

  it("reports every failure in one ERR_IPVS_SYSCTL_WRITE (ip_vs not loaded: no vs/ directory)", async () => {
    const result = await applyIpvsSysctls({ procSysRoot: root });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(IpvsErrorCode.SysctlWrite);
    for (const s of productionIpvsSysctls) expect(result.error.message).toContain(s.name);
  });
});
