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
 * drain time, cleans up (VIP route, nftables table) and exits 0.
 *
 * Twice, once per forwarding mode:
 * - tunnel (IPVS -i, IPIP, the backends answer the client directly): no
 *   request fails at all — the client's short requests before, during and
 *   after the update, and long downloads that went through lb1 and were
 *   still running when the router moved them to lb2/lb3 (the agent's
 *   sloppy_tcp and mh with mh-fallback make every pod send a flow to the same
 *   backend, which sees the same client). This is the mode for hitless
 *   rolling updates.
 * - masq (IPVS -m + nftables masquerade, the default): the short requests
 *   all succeed except, possibly, one in flight at the very instant the
 *   router changes its next-hop set (the script times every route change
 *   with ip monitor and every request; each failure must straddle a change).
 *   A connection the router moves reaches a pod whose source address the
 *   backend has never seen and is reset; the downloads through lb1 are
 *   reported, not asserted (they show why tunnel mode exists).
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildAgent,
  guestResult,
  guestSteps,
  prepareGuest,
  removeAgentBuild,
  runGuest,
} from "./guest-run.js";

// a private build (see lb-agent.vm.test.ts), removed afterwards
const distDir = `packages/lb-agent/.vm-dist/roll-${process.pid}`;
const guestTimeoutSeconds = 540;

interface Download {
  port: string;
  /** curl's exit code. */
  rc: number;
  /** The body's last line: "done" once the script released the download. */
  last: string;
  /** ms since the script started, when curl ended. */
  endMs: number;
  /** It was established through lb1 before the SIGTERM. */
  viaLb1: boolean;
  /** rc 0 and the whole body. */
  ok: boolean;
}

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
  forwarding: "masq" | "tunnel";
  downloads: { all: Download[]; withdrawnAtMs: number; releasedAtMs: number };
  ms: number;
}

async function rollingUpdate(forwarding: "masq" | "tunnel"): Promise<Result> {
  const run = await runGuest(
    "test/vm/guest/lb-rolling-update.sh",
    [distDir, forwarding],
    guestTimeoutSeconds,
  );
  const reported = guestResult<Result>(run);
  expect({ exitCode: run.exitCode, reported: reported !== undefined }, run.output).toEqual({
    exitCode: 0,
    reported: true,
  });
  const r = reported!;
  process.stdout.write(
    `lb rolling-update VM test (${forwarding}): guest script ${r.ms} ms; ${guestSteps(run)}\n` +
      `result: ${JSON.stringify({ client: r.client, conns: r.conns, sigterm: r.sigterm })}\n`,
  );
  expect(r.forwarding).toBe(forwarding);
  return r;
}

/** What holds in both modes: the agent's SIGTERM sequence and the spread over the pods. */
function expectHitlessSequence(r: Result): void {
  // answers before lb3, with three pods, while lb1 drained, and after it left (the script waits for
  // 8 in each phase)
  expect(r.client.routeChanges).toBeGreaterThanOrEqual(2);
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
    "tunnel mode: SIGTERM withdraws first, drains, exits 0, and no request fails, not even one moved between pods",
    async () => {
      const r = await rollingUpdate("tunnel");
      expectHitlessSequence(r);
      expect({ failed: r.client.failed, fails: r.client.fails }).toEqual({ failed: 0, fails: "" });
      // long downloads established through lb1 were moved to lb2/lb3 by the router when lb1
      // withdrew, outlived lb1, and completed when released
      const viaLb1 = r.downloads.all.filter((d) => d.viaLb1);
      expect(viaLb1.length).toBeGreaterThanOrEqual(1);
      expect(r.downloads.releasedAtMs).toBeGreaterThan(r.downloads.withdrawnAtMs);
      for (const d of r.downloads.all) expect(d.endMs).toBeGreaterThanOrEqual(r.downloads.releasedAtMs);
      expect(r.downloads.all.filter((d) => !d.ok)).toEqual([]);
    },
    (guestTimeoutSeconds + 30) * 1000,
  );

  it(
    "masquerade mode: the same sequence; a request fails only if in flight across a next-hop change",
    async () => {
      const r = await rollingUpdate("masq");
      expectHitlessSequence(r);
      // masquerade: a connection re-hashed to another LB pod is unknown there; the client sends one
      // request at a time, so at most one per change
      expect({ unexplained: r.client.unexplained, fails: r.client.fails }).toMatchObject({ unexplained: 0 });
      expect(r.client.failed).toBeLessThanOrEqual(r.client.routeChanges);
      process.stdout.write(
        `masquerade downloads (not asserted): ${JSON.stringify(r.downloads.all.map((d) => ({ ...d })))}\n`,
      );
    },
    (guestTimeoutSeconds + 30) * 1000,
  );
});
