/**
 * The vocabulary of lb-agent's own log events (reconciler, node setup,
 * admin, daemon), in one place: every log line carries one of these as its
 * `event` field. The backend sources have theirs in source/log-events.ts;
 * health transitions are `health.<action>` (health/health-monitor.ts).
 */
export const AgentLogEvent = {
  reconcileOk: "reconcile.ok",
  reconcileFailed: "reconcile.failed",
  reconcileRetry: "reconcile.retry",
  ipvsReadFailed: "ipvs.read.failed",
  ipvsApplyFailed: "ipvs.apply.failed",
  ipvsApplied: "ipvs.applied",
  nodeSyncFailed: "node.sync.failed",
  nodeSynced: "node.synced",
  nodeCleanup: "node.cleanup",
  nodeCleanupFailed: "node.cleanup.failed",
  sysctlsFailed: "node.sysctls.failed",
  sysctlsApplied: "node.sysctls.applied",
  serviceConflict: "reconcile.service.conflict",
  tunnelPortMismatch: "reconcile.service.tunnel-port-mismatch",
  announceChanged: "announce.changed",
  announceStopped: "announce.stopped",
  bgpStarting: "bgp.starting",
  agentStarting: "agent.starting",
  agentStarted: "agent.started",
  agentDraining: "agent.draining",
  agentStopped: "agent.stopped",
  configReloaded: "config.reloaded",
  configRejected: "config.rejected",
  sourceFailed: "agent.source.failed",
  adminListening: "admin.listening",
  metricsListening: "metrics.listening",
} as const;
export type AgentLogEvent = (typeof AgentLogEvent)[keyof typeof AgentLogEvent];
