/**
 * The port every backend source implements (Kubernetes EndpointSlices, a
 * static file): start it, read the latest snapshot of every service, and
 * subscribe to per-service snapshots as they change.
 */
import type { BackendService, SourceUpdate } from "../model.js";

export interface BackendSource {
  /**
   * Starts watching. A static file source resolves once its file is loaded
   * (and rejects on a bad file); the Kubernetes source resolves at once and
   * keeps retrying an unreachable API server in the background.
   */
  start(): Promise<void>;
  /** Resolves once every service's first complete state is known. */
  synced(): Promise<void>;
  /** Stops watching and ends every update iterator. Idempotent. */
  stop(): Promise<void>;
  /** The latest snapshot of every known service, in name order. */
  current(): BackendService[];
  /**
   * A new subscription: yields the current snapshot of every service first,
   * then each change. Coalescing: a slow consumer gets only the latest
   * snapshot of a service, never a stale backlog. Ends when the source stops.
   */
  updates(): AsyncIterableIterator<SourceUpdate>;
}
