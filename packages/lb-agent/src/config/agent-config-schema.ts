/**
 * The lb-agent configuration file, validated with zod. Every problem is
 * reported with its field path; nothing is checked later at run time that
 * could be checked here.
 *
 *     source:                       # exactly one of kubernetes / static
 *       kubernetes:                 # k8s/k8s-source-config.ts
 *         kubeconfig: /path         # optional: default in-cluster / $KUBECONFIG
 *         services:
 *           - { name: shop/web, vips: [203.0.113.10], ports: [{ name: http, port: 80 }] }
 *       static: { path: /etc/lb-agent/backends.yaml }   # source/static-file-schema.ts
 *     defaults:                     # config/balancing-schema.ts, for every service
 *       scheduler: mh
 *       schedulerFlags: [mh-port]   # mh-fallback / sh-fallback are always added: a draining
 *                                   # (weight 0) real server must not refuse new flows
 *       healthCheck: { type: http, path: /healthz, intervalMs: 2000 }
 *     services:                     # per-service overrides of `defaults`
 *       shop/web: { scheduler: wrr, minHealthy: 2 }
 *     nodeIP: 198.18.0.5            # or nodeIPEnv: NODE_IP (downward API)
 *     vipInterface: lo
 *     admin: { listen: 127.0.0.1:9470 }
 *     metrics: { listen: 127.0.0.1:9471 }
 *     reconcile: { debounceMs: 100, backoff: { initialMs: 500, maxMs: 30000 } }
 *     shutdown: { drainMs: 10000 }
 *     bgp:                          # announce healthy VIPs to the route reflectors
 *       localAS: 64512
 *       routeReflectors: [{ address: 198.18.0.2, as: 64512, holdTimeSeconds: 90 }]
 */
import { isIP } from "node:net";
import { z } from "zod";
import { k8sSourceConfigSchema } from "../k8s/k8s-source-config.js";
import { ipAddressSchema, serviceNameSchema } from "../source/service-schema.js";
import {
  balancingProblems,
  balancingSchema,
  builtinBalancing,
  resolveBalancing,
} from "./balancing-schema.js";
import { listenAddressSchema } from "./listen-address.js";

const asnSchema = z
  .number({ error: "must be an AS number" })
  .int({ error: "must be an integer" })
  .min(1, { error: "must be between 1 and 4294967295" })
  .max(4294967295, { error: "must be between 1 and 4294967295" });

/** RFC 4271 §4.2: the hold time is 0 or at least 3 seconds. */
const holdTimeSchema = z
  .number({ error: "must be a number of seconds" })
  .int()
  .max(65535)
  .refine((s) => s === 0 || s >= 3, { error: "must be 0 or at least 3 seconds (RFC 4271 §4.2)" });

const bgpSchema = z.strictObject({
  localAS: asnSchema,
  /** Default: the node IP (must then be IPv4). */
  routerId: z.ipv4({ error: "must be an IPv4 address" }).optional(),
  holdTimeSeconds: holdTimeSchema.default(90),
  routeReflectors: z
    .array(
      z.strictObject({
        address: ipAddressSchema,
        as: asnSchema,
        port: z.number().int().min(1).max(65535).default(179),
        /** Overrides the local AS towards this reflector. */
        localAS: asnSchema.optional(),
        holdTimeSeconds: holdTimeSchema.optional(),
      }),
    )
    .min(1, { error: "at least one route reflector is required" }),
});

const staticSourceSchema = z.strictObject({
  path: z.string().min(1, { error: "must be a file path" }),
  pollIntervalMs: z.number().int().min(10).default(2000),
});

const sourceSchema = z
  .strictObject({ kubernetes: k8sSourceConfigSchema.optional(), static: staticSourceSchema.optional() })
  .refine((s) => (s.kubernetes === undefined) !== (s.static === undefined), {
    error: "exactly one of kubernetes or static is required",
  });

const envNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be an environment variable name" });

export const agentConfigSchema = z
  .strictObject({
    source: sourceSchema,
    defaults: balancingSchema.default({}),
    services: z.record(z.string(), balancingSchema).default({}),
    nodeIP: ipAddressSchema.optional(),
    nodeIPEnv: envNameSchema.optional(),
    vipInterface: z
      .string()
      .regex(/^[^\s/]{1,15}$/, { error: "must be a network interface name (at most 15 characters)" })
      .default("lo"),
    admin: z.strictObject({ listen: listenAddressSchema.prefault("127.0.0.1:9470") }).prefault({}),
    metrics: z
      .strictObject({
        enabled: z.boolean().default(true),
        listen: listenAddressSchema.prefault("127.0.0.1:9471"),
      })
      .prefault({}),
    reconcile: z
      .strictObject({
        debounceMs: z.number().int().min(0).max(60_000).default(100),
        backoff: z
          .strictObject({
            initialMs: z.number().int().min(1).default(500),
            maxMs: z.number().int().min(1).default(30_000),
          })
          .refine((b) => b.maxMs >= b.initialMs, {
            error: "maxMs must not be below initialMs",
            path: ["maxMs"],
          })
          .prefault({}),
      })
      .prefault({}),
    shutdown: z
      .strictObject({
        /** After withdrawing on SIGTERM, keep serving existing flows this long. */
        drainMs: z.number().int().min(0).max(3_600_000).default(10_000),
      })
      .prefault({}),
    logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
    bgp: bgpSchema.optional(),
  })
  .superRefine((config, ctx) => {
    const defaults = resolveBalancing(builtinBalancing, config.defaults);
    for (const p of balancingProblems("defaults", config.defaults, defaults)) {
      ctx.addIssue({ code: "custom", path: p.path.split("."), message: p.message });
    }
    const known = config.source.kubernetes?.services.map((s) => s.name);
    for (const [name, layer] of Object.entries(config.services)) {
      if (!serviceNameSchema.safeParse(name).success) {
        ctx.addIssue({
          code: "custom",
          path: ["services", name],
          message: "must be namespace/name (lower-case DNS labels)",
        });
        continue;
      }
      if (known !== undefined && !known.includes(name)) {
        ctx.addIssue({
          code: "custom",
          path: ["services", name],
          message: "not a service of source.kubernetes.services",
        });
      }
      for (const p of balancingProblems(`services.${name}`, layer, resolveBalancing(defaults, layer))) {
        ctx.addIssue({
          code: "custom",
          path: ["services", name, ...p.path.split(".").slice(2)],
          message: p.message,
        });
      }
    }
    if (config.nodeIP !== undefined && config.nodeIPEnv !== undefined) {
      ctx.addIssue({ code: "custom", path: ["nodeIPEnv"], message: "give nodeIP or nodeIPEnv, not both" });
    }
    if (config.bgp !== undefined && config.nodeIP === undefined && config.nodeIPEnv === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["nodeIP"],
        message: "required with bgp (the next hop): set nodeIP or nodeIPEnv",
      });
    }
    if (config.bgp?.routerId === undefined && config.nodeIP !== undefined && isIP(config.nodeIP) !== 4) {
      if (config.bgp !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["bgp", "routerId"],
          message: "required when nodeIP is not IPv4",
        });
      }
    }
    checkFrontEnds(config.source.kubernetes?.services ?? [], ctx);
  });

/** Two services must not claim the same VIP, protocol and port. */
function checkFrontEnds(
  services: readonly {
    readonly vips: readonly string[];
    readonly ports: readonly { protocol: string; port: number }[];
  }[],
  ctx: z.RefinementCtx,
): void {
  const seen = new Map<string, number>();
  services.forEach((svc, i) => {
    for (const vip of svc.vips) {
      for (const p of svc.ports) {
        const front = `${p.protocol} ${vip}:${p.port}`;
        const first = seen.get(front);
        if (first !== undefined && first !== i) {
          ctx.addIssue({
            code: "custom",
            path: ["source", "kubernetes", "services", i, "vips"],
            message: `${front} is already used by services[${first}]`,
          });
        }
        seen.set(front, first ?? i);
      }
    }
  });
}

export type AgentConfig = z.output<typeof agentConfigSchema>;
