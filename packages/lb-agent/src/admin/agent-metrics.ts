/**
 * lb-agent's Prometheus metrics (prom-client, on a registry of its own, not
 * the global one). Gauges are computed at scrape time from the agent's
 * status, so they never go stale and services that are gone disappear;
 * counters and the reconcile latency histogram are fed by the reconciler
 * through its `ReconcileObserver` hooks.
 *
 *   lb_agent_service_real_servers{service}                 endpoints that are not down
 *   lb_agent_service_real_servers_healthy{service}         taking new connections (weight > 0)
 *   lb_agent_service_real_servers_draining{service}        at weight 0
 *   lb_agent_service_announce_eligible{service}            1 if healthy >= minHealthy
 *   lb_agent_service_ipvsadm_applies_total{service}        --restore runs that changed it
 *   lb_agent_service_ipvsadm_apply_errors_total{service}   ... and failed
 *   lb_agent_vip_announced{vip}                            1 while announced
 *   lb_agent_ipvsadm_runs_total{op=read|apply}
 *   lb_agent_ipvsadm_errors_total{op=read|apply}
 *   lb_agent_reconciles_total{result=ok|error}
 *   lb_agent_reconcile_duration_seconds{result}            histogram
 *   lb_agent_in_sync                                       1 when the kernel matches
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ReconcileObserver, ReconcilerStatus } from "../reconcile/reconciler.js";

export class AgentMetrics implements ReconcileObserver {
  readonly registry = new Registry();
  readonly #runs: Counter<"op">;
  readonly #errors: Counter<"op">;
  readonly #reconciles: Counter<"result">;
  readonly #latency: Histogram<"result">;

  constructor(status: () => ReconcilerStatus) {
    const registers = [this.registry];
    const perService = (
      name: string,
      help: string,
      value: (s: ReconcilerStatus["services"][number]) => number,
    ): void => {
      new Gauge({
        name,
        help,
        labelNames: ["service"],
        registers,
        collect() {
          this.reset();
          for (const s of status().services) this.set({ service: s.name }, value(s));
        },
      });
    };
    perService(
      "lb_agent_service_real_servers",
      "Real servers of the service (endpoints not down).",
      (s) => s.total,
    );
    perService(
      "lb_agent_service_real_servers_healthy",
      "Real servers taking new connections (weight > 0).",
      (s) => s.healthy,
    );
    perService(
      "lb_agent_service_real_servers_draining",
      "Real servers at weight 0 (terminating, or unhealthy within the drain timeout).",
      (s) => s.draining,
    );
    perService(
      "lb_agent_service_announce_eligible",
      "1 if the service has at least minHealthy healthy real servers.",
      (s) => (s.eligible ? 1 : 0),
    );
    for (const [name, help, pick] of [
      [
        "lb_agent_service_ipvsadm_applies_total",
        "ipvsadm --restore runs that changed the service.",
        (s: ReconcilerStatus["services"][number]) => s.applies,
      ],
      [
        "lb_agent_service_ipvsadm_apply_errors_total",
        "ipvsadm --restore runs that changed the service and failed.",
        (s: ReconcilerStatus["services"][number]) => s.applyErrors,
      ],
    ] as const) {
      new Counter({
        name,
        help,
        labelNames: ["service"],
        registers,
        collect() {
          this.reset();
          for (const s of status().services) this.inc({ service: s.name }, pick(s));
        },
      });
    }
    new Gauge({
      name: "lb_agent_vip_announced",
      help: "1 for each VIP the agent currently wants announced.",
      labelNames: ["vip"],
      registers,
      collect() {
        this.reset();
        for (const vip of status().announced) this.set({ vip }, 1);
      },
    });
    new Gauge({
      name: "lb_agent_in_sync",
      help: "1 when the last reconcile succeeded and nothing changed since.",
      registers,
      collect() {
        this.set(status().inSync ? 1 : 0);
      },
    });
    this.#runs = new Counter({
      name: "lb_agent_ipvsadm_runs_total",
      help: "ipvsadm runs: reads (ipvsadm-save + ipvsadm -L) and applies (one ipvsadm --restore each).",
      labelNames: ["op"],
      registers,
    });
    this.#errors = new Counter({
      name: "lb_agent_ipvsadm_errors_total",
      help: "Failed ipvsadm runs.",
      labelNames: ["op"],
      registers,
    });
    this.#reconciles = new Counter({
      name: "lb_agent_reconciles_total",
      help: "Reconcile passes.",
      labelNames: ["result"],
      registers,
    });
    this.#latency = new Histogram({
      name: "lb_agent_reconcile_duration_seconds",
      help: "Time of one reconcile pass (desired table, read, plan, apply, node sync).",
      labelNames: ["result"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    for (const op of ["read", "apply"]) {
      this.#runs.inc({ op }, 0);
      this.#errors.inc({ op }, 0);
    }
  }

  ipvsadm(op: "read" | "apply", ok: boolean): void {
    this.#runs.inc({ op });
    if (!ok) this.#errors.inc({ op });
  }

  reconciled(seconds: number, ok: boolean): void {
    const result = ok ? "ok" : "error";
    this.#reconciles.inc({ result });
    this.#latency.observe({ result }, seconds);
  }
}
