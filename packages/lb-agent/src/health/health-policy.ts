/**
 * Health-check settings per service: the probe (TCP connect, or HTTP(S) GET
 * with the expected status codes) and the policy the state machine applies
 * (interval, timeout, rise, fall, initial state, drain timeout), with their
 * zod schema so that the agent's config file is validated field by field.
 */
import { z } from "zod";

export const healthCheckSchema = z
  .strictObject({
    type: z.enum(["tcp", "http", "https"], { error: "must be tcp, http or https" }).default("tcp"),
    /** HTTP(S) only: the path to GET. */
    path: z.string().startsWith("/", { error: "must start with /" }).default("/"),
    /** HTTP(S) only: the statuses that count as healthy. */
    expectedStatus: z.array(z.number().int().min(100).max(599)).min(1).default([200]),
    /** HTTP(S) only: the Host header; default the backend's address. */
    host: z.string().min(1).optional(),
    intervalMs: z.number().int().min(10).default(2000),
    timeoutMs: z.number().int().min(1).default(1000),
    /** Consecutive successes that make an unhealthy server healthy. */
    rise: z.number().int().min(1).default(2),
    /** Consecutive failures that make a healthy server unhealthy. */
    fall: z.number().int().min(1).default(3),
    /** The state of a server never checked yet. */
    initial: z.enum(["healthy", "unhealthy"]).default("unhealthy"),
    /** How long an unhealthy server stays at weight 0 before it is removed. */
    drainTimeoutMs: z.number().int().min(0).default(30_000),
  })
  .refine((c) => c.timeoutMs <= c.intervalMs, {
    error: "timeoutMs must not exceed intervalMs",
    path: ["timeoutMs"],
  });

export type HealthCheckConfig = z.infer<typeof healthCheckSchema>;

/** What the state machine needs to know. */
export type HealthPolicy = Pick<
  HealthCheckConfig,
  "intervalMs" | "timeoutMs" | "rise" | "fall" | "initial" | "drainTimeoutMs"
>;
