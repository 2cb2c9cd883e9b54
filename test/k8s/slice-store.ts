/**
 * The fake API server's storage: EndpointSlices with a cluster-wide,
 * monotonically increasing resourceVersion (as etcd's revision), a change
 * history that watches replay from, and compaction that makes old
 * resourceVersions unavailable (so that a watch from one gets 410 Gone).
 *
 * Watch filtering follows the API server: a watcher with a label selector
 * sees an ADDED when an object starts matching, a DELETED when it stops.
 */
import { compileSelector, type Labels } from "./label-selector.js";

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

export function watchFilter(namespace: string | undefined, labelSelector: string | undefined): WatchFilter {
  return { namespace, matches: compileSelector(labelSelector) };
}

function visible(filter: WatchFilter, obj: StoredObject | undefined): boolean {
  if (obj === undefined) return false;
  if (filter.namespace !== undefined && obj.metadata.namespace !== filter.namespace) return false;
  return filter.matches(obj.metadata.labels ?? {});
}

/** What a watcher with `filter` is told about `change`, if anything. */
export function eventFor(
  filter: WatchFilter,
  change: Change,
): { type: WatchEventType; object: StoredObject } | undefined {
  const now = change.type !== "DELETED" && visible(filter, change.object);
  const before = change.type === "ADDED" ? false : visible(filter, change.previous ?? change.object);
  if (change.type === "DELETED") return before ? { type: "DELETED", object: change.object } : undefined;
  if (now && before) return { type: "MODIFIED", object: change.object };
  if (now) return { type: "ADDED", object: change.object };
  if (before) return { type: "DELETED", object: change.object };
  return undefined;
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

export class SliceStore {
  #rv = 1;
  #compactedRv = 0;
  #uid = 0;
  readonly #objects = new Map<string, StoredObject>();
  #history: Change[] = [];
  readonly #listeners = new Set<(change: Change) => void>();

  get resourceVersion(): number {
    return this.#rv;
  }

  /** The oldest resourceVersion a watch can still start from. */
  get compactedResourceVersion(): number {
    return this.#compactedRv;
  }

  list(filter: WatchFilter): StoredObject[] {
    return [...this.#objects.values()].filter((o) => visible(filter, o)).map((o) => structuredClone(o));
  }

  get(namespace: string, name: string): StoredObject | undefined {
    const o = this.#objects.get(key(namespace, name));
    return o === undefined ? undefined : structuredClone(o);
  }

  /** Creates or replaces an object; returns the stored copy. */
  apply(input: StoredObject): StoredObject {
    const namespace = input.metadata.namespace ?? "default";
    const k = key(namespace, input.metadata.name);
    const previous = this.#objects.get(k);
    const rv = ++this.#rv;
    const object: StoredObject = structuredClone({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      ...input,
      metadata: {
        ...input.metadata,
        namespace,
        resourceVersion: String(rv),
        uid: previous?.metadata.uid ?? `uid-${++this.#uid}`,
        generation: (previous?.metadata.generation ?? 0) + 1,
        creationTimestamp: previous?.metadata.creationTimestamp ?? new Date(0).toISOString(),
      },
    });
    this.#objects.set(k, object);
    this.#record(
      previous === undefined ? { rv, type: "ADDED", object } : { rv, type: "MODIFIED", object, previous },
    );
    return structuredClone(object);
  }

  delete(namespace: string, name: string): boolean {
    const k = key(namespace, name);
    const previous = this.#objects.get(k);
    if (previous === undefined) return false;
    this.#objects.delete(k);
    const rv = ++this.#rv;
    const object = structuredClone(previous);
    object.metadata.resourceVersion = String(rv);
    this.#record({ rv, type: "DELETED", object, previous });
    return true;
  }

  /** Drops the history: watches from any resourceVersion before now get 410 Gone. */
  compact(): void {
    this.#compactedRv = this.#rv;
    this.#history = [];
  }

  /** The changes after `rv`, oldest first; undefined if compacted away. */
  since(rv: number): Change[] | undefined {
    if (rv < this.#compactedRv) return undefined;
    return this.#history.filter((c) => c.rv > rv);
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #record(change: Change): void {
    this.#history.push(change);
    for (const l of this.#listeners) l(change);
  }
}
