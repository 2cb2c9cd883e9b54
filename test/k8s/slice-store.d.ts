/**
 * The fake API server's storage: EndpointSlices with a cluster-wide,
 * monotonically increasing resourceVersion (as etcd's revision), a change
 * history that watches replay from, and compaction that makes old
 * resourceVersions unavailable (so that a watch from one gets 410 Gone).
 *
 * Watch filtering follows the API server: a watcher with a label selector
 * sees an ADDED when an object starts matching, a DELETED when it stops.
 */
import { type Labels } from "./label-selector.js";
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  [key: string]: unknown;
}
/** An EndpointSlice as JSON; only `metadata` is interpreted by the store. */
export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";
export interface Change {
  readonly rv: number;
  readonly type: WatchEventType;
  readonly object: StoredObject;
  readonly previous?: StoredObject;
}
export interface WatchFilter {
  readonly namespace?: string | undefined;
  readonly matches: (labels: Labels) => boolean;
}
export declare function watchFilter(
  namespace: string | undefined,
  labelSelector: string | undefined,
): WatchFilter;
/** What a watcher with `filter` is told about `change`, if anything. */
export declare function eventFor(
  filter: WatchFilter,
  change: Change,
):
  | {
      type: WatchEventType;
      object: StoredObject;
    }
  | undefined;
export declare class SliceStore {
  #private;
  get resourceVersion(): number;
  /** The oldest resourceVersion a watch can still start from. */
  get compactedResourceVersion(): number;
  list(filter: WatchFilter): StoredObject[];
  get(namespace: string, name: string): StoredObject | undefined;
  /** Creates or replaces an object; returns the stored copy. */
  apply(input: StoredObject): StoredObject;
  delete(namespace: string, name: string): boolean;
  /** Drops the history: watches from any resourceVersion before now get 410 Gone. */
  compact(): void;
  /** The changes after `rv`, oldest first; undefined if compacted away. */
  since(rv: number): Change[] | undefined;
  subscribe(listener: (change: Change) => void): () => void;
}
