/**
 * The agent: one backend source -> health checks -> reconciler (IPVS, node
 * setup, announce hook), with reload and graceful shutdown. No I/O of its
 * own: every adapter (Ipvs, node setup, source factory, clock, sleep) is
 * injected, so main.ts wires real ones and tests wire fakes.
 *
 * Data flow: source.updates() -> reconciler.update + health.setServices;
 * health transitions -> reconciler.trigger.
 *
 * Shutdown (SIGTERM): 1. withdraw every VIP from the announce hook, so the
 * network stops sending new flows here; 2. keep serving (source, health
 * checks and IPVS all keep running) for `shutdown.drainMs`; 3. stop
 * everything and remove the VIP routes and the nftables table. The IPVS
 * services themselves are left in place: they live in the pod's network
 * namespace and go with it, and a restarted agent reconciles them.
 *
 * Reload (SIGHUP): per-service settings and health checks apply at once; a
 * changed source is started next to the old one and swapped in once it has
 * synced, so a bad or unreachable new source never empties the table.
 */
import type { Logger } from "pino";
import type { AgentConfig } from "../config/agent-config-schema.js";
import { balancingFor } from "../config/load-config.js";
import type { Clock } from "../health/clock.js";
import { ServiceHealth, type ServiceHealthOptions, type TargetHealth } from "../health/service-health.js";
import type { Ipvs } from "../ipvs/ipvs.js";
import { AgentLogEvent } from "../log-events.js";
import {
  type AnnounceHook,
  type NodeSync,
  type ReconcileObserver,
  Reconciler,
  type ReconcilerStatus,
} from "../reconcile/reconciler.js";
import type { BackendSource } from "../source/backend-source.js";

export interface NodeSetup extends NodeSync {
  cleanup(): Promise<boolean>;
}

export interface LbAgentOptions {
  readonly config: AgentConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ipvs: Ipvs;
  /** null: do not touch routes, nftables or sysctls. */
  readonly node: NodeSetup | null;
  readonly createSource: (config: AgentConfig) => Promise<BackendSource> | BackendSource;
  readonly announce?: AnnounceHook;
  readonly observer?: ReconcileObserver;
  readonly probe?: ServiceHealthOptions["probe"];
  /** Waits `ms` (the drain); default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface AgentStatus extends ReconcilerStatus {
  readonly phase: "starting" | "running" | "draining" | "stopped";
  readonly source: { readonly kind: "kubernetes" | "static"; readonly synced: boolean };
  readonly health: readonly TargetHealth[];
}

function sourceKind(config: AgentConfig): "kubernetes" | "static" {
  return config.source.kubernetes === undefined ? "static" : "kubernetes";
}

export class LbAgent {
  readonly #o: LbAgentOptions;
  readonly #log: Logger;
  readonly #health: ServiceHealth;
  readonly #reconciler: Reconciler;
  #config: AgentConfig;
  #source: BackendSource | undefined;
  #pump: Promise<void> | undefined;
  #synced = false;
  #phase: AgentStatus["phase"] = "starting";
  #reloading: Promise<void> = Promise.resolve();

  constructor(options: LbAgentOptions) {
    this.#o = options;
    this.#config = options.config;
    this.#log = options.logger;
    this.#health = new ServiceHealth({
      clock: options.clock,
      logger: options.logger.child({ component: "health" }),
      ...(options.probe === undefined ? {} : { probe: options.probe }),
    });
    const config = options.config;
    this.#reconciler = new Reconciler({
      ipvs: options.ipvs,
      clock: options.clock,
      logger: options.logger,
      health: this.#health.lookup,
      balancing: balancingFor(config),
      debounceMs: config.reconcile.debounceMs,
      backoff: config.reconcile.backoff,
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.announce === undefined ? {} : { announce: options.announce }),
      ...(options.node === null ? {} : { node: options.node }),
      ...(options.observer === undefined ? {} : { observer: options.observer }),
    });
    this.#health.onChange(() => this.#reconciler.trigger("health"));
  }

  get reconciler(): Reconciler {
    return this.#reconciler;
  }

  /** Starts the source and the loop. @throws when the source cannot start (a bad static file). */
  async start(): Promise<void> {
    this.#log.info(
      { event: AgentLogEvent.agentStarting, source: sourceKind(this.#config) },
      "lb-agent starting",
    );
    const source = await this.#o.createSource(this.#config);
    await source.start();
    this.#attach(source);
    this.#phase = "running";
    this.#log.info({ event: AgentLogEvent.agentStarted }, "lb-agent running");
  }

  /** Applies a new configuration (serialised with other reloads). */
  reload(config: AgentConfig): Promise<void> {
    this.#reloading = this.#reloading.then(() => this.#reload(config));
    return this.#reloading;
  }

  /** Withdraw, drain, stop, clean up. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.#phase === "draining" || this.#phase === "stopped") return;
    this.#phase = "draining";
    const drainMs = this.#config.shutdown.drainMs;
    this.#reconciler.stopAnnouncing();
    this.#log.info(
      { event: AgentLogEvent.agentDraining, drainMs },
      `withdrawn; serving existing flows for ${drainMs} ms`,
    );
    await (this.#o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(drainMs);
    await this.#source?.stop();
    await this.#pump;
    this.#health.stop();
    await this.#reconciler.stop();
    await this.#o.node?.cleanup();
    this.#phase = "stopped";
    this.#log.info({ event: AgentLogEvent.agentStopped }, "lb-agent stopped");
  }

  status(): AgentStatus {
    return {
      phase: this.#phase,
      source: { kind: sourceKind(this.#config), synced: this.#synced },
      ...this.#reconciler.status(),
      health: this.#health.status(),
    };
  }

  /** Ready: running, source synced, kernel in sync. */
  ready(): boolean {
    return this.#phase === "running" && this.#synced && this.#reconciler.status().inSync;
  }

  #attach(source: BackendSource): void {
    this.#source = source;
    this.#synced = false;
    void source.synced().then(() => {
      if (this.#source === source) this.#synced = true;
    });
    this.#pump = (async () => {
      for await (const update of source.updates()) {
        if (this.#source !== source) break;
        this.#reconciler.update(update);
        this.#syncHealth();
      }
    })().catch((error: unknown) => {
      this.#log.error({ event: AgentLogEvent.sourceFailed, err: error }, "backend source stream failed");
    });
  }

  #syncHealth(): void {
    const balancing = balancingFor(this.#config);
    this.#health.setServices(this.#reconciler.services(), (name) => balancing(name).healthCheck);
  }

  async #reload(config: AgentConfig): Promise<void> {
    if (this.#phase !== "running") return;
    const sourceChanged = JSON.stringify(config.source) !== JSON.stringify(this.#config.source);
    let next: BackendSource | undefined;
    if (sourceChanged) {
      try {
        next = await this.#o.createSource(config);
        await next.start();
        await next.synced();
      } catch (error) {
        await next?.stop();
        this.#log.error(
          { event: AgentLogEvent.configRejected, err: error },
          "new source failed to start; keeping the current configuration",
        );
        return;
      }
    }
    this.#config = config;
    this.#reconciler.setBalancing(balancingFor(config));
    if (next !== undefined) {
      const old = this.#source;
      this.#reconciler.replaceServices(next.current());
      this.#attach(next);
      this.#synced = true;
      await old?.stop();
    }
    this.#syncHealth();
    this.#log.info({ event: AgentLogEvent.configReloaded, sourceChanged }, "configuration reloaded");
  }
}
