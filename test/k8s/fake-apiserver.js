/**
 * An API-server stand-in for tests: a real HTTP server on 127.0.0.1 (random
 * port) that speaks the Kubernetes list/watch protocol for
 * discovery.k8s.io/v1 EndpointSlices, so the real @kubernetes/client-node
 * can be tested against it.
 *
 * Served:
 *   GET /apis/discovery.k8s.io/v1/endpointslices                  (all namespaces)
 *   GET /apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices
 *   GET /apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices/{name}
 * with `labelSelector`, and `watch=true` + `resourceVersion` +
 * `allowWatchBookmarks` + `timeoutSeconds`: a chunked stream of one JSON
 * watch event per line (ADDED / MODIFIED / DELETED / BOOKMARK / ERROR).
 *
 * Failure modes a test can trigger: compaction (a watch from an older
 * resourceVersion gets 410 Gone, as an ERROR event in a 200 stream like the
 * real server, or as an HTTP 410), expiry of running watches (ERROR 410 then
 * end), abrupt dropping or clean ending of watch connections, an error status
 * for every request, and an outage (`goDown` / `comeBack` on the same port).
 */
import { createServer } from "node:http";
import { eventFor, SliceStore, watchFilter } from "./slice-store.js";

const prefix = "/apis/discovery.k8s.io/v1";
const routeRe = /^\/apis\/discovery\.k8s\.io\/v1(?:\/namespaces\/([^/]+))?\/endpointslices(?:\/([^/]+))?$/;
function status(code, reason, message) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}
export class FakeApiServer {
  store = new SliceStore();
  requests = [];
  #options;
  #server;
  #sockets = new Set();
  #watches = new Set();
  #port = 0;
  #failStatus;
  constructor(options) {
    this.#options = options;
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }
  static async start(options = {}) {
    const server = new FakeApiServer(options);
    await server.#listen(0);
    return server;
  }
  get url() {
    return `http://127.0.0.1:${this.#port}`;
  }
  /** The number of watch streams currently open. */
  get activeWatches() {
    return this.#watches.size;
  }
  /** Requests seen, filtered: `lists()` and `watchRequests()`. */
  lists() {
    return this.requests.filter((r) => !r.watch);
  }
  watchRequests() {
    return this.requests.filter((r) => r.watch);
  }
  /** Answers every request with this HTTP status (e.g. 500, 503), until `heal()`. */
  failWith(code) {
    this.#failStatus = code;
  }
  heal() {
    this.#failStatus = undefined;
  }
  /** Sends a BOOKMARK at the current resourceVersion to watches that asked for bookmarks. */
  sendBookmarks() {
    const object = {
      kind: "EndpointSlice",
      apiVersion: "discovery.k8s.io/v1",
      metadata: { resourceVersion: String(this.store.resourceVersion) },
    };
    for (const w of this.#watches) if (w.bookmarks) this.#send(w.res, "BOOKMARK", object);
  }
  /** Compacts history and tells running watches their resourceVersion expired (ERROR 410, then end). */
  expireWatches() {
    this.store.compact();
    for (const w of [...this.#watches]) {
      this.#send(w.res, "ERROR", status(410, "Expired", "too old resource version"));
      this.#endWatch(w);
    }
  }
  /** Ends every watch stream cleanly (as the server does when `timeoutSeconds` expires). */
  endWatches() {
    for (const w of [...this.#watches]) this.#endWatch(w);
  }
  /** Cuts every watch connection abruptly (TCP close mid-stream, no final chunk). */
  dropWatches() {
    for (const w of [...this.#watches]) {
      w.unsubscribe();
      this.#watches.delete(w);
      w.res.socket?.destroy();
    }
  }
  /** An outage: stop listening and cut every connection. */
  async goDown() {
    this.dropWatches();
    const closed = new Promise((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }
  /** Listens again on the same port after `goDown`. */
  async comeBack() {
    await this.#listen(this.#port);
  }
  async close() {
    if (this.#server.listening) await this.goDown();
  }
  #listen(port) {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => {
        this.#server.off("error", reject);
        this.#port = this.#server.address().port;
        resolve();
      });
    });
  }
  #json(res, code, body) {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }
  #handle(req, res) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const query = Object.fromEntries(url.searchParams);
    const watch = query.watch === "true" || query.watch === "1";
    this.requests.push({ path: url.pathname, watch, query });
    if (this.#options.token !== undefined && req.headers.authorization !== `Bearer ${this.#options.token}`) {
      this.#json(res, 401, status(401, "Unauthorized", "Unauthorized"));
      return;
    }
    if (this.#failStatus !== undefined) {
      this.#json(res, this.#failStatus, status(this.#failStatus, "InternalError", "injected failure"));
      return;
    }
    const route = routeRe.exec(url.pathname);
    if (req.method !== "GET" || route === null || !url.pathname.startsWith(prefix)) {
      this.#json(res, 404, status(404, "NotFound", `the server could not find ${url.pathname}`));
      return;
    }
    const [, namespace, name] = route;
    let filter;
    try {
      filter = watchFilter(namespace, query.labelSelector);
    } catch (error) {
      this.#json(res, 400, status(400, "BadRequest", String(error)));
      return;
    }
    if (name !== undefined && namespace !== undefined) {
      const obj = this.store.get(namespace, name);
      if (obj === undefined)
        this.#json(res, 404, status(404, "NotFound", `endpointslices "${name}" not found`));
      else this.#json(res, 200, obj);
      return;
    }
    if (watch) {
      this.#watch(res, filter, query);
      return;
    }
    this.#json(res, 200, {
      kind: "EndpointSliceList",
      apiVersion: "discovery.k8s.io/v1",
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items: this.store.list(filter),
    });
  }
  #watch(res, filter, query) {
    const rv = query.resourceVersion;
    // Unset or "0": start at the current state, announcing existing objects as
    // synthetic ADDED events ("Get State and Start at Most Recent").
    const fromNow = rv === undefined || rv === "" || rv === "0";
    const backlog = fromNow ? [] : this.store.since(Number(rv));
    if (backlog === undefined) {
      const gone = status(
        410,
        "Expired",
        `too old resource version: ${rv} (${this.store.compactedResourceVersion})`,
      );
      if (this.#options.tooOldWatch === "http") {
        this.#json(res, 410, gone);
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      this.#send(res, "ERROR", gone);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    res.flushHeaders();
    if (fromNow) for (const obj of this.store.list(filter)) this.#send(res, "ADDED", obj);
    for (const change of backlog) {
      const event = eventFor(filter, change);
      if (event !== undefined) this.#send(res, event.type, event.object);
    }
    const unsubscribe = this.store.subscribe((change) => {
      const event = eventFor(filter, change);
      if (event !== undefined) this.#send(res, event.type, event.object);
    });
    const active = { res, bookmarks: query.allowWatchBookmarks === "true", unsubscribe };
    this.#watches.add(active);
    res.on("close", () => {
      unsubscribe();
      this.#watches.delete(active);
    });
    const timeout = Number(query.timeoutSeconds ?? "0");
    if (timeout > 0) setTimeout(() => this.#endWatch(active), timeout * 1000).unref();
  }
  #send(res, type, object) {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  }
  #endWatch(w) {
    w.unsubscribe();
    this.#watches.delete(w);
    w.res.end();
  }
}
/** A kubeconfig (YAML) pointing at the fake server, with a bearer token. */
export function kubeconfigFor(server, token = "test-token") {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: fake",
    "    cluster:",
    `      server: ${server.url}`,
    "      insecure-skip-tls-verify: true",
    "users:",
    "  - name: tester",
    "    user:",
    `      token: ${token}`,
    "contexts:",
    "  - name: fake",
    "    context: { cluster: fake, user: tester, namespace: default }",
    "current-context: fake",
    "",
  ].join("\n");
}
//# sourceMappingURL=fake-apiserver.js.map
