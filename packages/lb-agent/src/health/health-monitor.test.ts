/**
 * The health monitor on a fake clock with a scripted probe (no real timers,
 * no sockets): checks run every interval per target, transitions reach
 * listeners and logs, a hanging probe times out, a rejecting probe counts as
 * a failure, removed targets stop being checked, and stop() stops everything.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "./fake-clock.js";
import type { HealthAction } from "./health-machine.js";
import { HealthMonitor, type HealthTarget } from "./health-monitor.js";
import type { HealthPolicy } from "./health-policy.js";
import type { CheckResult, ProbeTarget } from "./probe.js";

const policy: HealthPolicy = {
  intervalMs: 1000,
  timeoutMs: 200,
  rise: 2,
  fall: 2,
  initial: "unhealthy",
  drainTimeoutMs: 3000,
};
const a: HealthTarget = { key: "shop/web 198.19.1.1:8080", address: "198.19.1.1", port: 8080 };
const b: HealthTarget = { key: "shop/web 198.19.1.2:8080", address: "198.19.1.2", port: 8080 };

/** A probe whose answers the test decides: per address, ok / fail / hang / throw. */
function scriptedProbe() {
  const calls: string[] = [];
  const mode = new Map<string, "ok" | "fail" | "hang" | "throw">();
  const probe = (target: ProbeTarget): Promise<CheckResult> => {
    calls.push(target.address);
    switch (mode.get(target.address) ?? "ok") {
      case "ok":
        return Promise.resolve({ ok: true, latencyMs: 1 });
      case "fail":
        return Promise.resolve({
          ok: false,
          latencyMs: 1,
          error: { code: "ECONNREFUSED", message: "refused" },
        });
      case "hang":
        return new Promise<CheckResult>(() => {});
      case "throw":
        return Promise.reject(new Error("probe bug"));
    }
  };
  return { probe, calls, mode };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Advances the fake clock in steps, letting probe promises settle in between. */
async function run(clock: FakeClock, ms: number, stepMs = 100): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    clock.advance(Math.min(stepMs, ms - t));
    await flush();
  }
}

function setup() {
  const clock = new FakeClock();
  const script = scriptedProbe();
  const monitor = new HealthMonitor({ policy, probe: script.probe, clock });
  const events: string[] = [];
  monitor.onChange((t, _s, action: HealthAction) =>
    events.push(`${clock.now()} ${t.address} ${action.type}`),
  );
  return { clock, monitor, events, ...script };
}

describe("HealthMonitor", () => {
  it("checks every interval and brings servers in after `rise` successes", async () => {
    const { clock, monitor, events, calls } = setup();
    monitor.setTargets([a, b]);
    await flush();
    await run(clock, 1000);
    expect(events).toEqual([`1000 198.19.1.1 became-healthy`, `1000 198.19.1.2 became-healthy`]);
    expect(calls).toEqual(["198.19.1.1", "198.19.1.2", "198.19.1.1", "198.19.1.2"]);
    await run(clock, 3000); // checks at 2000, 3000, 4000
    expect(calls).toHaveLength(10);
    expect(monitor.get(a.key)?.presence).toBe("active");
  });

  it("drains a failing server at weight 0, then removes it; a hanging probe times out", async () => {
    const { clock, monitor, events, mode } = setup();
    monitor.setTargets([a, b]);
    await flush();
    await run(clock, 1000);
    mode.set("198.19.1.1", "fail");
    mode.set("198.19.1.2", "hang");
    await run(clock, 2300); // failures at 2000 and 3000; timeouts at 2200 and 3200
    expect(events.slice(2)).toEqual([`3000 198.19.1.1 became-unhealthy`, `3200 198.19.1.2 became-unhealthy`]);
    expect(monitor.get(a.key)?.presence).toBe("draining");
    expect(monitor.get(b.key)?.last).toMatchObject({
      ok: false,
      error: "timeout after 200 ms",
      latencyMs: 200,
    });
    expect(monitor.get(a.key)?.last).toMatchObject({ ok: false, error: "ECONNREFUSED: refused" });
    await run(clock, 3000); // drain timeout 3000 ms after turning unhealthy
    expect(events.slice(4)).toEqual([`6000 198.19.1.1 removed`, `6200 198.19.1.2 removed`]);
    mode.set("198.19.1.1", "ok");
    await run(clock, 2000);
    expect(monitor.get(a.key)?.presence).toBe("active");
  });

  it("counts a probe that rejects as a failed check", async () => {
    const { clock, monitor, mode } = setup();
    mode.set("198.19.1.1", "throw");
    monitor.setTargets([a]);
    await flush();
    expect(monitor.get(a.key)?.last).toMatchObject({ ok: false, error: "Error: probe bug" });
    await run(clock, 1000);
    expect(monitor.get(a.key)?.failures).toBe(2);
  });

  it("stops checking targets that are removed, and everything on stop()", async () => {
    const { clock, monitor, calls } = setup();
    monitor.setTargets([a, b]);
    await flush();
    monitor.setTargets([b]);
    expect(monitor.status().map((s) => s.target.key)).toEqual([b.key]);
    await run(clock, 2000);
    expect(calls.filter((c) => c === "198.19.1.1")).toHaveLength(1);
    monitor.stop();
    const before = calls.length;
    await run(clock, 5000);
    expect(calls.length).toBe(before);
    expect(clock.pending).toBe(0);
  });
});
