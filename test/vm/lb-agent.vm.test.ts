/**
 * The real lb-agent (the built CLI, static backend source) programming real
 * kernel IPVS inside a QEMU guest: two LB pods (network namespaces), two
 * busybox-httpd backends, a client; see guest/lb-agent.sh for the topology.
 *
 * Proves: the agent makes the VIP local, loads its nftables masquerade rule
 * (replies only return because of it) and programs mh + mh-port with the
 * canonical real-server order in both pods even though their files list the
 * backends in different orders; a client reaches both backends through the
 * VIP; the same 12 flows land on the same backend through either LB pod; a
 * backend that dies is drained (weight 0) then removed by the health check
 * while traffic goes on to the other; each `ipvsadm --restore` is one
 * reconcile's apply; SIGTERM exits 0 after the drain and removes the VIP
 * route and the nftables table; a foreign IPVS service is never touched.
 *
 * One guest boot runs one script (JS is 10-16x slower under TCG), and the
 * agents run from a private build (tsc, here, first) rather than through tsx.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildAgent,
  guestResult,
  guestSteps,
  prepareGuest,
  removeAgentBuild,
  runGuest,
} from "./guest-run.js";

// a private build, so that a concurrent `pnpm build` rewriting dist/ cannot race the guest's reads;
// inside the package, so that node resolves its node_modules
const distDir = `packages/lb-agent/.vm-dist/${process.pid}`;

interface Result {
  ok: boolean;
  flows1: string;
  flows2: string;
  after: string;
  afterWeights: string;
  order1: string;
  order2: string;
  status1: {
    services: { name: string; total: number; healthy: number; draining: number; eligible: boolean }[];
    applies: number;
    reconciles: number;
    failures: number;
  };
  restores1: number;
  foreignUntouched: boolean;
  sigterm: { rc: number; ms: number; routesLeft: number; nftTablesLeft: number; events: string };
  ms: number;
}

describe("lb-agent on real IPVS in a QEMU guest", () => {
  beforeAll(() => {
    prepareGuest();
    buildAgent(distDir);
  }, 300_000);

  // only this file's build: another VM test file may be using its own next to it
  afterAll(() => removeAgentBuild(distDir));

  it("balances, stays consistent across LB pods with mh, fails over on health, and shuts down cleanly", async () => {
    const run = await runGuest("test/vm/guest/lb-agent.sh", [distDir], 270);
    const reported = guestResult<Result>(run);
    expect({ exitCode: run.exitCode, reported: reported !== undefined }, run.output).toEqual({
      exitCode: 0,
      reported: true,
    });
    const r = reported!;
    process.stdout.write(`lb-agent VM test: guest script ${r.ms} ms; ${guestSteps(run)}\n`);

    // both backends reached through the VIP, via lb1; no failed request
    const flows1 = r.flows1.split(" ").map((f) => f.split("=")[1]);
    expect(flows1).toHaveLength(12);
    expect(new Set(flows1)).toEqual(new Set(["be1", "be2"]));
    // mh: the same flows (source ports) through lb2 land on the same backends
    expect(r.flows2).toBe(r.flows1);
    // the same kernel order in both pods, although lb2's file lists the backends reversed: added in
    // canonical order (.11 then .12); `ipvsadm -L --nosort` lists the kernel's list, newest first
    expect(r.order1).toBe("198.19.2.12:8080 198.19.2.11:8080 ");
    expect(r.order2).toBe(r.order1);

    // be2 died: drained (weight 0 for the 15 s drain timeout), every new connection on be1 -- the
    // agent sets mh-fallback, without which mh drops a new flow that hashes to a weight-0 server
    expect(r.afterWeights).toBe("198.19.2.11:8080=1 198.19.2.12:8080=0 ");
    expect(r.after).toBe(Array(8).fill("be1").join(" "));
    expect(r.status1.services).toEqual([
      { name: "shop/web", total: 2, healthy: 1, draining: 0, eligible: true },
    ]);

    // one ipvsadm --restore process per applying reconcile; never a failure
    expect(r.restores1).toBe(r.status1.applies);
    expect(r.status1.applies).toBeGreaterThanOrEqual(3); // add, drain (weight 0), remove
    expect(r.status1.failures).toBe(0);
    expect(r.foreignUntouched).toBe(true);

    // SIGTERM: withdraw first, drain (1 s), clean up, exit 0
    expect(r.sigterm.rc).toBe(0);
    expect(r.sigterm.ms).toBeGreaterThanOrEqual(1000);
    expect(r.sigterm.routesLeft).toBe(0);
    expect(r.sigterm.nftTablesLeft).toBe(0);
    expect(r.sigterm.events.trim().split(" ").slice(-4)).toEqual([
      "announce.stopped",
      "agent.draining",
      "node.cleanup",
      "agent.stopped",
    ]);
  }, 300_000);
});
