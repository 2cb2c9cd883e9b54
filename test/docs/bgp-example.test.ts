/**
 * The example in packages/bgp/README.md is a real program
 * (packages/bgp/examples/reflect-a-vip.ts): run it and check what it prints,
 * so the documentation cannot drift from the API.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("@portlb/bgp README example", () => {
  it("reflects a VIP from an LB speaker, then withdraws it", () => {
    const run = spawnSync(
      process.execPath,
      ["--conditions=@portlb/source", "--import", "tsx", "packages/bgp/examples/reflect-a-vip.ts"],
      { cwd: root, encoding: "utf8", timeout: 30_000 },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual([
      "session 127.0.0.2 Established",
      "route 203.0.113.10/32 via 198.18.0.11 from 127.0.0.2 best=true",
      "after withdraw: 0 routes",
    ]);
  }, 40_000);
});
