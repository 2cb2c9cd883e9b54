/**
 * The pure health state machine: rise/fall counting, the initial state,
 * fixed-rate scheduling with one check at a time, timeouts as failures with
 * late answers ignored, weight 0 while draining and removal after the drain
 * timeout, recovery, and the last result's error and latency.
 */
import { describe, expect, it } from "vitest";
import {
  type HealthAction,
  type HealthState,
  initialHealth,
  nextWakeAt,
  step,
  weightOf,
} from "./health-machine.js";
import type { HealthPolicy } from "./health-policy.js";

const policy: HealthPolicy = {
  intervalMs: 1000,
  timeoutMs: 300,
  rise: 2,
  fall: 3,
  initial: "healthy",
  drainTimeoutMs: 5000,
};

/** Runs one full check (tick at `now`, answer after `latency`) and returns the new state and all actions. */
function check(
  state: HealthState,
  now: number,
  ok: boolean,
  p: HealthPolicy = policy,
  latency = 5,
): { state: HealthState; actions: HealthAction[] } {
  const ticked = step(state, { type: "tick", now }, p);
  const start = ticked.actions.find((a) => a.type === "start-check");
  if (start?.type !== "start-check") throw new Error(`no check due at ${now}`);
  const answered = step(
    ticked.state,
    {
      type: "result",
      now: now + latency,
      id: start.id,
      ok,
      latencyMs: latency,
      ...(ok ? {} : { error: "ECONNREFUSED: refused" }),
    },
    p,
  );
  return { state: answered.state, actions: [...ticked.actions, ...answered.actions] };
}

const types = (actions: readonly HealthAction[]) =>
  actions.map((a) => a.type).filter((t) => t !== "start-check");

describe("health state machine", () => {
  it("starts healthy and active, or unhealthy and absent, per policy", () => {
    expect(weightOf(initialHealth(policy, 0))).toBe("normal");
    const cold = initialHealth({ ...policy, initial: "unhealthy" }, 0);
    expect(cold.healthy).toBe(false);
    expect(weightOf(cold)).toBe("absent");
  });

  it("turns unhealthy only after `fall` consecutive failures; a success in between resets the count", () => {
    let s = initialHealth(policy, 0);
    s = check(s, 0, false).state;
    s = check(s, 1000, false).state;
    s = check(s, 2000, true).state;
    expect(s.failures).toBe(0);
    s = check(s, 3000, false).state;
    s = check(s, 4000, false).state;
    expect(s.healthy).toBe(true);
    const fell = check(s, 5000, false);
    expect(types(fell.actions)).toEqual(["became-unhealthy"]);
    expect(fell.state.healthy).toBe(false);
    expect(weightOf(fell.state)).toBe("zero");
    expect(fell.state.unhealthySince).toBe(5005);
    expect(fell.state.last).toEqual({ at: 5005, ok: false, latencyMs: 5, error: "ECONNREFUSED: refused" });
  });

  it("removes a draining server after the drain timeout, and brings it back after `rise` successes", () => {
    let s = initialHealth({ ...policy, fall: 1 }, 0);
    s = check(s, 0, false, { ...policy, fall: 1 }).state;
    expect(s.presence).toBe("draining");
    expect(nextWakeAt(s, policy)).toBe(1000);
    s = check(s, 1000, false).state;
    s = check(s, 2000, false).state;
    s = check(s, 3000, false).state;
    s = check(s, 4000, false).state;
    expect(s.presence).toBe("draining");
    const removed = step(s, { type: "tick", now: 5005 }, policy);
    expect(types(removed.actions)).toEqual(["removed"]);
    expect(weightOf(removed.state)).toBe("absent");
    s = removed.state;
    const first = check(s, 6000, true);
    expect(first.state.healthy).toBe(false);
    const second = check(first.state, 7000, true);
    expect(types(second.actions)).toEqual(["became-healthy"]);
    expect(weightOf(second.state)).toBe("normal");
    expect(second.state.unhealthySince).toBeUndefined();
  });

  it("returns to active when a draining server recovers before the drain timeout", () => {
    let s = check(initialHealth(policy, 0), 0, false, { ...policy, fall: 1 }).state;
    s = check(s, 1000, true).state;
    const back = check(s, 2000, true);
    expect(types(back.actions)).toEqual(["became-healthy"]);
    expect(back.state.presence).toBe("active");
  });

  it("goes straight to removed when the drain timeout is 0", () => {
    const p = { ...policy, fall: 1, drainTimeoutMs: 0 };
    const fell = check(initialHealth(p, 0), 0, false, p);
    expect(types(fell.actions)).toEqual(["became-unhealthy", "removed"]);
    expect(fell.state.presence).toBe("removed");
  });

  it("brings a cold server in after `rise` successes", () => {
    const p: HealthPolicy = { ...policy, initial: "unhealthy" };
    const one = check(initialHealth(p, 0), 0, true, p);
    expect(types(one.actions)).toEqual([]);
    const two = check(one.state, 1000, true, p);
    expect(types(two.actions)).toEqual(["became-healthy"]);
  });

  it("runs one check at a time, at a fixed rate, and counts a check past its timeout as a failure", () => {
    let s = initialHealth({ ...policy, fall: 1 }, 0);
    const p = { ...policy, fall: 1 };
    const started = step(s, { type: "tick", now: 0 }, p);
    expect(started.actions).toEqual([{ type: "start-check", id: 1, timeoutMs: 300 }]);
    s = started.state;
    expect(nextWakeAt(s, p)).toBe(300);
    expect(step(s, { type: "tick", now: 100 }, p).actions).toEqual([]); // still in flight, not due
    const timedOut = step(s, { type: "tick", now: 300 }, p);
    expect(types(timedOut.actions)).toEqual(["became-unhealthy"]);
    expect(timedOut.state.last).toEqual({
      at: 300,
      ok: false,
      latencyMs: 300,
      error: "timeout after 300 ms",
    });
    // The late answer of check 1 changes nothing.
    const late = step(timedOut.state, { type: "result", now: 350, id: 1, ok: true, latencyMs: 350 }, p);
    expect(late.state).toBe(timedOut.state);
    expect(nextWakeAt(late.state, p)).toBe(1000);
    const next = step(late.state, { type: "tick", now: 1000 }, p);
    expect(next.actions).toEqual([{ type: "start-check", id: 2, timeoutMs: 300 }]);
  });

  it("does not burst after a long pause: the next check is one interval after the late one", () => {
    const s = step(initialHealth(policy, 0), { type: "tick", now: 0 }, policy).state;
    const done = step(s, { type: "result", now: 10, id: 1, ok: true, latencyMs: 10 }, policy).state;
    const late = step(done, { type: "tick", now: 7500 }, policy);
    expect(late.actions.filter((a) => a.type === "start-check")).toHaveLength(1);
    expect(late.state.nextCheckAt).toBe(7500);
    expect(late.state.checks).toBe(1);
  });
});
