/**
 * The reconciler: keeps the kernel's IPVS table (and the node's VIP routes
 * and masquerade rule) equal to `desiredIpvs(...)`, and tells the announce
 * hook which VIPs may be announced.
 *
 * Run loop, all on the injected clock:
 *   trigger(reason)  -- any change: a source snapshot, a health transition,
 *                       a config reload --
 *   -> coalescing window of `debounceMs` (the first trigger opens it, later
 *      ones join it, so a flapping source cannot postpone reconciles forever)
 *   -> desiredIpvs (pure) -> Ipvs.read -> planIpvs (owned services only)
 *   -> ONE Ipvs.apply (one `ipvsadm --restore` process) if the plan is not
 *      empty -> NodeSync (VIP routes, nftables) -> announce hook.
 * A failed read, apply or node sync is logged with its code and stderr and
 * retried after a capped exponential backoff; every attempt re-reads the
 * table first (a failed `--restore` may have applied part of the plan).
 * Nothing here throws out of the loop: the agent never dies of ipvsadm.
 *
 * Ownership: the services on any VIP this agent has been configured with
 * (during this run); services on other VIPs (an operator's, another
 * agent's) are never touched.
 *
 * Announcement: after a successful reconcile, the eligible VIPs; after a
 * failed one, the previous set minus VIPs no longer eligible (never add a
 * VIP whose IPVS state could not be programmed). `stopAnnouncing()`
 * withdraws everything for good (SIGTERM).
 */
import type { Logger } from "pino";
import type { ServiceBalancing } from "../config/balancing-schema.js";
import type { Clock, TimerHandle } from "../health/clock.js";
import type { Ipvs } from "../ipvs/ipvs.js";
import { type IpvsPlan, isEmptyPlan, ownServicesOn, planIpvs } from "../ipvs/plan.js";
import { serviceId } from "../ipvs/types.js";
import { type BackoffOptions, backoffDelay } from "../k8s/backoff.js";
import { AgentLogEvent } from "../log-events.js";
import type { BackendService, SourceUpdate } from "../model.js";
import { type DesiredIpvs, desiredIpvs, type HealthLookup, type ServiceStatus } from "./desired-ipvs.js";

export type AnnounceHook = (vips: ReadonlySet<string>) => void;

/** A local failure of the node setup or the kernel, as the reconciler logs it. */
export interface LocalFailure {
  readonly code: string;
  readonly message: string;
  readonly stderr?: string | undefined;
  readonly command?: string | undefined;
}

/** Copies the loggable fields (an Error's `message` is not enumerable, so no spread). */
export function localFailure(error: LocalFailure): LocalFailure {
  return {
    code: error.code,
    message: error.message,
    ...(error.stderr === undefined || error.stderr === "" ? {} : { stderr: error.stderr }),
    ...(error.command === undefined ? {} : { command: error.command }),
  };
}

export interface NodeSyncTarget {
  /** VIPs to make local in the pod (every configured service's). */
  readonly localVips: readonly string[];
  /** VIPs whose forwarded flows are masqueraded. */
  readonly masqueradeVips: readonly string[];
}

/** The node setup port (node/node-network.ts). Never throws: null = done. */
export interface NodeSync {
  sync(target: NodeSyncTarget): Promise<LocalFailure | null>;
}

/** Metrics hooks. */
export interface ReconcileObserver {
  ipvsadm(op: "read" | "apply", ok: boolean, services: readonly string[]): void;
  reconciled(seconds: number, ok: boolean): void;
}

export interface ReconcilerOptions {
  readonly ipvs: Ipvs;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly health: HealthLookup;
  readonly balancing: (service: string) => ServiceBalancing;
  readonly debounceMs: number;
  readonly backoff: BackoffOptions;
  readonly random?: () => number;
  readonly announce?: AnnounceHook;
  readonly node?: NodeSync;
  readonly observer?: ReconcileObserver;
}

export interface ReconcilerCounters {
  readonly reconciles: number;
  readonly failures: number;
  readonly consecutiveFailures: number;
  /** `ipvsadm-save` reads and `ipvsadm --restore` runs started. */
  readonly ipvsadmReads: number;
  readonly ipvsadmApplies: number;
  readonly ipvsadmErrors: number;
  readonly nodeErrors: number;
  readonly lastLatencyMs: number | null;
}

export interface ServiceReconcileStatus extends ServiceStatus {
  /** `ipvsadm --restore` runs that changed this service, and how many failed. */
  readonly applies: number;
  readonly applyErrors: number;
}

export interface ReconcilerStatus {
  /** The last reconcile succeeded and nothing has changed since. */
  readonly inSync: boolean;
  readonly services: readonly ServiceReconcileStatus[];
  readonly announced: readonly string[];
  readonly counters: ReconcilerCounters;
  readonly lastError: (LocalFailure & { readonly at: number; readonly stage: string }) | null;
  /** When the next retry is due (clock time), if one is scheduled. */
  readonly retryAt: number | null;
}

type Stage = "desired" | "read" | "apply" | "node";

export class Reconciler {
  readonly #o: ReconcilerOptions;
  readonly #log: Logger;
  readonly #services = new Map<string, BackendService>();
  readonly #owned = new Set<string>();
  readonly #perService = new Map<string, { applies: number; applyErrors: number }>();
  /** IPVS service id -> backend service, for every service ever desired (attributes deletions). */
  readonly #owners = new Map<string, string>();
  /** Per service: the tunnel port mismatches last logged (logged again only when they change). */
  readonly #portMismatches = new Map<string, string>();
  #balancing: (service: string) => ServiceBalancing;
  #timer: TimerHandle | undefined;
  #retryAt: number | null = null;
  #running: Promise<void> | undefined;
  #dirty = false;
  #stopped = false;
  #announcing = true;
  #announced: ReadonlySet<string> = new Set();
  #attempt = 0;
  #inSync = false;
  #last: DesiredIpvs | undefined;
  #lastError: ReconcilerStatus["lastError"] = null;
  #counters = {
    reconciles: 0,
    failures: 0,
    consecutiveFailures: 0,
    ipvsadmReads: 0,
    ipvsadmApplies: 0,
    ipvsadmErrors: 0,
    nodeErrors: 0,
    lastLatencyMs: null as number | null,
  };

  constructor(options: ReconcilerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: "reconciler" });
    this.#balancing = options.balancing;
  }

  /** Records a source update and schedules a reconcile. */
  update(update: SourceUpdate): void {
    if (update.type === "service") this.#services.set(update.service.name, update.service);
    else this.#services.delete(update.name);
    this.trigger(`source ${update.type === "service" ? update.service.name : update.name}`);
  }

  /** Replaces every snapshot (a source restart). */
  replaceServices(services: readonly BackendService[]): void {
    this.#services.clear();
    for (const s of services) this.#services.set(s.name, s);
    this.trigger("source replaced");
  }

  /** The snapshots the next reconcile will use, in name order. */
  services(): BackendService[] {
    return [...this.#services.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** New per-service settings (config reload). */
  setBalancing(balancing: (service: string) => ServiceBalancing): void {
    this.#balancing = balancing;
    this.trigger("config reloaded");
  }

  /** Schedules a reconcile (coalesced). */
  trigger(reason: string): void {
    if (this.#stopped) return;
    this.#dirty = true;
    this.#inSync = false;
    if (this.#running !== undefined || this.#timer !== undefined) return;
    this.#log.trace({ reason }, "reconcile scheduled");
    this.#schedule(this.#o.debounceMs, false);
  }

  /** Resolves when no reconcile is running (timers may still be pending). */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  /** Withdraws every VIP from the announce hook, for good (first step of a shutdown). */
  stopAnnouncing(): void {
    if (!this.#announcing) return;
    this.#announcing = false;
    this.#announced = new Set();
    this.#o.announce?.(this.#announced);
    this.#log.info({ event: AgentLogEvent.announceStopped }, "announcements withdrawn");
  }

  /** Stops scheduling; a running reconcile finishes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#retryAt = null;
    await this.idle();
  }

  status(): ReconcilerStatus {
    const services = (this.#last?.status ?? []).map((s) => ({
      ...s,
      applies: this.#perService.get(s.name)?.applies ?? 0,
      applyErrors: this.#perService.get(s.name)?.applyErrors ?? 0,
    }));
    return {
      inSync: this.#inSync,
      services,
      announced: [...this.#announced],
      counters: { ...this.#counters },
      lastError: this.#lastError,
      retryAt: this.#retryAt,
    };
  }

  /** The last computed desired state (for tests and status). */
  get desired(): DesiredIpvs | undefined {
    return this.#last;
  }

  #schedule(delayMs: number, retry: boolean): void {
    this.#retryAt = retry ? this.#o.clock.now() + delayMs : null;
    this.#timer = this.#o.clock.setTimer(delayMs, () => {
      this.#timer = undefined;
      this.#retryAt = null;
      this.#running = this.#run().finally(() => {
        this.#running = undefined;
        this.#afterRun();
      });
    });
  }

  #afterRun(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    if (this.#counters.consecutiveFailures > 0) {
      const delay = backoffDelay(this.#attempt++, this.#o.backoff, this.#o.random);
      this.#log.info(
        { event: AgentLogEvent.reconcileRetry, attempt: this.#attempt, delayMs: delay },
        `retrying reconcile in ${delay} ms`,
      );
      this.#schedule(delay, true);
    } else if (this.#dirty) {
      this.#schedule(this.#o.debounceMs, false);
    }
  }

  async #run(): Promise<void> {
    this.#dirty = false;
    const started = this.#o.clock.now();
    this.#counters.reconciles++;
    const failure = await this.#reconcileOnce().catch((error: unknown): [Stage, LocalFailure] => [
      "desired",
      { code: "ERR_RECONCILE_INTERNAL", message: error instanceof Error ? error.message : String(error) },
    ]);
    const latencyMs = this.#o.clock.now() - started;
    this.#counters.lastLatencyMs = latencyMs;
    this.#o.observer?.reconciled(latencyMs / 1000, failure === null);
    if (failure === null) {
      this.#counters.consecutiveFailures = 0;
      this.#attempt = 0;
      this.#inSync = !this.#dirty;
      return;
    }
    const [stage, error] = failure;
    this.#counters.failures++;
    this.#counters.consecutiveFailures++;
    this.#inSync = false;
    this.#lastError = { ...error, stage, at: this.#o.clock.now() };
    this.#log.error(
      {
        event: AgentLogEvent.reconcileFailed,
        stage,
        code: error.code,
        command: error.command,
        stderr: error.stderr,
        consecutiveFailures: this.#counters.consecutiveFailures,
      },
      `reconcile failed at ${stage}: ${error.message}`,
    );
  }

  /** One pass. Resolves to null on success, or the stage and failure. */
  async #reconcileOnce(): Promise<[Stage, LocalFailure] | null> {
    const desired = desiredIpvs(this.services(), this.#o.health, this.#balancing);
    this.#last = desired;
    for (const vip of desired.vips) this.#owned.add(vip);
    for (const [id, owner] of desired.owners) this.#owners.set(id, owner);
    for (const s of desired.status) {
      for (const id of s.conflicts) {
        this.#log.warn(
          {
            event: AgentLogEvent.serviceConflict,
            service: s.name,
            ipvsService: id,
            owner: desired.owners.get(id),
          },
          `${s.name}: ${id} is already taken by ${desired.owners.get(id)}`,
        );
      }
      const mismatches = s.portMismatches.join(", ");
      if (mismatches !== (this.#portMismatches.get(s.name) ?? "")) {
        this.#portMismatches.set(s.name, mismatches);
        if (mismatches === "") continue;
        this.#log.warn(
          { event: AgentLogEvent.tunnelPortMismatch, service: s.name, endpoints: s.portMismatches },
          `${s.name}: tunnelled traffic keeps the VIP's port, but endpoints listen elsewhere: ${s.portMismatches.join(", ")}`,
        );
      }
    }

    this.#counters.ipvsadmReads++;
    const current = await this.#o.ipvs.read();
    this.#o.observer?.ipvsadm("read", current.ok, []);
    if (!current.ok) {
      this.#counters.ipvsadmErrors++;
      this.#withdrawIneligible(desired);
      return ["read", localFailure(current.error)];
    }
    const plan = planIpvs(current.value, desired.services, ownServicesOn(this.#owned));
    if (!isEmptyPlan(plan)) {
      const touched = this.#touched(plan);
      this.#counters.ipvsadmApplies++;
      const applied = await this.#o.ipvs.apply(plan);
      this.#o.observer?.ipvsadm("apply", applied.ok, touched);
      for (const name of touched) {
        const c = this.#perService.get(name) ?? { applies: 0, applyErrors: 0 };
        c.applies++;
        if (!applied.ok) c.applyErrors++;
        this.#perService.set(name, c);
      }
      if (!applied.ok) {
        this.#counters.ipvsadmErrors++;
        this.#withdrawIneligible(desired);
        return ["apply", localFailure(applied.error)];
      }
      this.#log.info(
        { event: AgentLogEvent.ipvsApplied, operations: plan.operations.length, services: touched },
        `IPVS updated: ${plan.operations.length} operation(s)`,
      );
    }
    if (this.#o.node !== undefined) {
      const failed = await this.#o.node.sync({
        localVips: desired.vips,
        masqueradeVips: desired.masqueradeVips,
      });
      if (failed !== null) {
        this.#counters.nodeErrors++;
        this.#withdrawIneligible(desired);
        return ["node", localFailure(failed)];
      }
    }
    this.#lastError = null;
    this.#setAnnounced(new Set(desired.announce));
    this.#log.debug({ event: AgentLogEvent.reconcileOk, services: desired.services.length }, "in sync");
    return null;
  }

  /** The backend services a plan touches (deleted ones by their last known owner). */
  #touched(plan: IpvsPlan): string[] {
    const names = new Set<string>();
    for (const op of plan.operations) {
      const key = op.type === "add-service" || op.type === "edit-service" ? op.service.key : op.key;
      const owner = this.#owners.get(serviceId(key));
      if (owner !== undefined) names.add(owner);
    }
    return [...names].sort();
  }

  #withdrawIneligible(desired: DesiredIpvs): void {
    const eligible = new Set(desired.announce);
    this.#setAnnounced(new Set([...this.#announced].filter((vip) => eligible.has(vip))));
  }

  #setAnnounced(next: ReadonlySet<string>): void {
    if (!this.#announcing) return;
    const same = next.size === this.#announced.size && [...next].every((v) => this.#announced.has(v));
    if (same) return;
    const added = [...next].filter((v) => !this.#announced.has(v));
    const withdrawn = [...this.#announced].filter((v) => !next.has(v));
    this.#announced = next;
    this.#log.info(
      { event: AgentLogEvent.announceChanged, announce: [...next], added, withdrawn },
      `announce set: ${[...next].join(", ") || "(none)"}`,
    );
    this.#o.announce?.(next);
  }
}
