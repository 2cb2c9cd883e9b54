/**
 * A rolling update of the LB pods with real components only, in a QEMU
 * guest (test/vm/guest/lb-rolling-update.sh has the topology): BIRD 2 as the
 * upstream router with iBGP sessions to the agents and `merge paths` into
 * its namespace's kernel FIB (ECMP, L4 hash), the real lb-agent (built CLI,
 * static source, mh, kernel IPVS through ipvsadm, nftables masquerade) in
 * three LB-pod namespaces, busybox httpd backends, and a client that opens a
 * new connection per request through the router to the VIP the whole time.
 *
 * Proves the SIGTERM promise end to end: a new pod (lb3) joins the
 * router's ECMP route; on SIGTERM the old pod (lb1) withdraws first — the
 * router's kernel route loses lb1's next hop while lb1 still runs, and no
 * new connection reaches lb1's IPVS after that — keeps running for its
 * drain time, cleans up (VIP route, nftables table) and exits 0; and the
 * client's requests all succeed, before, during and after the update,
 * spread over all three LB pods — except, possibly, one that is in flight at
 * the very instant the router changes its next-hop set (lb3 joining, lb1
 * leaving). That one is not the agent's doing: with masquerade (the mode
 * here), a connection the router re-hashes to another LB pod reaches a pod
 * that does not know it and whose source address the backend has never
 * seen, so it is reset. The script times every route change (ip monitor)
 * and every request, and the test requires each failure to straddle a
 * change. Carrying connections across ECMP changes needs tunnel mode
 * (direct return, mh) or resilient hashing at the router.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent, prepareGuest, removeAgentBuild, runGuest } from "./guest-run.js";

// a private build (see lb-agent.vm.test.ts), removed afterwards
const distDir = `packages/lb-agent/.vm-dist/roll-${process.pid}`;
const guestTimeoutSeconds = 540;

interface Result {
  client: {
    ok: number;
    failed: number;
    fails: string;
    okAtLb3: number;
    okAtExit: number;
    okDraining: number;
    /** Changes of the router's route for the VIP (ip monitor). */
    routeChanges: number;
    /** Failed requests that were NOT in flight across such a change. */
    unexplained: number;
  };
  conns: { lb1: number; lb2: number; lb3: number; lb1AtWithdrawal: number; lb1AtExit: number };
  sigterm: {
    rc: number;
    withdrawnMs: number;
    withdrawnWhileAlive: boolean;
    exitMs: number;
    drainMs: number;
    hopsAfter: string;
    routesLeft: number;
    nftTablesLeft: number;
    events: string;
    /** SIGTERM -> the agent's `announce.stopped` log line. */
    agentWithdrewMs: number;
    /** The agent's `agent.draining` -> `node.cleanup` (done) log lines. */
    drainedMs: number;
    /** The router's route lost lb1 this long before lb1's drain time was up. */
    routeGoneBeforeDrainEndMs: number;
  };
  bird: { lb1: string; lb3: string };
  ms: number;
}

describe("rolling update of LB pods behind BIRD (ECMP) in a QEMU guest", () => {
  beforeAll(() => {
    prepareGuest();
    for (const tool of ["bird", "birdc"]) {
      const found = spawnSync("sh", ["-c", `command -v ${tool} || test -x /usr/sbin/${tool}`]);
      if (found.status !== 0) throw new Error(`${tool} missing: apt-get install -y bird2`);
    }
    buildAgent(distDir);
  }, 300_000);

  afterAll(() => removeAgentBuild(distDir));

  it(
    "SIGTERM withdraws first, drains, exits 0; no request fails except one in flight across a next-hop change",
    async () => {
      const run = await runGuest("test/vm/guest/lb-rolling-update.sh", [distDir], guestTimeoutSeconds);
      const line = run.output.split("\n").find((l) => l.startsWith("PORTLB-VM-RESULT "));
      expect({ exitCode: run.exitCode, reported: line !== undefined }, run.output).toEqual({
        exitCode: 0,
        reported: true,
      });
      const r = JSON.parse(line!.slice("PORTLB-VM-RESULT ".length)) as Result;
      process.stdout.write(
        `lb rolling-update VM test: guest script ${r.ms} ms; ${run.output
          .split("\n")
          .filter((l) => l.startsWith("STEP "))
          .join(
            " | ",
          )}\nresult: ${JSON.stringify({ client: r.client, conns: r.conns, sigterm: r.sigterm })}\n`,
      );

      // the client: no request failed but one in flight at the instant the router changed its
      // next-hop set (masquerade: a connection re-hashed to another LB pod is unknown there; the
      // client sends one request at a time, so at most one per change), and answers before lb3,
      // with three pods, while lb1 drained, and after it left (the script waits for 8 in each phase)
      expect(r.client.routeChanges).toBeGreaterThanOrEqual(2);
      expect({ unexplained: r.client.unexplained, fails: r.client.fails }).toMatchObject({ unexplained: 0 });
      expect(r.client.failed).toBeLessThanOrEqual(r.client.routeChanges);
      expect(r.client.okAtLb3).toBeGreaterThanOrEqual(8);
      expect(r.client.okAtExit - r.client.okAtLb3).toBeGreaterThanOrEqual(8);
      expect(r.client.okDraining).toBeGreaterThanOrEqual(1);
      expect(r.client.ok - r.client.okAtExit).toBeGreaterThanOrEqual(8);
      // ECMP spread the connections over every LB pod
      expect(r.conns.lb1).toBeGreaterThan(0);
      expect(r.conns.lb2).toBeGreaterThan(0);
      expect(r.conns.lb3).toBeGreaterThan(0);

      // withdraw first: the router lost lb1's next hop while lb1 was still running ...
      expect(r.sigterm.withdrawnMs).toBeGreaterThanOrEqual(0);
      expect(r.sigterm.withdrawnWhileAlive).toBe(true);
      expect(r.sigterm.withdrawnMs).toBeLessThan(r.sigterm.exitMs);
      // ... at once, not when the BGP session closes after the drain: the agent withdrew on SIGTERM
      // and the router's route had lost lb1 before lb1's drain time was up
      expect(r.sigterm.agentWithdrewMs).toBeGreaterThanOrEqual(0);
      expect(r.sigterm.agentWithdrewMs).toBeLessThan(r.sigterm.withdrawnMs);
      expect(r.sigterm.routeGoneBeforeDrainEndMs).toBeGreaterThan(0);
      // ... so no new connection reached lb1's IPVS afterwards
      expect(r.conns.lb1AtExit).toBe(r.conns.lb1AtWithdrawal);
      // then it served on for the drain time, cleaned up and exited 0
      expect(r.sigterm.rc).toBe(0);
      expect(r.sigterm.exitMs).toBeGreaterThanOrEqual(r.sigterm.drainMs);
      expect(r.sigterm.drainedMs).toBeGreaterThanOrEqual(r.sigterm.drainMs);
      expect(r.sigterm.hopsAfter).toBe("198.18.0.12 198.18.0.13");
      expect(r.sigterm.routesLeft).toBe(0);
      expect(r.sigterm.nftTablesLeft).toBe(0);
      expect(r.sigterm.events.trim().split(" ").slice(-4)).toEqual([
        "announce.stopped",
        "agent.draining",
        "node.cleanup",
        "agent.stopped",
      ]);
      // BIRD: lb1's session is gone (back to waiting for a connection), lb3's is up
      expect(r.bird.lb1).not.toBe("up");
      expect(r.bird.lb3).toBe("up");
    },
    (guestTimeoutSeconds + 30) * 1000,
  );
});
