/**
 * An informer that never stays down.
 *
 * @kubernetes/client-node's informer (ListWatch) resumes by itself only
 * when a watch ends cleanly or fails with 410 Gone (it then clears its
 * resourceVersion and relists, emitting `delete` for objects that vanished
 * meanwhile and `add`/`update` for the rest, so no state is lost). Any other
 * error (connection refused or reset, a 5xx or 401 on list or watch, the
 * stream cut mid-chunk) is reported on its `error` callback and the informer
 * stops for good. This wrapper restarts it after a capped exponential backoff
 * with jitter, resuming from the last resourceVersion it saw (so a restart
 * costs a watch, not a list, unless the server answers 410).
 *
 * The backoff resets when the informer proves healthy: a list succeeds, an
 * object event arrives, or a run lasted `stableAfterMs` before failing.
 *
 * Data flow: API server -> ListWatch (cache) -> onChange listeners; errors ->
 * SourceError(ERR_SOURCE_K8S_WATCH) -> log + onFailure listeners -> timer -> start().
 */
import {
  ADD,
  DELETE,
  ERROR,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
  UPDATE,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import { SourceLogEvent } from "../source/log-events.js";
import { SourceError, SourceErrorCode } from "../source/source-error.js";
import { type BackoffOptions, backoffDelay, defaultBackoff } from "./backoff.js";

export type ChangeKind = "add" | "update" | "delete";
export type ChangeListener<T> = (kind: ChangeKind, object: T) => void;
export type FailureListener = (failure: InformerFailure) => void;

export interface InformerFailure {
  readonly error: SourceError;
  /** HTTP status of the failure, if it had one. */
  readonly status: number | undefined;
  /** Restart attempt number (0 = first restart after a healthy period). */
  readonly attempt: number;
  readonly delayMs: number;
}

export interface ResilientInformerOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** The watch path, e.g. /apis/discovery.k8s.io/v1/namespaces/ns/endpointslices. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string;
  readonly logger: Logger;
  readonly backoff?: BackoffOptions;
  /** A run this long resets the backoff. Default: `backoff.maxMs`. */
  readonly stableAfterMs?: number;
  readonly random?: () => number;
  /** Injectable for unit tests; default the client's `makeInformer`. */
  readonly makeInformer?: typeof makeInformer;
}

/** The HTTP status carried by whatever the client threw, if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { statusCode?: unknown; code?: unknown };
  if (typeof e.statusCode === "number") return e.statusCode;
  if (typeof e.code === "number") return e.code;
  return undefined;
}

/** A one-line description including the low-level cause (e.g. ECONNREFUSED). */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = cause?.code ?? cause?.message;
  return detail === undefined ? error.message : `${error.message} (${String(detail)})`;
}

export class ResilientInformer<T extends KubernetesObject> {
  readonly #options: ResilientInformerOptions<T>;
  readonly #log: Logger;
  readonly #informer: Informer<T> & ObjectCache<T>;
  readonly #changeListeners = new Set<ChangeListener<T>>();
  readonly #failureListeners = new Set<FailureListener>();
  readonly #listedListeners = new Set<() => void>();
  #attempt = 0;
  #runStartedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: ResilientInformerOptions<T>) {
    this.#options = options;
    this.#log = options.logger.child({ informer: options.path, labelSelector: options.labelSelector });
    const listFn = async (): Promise<KubernetesListObject<T>> => {
      try {
        const result = await options.list();
        this.#attempt = 0;
        this.#log.debug({ event: SourceLogEvent.listSucceeded, items: result.items.length }, "listed");
        // Runs after the informer has applied the list (it does so synchronously
        // once this promise settles), so listeners see the complete cache.
        setImmediate(() => {
          for (const l of this.#listedListeners) l();
        });
        return result;
      } catch (error) {
        this.#log.debug({ event: SourceLogEvent.listFailed, err: describeFailure(error) }, "list failed");
        throw error;
      }
    };
    const make = options.makeInformer ?? makeInformer;
    this.#informer = make<T>(options.kubeConfig, options.path, listFn, options.labelSelector);
    const forward = (kind: ChangeKind) => (object: T) => {
      this.#attempt = 0;
      for (const l of this.#changeListeners) l(kind, object);
    };
    this.#informer.on(ADD, forward("add"));
    this.#informer.on(UPDATE, forward("update"));
    this.#informer.on(DELETE, forward("delete"));
    this.#informer.on(ERROR, (error?: unknown) => this.#failed(error));
  }

  onChange(listener: ChangeListener<T>): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  onFailure(listener: FailureListener): () => void {
    this.#failureListeners.add(listener);
    return () => this.#failureListeners.delete(listener);
  }

  /** Called after every successful (re)list has been applied to the cache. */
  onListed(listener: () => void): () => void {
    this.#listedListeners.add(listener);
    return () => this.#listedListeners.delete(listener);
  }

  /** The cached objects (all, or of one namespace). */
  list(namespace?: string): readonly T[] {
    return this.#informer.list(namespace);
  }

  /** The last resourceVersion the informer saw (list, event or bookmark), if it tells. */
  get resourceVersion(): string | undefined {
    const informer: object = this.#informer;
    return "latestResourceVersion" in informer && typeof informer.latestResourceVersion === "function"
      ? String(informer.latestResourceVersion())
      : undefined;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#log.info({ event: SourceLogEvent.informerStarted }, "informer started");
    this.#run();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#informer.stop();
    this.#log.info({ event: SourceLogEvent.informerStopped }, "informer stopped");
  }

  #run(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    this.#runStartedAt = Date.now();
    this.#informer.start().catch((error: unknown) => this.#failed(error));
  }

  #failed(raw: unknown): void {
    // Stopping aborts the watch request, which the client reports as an error.
    if (!this.#running || this.#timer !== undefined) return;
    const stableAfter = this.#options.stableAfterMs ?? (this.#options.backoff ?? defaultBackoff).maxMs;
    if (Date.now() - this.#runStartedAt >= stableAfter) this.#attempt = 0;
    const status = statusOf(raw);
    const attempt = this.#attempt++;
    const delayMs = backoffDelay(attempt, this.#options.backoff ?? defaultBackoff, this.#options.random);
    const error = new SourceError(
      SourceErrorCode.K8sWatch,
      `list/watch ${this.#options.path} failed: ${describeFailure(raw)}`,
      { cause: raw },
    );
    this.#log.warn(
      {
        event: SourceLogEvent.informerError,
        code: error.code,
        status,
        attempt,
        delayMs,
        err: describeFailure(raw),
      },
      `${error.message}; restarting in ${delayMs} ms`,
    );
    for (const l of this.#failureListeners) l({ error, status, attempt, delayMs });
    this.#timer = setTimeout(() => {
      this.#log.info({ event: SourceLogEvent.informerRestart, attempt }, "restarting informer");
      this.#run();
    }, delayMs);
  }
}
