/**
 * Test kit for the Kubernetes source tests: a fake API server, a
 * KubeConfig for it (loaded from a real kubeconfig file), a source on top,
 * a recorder of its update stream, and a pino logger whose lines the test
 * can inspect. Not imported by production code.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import {
  FakeApiServer,
  type FakeApiServerOptions,
  kubeconfigFor,
} from "../../../../test/k8s/fake-apiserver.js";
import { UpdateRecorder } from "../../../../test/k8s/update-recorder.js";
import type { BackendService, SourceUpdate } from "../model.js";
import { EndpointSliceSource, type EndpointSliceSourceOptions } from "./endpoint-slice-source.js";
import type { K8sServiceConfig } from "./k8s-source-config.js";
import { loadKubeConfig } from "./kube-config.js";
import type { InformerFailure } from "./resilient-informer.js";

export interface LogLine {
  readonly level: number;
  readonly event?: string;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}

export const webService: K8sServiceConfig = {
  name: "shop/web",
  vips: ["203.0.113.10", "2001:db8::10"],
  ports: [{ name: "http", protocol: "TCP", port: 80 }],
};

export interface Kit {
  readonly server: FakeApiServer;
  readonly source: EndpointSliceSource;
  readonly recorder: UpdateRecorder<SourceUpdate>;
  readonly failures: InformerFailure[];
  readonly lines: LogLine[];
  /** Waits for a snapshot of `name` satisfying `predicate`. */
  service(
    name: string,
    predicate: (s: BackendService) => boolean,
    timeoutMs?: number,
  ): Promise<BackendService>;
  close(): Promise<void>;
}

export async function startKit(
  options: {
    services?: readonly K8sServiceConfig[];
    server?: FakeApiServerOptions;
    source?: Partial<EndpointSliceSourceOptions>;
    /** Runs against the server before the source starts. */
    seed?: (server: FakeApiServer) => void;
  } = {},
): Promise<Kit> {
  const server = await FakeApiServer.start({ token: "kit-token", ...options.server });
  options.seed?.(server);
  const dir = await mkdtemp(join(tmpdir(), "lb-agent-k8s-"));
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(kubeconfig, kubeconfigFor(server, "kit-token"));
  const { logger, lines } = captureLogger();
  const source = new EndpointSliceSource({
    kubeConfig: loadKubeConfig(kubeconfig),
    services: options.services ?? [webService],
    logger,
    backoff: { initialMs: 20, maxMs: 160, factor: 2, jitter: 0.25 },
    stableAfterMs: 60_000,
    ...options.source,
  });
  const failures: InformerFailure[] = [];
  source.onFailure((f) => failures.push(f));
  const recorder = new UpdateRecorder(source.updates());
  await source.start();
  return {
    server,
    source,
    recorder,
    failures,
    lines,
    async service(name, predicate, timeoutMs = 5000) {
      const update = await recorder.waitFor(
        (u) => u.type === "service" && u.service.name === name && predicate(u.service),
        timeoutMs,
      );
      if (update.type !== "service") throw new Error("unreachable");
      return update.service;
    },
    async close() {
      await source.stop();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `address:port state` of each endpoint, for compact assertions. */
export function summary(service: BackendService): string[] {
  return service.endpoints.map((e) => `${e.address}:${e.port} ${e.state}`);
}
