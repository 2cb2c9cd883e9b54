/**
 * The reconciler shell against the in-memory Ipvs on a fake clock:
 * endpoints added / removed / not ready / terminating reach the table with
 * exactly ONE apply per reconcile; changes inside the coalescing window make
 * one reconcile; a foreign service is never touched; ipvsadm failures
 * (missing binary, refused restore) are logged with their stderr, retried
 * with exponential backoff after re-reading the table, and the announce set
 * never grows while the kernel is out of sync.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../health/fake-clock.js";
import { IpvsError, IpvsErrorCode } from "../ipvs/ipvs-error.js";
import { MemoryIpvs } from "../ipvs/memory-ipvs.js";
import { renderRestoreScript } from "../ipvs/restore-script.js";
import { type IpvsTable, virtualService } from "../ipvs/types.js";
import type { BackendService } from "../model.js";
import type { HealthLookup } from "./desired-ipvs.js";
import { recordingLogger, svc, unchecked } from "./reconcile-test-kit.js";
import { type NodeSync, type NodeSyncTarget, Reconciler } from "./reconciler.js";

const foreign = virtualService({
  key: { kind: "address", protocol: "tcp", address: "203.0.113.99", port: 80 },
  scheduler: "rr",
  realServers: [{ address: "198.19.9.9", port: 80, forwarding: "masq" }],
});

function setup(
  options: {
    initial?: IpvsTable;
    health?: HealthLookup;
    minHealthy?: number;
    node?: NodeSync;
    tunnel?: boolean;
  } = {},
) {
  const clock = new FakeClock();
  const ipvs = new MemoryIpvs(options.initial ?? { services: [foreign] });
  const { logger, lines } = recordingLogger();
  const announced: string[][] = [];
  const reconciler = new Reconciler({
    ipvs,
    clock,
    logger,
    health: options.health ?? (() => undefined),
    balancing: () =>
      unchecked({
        minHealthy: options.minHealthy ?? 1,
        ...(options.tunnel === true
          ? { forwarding: "tunnel", tunnel: { type: "ipip", port: 0, checksum: "nocsum" } }
          : {}),
      }),
    debounceMs: 100,
    backoff: { initialMs: 500, maxMs: 4000, factor: 2, jitter: 0 },
    announce: (vips) => announced.push([...vips]),
    ...(options.node === undefined ? {} : { node: options.node }),
  });
  /** Moves the clock and waits for the reconcile it started. */
  const settle = async (ms = 100): Promise<void> => {
    clock.advance(ms);
    await reconciler.idle();
  };
  /** The restore script of the n-th apply (0-based), or of the last one. */
  const applied = (n = ipvs.applied.length - 1): string =>
    renderRestoreScript(ipvs.applied[n] ?? { operations: [] });
  return { clock, ipvs, lines, announced, reconciler, settle, applied };
}

const web = (endpoints: string[]): BackendService => svc("shop/web", ["203.0.113.10"], endpoints);

describe("Reconciler", () => {
  it("warns once per change when tunnelled endpoints listen on another port than the VIP's", async () => {
    const t = setup({ tunnel: true });
    const warnings = () => t.lines.filter((l) => l.event === "reconcile.service.tunnel-port-mismatch");
    t.reconciler.update({ type: "service", service: web(["198.19.1.1"]) });
    await t.settle();
    expect(t.applied()).toContain("-r 198.19.1.1:80 -i");
    // another reconcile (a down endpoint appears), the same mismatches: no new warning
    t.reconciler.update({ type: "service", service: web(["198.19.1.1", "198.19.1.3:down"]) });
    await t.settle();
    expect(t.reconciler.status().counters.reconciles).toBe(2);
    expect(warnings().map((l) => l.msg)).toEqual([
      "shop/web: tunnelled traffic keeps the VIP's port, but endpoints listen elsewhere: 198.19.1.1:8080 -> 80",
    ]);
    t.reconciler.update({ type: "service", service: web(["198.19.1.1", "198.19.1.2"]) });
    await t.settle();
    expect(warnings()).toHaveLength(2);
  });

  it("programs added, removed, not-ready and terminating endpoints with one apply per reconcile", async () => {
    const t = setup();
    t.reconciler.update({ type: "service", service: web(["198.19.1.2", "198.19.1.1"]) });
    await t.settle();
    expect(t.ipvs.applied).toHaveLength(1);
    expect(t.applied()).toBe(
      "-A -t 203.0.113.10:80 -s mh -b mh-fallback\n" +
        "-a -t 203.0.113.10:80 -r 198.19.1.1:8080 -m -w 1\n" +
        "-a -t 203.0.113.10:80 -r 198.19.1.2:8080 -m -w 1\n",
    );
    expect(t.reconciler.status()).toMatchObject({ inSync: true, announced: ["203.0.113.10"] });

    // .1 terminating (weight 0), .2 not ready (gone), .3 new: ONE apply
    t.reconciler.update({
      type: "service",
      service: web(["198.19.1.1:draining", "198.19.1.2:down", "198.19.1.3"]),
    });
    await t.settle();
    expect(t.ipvs.applied).toHaveLength(2);
    expect(t.applied()).toBe(
      "-d -t 203.0.113.10:80 -r 198.19.1.2:8080\n" +
        "-e -t 203.0.113.10:80 -r 198.19.1.1:8080 -m -w 0\n" +
        "-a -t 203.0.113.10:80 -r 198.19.1.3:8080 -m -w 1\n",
    );
    expect(t.reconciler.status().services[0]).toMatchObject({
      total: 2,
      healthy: 1,
      draining: 1,
      applies: 2,
    });

    // nothing changed: a reconcile, a read, no apply
    t.reconciler.trigger("test");
    await t.settle();
    expect(t.ipvs.applied).toHaveLength(2);
    expect(t.reconciler.status().counters).toMatchObject({
      reconciles: 3,
      ipvsadmReads: 3,
      ipvsadmApplies: 2,
    });

    // the service goes away: its IPVS service is deleted, the foreign one stays
    t.reconciler.update({ type: "removed", name: "shop/web" });
    await t.settle();
    expect(t.applied()).toBe("-D -t 203.0.113.10:80\n");
    expect(t.ipvs.snapshot().services).toEqual([foreign]);
    expect(t.announced.at(-1)).toEqual([]);
    expect(t.reconciler.status().services).toEqual([]);
  });

  it("coalesces a burst of changes into one reconcile and never touches foreign services", async () => {
    const t = setup();
    for (let i = 1; i <= 20; i++) {
      t.reconciler.update({
        type: "service",
        service: web(Array.from({ length: i }, (_, k) => `198.19.1.${k + 1}`)),
      });
      t.clock.advance(4); // all inside the 100 ms window opened by the first
    }
    await t.settle(100);
    expect(t.ipvs.applied).toHaveLength(1);
    expect(t.ipvs.applied[0]?.operations).toHaveLength(21);
    expect(
      t.ipvs.applied
        .flatMap((p) => p.operations)
        .some((op) => renderRestoreScript({ operations: [op] }).includes("203.0.113.99")),
    ).toBe(false);
    expect(
      t.ipvs.snapshot().services.find((s) => s.key.kind === "address" && s.key.address === "203.0.113.99"),
    ).toEqual(foreign);
  });

  it("logs a failed restore with its stderr, re-reads the table and retries with exponential backoff", async () => {
    const t = setup();
    const refused = (): IpvsError =>
      new IpvsError(
        IpvsErrorCode.RestorePartial,
        "ipvsadm --restore reported errors: Memory allocation problem",
        {
          command: "ipvsadm --restore",
          stderr: "Memory allocation problem",
          exitCode: 0,
        },
      );
    t.ipvs.failNextApply(refused());
    t.ipvs.failNextApply(refused());
    t.reconciler.update({ type: "service", service: web(["198.19.1.1"]) });
    await t.settle();
    const failed = t.lines.filter((l) => l.event === "reconcile.failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      level: 50,
      stage: "apply",
      code: "ERR_IPVS_RESTORE_PARTIAL",
      stderr: "Memory allocation problem",
      command: "ipvsadm --restore",
    });
    // never announced while the kernel does not have the service
    expect(t.announced).toEqual([]);
    expect(t.reconciler.status()).toMatchObject({ inSync: false, retryAt: 100 + 500 });

    await t.settle(499);
    expect(t.ipvs.reads).toBe(1); // not yet
    await t.settle(1); // first retry at +500 ms: fails again
    expect(t.ipvs.reads).toBe(2);
    expect(t.reconciler.status().retryAt).toBe(600 + 1000);
    await t.settle(1000); // second retry at +1000 ms: succeeds
    expect(t.ipvs.reads).toBe(3);
    expect(t.ipvs.applied).toHaveLength(3); // one apply per reconcile, the same plan each time
    expect(t.applied(2)).toBe(t.applied(0));
    expect(t.reconciler.status()).toMatchObject({
      inSync: true,
      retryAt: null,
      lastError: null,
      counters: { reconciles: 3, failures: 2, consecutiveFailures: 0, ipvsadmErrors: 2, ipvsadmApplies: 3 },
    });
    expect(t.reconciler.status().services[0]).toMatchObject({ applies: 3, applyErrors: 2 });
    expect(t.announced).toEqual([["203.0.113.10"]]);
  });

  it("keeps running with ipvsadm missing, backing off up to the cap, and recovers when it appears", async () => {
    const t = setup();
    const missing = new IpvsError(
      IpvsErrorCode.BinaryMissing,
      "ipvsadm-save not found on PATH: install the ipvsadm package",
      {
        command: "ipvsadm-save -n",
      },
    );
    for (let i = 0; i < 6; i++) t.ipvs.failNextRead(missing);
    t.reconciler.update({ type: "service", service: web(["198.19.1.1"]) });
    await t.settle();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const at = t.reconciler.status().retryAt;
      expect(at).not.toBeNull();
      delays.push((at ?? 0) - t.clock.now());
      await t.settle((at ?? 0) - t.clock.now());
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000]);
    const failed = t.lines.filter((l) => l.event === "reconcile.failed");
    expect(failed).toHaveLength(6);
    expect(failed[0]?.msg).toBe(
      "reconcile failed at read: ipvsadm-save not found on PATH: install the ipvsadm package",
    );
    expect(t.ipvs.applied).toHaveLength(0);
    await t.settle(4000);
    expect(t.ipvs.applied).toHaveLength(1);
    expect(t.reconciler.status()).toMatchObject({
      inSync: true,
      counters: { failures: 6, consecutiveFailures: 0 },
    });
  });

  it("re-reads after a partial apply and completes the plan from what the kernel really has", async () => {
    // the kernel already has the service (e.g. a previous --restore got that far)
    const t = setup({
      initial: {
        services: [
          foreign,
          virtualService({
            key: { kind: "address", protocol: "tcp", address: "203.0.113.10", port: 80 },
            scheduler: "mh",
            schedulerFlags: ["mh-fallback"],
          }),
        ],
      },
    });
    t.reconciler.update({ type: "service", service: web(["198.19.1.1"]) });
    await t.settle();
    expect(t.applied()).toBe("-a -t 203.0.113.10:80 -r 198.19.1.1:8080 -m -w 1\n");
  });

  it("withdraws a VIP at once when it stops being eligible, even while ipvsadm fails", async () => {
    const t = setup({ minHealthy: 2 });
    t.reconciler.update({ type: "service", service: web(["198.19.1.1", "198.19.1.2"]) });
    await t.settle();
    expect(t.announced).toEqual([["203.0.113.10"]]);
    // one endpoint goes down (below minHealthy) while ipvsadm-save fails
    t.ipvs.failNextRead(
      new IpvsError(IpvsErrorCode.CommandFailed, "ipvsadm-save -n failed with exit code 2"),
    );
    t.reconciler.update({ type: "service", service: web(["198.19.1.1", "198.19.1.2:down"]) });
    await t.settle();
    expect(t.reconciler.status().lastError).toMatchObject({ stage: "read", code: "ERR_IPVS_COMMAND_FAILED" });
    expect(t.announced).toEqual([["203.0.113.10"], []]);
    // SIGTERM's first step: withdraw for good; later reconciles announce nothing
    t.reconciler.stopAnnouncing();
    t.reconciler.update({ type: "service", service: web(["198.19.1.1", "198.19.1.2"]) });
    await t.settle(600);
    expect(t.reconciler.status()).toMatchObject({ inSync: true, announced: [] });
    expect(t.announced).toEqual([["203.0.113.10"], [], []]);
  });

  it("syncs the node after IPVS and retries a failed node sync like an ipvsadm failure", async () => {
    const calls: NodeSyncTarget[] = [];
    let fail = true;
    const node: NodeSync = {
      async sync(target) {
        calls.push(target);
        if (!fail) return null;
        fail = false;
        return {
          code: "ERR_NODE_COMMAND_FAILED",
          message: "ip route replace failed",
          stderr: "RTNETLINK answers: Operation not permitted",
        };
      },
    };
    const t = setup({ node });
    t.reconciler.update({ type: "service", service: web(["198.19.1.1"]) });
    await t.settle();
    expect(t.lines.find((l) => l.event === "reconcile.failed")).toMatchObject({
      stage: "node",
      stderr: "RTNETLINK answers: Operation not permitted",
    });
    await t.settle(500);
    expect(calls).toEqual([
      { localVips: ["203.0.113.10"], masqueradeVips: ["203.0.113.10"] },
      { localVips: ["203.0.113.10"], masqueradeVips: ["203.0.113.10"] },
    ]);
    expect(t.ipvs.applied).toHaveLength(1); // the second pass found IPVS in sync
    expect(t.reconciler.status().counters).toMatchObject({ nodeErrors: 1, consecutiveFailures: 0 });
  });

  it("stops scheduling after stop()", async () => {
    const t = setup();
    t.reconciler.update({ type: "service", service: web(["198.19.1.1"]) });
    await t.reconciler.stop();
    await t.settle(1000);
    expect(t.ipvs.reads).toBe(0);
    expect(t.clock.pending).toBe(0);
  });
});
