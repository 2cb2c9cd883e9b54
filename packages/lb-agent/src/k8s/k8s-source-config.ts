/**
 * Configuration of the Kubernetes backend source: which Services to follow,
 * and the front end (VIPs and ports) each is published on. EndpointSlices
 * carry the backends but not the VIPs, so the VIPs come from here.
 *
 *     kubeconfig: /path/to/kubeconfig   # optional; default: in-cluster, then $KUBECONFIG, ~/.kube/config
 *     services:
 *       - name: shop/web
 *         vips: [203.0.113.10]
 *         ports: [{ name: http, protocol: TCP, port: 80 }]
 *
 * A port is matched to the EndpointSlice port of the same name and protocol
 * (EndpointSlice ports carry the Service port's name and the resolved target
 * port number).
 */
import { z } from "zod";
import { describeProblems, problemsOf } from "../source/field-problems.js";
import {
  checkPorts,
  checkUniqueNames,
  portNameSchema,
  portNumberSchema,
  protocolSchema,
  serviceNameSchema,
  vipsSchema,
} from "../source/service-schema.js";
import { SourceError, SourceErrorCode } from "../source/source-error.js";

const backoffSchema = z.strictObject({
  initialMs: z.number().int().positive(),
  maxMs: z.number().int().positive(),
  factor: z.number().min(1).optional(),
  jitter: z.number().min(0).max(1).optional(),
});

const k8sServiceSchema = z
  .strictObject({
    name: serviceNameSchema,
    vips: vipsSchema,
    ports: z
      .array(
        z.strictObject({
          name: portNameSchema.default(""),
          protocol: protocolSchema.default("TCP"),
          port: portNumberSchema,
          /** Informational: the Service's targetPort (number or container port name). */
          targetPort: z.union([portNumberSchema, portNameSchema]).optional(),
        }),
      )
      .min(1, { error: "at least one port is required" }),
  })
  .superRefine((svc, ctx) => checkPorts(svc.ports, ctx, ["ports"]));

export const k8sSourceConfigSchema = z
  .strictObject({
    kubeconfig: z.string().min(1).optional(),
    services: z.array(k8sServiceSchema).min(1, { error: "at least one service is required" }),
    /** Ask the API server for watch bookmarks (cheaper resumes). Default true. */
    bookmarks: z.boolean().default(true),
    backoff: backoffSchema.optional(),
  })
  .superRefine((cfg, ctx) => checkUniqueNames(cfg.services, ctx, ["services"]));

export type K8sSourceConfig = z.infer<typeof k8sSourceConfigSchema>;
export type K8sServiceConfig = K8sSourceConfig["services"][number];

/**
 * Validates a Kubernetes source configuration (already parsed from YAML/JSON).
 * @throws SourceError `ERR_SOURCE_K8S_CONFIG_INVALID` naming every bad field.
 */
export function parseK8sSourceConfig(input: unknown, where = "kubernetes"): K8sSourceConfig {
  const result = k8sSourceConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = problemsOf(result.error);
  throw new SourceError(SourceErrorCode.K8sConfigInvalid, `${where}: ${describeProblems(problems)}`, {
    problems,
  });
}
