/**
 * ResilientInformer with the real @kubernetes/client-node against the
 * API-server stand-in (127.0.0.1): it restarts on any error (5xx, 401, cut
 * connections) with capped exponential backoff, resumes from the last
 * resourceVersion (bookmarks included, which spares a relist after
 * compaction), relists on 410, and stays quiet once stopped.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiscoveryV1Api, type V1EndpointSlice } from "@kubernetes/client-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeApiServer, kubeconfigFor } from "../../../../test/k8s/fake-apiserver.js";
import { slice } from "../../../../test/k8s/slices.js";
import { SourceErrorCode } from "../source/source-error.js";
import { captureLogger } from "./k8s-test-kit.js";
import { loadKubeConfig } from "./kube-config.js";
import { type InformerFailure, ResilientInformer } from "./resilient-informer.js";

const selector = "kubernetes.io/service-name=web";
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(options: { bookmarks: boolean; seed?: (s: FakeApiServer) => void }) {
  const server = await FakeApiServer.start({ token: "t" });
  options.seed?.(server);
  const dir = await mkdtemp(join(tmpdir(), "lb-agent-informer-"));
  await writeFile(join(dir, "kubeconfig"), kubeconfigFor(server, "t"));
  const kubeConfig = loadKubeConfig(join(dir, "kubeconfig"));
  const api = kubeConfig.makeApiClient(DiscoveryV1Api);
  const { logger, lines } = captureLogger();
  const informer = new ResilientInformer<V1EndpointSlice>({
    kubeConfig,
    path: `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices${options.bookmarks ? "?allowWatchBookmarks=true" : ""}`,
    labelSelector: selector,
    list: () => api.listNamespacedEndpointSlice({ namespace: "default", labelSelector: selector }),
    logger,
    backoff: { initialMs: 20, maxMs: 80, factor: 2, jitter: 0.5 },
    stableAfterMs: 60_000,
    random: () => 0,
  });
  const failures: InformerFailure[] = [];
  informer.onFailure((f) => failures.push(f));
  cleanup.push(async () => {
    await informer.stop();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const names = () =>
    informer
      .list()
      .map((s) => s.metadata?.name)
      .sort();
  return { server, informer, failures, lines, names };
}

describe("ResilientInformer", () => {
  it("keeps retrying a failing API server (500, then 401) with capped exponential backoff, then syncs", async () => {
    const t = await setup({
      bookmarks: false,
      seed: (s) => s.store.apply(slice({ name: "web-1", service: "web", endpoints: [] })),
    });
    t.server.failWith(500);
    t.informer.start();
    await vi.waitFor(() => expect(t.failures.length).toBeGreaterThanOrEqual(3), {
      timeout: 3000,
      interval: 5,
    });
    t.server.failWith(401);
    await vi.waitFor(() => expect(t.failures.length).toBeGreaterThanOrEqual(5), {
      timeout: 3000,
      interval: 5,
    });
    t.server.heal();
    await vi.waitFor(() => expect(t.names()).toEqual(["web-1"]), { timeout: 3000, interval: 5 });
    const seen = t.failures.slice(0, 5);
    expect(seen.map((f) => f.attempt)).toEqual([0, 1, 2, 3, 4]);
    expect(seen.map((f) => f.delayMs)).toEqual([20, 40, 80, 80, 80]);
    expect(seen.slice(0, 3).map((f) => f.status)).toEqual([500, 500, 500]);
    expect(t.failures.some((f) => f.status === 401)).toBe(true);
    expect(seen.every((f) => f.error.code === SourceErrorCode.K8sWatch)).toBe(true);
    expect(t.lines.some((l) => l.event === "k8s.informer.error" && l.status === 500 && l.level === 40)).toBe(
      true,
    );
  });

  it("restarts after a cut connection from the last resourceVersion, without relisting, and resets its backoff", async () => {
    const t = await setup({
      bookmarks: false,
      seed: (s) => s.store.apply(slice({ name: "web-1", service: "web", endpoints: [] })),
    });
    t.informer.start();
    await vi.waitFor(() => expect(t.server.activeWatches).toBe(1), { interval: 5 });
    const rv = t.informer.resourceVersion;
    t.server.dropWatches();
    t.server.store.apply(slice({ name: "web-2", service: "web", endpoints: [] })); // made while disconnected
    await vi.waitFor(() => expect(t.names()).toEqual(["web-1", "web-2"]), { interval: 5 });
    expect(t.failures.map((f) => f.attempt)).toEqual([0]);
    expect(t.server.lists()).toHaveLength(1);
    expect(t.server.watchRequests().map((r) => r.query.resourceVersion)).toEqual([rv, rv]);
    // The event proved the informer healthy: the next failure starts from attempt 0 again.
    await vi.waitFor(() => expect(t.server.activeWatches).toBe(1), { interval: 5 });
    t.server.dropWatches();
    await vi.waitFor(() => expect(t.failures).toHaveLength(2), { interval: 5 });
    expect(t.failures[1]?.attempt).toBe(0);
  });

  it("resumes from a bookmark's resourceVersion, so compaction costs no relist", async () => {
    const t = await setup({
      bookmarks: true,
      seed: (s) => s.store.apply(slice({ name: "web-1", service: "web", endpoints: [] })),
    });
    t.informer.start();
    await vi.waitFor(() => expect(t.server.activeWatches).toBe(1), { interval: 5 });
    expect(t.server.watchRequests()[0]?.query.allowWatchBookmarks).toBe("true");
    // Changes the selector hides advance the resourceVersion without events for us.
    for (let i = 0; i < 3; i++)
      t.server.store.apply(slice({ name: `db-${i}`, service: "db", endpoints: [] }));
    const head = String(t.server.store.resourceVersion);
    t.server.sendBookmarks();
    await vi.waitFor(() => expect(t.informer.resourceVersion).toBe(head), { interval: 5 });
    t.server.store.compact();
    t.server.dropWatches();
    await vi.waitFor(() => expect(t.server.watchRequests()).toHaveLength(2), { interval: 5 });
    await vi.waitFor(() => expect(t.server.activeWatches).toBe(1), { interval: 5 });
    expect(t.server.watchRequests()[1]?.query.resourceVersion).toBe(head);
    expect(t.server.lists()).toHaveLength(1);
    expect(t.names()).toEqual(["web-1"]);
  });

  it("without a bookmark, a resume after compaction gets 410 Gone and relists, dropping what vanished", async () => {
    const t = await setup({
      bookmarks: false,
      seed: (s) => s.store.apply(slice({ name: "web-1", service: "web", endpoints: [] })),
    });
    const deleted: string[] = [];
    t.informer.onChange((kind, o) => kind === "delete" && deleted.push(o.metadata?.name ?? ""));
    t.informer.start();
    await vi.waitFor(() => expect(t.server.activeWatches).toBe(1), { interval: 5 });
    t.server.dropWatches();
    t.server.store.delete("default", "web-1");
    t.server.store.apply(slice({ name: "web-3", service: "web", endpoints: [] }));
    t.server.store.compact();
    await vi.waitFor(() => expect(t.names()).toEqual(["web-3"]), { interval: 5 });
    expect(deleted).toEqual(["web-1"]);
    expect(t.server.lists()).toHaveLength(2);
  });

  it("makes no request once stopped, even with a restart pending", async () => {
    const t = await setup({ bookmarks: false });
    t.server.failWith(503);
    t.informer.start();
    await vi.waitFor(() => expect(t.failures.length).toBeGreaterThanOrEqual(1), { interval: 5 });
    await t.informer.stop();
    const count = t.server.requests.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(t.server.requests.length).toBe(count);
    expect(t.informer.running).toBe(false);
  });
});
