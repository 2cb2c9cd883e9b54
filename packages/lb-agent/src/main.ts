/**
 * `lb-agent run`: builds the real adapters (pino, ipvsadm CLI, ip/nft node
 * setup, the configured backend source, admin and metrics servers), wires
 * them into an LbAgent and handles signals:
 *
 *   SIGTERM / SIGINT  withdraw -> drain `shutdown.drainMs` -> clean up -> exit 0
 *   SIGHUP            re-read the config file; a bad one is logged and ignored
 *
 * Start-up failures (bad config, bad static file, admin port taken) are
 * logged with their field paths and end the process with exit code 1;
 * after start-up nothing ends it but a signal.
 */
import pino, { type Logger } from "pino";
import { type RunningServer, startAdminServer } from "./admin/admin-server.js";
import { AgentMetrics } from "./admin/agent-metrics.js";
import { LbAgent } from "./agent/lb-agent.js";
import { BgpAnnouncer } from "./bgp/announcer.js";
import type { AgentConfig } from "./config/agent-config-schema.js";
import { ConfigError } from "./config/config-error.js";
import { listenUrl } from "./config/listen-address.js";
import { loadAgentConfig, resolveNodeIp } from "./config/load-config.js";
import { systemClock } from "./health/clock.js";
import { IpvsadmCli } from "./ipvs/ipvsadm-cli.js";
import { AgentLogEvent } from "./log-events.js";
import { NodeNetwork } from "./node/node-network.js";
import type { BackendSource } from "./source/backend-source.js";
import { StaticFileSource } from "./source/static-file.js";

export interface RunOptions {
  readonly configPath: string;
  readonly logLevel?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The configured source; the Kubernetes client is loaded only when used (it is large). */
async function createSource(config: AgentConfig, logger: Logger): Promise<BackendSource> {
  if (config.source.static !== undefined) {
    return new StaticFileSource({
      path: config.source.static.path,
      logger,
      pollIntervalMs: config.source.static.pollIntervalMs,
    });
  }
  const k8s = config.source.kubernetes;
  if (k8s === undefined) throw new Error("no source configured"); // the schema rules this out
  const { EndpointSliceSource } = await import("./k8s/endpoint-slice-source.js");
  return EndpointSliceSource.fromConfig(k8s, logger);
}

function logFatal(logger: Logger, error: unknown, what: string): void {
  if (error instanceof ConfigError) {
    logger.fatal(
      { event: AgentLogEvent.configRejected, code: error.code, problems: error.problems },
      error.message,
    );
  } else {
    const code = (error as { code?: unknown } | null)?.code;
    logger.fatal({ err: error, code }, `${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs the agent until a signal ends it; resolves to the exit code. */
export async function runAgent(options: RunOptions): Promise<number> {
  const logger = pino({ base: { name: "lb-agent" }, level: options.logLevel ?? "info" });
  let config: AgentConfig;
  let announcer: BgpAnnouncer | undefined;
  try {
    config = await loadAgentConfig(options.configPath);
    if (options.logLevel === undefined) logger.level = config.logLevel;
    const nodeIp = resolveNodeIp(config, options.env ?? process.env);
    if (config.bgp !== undefined) {
      announcer = new BgpAnnouncer(config.bgp, nodeIp, logger);
      logger.info(
        { event: AgentLogEvent.bgpStarting, nodeIp, routeReflectors: config.bgp.routeReflectors.length },
        "BGP: announcing healthy VIPs to the route reflectors",
      );
    }
  } catch (error) {
    logFatal(logger, error, "cannot start");
    return 1;
  }

  let agent: LbAgent | undefined;
  const metrics = new AgentMetrics(() => {
    if (agent === undefined) throw new Error("metrics scraped before start");
    return agent.reconciler.status();
  });
  agent = new LbAgent({
    config,
    logger,
    clock: systemClock,
    ipvs: new IpvsadmCli(),
    node: new NodeNetwork({ logger, device: config.vipInterface }),
    createSource: (c) => createSource(c, logger),
    observer: metrics,
    ...(announcer === undefined ? {} : { announce: announcer.hook }),
  });
  const running = agent;
  const servers: RunningServer[] = [];
  try {
    const sameAddress =
      config.metrics.listen.host === config.admin.listen.host &&
      config.metrics.listen.port === config.admin.listen.port;
    const admin = await startAdminServer(
      config.admin.listen,
      {
        status: () => running.status(),
        ready: () => running.ready(),
        ...(config.metrics.enabled && sameAddress ? { metrics: metrics.registry } : {}),
      },
      logger,
    );
    servers.push(admin);
    logger.info(
      { event: AgentLogEvent.adminListening, url: listenUrl(admin.address) },
      "admin API listening",
    );
    if (config.metrics.enabled && !sameAddress) {
      // /healthz and /readyz here too: kubelet probes reach the pod IP, not the loopback admin API
      const m = await startAdminServer(
        config.metrics.listen,
        { metrics: metrics.registry, ready: () => running.ready() },
        logger,
      );
      servers.push(m);
      logger.info(
        { event: AgentLogEvent.metricsListening, url: `${listenUrl(m.address)}/metrics` },
        "metrics listening",
      );
    }
    await announcer?.start();
    await running.start();
  } catch (error) {
    logFatal(logger, error, "cannot start");
    await Promise.all(servers.map((s) => s.close()));
    await announcer?.stop("lb-agent failed to start");
    return 1;
  }

  process.on("unhandledRejection", (reason) =>
    logger.error({ err: reason }, "unhandled rejection (kept running)"),
  );
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, `${signal} received`);
      // The agent withdraws first (the announce hook gets an empty set), drains, cleans up;
      // then the BGP sessions end with Cease/Administrative Shutdown.
      void running
        .shutdown()
        .then(() => announcer?.stop())
        .then(() => Promise.all(servers.map((s) => s.close())))
        .then(() => resolve(0));
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGHUP", () => {
      loadAgentConfig(options.configPath)
        .then((next) => {
          if (
            JSON.stringify(next.admin) !== JSON.stringify(config.admin) ||
            JSON.stringify(next.metrics) !== JSON.stringify(config.metrics)
          ) {
            logger.warn("admin/metrics listen addresses change only on restart");
          }
          if (options.logLevel === undefined) logger.level = next.logLevel;
          config = next;
          return running.reload(next);
        })
        .catch((error: unknown) =>
          logFatal(
            logger.child({ reload: true }),
            error,
            "reload rejected, keeping the running configuration",
          ),
        );
    });
  });
}
