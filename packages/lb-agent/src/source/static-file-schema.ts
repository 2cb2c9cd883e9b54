/**
 * The static backend file: its schema and its translation into the backend
 * model. Pure: text in, services or a `SourceError` naming every bad field out.
 *
 *     services:
 *       - name: shop/web                 # namespace/name
 *         vips: [203.0.113.10, 2001:db8::10]
 *         ports:
 *           - { name: http, protocol: TCP, port: 80, targetPort: 8080 }
 *         backends:
 *           - address: 198.19.1.10
 *           - address: 198.19.2.10
 *             ports: { http: 8081 }      # per-port override of targetPort
 *             terminating: true          # conditions as in Kubernetes
 *
 * `protocol` defaults to TCP, `targetPort` to `port`, `ready` to true,
 * `serving` to `ready`, `terminating` to false.
 */
import { parseDocument } from "yaml";
import { z } from "zod";
import {
  type BackendService,
  canonicalEndpoints,
  type Endpoint,
  endpointState,
  resolveConditions,
} from "../model.js";
import { describeProblems, problemsOf } from "./field-problems.js";
import {
  checkPorts,
  checkUniqueNames,
  ipAddressSchema,
  portNameSchema,
  portNumberSchema,
  protocolSchema,
  serviceNameSchema,
  vipsSchema,
} from "./service-schema.js";
import { SourceError, SourceErrorCode } from "./source-error.js";

const portSchema = z.strictObject({
  name: portNameSchema.optional(),
  protocol: protocolSchema.default("TCP"),
  port: portNumberSchema,
  targetPort: portNumberSchema.optional(),
});

const backendSchema = z.strictObject({
  address: ipAddressSchema,
  ports: z.record(z.string(), portNumberSchema).optional(),
  ready: z.boolean().optional(),
  serving: z.boolean().optional(),
  terminating: z.boolean().optional(),
  nodeName: z.string().min(1).optional(),
  zone: z.string().min(1).optional(),
});

const serviceSchema = z
  .strictObject({
    name: serviceNameSchema,
    vips: vipsSchema,
    ports: z.array(portSchema).min(1, { error: "at least one port is required" }),
    backends: z.array(backendSchema).default([]),
  })
  .superRefine((svc, ctx) => {
    checkPorts(svc.ports, ctx, ["ports"]);
    const portNames = new Set(svc.ports.map((p) => p.name ?? ""));
    const addresses = new Set<string>();
    svc.backends.forEach((b, i) => {
      if (addresses.has(b.address)) {
        ctx.addIssue({
          code: "custom",
          path: ["backends", i, "address"],
          message: `duplicate backend ${b.address}`,
        });
      }
      addresses.add(b.address);
      for (const name of Object.keys(b.ports ?? {})) {
        if (!portNames.has(name)) {
          ctx.addIssue({
            code: "custom",
            path: ["backends", i, "ports", name],
            message: `no service port named "${name}"`,
          });
        }
      }
    });
  });

export const staticFileSchema = z
  .strictObject({ services: z.array(serviceSchema) })
  .superRefine((file, ctx) => checkUniqueNames(file.services, ctx, ["services"]));

export type StaticFile = z.infer<typeof staticFileSchema>;

/** Translates a validated file into backend snapshots, in name order. */
export function servicesOf(file: StaticFile): BackendService[] {
  return file.services
    .map((svc): BackendService => {
      const ports = svc.ports.map((p) => ({
        name: p.name ?? "",
        protocol: p.protocol,
        port: p.port,
        targetPort: p.targetPort ?? p.port,
      }));
      const endpoints: Endpoint[] = [];
      for (const b of svc.backends) {
        const conditions = resolveConditions(b);
        for (const p of ports) {
          endpoints.push({
            address: b.address,
            port: b.ports?.[p.name] ?? p.targetPort,
            portName: p.name,
            conditions,
            state: endpointState(conditions),
            ...(b.nodeName === undefined ? {} : { nodeName: b.nodeName }),
            ...(b.zone === undefined ? {} : { zone: b.zone }),
          });
        }
      }
      return { name: svc.name, vips: [...svc.vips], ports, endpoints: canonicalEndpoints(endpoints) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Parses and validates the text of a static file.
 * @throws SourceError `ERR_SOURCE_STATIC_FILE_SYNTAX` or `ERR_SOURCE_STATIC_FILE_INVALID`.
 */
export function parseStaticFile(text: string, fileName: string): BackendService[] {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({
      path: e.linePos?.[0] === undefined ? "(yaml)" : `line ${e.linePos[0].line}, column ${e.linePos[0].col}`,
      message: e.message.split("\n")[0] ?? e.code,
    }));
    throw new SourceError(
      SourceErrorCode.StaticFileSyntax,
      `${fileName}: not valid YAML: ${describeProblems(problems)}`,
      { problems },
    );
  }
  const result = staticFileSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const problems = problemsOf(result.error);
    throw new SourceError(SourceErrorCode.StaticFileInvalid, `${fileName}: ${describeProblems(problems)}`, {
      problems,
    });
  }
  return servicesOf(result.data);
}
