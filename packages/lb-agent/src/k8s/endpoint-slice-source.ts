/**
 * The Kubernetes backend source: follows the EndpointSlices of the
 * configured Services and publishes one snapshot per Service whenever its
 * backends change.
 *
 * Data flow, per namespace that has configured Services:
 *   ResilientInformer(list+watch endpointslices, labelSelector
 *     `kubernetes.io/service-name in (a,b,...)`)
 *   -> change events mark their Service dirty
 *   -> flush (coalesced with setImmediate, so a relist that replays many
 *      events publishes once, never an intermediate state)
 *   -> serviceFromSlices(cached slices of the Service)
 *   -> UpdateStream (drops unchanged snapshots) -> subscribers.
 *
 * A Service is first published after its namespace's first successful list,
 * even with no endpoints; until then consumers see nothing rather than a
 * false "no backends". When the API server is unreachable the last snapshots
 * stay in force while the informer retries with backoff.
 */
import { DiscoveryV1Api, type KubeConfig, type V1EndpointSlice } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { BackendService, SourceUpdate } from "../model.js";
import type { BackendSource } from "../source/backend-source.js";
import { SourceLogEvent } from "../source/log-events.js";
import { UpdateStream } from "../source/update-stream.js";
import type { BackoffOptions } from "./backoff.js";
import { serviceFromSlices, serviceNameLabel } from "./endpoint-slice-mapper.js";
import type { K8sServiceConfig, K8sSourceConfig } from "./k8s-source-config.js";
import { loadKubeConfig } from "./kube-config.js";
import { type InformerFailure, ResilientInformer } from "./resilient-informer.js";

export interface EndpointSliceSourceOptions {
  readonly kubeConfig: KubeConfig;
  readonly services: readonly K8sServiceConfig[];
  readonly logger: Logger;
  /** Ask for watch bookmarks. Default true. */
  readonly bookmarks?: boolean;
  readonly backoff?: BackoffOptions;
  readonly stableAfterMs?: number;
  readonly random?: () => number;
}

interface NamespaceWatch {
  readonly namespace: string;
  /** Service short name -> config. */
  readonly services: Map<string, K8sServiceConfig>;
  readonly informer: ResilientInformer<V1EndpointSlice>;
  synced: boolean;
}

function splitName(name: string): [string, string] {
  const [namespace = "", short = ""] = name.split("/");
  return [namespace, short];
}

export class EndpointSliceSource implements BackendSource {
  readonly #log: Logger;
  readonly #stream = new UpdateStream();
  readonly #watches: NamespaceWatch[] = [];
  readonly #dirty = new Set<string>();
  readonly #failureListeners = new Set<(failure: InformerFailure) => void>();
  #flushScheduled = false;
  #stopped = false;
  readonly #synced: Promise<void>;
  #resolveSynced: () => void = () => {};

  constructor(options: EndpointSliceSourceOptions) {
    this.#log = options.logger.child({ source: "kubernetes" });
    this.#synced = new Promise((resolve) => {
      this.#resolveSynced = resolve;
    });
    const api = options.kubeConfig.makeApiClient(DiscoveryV1Api);
    const byNamespace = new Map<string, Map<string, K8sServiceConfig>>();
    for (const svc of options.services) {
      const [namespace, short] = splitName(svc.name);
      const services = byNamespace.get(namespace) ?? new Map<string, K8sServiceConfig>();
      byNamespace.set(namespace, services.set(short, svc));
    }
    for (const [namespace, services] of byNamespace) {
      const labelSelector = `${serviceNameLabel} in (${[...services.keys()].sort().join(",")})`;
      // ListWatch sends only resourceVersion and the selectors; the watch URL
      // is built as server + path, so a query string here reaches the server.
      const path = `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices${
        options.bookmarks === false ? "" : "?allowWatchBookmarks=true"
      }`;
      const informer = new ResilientInformer<V1EndpointSlice>({
        kubeConfig: options.kubeConfig,
        path,
        labelSelector,
        list: () => api.listNamespacedEndpointSlice({ namespace, labelSelector }),
        logger: this.#log,
        ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
        ...(options.stableAfterMs === undefined ? {} : { stableAfterMs: options.stableAfterMs }),
        ...(options.random === undefined ? {} : { random: options.random }),
      });
      const watch: NamespaceWatch = { namespace, services, informer, synced: false };
      informer.onChange((_kind, slice) => {
        const owner = slice.metadata?.labels?.[serviceNameLabel];
        if (owner !== undefined && services.has(owner)) this.#markDirty(`${namespace}/${owner}`);
      });
      informer.onListed(() => this.#listed(watch));
      informer.onFailure((failure) => {
        for (const l of this.#failureListeners) l(failure);
      });
      this.#watches.push(watch);
    }
  }

  /**
   * Builds the source from its validated configuration (see
   * `parseK8sSourceConfig`), loading the kubeconfig it names or the default one.
   * @throws SourceError `ERR_SOURCE_K8S_KUBECONFIG`.
   */
  static fromConfig(config: K8sSourceConfig, logger: Logger): EndpointSliceSource {
    return new EndpointSliceSource({
      kubeConfig: loadKubeConfig(config.kubeconfig),
      services: config.services,
      logger,
      bookmarks: config.bookmarks,
      ...(config.backoff === undefined ? {} : { backoff: config.backoff }),
    });
  }

  async start(): Promise<void> {
    for (const w of this.#watches) w.informer.start();
  }

  synced(): Promise<void> {
    return this.#synced;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all(this.#watches.map((w) => w.informer.stop()));
    this.#stream.close();
  }

  current(): BackendService[] {
    return this.#stream.current();
  }

  updates(): AsyncIterableIterator<SourceUpdate> {
    return this.#stream.subscribe();
  }

  /** Observes list/watch failures (each is followed by a restart with backoff). */
  onFailure(listener: (failure: InformerFailure) => void): () => void {
    this.#failureListeners.add(listener);
    return () => this.#failureListeners.delete(listener);
  }

  #listed(watch: NamespaceWatch): void {
    for (const short of watch.services.keys()) this.#dirty.add(`${watch.namespace}/${short}`);
    if (!watch.synced) {
      watch.synced = true;
      this.#log.info({ event: SourceLogEvent.synced, namespace: watch.namespace }, "namespace synced");
    }
    this.#flush();
    if (this.#watches.every((w) => w.synced)) this.#resolveSynced();
  }

  #markDirty(name: string): void {
    this.#dirty.add(name);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#stopped) return;
    for (const name of [...this.#dirty]) {
      const [namespace, short] = splitName(name);
      const watch = this.#watches.find((w) => w.namespace === namespace);
      const config = watch?.services.get(short);
      if (watch === undefined || config === undefined || !watch.synced) continue;
      this.#dirty.delete(name);
      const slices = watch.informer
        .list(namespace)
        .filter((s) => s.metadata?.labels?.[serviceNameLabel] === short);
      const service = serviceFromSlices(config, slices, (ignored) =>
        this.#log.debug({ event: SourceLogEvent.sliceIgnored, service: name, ...ignored }, "slice ignored"),
      );
      if (this.#stream.publish(service)) {
        const live = service.endpoints.filter((e) => e.state === "live").length;
        const draining = service.endpoints.filter((e) => e.state === "draining").length;
        this.#log.info(
          {
            event: SourceLogEvent.serviceUpdated,
            service: name,
            live,
            draining,
            total: service.endpoints.length,
          },
          "service endpoints updated",
        );
      }
    }
  }
}
