/**
 * How one service is load-balanced: the IPVS scheduler and its flags, the
 * forwarding method, persistence, the real-server weight, the health check
 * (health/'s schema; `null` turns checks off) and the number of healthy real
 * servers below which the service's VIPs are not announced.
 *
 * The config has one `defaults` block and per-service overrides; both are
 * partial (every field optional), and `resolveBalancing` lays them over the
 * built-in defaults below. A field given in an override replaces the default
 * as a whole (a service's `healthCheck` is not merged key by key with the
 * default one). Cross-field rules (scheduler flags that belong to another
 * scheduler, tunnel options without tunnel forwarding) are checked on the
 * resolved settings by `balancingProblems`, so they are reported on the
 * field where the offending value was written.
 */
import { z } from "zod";
import { type HealthCheckConfig, healthCheckSchema } from "../health/health-policy.js";
import { SupportedScheduler, type TunnelOptions } from "../ipvs/types.js";
import type { FieldProblem } from "../source/source-error.js";

export const SchedulerFlagName = ["mh-port", "mh-fallback", "sh-port", "sh-fallback"] as const;
export type SchedulerFlagName = (typeof SchedulerFlagName)[number];

const tunnelSchema = z.strictObject({
  type: z.enum(["ipip", "gue", "gre"], { error: "must be ipip, gue or gre" }).default("ipip"),
  /** GUE only: the UDP destination port. */
  port: z.number().int().min(0).max(65535).default(0),
  checksum: z
    .enum(["nocsum", "csum", "remcsum"], { error: "must be nocsum, csum or remcsum" })
    .default("nocsum"),
});

const persistenceSchema = z.strictObject({
  timeoutSeconds: z.number({ error: "must be a number of seconds" }).int().min(1).max(0x7fffffff),
  /** Clients in one IPv4 prefix of this length share a real server (32 = per address). */
  netmaskPrefix: z.number().int().min(0).max(32).default(32),
  /** The same for IPv6 VIPs (128 = per address). */
  netmaskPrefix6: z.number().int().min(0).max(128).default(128),
});

export const balancingSchema = z.strictObject({
  scheduler: z
    .enum(SupportedScheduler, { error: `must be one of ${SupportedScheduler.join(", ")}` })
    .optional(),
  schedulerFlags: z
    .array(z.enum(SchedulerFlagName, { error: `must be one of ${SchedulerFlagName.join(", ")}` }))
    .optional(),
  forwarding: z.enum(["masq", "tunnel"], { error: "must be masq or tunnel" }).optional(),
  tunnel: tunnelSchema.optional(),
  persistence: persistenceSchema.nullable().optional(),
  weight: z.number().int().min(1).max(65535).optional(),
  healthCheck: healthCheckSchema.nullable().optional(),
  minHealthy: z.number().int().min(0).optional(),
});
export type BalancingInput = z.infer<typeof balancingSchema>;

/** The resolved settings of one service. */
export interface ServiceBalancing {
  readonly scheduler: SupportedScheduler;
  readonly schedulerFlags: readonly SchedulerFlagName[];
  readonly forwarding: "masq" | "tunnel";
  /** Set exactly when forwarding is tunnel. */
  readonly tunnel: TunnelOptions | null;
  readonly persistence: {
    readonly timeoutSeconds: number;
    readonly netmaskPrefix: number;
    readonly netmaskPrefix6: number;
  } | null;
  readonly weight: number;
  /** null: no health checks, the endpoint conditions alone decide. */
  readonly healthCheck: HealthCheckConfig | null;
  readonly minHealthy: number;
}

/**
 * Built in: Maglev hashing (so every LB pod picks the same real server for a
 * flow that ECMP moves between pods), masquerading, TCP health checks with
 * health/'s defaults, announce while at least one real server is healthy.
 */
export const builtinBalancing: ServiceBalancing = {
  scheduler: "mh",
  schedulerFlags: [],
  forwarding: "masq",
  tunnel: null,
  persistence: null,
  weight: 1,
  healthCheck: healthCheckSchema.parse({}),
  minHealthy: 1,
};

/** Lays the given partial settings over `base`, in order. */
export function resolveBalancing(
  base: ServiceBalancing,
  ...layers: readonly (BalancingInput | undefined)[]
): ServiceBalancing {
  let out = base;
  for (const layer of layers) {
    if (layer === undefined) continue;
    const forwarding = layer.forwarding ?? out.forwarding;
    out = {
      scheduler: layer.scheduler ?? out.scheduler,
      schedulerFlags: layer.schedulerFlags ?? out.schedulerFlags,
      forwarding,
      tunnel: forwarding === "tunnel" ? (layer.tunnel ?? out.tunnel ?? tunnelSchema.parse({})) : null,
      persistence: layer.persistence === undefined ? out.persistence : layer.persistence,
      weight: layer.weight ?? out.weight,
      healthCheck: layer.healthCheck === undefined ? out.healthCheck : layer.healthCheck,
      minHealthy: layer.minHealthy ?? out.minHealthy,
    };
  }
  return out;
}

/**
 * Cross-field problems of one layer given the settings it resolves to;
 * `where` is the layer's path (`defaults`, `services.shop/web`).
 */
export function balancingProblems(
  where: string,
  layer: BalancingInput,
  resolved: ServiceBalancing,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (layer.schedulerFlags !== undefined || layer.scheduler !== undefined) {
    const prefix = `${resolved.scheduler}-`;
    for (const flag of resolved.schedulerFlags) {
      if (!flag.startsWith(prefix)) {
        problems.push({
          path: `${where}.schedulerFlags`,
          message: `${flag} is a flag of the ${flag.split("-")[0]} scheduler, not of ${resolved.scheduler}`,
        });
      }
    }
  }
  if (layer.tunnel !== undefined && resolved.forwarding !== "tunnel") {
    problems.push({ path: `${where}.tunnel`, message: "only allowed with forwarding: tunnel" });
  }
  if (resolved.tunnel?.type === "gue" && resolved.tunnel.port === 0 && layer.tunnel !== undefined) {
    problems.push({ path: `${where}.tunnel.port`, message: "required (non-zero) for a gue tunnel" });
  }
  return problems;
}
