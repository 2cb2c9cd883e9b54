/**
 * Health checks for every service: one HealthMonitor per service (each
 * service has its own policy and probe), its targets being the service's
 * real-server candidates (endpoints that are not down, each address+port
 * once). A service whose check settings change gets a fresh monitor; a
 * service with checks turned off (`null`) or gone has none.
 *
 * Data flow: source snapshots -> setServices -> monitors -> transitions ->
 * onChange listeners (the reconciler re-plans); `lookup` answers the pure
 * planner's question "what is the health of this real server?".
 */
import type { Logger } from "pino";
import type { BackendService } from "../model.js";
import type { Clock } from "./clock.js";
import type { HealthState } from "./health-machine.js";
import { HealthMonitor, type HealthTarget } from "./health-monitor.js";
import type { HealthCheckConfig } from "./health-policy.js";
import { httpProbe } from "./http-checker.js";
import type { Probe } from "./probe.js";
import { tcpProbe } from "./tcp-checker.js";

/** `shop/web 198.19.1.10:8080`, `shop/web [2001:db8::10]:8080`. */
export function healthTargetKey(service: string, address: string, port: number): string {
  return address.includes(":") ? `${service} [${address}]:${port}` : `${service} ${address}:${port}`;
}

/** The probe a check configuration asks for. */
export function probeFor(check: HealthCheckConfig): Probe {
  if (check.type === "tcp") return tcpProbe;
  return httpProbe({
    scheme: check.type,
    path: check.path,
    expectedStatus: check.expectedStatus,
    ...(check.host === undefined ? {} : { host: check.host }),
  });
}

export interface ServiceHealthOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Builds the probe of a service (tests inject scripted probes). Default `probeFor`. */
  readonly probe?: (check: HealthCheckConfig, service: string) => Probe;
}

interface ServiceEntry {
  readonly monitor: HealthMonitor;
  /** The check settings the monitor was built with, as JSON. */
  readonly settings: string;
}

export interface TargetHealth {
  readonly service: string;
  readonly key: string;
  readonly healthy: boolean;
  readonly presence: HealthState["presence"];
  readonly checks: number;
  readonly lastError?: string;
}

export type ServiceHealthListener = (service: string, target: HealthTarget, state: HealthState) => void;

export class ServiceHealth {
  readonly #options: ServiceHealthOptions;
  readonly #services = new Map<string, ServiceEntry>();
  readonly #listeners = new Set<ServiceHealthListener>();
  #stopped = false;

  constructor(options: ServiceHealthOptions) {
    this.#options = options;
  }

  onChange(listener: ServiceHealthListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Follows the current snapshots; `checkOf` gives each service's settings (null: no checks). */
  setServices(
    services: readonly BackendService[],
    checkOf: (service: string) => HealthCheckConfig | null,
  ): void {
    if (this.#stopped) return;
    const wanted = new Set<string>();
    for (const service of services) {
      const check = checkOf(service.name);
      if (check === null) continue;
      wanted.add(service.name);
      const settings = JSON.stringify(check);
      let entry = this.#services.get(service.name);
      if (entry !== undefined && entry.settings !== settings) {
        entry.monitor.stop();
        entry = undefined;
      }
      if (entry === undefined) {
        entry = { monitor: this.#monitor(service.name, check), settings };
        this.#services.set(service.name, entry);
      }
      entry.monitor.setTargets(targetsOf(service));
    }
    for (const [name, entry] of this.#services) {
      if (!wanted.has(name)) {
        entry.monitor.stop();
        this.#services.delete(name);
      }
    }
  }

  /** The planner's view. */
  readonly lookup = (service: string, address: string, port: number): HealthState | undefined =>
    this.#services.get(service)?.monitor.get(healthTargetKey(service, address, port));

  status(): TargetHealth[] {
    const out: TargetHealth[] = [];
    for (const [service, entry] of this.#services) {
      for (const { target, state } of entry.monitor.status()) {
        out.push({
          service,
          key: target.key,
          healthy: state.healthy,
          presence: state.presence,
          checks: state.checks,
          ...(state.last?.error === undefined ? {} : { lastError: state.last.error }),
        });
      }
    }
    return out;
  }

  stop(): void {
    this.#stopped = true;
    for (const entry of this.#services.values()) entry.monitor.stop();
    this.#services.clear();
  }

  #monitor(service: string, check: HealthCheckConfig): HealthMonitor {
    const monitor = new HealthMonitor({
      policy: check,
      probe: (this.#options.probe ?? probeFor)(check, service),
      clock: this.#options.clock,
      logger: this.#options.logger.child({ service }),
    });
    monitor.onChange((target, state) => {
      for (const l of this.#listeners) l(service, target, state);
    });
    return monitor;
  }
}

function targetsOf(service: BackendService): HealthTarget[] {
  const seen = new Set<string>();
  const targets: HealthTarget[] = [];
  for (const e of service.endpoints) {
    if (e.state === "down") continue;
    const key = healthTargetKey(service.name, e.address, e.port);
    if (seen.has(key)) continue;
    seen.add(key);
    targets.push({ key, address: e.address, port: e.port });
  }
  return targets;
}
