/**
 * The vocabulary of log events of the backend sources, in one place. Every
 * log line of `source/` and `k8s/` carries one of these as its `event` field,
 * so that operators can grep and alert on stable names.
 */
export const SourceLogEvent = {
  serviceUpdated: "source.service.updated",
  serviceRemoved: "source.service.removed",
  staticLoaded: "source.static.loaded",
  staticRejected: "source.static.rejected",
  staticUnreadable: "source.static.unreadable",
  staticWatchFallback: "source.static.watch-fallback",
  informerStarted: "k8s.informer.started",
  informerError: "k8s.informer.error",
  informerRestart: "k8s.informer.restart",
  informerStopped: "k8s.informer.stopped",
  listFailed: "k8s.list.failed",
  listSucceeded: "k8s.list.ok",
  sliceIgnored: "k8s.slice.ignored",
  synced: "k8s.synced",
} as const;
export type SourceLogEvent = (typeof SourceLogEvent)[keyof typeof SourceLogEvent];
