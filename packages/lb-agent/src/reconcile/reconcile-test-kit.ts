/**
 * Builders for the reconciler's tests: backend snapshots in a line each,
 * a pino logger that records its lines, and the default balancing.
 */
import pino, { type Logger } from "pino";
import { builtinBalancing, type ServiceBalancing } from "../config/balancing-schema.js";
import { healthCheckSchema } from "../health/health-policy.js";
import {
  type BackendService,
  canonicalEndpoints,
  type Endpoint,
  type EndpointConditions,
  endpointState,
} from "../model.js";

const conditionsOf: Record<"live" | "draining" | "down", EndpointConditions> = {
  live: { ready: true, serving: true, terminating: false },
  draining: { ready: false, serving: true, terminating: true },
  down: { ready: false, serving: false, terminating: false },
};

/** `198.19.1.1`, `198.19.1.2:draining`, `198.19.1.3:down` (port 8080, port name "http"). */
export function ep(spec: string, port = 8080, portName = "http"): Endpoint {
  const [address = "", state = "live"] = spec.split(/:(?=live|draining|down$)/);
  const conditions = conditionsOf[state as "live" | "draining" | "down"];
  return { address, port, portName, conditions, state: endpointState(conditions) };
}

export function svc(
  name: string,
  vips: readonly string[],
  endpoints: readonly (string | Endpoint)[],
): BackendService {
  return {
    name,
    vips: [...vips],
    ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }],
    endpoints: canonicalEndpoints(endpoints.map((e) => (typeof e === "string" ? ep(e) : e))),
  };
}

/** Builtin balancing without health checks, with overrides. */
export function unchecked(overrides: Partial<ServiceBalancing> = {}): ServiceBalancing {
  return { ...builtinBalancing, healthCheck: null, ...overrides };
}

/** Builtin balancing with a fast health check, with overrides of the check. */
export function checked(
  check: Partial<NonNullable<ServiceBalancing["healthCheck"]>> = {},
  overrides: Partial<ServiceBalancing> = {},
): ServiceBalancing {
  const healthCheck = {
    ...healthCheckSchema.parse({ intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2, drainTimeoutMs: 5000 }),
    ...check,
  };
  return { ...builtinBalancing, healthCheck, ...overrides };
}

export interface LogLine {
  readonly level: number;
  readonly event?: string;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: "trace" }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}
