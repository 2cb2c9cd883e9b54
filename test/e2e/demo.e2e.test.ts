/**
 * The README's main job, `pnpm demo` (demo.ts), run as a user would: it
 * must exit 0, show the router's kernel route with three ECMP next hops,
 * then two after the SIGKILL and one after the SIGTERM, and leave no
 * namespace behind.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { listNamespaces } from "../harness/index.js";
import { root } from "./topology.js";

/** The `nexthop via` lines (or the single `via`) of each `ip route show` the demo printed. */
function routeWidths(output: string): number[] {
  const widths: number[] = [];
  const blocks = output.split("$ ip -n ").slice(1);
  for (const b of blocks) {
    const body = b.split("\n==")[0] ?? "";
    const hops = (body.match(/nexthop via 198\.18\.0\.1[123] /g) ?? []).length;
    widths.push(hops > 0 ? hops : /^203\.0\.113\.10 via 198\.18\.0\.1[123] /m.test(body) ? 1 : 0);
  }
  return widths;
}

describe("pnpm demo (the README's main job)", () => {
  it("shows 3 -> 2 -> 1 ECMP next hops and cleans up", async () => {
    const run = spawnSync(
      process.execPath,
      ["--conditions=@portlb/source", "--import", "tsx", "test/e2e/demo.ts"],
      { cwd: root, encoding: "utf8", timeout: 90_000 },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(routeWidths(run.stdout)).toEqual([3, 2, 1]);
    expect(run.stdout).toContain("1 prefix, 3 paths");
    expect((await listNamespaces()).filter((n) => n.startsWith(`portlb-${run.pid}-`))).toEqual([]);
  }, 120_000);
});
