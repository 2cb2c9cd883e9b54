/**
 * The shell around the health state machine: one machine per real server,
 * woken by the injected clock at `nextWakeAt`, running the injected probe for
 * each `start-check` action and feeding its result back.
 *
 * Data flow: setTargets(real servers of a service) -> per target:
 *   clock timer -> step(tick) -> probe(target) -> step(result) -> listeners
 *   (`change` on each transition: healthy, unhealthy, removed).
 *
 * Targets that disappear from `setTargets` are forgotten at once (their
 * checks stop; a late probe answer is dropped). Nothing here throws: a probe
 * that rejects anyway counts as a failed check.
 */
import type { Logger } from "pino";
import type { Clock, TimerHandle } from "./clock.js";
import { type HealthAction, type HealthState, initialHealth, nextWakeAt, step } from "./health-machine.js";
import type { HealthPolicy } from "./health-policy.js";
import { type CheckResult, checkErrorOf, type Probe, type ProbeTarget } from "./probe.js";

export interface HealthTarget extends ProbeTarget {
  /** Unique per real server, e.g. `shop/web 198.19.1.1:8080`. */
  readonly key: string;
}

export type HealthListener = (target: HealthTarget, state: HealthState, action: HealthAction) => void;

export interface HealthMonitorOptions {
  readonly policy: HealthPolicy;
  readonly probe: Probe;
  readonly clock: Clock;
  readonly logger?: Logger;
}

interface Entry {
  readonly target: HealthTarget;
  state: HealthState;
  timer: TimerHandle | undefined;
}

export class HealthMonitor {
  readonly #options: HealthMonitorOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<HealthListener>();
  #stopped = false;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
  }

  onChange(listener: HealthListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Replaces the set of real servers to check. */
  setTargets(targets: readonly HealthTarget[]): void {
    if (this.#stopped) return;
    const keep = new Set(targets.map((t) => t.key));
    for (const [key, entry] of this.#entries) {
      if (!keep.has(key)) {
        entry.timer?.cancel();
        this.#entries.delete(key);
      }
    }
    for (const target of targets) {
      if (this.#entries.has(target.key)) continue;
      const entry: Entry = {
        target,
        state: initialHealth(this.#options.policy, this.#options.clock.now()),
        timer: undefined,
      };
      this.#entries.set(target.key, entry);
      this.#wake(entry);
    }
  }

  get(key: string): HealthState | undefined {
    return this.#entries.get(key)?.state;
  }

  /** Every target with its state, for status pages and metrics. */
  status(): { target: HealthTarget; state: HealthState }[] {
    return [...this.#entries.values()].map((e) => ({ target: e.target, state: e.state }));
  }

  stop(): void {
    this.#stopped = true;
    for (const e of this.#entries.values()) e.timer?.cancel();
    this.#entries.clear();
  }

  #alive(entry: Entry): boolean {
    return !this.#stopped && this.#entries.get(entry.target.key) === entry;
  }

  #wake(entry: Entry): void {
    if (!this.#alive(entry)) return;
    const { state, actions } = step(
      entry.state,
      { type: "tick", now: this.#options.clock.now() },
      this.#options.policy,
    );
    this.#apply(entry, state, actions);
  }

  #apply(entry: Entry, state: HealthState, actions: readonly HealthAction[]): void {
    entry.state = state;
    for (const action of actions) {
      if (action.type === "start-check") this.#check(entry, action.id, action.timeoutMs);
      else this.#emit(entry, action);
    }
    entry.timer?.cancel();
    const delay = nextWakeAt(entry.state, this.#options.policy) - this.#options.clock.now();
    entry.timer = this.#options.clock.setTimer(delay, () => this.#wake(entry));
  }

  #check(entry: Entry, id: number, timeoutMs: number): void {
    const probe = (async (): Promise<CheckResult> => this.#options.probe(entry.target, timeoutMs))();
    probe
      .catch((error: unknown): CheckResult => ({ ok: false, latencyMs: 0, error: checkErrorOf(error) }))
      .then((result) => {
        if (!this.#alive(entry)) return;
        const event = {
          type: "result" as const,
          now: this.#options.clock.now(),
          id,
          ok: result.ok,
          latencyMs: result.latencyMs,
          ...(result.error === undefined ? {} : { error: `${result.error.code}: ${result.error.message}` }),
        };
        const next = step(entry.state, event, this.#options.policy);
        this.#apply(entry, next.state, next.actions);
      });
  }

  #emit(entry: Entry, action: HealthAction): void {
    const log = this.#options.logger;
    const fields = { event: `health.${action.type}`, target: entry.target.key, last: entry.state.last };
    if (action.type === "became-healthy") log?.info(fields, `${entry.target.key} is healthy`);
    else if (action.type === "became-unhealthy")
      log?.warn(fields, `${entry.target.key} is unhealthy: ${action.reason}`);
    else log?.info(fields, `${entry.target.key} removed after draining`);
    for (const l of this.#listeners) l(entry.target, entry.state, action);
  }
}
