/**
 * Health checks driving the reconciler, on a fake clock with scripted
 * probes (ServiceHealth -> HealthMonitor -> state machine -> trigger ->
 * desiredIpvs -> MemoryIpvs): a real server must pass `rise` checks before
 * it gets traffic; one that fails `fall` checks goes to weight 0 and is
 * removed after the drain timeout; it comes back after `rise` successes; a
 * backend that flaps on every check never reaches the kernel (the rise/fall
 * hysteresis absorbs it) and never crashes anything.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../health/fake-clock.js";
import type { ProbeTarget } from "../health/probe.js";
import { ServiceHealth } from "../health/service-health.js";
import { MemoryIpvs } from "../ipvs/memory-ipvs.js";
import { checked, recordingLogger, svc } from "./reconcile-test-kit.js";
import { Reconciler } from "./reconciler.js";

function setup(initiallyUp: readonly string[]) {
  const clock = new FakeClock();
  const ipvs = new MemoryIpvs();
  const { logger, lines } = recordingLogger();
  const up = new Map<string, boolean | (() => boolean)>(initiallyUp.map((a) => [a, true]));
  const balancing = checked({ intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2, drainTimeoutMs: 5000 });
  const health = new ServiceHealth({
    clock,
    logger,
    probe: () => async (target: ProbeTarget) => {
      const state = up.get(target.address) ?? false;
      const ok = typeof state === "function" ? state() : state;
      return ok
        ? { ok, latencyMs: 1 }
        : { ok, latencyMs: 1, error: { code: "ECONNREFUSED", message: "refused" } };
    },
  });
  const announced: string[][] = [];
  const reconciler = new Reconciler({
    ipvs,
    clock,
    logger,
    health: health.lookup,
    balancing: () => balancing,
    debounceMs: 100,
    backoff: { initialMs: 500, maxMs: 4000, jitter: 0 },
    announce: (vips) => announced.push([...vips]),
  });
  health.onChange(() => reconciler.trigger("health"));
  const service = svc("shop/web", ["203.0.113.10"], ["198.19.1.1", "198.19.1.2"]);
  reconciler.update({ type: "service", service });
  health.setServices([service], () => balancing.healthCheck);
  /** Advances in 100 ms steps, letting probe answers and reconciles run in between. */
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      await new Promise((resolve) => setImmediate(resolve));
      await reconciler.idle();
    }
  };
  const weights = (): string[] =>
    (ipvs.snapshot().services[0]?.realServers ?? []).map((r) => `${r.address}=${r.weight}`);
  return { clock, ipvs, lines, up, health, reconciler, run, weights, announced };
}

describe("health checks -> reconciler", () => {
  it("adds after rise, drains after fall, removes after the drain timeout, re-adds after rise", async () => {
    const t = setup(["198.19.1.1", "198.19.1.2"]);
    await t.run(100);
    expect(t.weights()).toEqual([]); // initial: unhealthy until proven
    expect(t.announced).toEqual([]);
    await t.run(1100); // second success at t=1000
    expect(t.weights()).toEqual(["198.19.1.1=1", "198.19.1.2=1"]);
    expect(t.announced).toEqual([["203.0.113.10"]]);

    t.up.set("198.19.1.2", false); // checks at 2000 and 3000 fail
    await t.run(2000);
    expect(t.weights()).toEqual(["198.19.1.1=1", "198.19.1.2=0"]);
    expect(t.lines.find((l) => l.event === "health.became-unhealthy")?.msg).toBe(
      "shop/web 198.19.1.2:8080 is unhealthy: ECONNREFUSED: refused",
    );
    await t.run(5000); // drained at 3000 + 5000
    expect(t.weights()).toEqual(["198.19.1.1=1"]);
    expect(t.reconciler.status().services[0]).toMatchObject({
      total: 2,
      healthy: 1,
      draining: 0,
      eligible: true,
    });

    t.up.set("198.19.1.2", true);
    await t.run(2000);
    expect(t.weights()).toEqual(["198.19.1.1=1", "198.19.1.2=1"]);
    expect(t.ipvs.applied.map((p) => p.operations.map((op) => op.type).join(","))).toEqual([
      "add-service",
      "add-server,add-server",
      "edit-server",
      "delete-server",
      "add-server",
    ]);
    expect(t.announced).toEqual([["203.0.113.10"]]); // one healthy server was always left
  });

  it("absorbs a backend that flaps on every check: no IPVS churn, nothing crashes", async () => {
    const t = setup(["198.19.1.1", "198.19.1.2"]);
    await t.run(1200);
    const applies = t.ipvs.applied.length;
    let n = 0;
    t.up.set("198.19.1.2", () => n++ % 2 === 0); // ok, fail, ok, fail, ...
    await t.run(20_000);
    expect(t.ipvs.applied.length).toBe(applies);
    expect(t.weights()).toEqual(["198.19.1.1=1", "198.19.1.2=1"]);
    expect(n).toBeGreaterThanOrEqual(19);
    // and a backend that flaps slower than fall/rise is followed, every time
    let m = 0;
    t.up.set("198.19.1.2", () => Math.floor(m++ / 2) % 2 === 1); // ok ok fail fail ok ok ...
    await t.run(12_000);
    expect(t.ipvs.applied.length).toBeGreaterThan(applies + 3);
    expect(t.reconciler.status().counters.failures).toBe(0);
    t.health.stop();
    await t.reconciler.stop();
  });
});
