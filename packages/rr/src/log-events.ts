/**
 * The vocabulary of ts-rr's own log events, in one place: every log line of
 * the daemon carries one of these as its `event` field. The BGP speaker logs
 * its own lines under the `bgp` component (per-peer child loggers).
 */
export const RrLogEvent = {
  starting: "rr.starting",
  started: "rr.started",
  stopping: "rr.stopping",
  stopped: "rr.stopped",
  startFailed: "rr.start.failed",
  configReloaded: "config.reloaded",
  configRejected: "config.rejected",
  configNeedsRestart: "config.needs-restart",
  adminListening: "admin.listening",
  adminPublic: "admin.public",
  adminFailed: "admin.failed",
  metricsListening: "metrics.listening",
  metricsFailed: "metrics.failed",
  neighborState: "bgp.neighbor.state",
  signal: "rr.signal",
  unhandledRejection: "rr.unhandled-rejection",
} as const;
export type RrLogEvent = (typeof RrLogEvent)[keyof typeof RrLogEvent];
