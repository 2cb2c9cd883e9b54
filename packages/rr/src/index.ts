/**
 * @portlb/rr — ts-rr, the route reflector for portlb's LB pods, as a
 * library: its configuration schema and loader, the admin API views, the
 * metrics, and `startDaemon` (what `ts-rr run` does, without the signals).
 * The CLI is src/cli.ts.
 */
export * from "./admin/admin-server.js";
export * from "./admin/admin-views.js";
export * from "./config/index.js";
export { type Daemon, ShutdownCommunication, startDaemon } from "./main.js";
export * from "./metrics/ecmp-tracker.js";
export * from "./metrics/rr-metrics.js";
