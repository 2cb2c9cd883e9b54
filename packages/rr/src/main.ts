/**
 * The ts-rr daemon's composition root: configuration -> pino logger (one
 * child per component) -> @portlb/bgp speaker -> admin API and metrics
 * servers; then signals:
 *
 *   SIGHUP          reload the configuration (reload.ts); a bad file is rejected, the old one runs on
 *   SIGTERM/SIGINT  Cease/Administrative Shutdown (RFC 8203) to every peer, close the servers, exit 0
 *   SIGUSR2         stop for a restart: close every session WITHOUT a NOTIFICATION (RFC 4724), exit 0
 *
 * Nothing a peer or an operator sends takes the process down: bad peer
 * input ends that session (the speaker), bad config is rejected with the
 * field, a failing admin request answers 500.
 */
import { createSpeaker, type Speaker } from "@portlb/bgp";
import { type Logger, pino } from "pino";
import { startAdminServer } from "./admin/admin-server.js";
import { isLocalOnly } from "./config/listen-address.js";
import { loadRrConfig } from "./config/load-config.js";
import type { RrConfig } from "./config/rr-config-schema.js";
import { toSpeakerOptions } from "./config/speaker-options.js";
import { describeEndpoint } from "./http-endpoint.js";
import { RrLogEvent } from "./log-events.js";
import { startMetricsServer } from "./metrics/metrics-server.js";
import { RrMetrics } from "./metrics/rr-metrics.js";
import { reloadConfig } from "./reload.js";

export const ShutdownCommunication = "ts-rr shutting down";

export interface Daemon {
  readonly speaker: Speaker;
  /** The daemon component's logger. */
  readonly log: Logger;
  reload(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds and starts everything; @throws ConfigError for a bad file, or the error that stopped start-up. */
export async function startDaemon(configPath: string, logger?: Logger): Promise<Daemon> {
  let config: RrConfig = await loadRrConfig(configPath);
  const root = logger ?? pino({ level: config.log.level, base: { service: "ts-rr", pid: process.pid } });
  const log = root.child({ component: "daemon" });
  const bgpLogger = root.child({ component: "bgp" });
  log.info({ event: RrLogEvent.starting, config: configPath, routerId: config.routerId }, "ts-rr starting");

  const speaker = createSpeaker(toSpeakerOptions(config, bgpLogger));
  speaker.on("neighbor", (n) =>
    log.info(
      { event: RrLogEvent.neighborState, neighbor: n.address, range: n.dynamic, state: n.state },
      "neighbor state",
    ),
  );
  const metrics = new RrMetrics(speaker);
  const closers: (() => Promise<void>)[] = [];
  try {
    await speaker.start();
    closers.push(() => speaker.stop(ShutdownCommunication));
    const adminLog = root.child({ component: "admin" });
    const admin = await startAdminServer({
      source: speaker,
      endpoint: config.admin.listen,
      logger: adminLog,
    });
    closers.push(() => admin.close());
    adminLog.info(
      { event: RrLogEvent.adminListening, at: describeEndpoint(admin.endpoint) },
      "admin API listening",
    );
    if (!isLocalOnly(admin.endpoint))
      adminLog.warn({ event: RrLogEvent.adminPublic }, "the admin API listens on a non-loopback address");
    const metricsLog = root.child({ component: "metrics" });
    const server = await startMetricsServer(metrics, config.metrics.listen, metricsLog);
    closers.push(() => server.close());
    metricsLog.info(
      { event: RrLogEvent.metricsListening, at: describeEndpoint(server.endpoint) },
      "metrics listening",
    );
  } catch (err) {
    log.error({ event: RrLogEvent.startFailed, err }, "ts-rr failed to start");
    metrics.close();
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw err;
  }
  log.info({ event: RrLogEvent.started, listening: speaker.listening() }, "ts-rr started");

  const reloadLog = root.child({ component: "config" });
  let reloading: Promise<void> = Promise.resolve();
  return {
    speaker,
    log,
    reload() {
      // One reload at a time, in the order the signals came.
      reloading = reloading.then(async () => {
        config = await reloadConfig({ path: configPath, speaker, bgpLogger, logger: reloadLog }, config);
      });
      return reloading;
    },
    async stop() {
      log.info({ event: RrLogEvent.stopping }, "ts-rr shutting down");
      metrics.close();
      for (const close of closers.reverse())
        await close().catch((err: unknown) => log.warn({ err }, "close failed"));
      log.info({ event: RrLogEvent.stopped }, "ts-rr stopped");
    },
  };
}

/** `ts-rr run`: starts the daemon and handles signals until SIGTERM/SIGINT. */
export async function runDaemon(configPath: string): Promise<void> {
  const daemon = await startDaemon(configPath);
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    daemon.log.info({ event: RrLogEvent.signal, signal }, "signal received");
    void daemon.stop().finally(() => process.exit(0));
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  // SIGUSR2: stop for a restart (upgrade): no NOTIFICATION, so routers that help with
  // graceful restart (RFC 4724) keep every path until the new process is back.
  process.on("SIGUSR2", (signal) => {
    if (stopping) return;
    stopping = true;
    daemon.log.info({ event: RrLogEvent.signal, signal }, "signal received: stopping for a graceful restart");
    void daemon.speaker
      .abandon()
      .then(() => daemon.stop())
      .finally(() => process.exit(0));
  });
  process.on("SIGHUP", (signal) => {
    daemon.log.info({ event: RrLogEvent.signal, signal }, "signal received: reloading the configuration");
    void daemon.reload();
  });
  // A bug must not take every BGP session down with it: log it and carry on.
  process.on("unhandledRejection", (reason) =>
    daemon.log.error({ event: RrLogEvent.unhandledRejection, err: reason }, "unhandled promise rejection"),
  );
}
