/**
 * The Kubernetes source with the real @kubernetes/client-node against the
 * API-server stand-in (127.0.0.1): slices of a Service are merged, its
 * endpoints' conditions become live / draining / down, and every change
 * (added, removed, not ready, terminating, slice deleted) reaches the
 * per-service snapshot stream. Unconfigured Services are never published.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeApiServer, kubeconfigFor } from "../../../../test/k8s/fake-apiserver.js";
import { slice } from "../../../../test/k8s/slices.js";
import { SourceErrorCode } from "../source/source-error.js";
import { EndpointSliceSource } from "./endpoint-slice-source.js";
import { parseK8sSourceConfig } from "./k8s-source-config.js";
import { captureLogger, type Kit, startKit, summary } from "./k8s-test-kit.js";
import { loadKubeConfig } from "./kube-config.js";

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe("EndpointSliceSource", () => {
  it("publishes the merged slices of each configured service once synced, empty services included", async () => {
    kit = await startKit({
      services: [
        {
          name: "shop/web",
          vips: ["203.0.113.10", "2001:db8::10"],
          ports: [{ name: "http", protocol: "TCP", port: 80 }],
        },
        { name: "shop/empty", vips: ["203.0.113.11"], ports: [{ name: "", protocol: "UDP", port: 53 }] },
      ],
      seed: (s) => {
        s.store.apply(
          slice({
            namespace: "shop",
            name: "web-v4",
            service: "web",
            endpoints: [{ ip: "198.19.1.2", nodeName: "n1", zone: "z1" }, { ip: "198.19.1.1" }],
          }),
        );
        s.store.apply(
          slice({
            namespace: "shop",
            name: "web-v6",
            service: "web",
            addressType: "IPv6",
            endpoints: [{ ip: "2001:db8:1::1" }],
          }),
        );
        s.store.apply(
          slice({
            namespace: "shop",
            name: "web-fqdn",
            service: "web",
            addressType: "FQDN",
            endpoints: [{ ip: "web.example" }],
          }),
        );
        s.store.apply(
          slice({ namespace: "shop", name: "other-1", service: "other", endpoints: [{ ip: "198.19.9.9" }] }),
        );
        s.store.apply(
          slice({ namespace: "elsewhere", name: "web-1", service: "web", endpoints: [{ ip: "198.19.8.8" }] }),
        );
      },
    });
    await kit.source.synced();
    const web = await kit.service("shop/web", () => true);
    expect(summary(web)).toEqual(["198.19.1.1:8080 live", "198.19.1.2:8080 live", "2001:db8:1::1:8080 live"]);
    expect(web.ports).toEqual([{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }]);
    expect(web.vips).toEqual(["203.0.113.10", "2001:db8::10"]);
    expect(web.endpoints[1]).toMatchObject({ nodeName: "n1", zone: "z1", portName: "http" });
    const empty = await kit.service("shop/empty", () => true);
    expect(empty.endpoints).toEqual([]);
    expect(kit.source.current().map((s) => s.name)).toEqual(["shop/empty", "shop/web"]);
    // One list per namespace, filtered server-side by the service-name label, bookmarks requested.
    await vi.waitFor(() => expect(kit?.server.activeWatches).toBe(1));
    expect(kit.server.lists()).toHaveLength(1);
    expect(kit.server.lists()[0]?.query.labelSelector).toBe("kubernetes.io/service-name in (empty,web)");
    expect(kit.server.watchRequests()[0]?.query.allowWatchBookmarks).toBe("true");
  });

  it("follows endpoints being added, turning not-ready, terminating, removed, and slices deleted", async () => {
    kit = await startKit({
      seed: (s) =>
        s.store.apply(
          slice({ namespace: "shop", name: "web-a", service: "web", endpoints: [{ ip: "198.19.1.1" }] }),
        ),
    });
    const { server } = kit;
    await kit.service("shop/web", (s) => s.endpoints.length === 1);

    server.store.apply(
      slice({
        namespace: "shop",
        name: "web-a",
        service: "web",
        endpoints: [{ ip: "198.19.1.1" }, { ip: "198.19.1.2" }],
      }),
    );
    expect(summary(await kit.service("shop/web", (s) => s.endpoints.length === 2))).toEqual([
      "198.19.1.1:8080 live",
      "198.19.1.2:8080 live",
    ]);

    server.store.apply(
      slice({
        namespace: "shop",
        name: "web-a",
        service: "web",
        endpoints: [{ ip: "198.19.1.1", ready: false, serving: false }, { ip: "198.19.1.2" }],
      }),
    );
    expect(summary(await kit.service("shop/web", (s) => s.endpoints[0]?.state === "down"))).toEqual([
      "198.19.1.1:8080 down",
      "198.19.1.2:8080 live",
    ]);

    server.store.apply(
      slice({
        namespace: "shop",
        name: "web-a",
        service: "web",
        endpoints: [
          { ip: "198.19.1.1", ready: false, serving: false },
          { ip: "198.19.1.2", ready: false, serving: true, terminating: true },
        ],
      }),
    );
    const draining = await kit.service("shop/web", (s) => s.endpoints[1]?.state === "draining");
    expect(draining.endpoints[1]?.conditions).toEqual({ ready: false, serving: true, terminating: true });

    server.store.apply(
      slice({
        namespace: "shop",
        name: "web-b",
        service: "web",
        ports: [{ name: "http", port: 9090 }],
        endpoints: [{ ip: "198.19.2.1" }],
      }),
    );
    server.store.apply(
      slice({
        namespace: "shop",
        name: "web-a",
        service: "web",
        endpoints: [{ ip: "198.19.1.2", ready: false, serving: true, terminating: true }],
      }),
    );
    expect(
      summary(
        await kit.service("shop/web", (s) => s.endpoints.length === 2 && s.endpoints[1]?.port === 9090),
      ),
    ).toEqual(["198.19.1.2:8080 draining", "198.19.2.1:9090 live"]);

    server.store.delete("shop", "web-a");
    expect(summary(await kit.service("shop/web", (s) => s.endpoints.length === 1))).toEqual([
      "198.19.2.1:9090 live",
    ]);
    server.store.delete("shop", "web-b");
    await kit.service("shop/web", (s) => s.endpoints.length === 0);
  });

  it("does not re-publish an unchanged service and ignores slices of other services", async () => {
    kit = await startKit({
      seed: (s) =>
        s.store.apply(
          slice({ namespace: "shop", name: "web-a", service: "web", endpoints: [{ ip: "198.19.1.1" }] }),
        ),
    });
    await kit.service("shop/web", () => true);
    const before = kit.recorder.items.length;
    // Same content under a new resourceVersion, and a change to a service nobody follows.
    kit.server.store.apply(
      slice({ namespace: "shop", name: "web-a", service: "web", endpoints: [{ ip: "198.19.1.1" }] }),
    );
    kit.server.store.apply(
      slice({ namespace: "shop", name: "db-a", service: "db", endpoints: [{ ip: "198.19.3.1" }] }),
    );
    kit.server.store.apply(
      slice({
        namespace: "shop",
        name: "web-a",
        service: "web",
        endpoints: [{ ip: "198.19.1.1" }, { ip: "198.19.1.3" }],
      }),
    );
    await kit.service("shop/web", (s) => s.endpoints.length === 2);
    expect(kit.recorder.items.length).toBe(before + 1);
  });

  it("ends its update streams on stop", async () => {
    kit = await startKit();
    await kit.source.synced();
    await kit.source.stop();
    await expect(kit.recorder.waitFor(() => false, 1000)).rejects.toThrow(/ended/);
    expect(kit.failures).toEqual([]);
  });

  it("is built from its validated config file section, kubeconfig path included", async () => {
    const server = await FakeApiServer.start({ token: "cfg" });
    const dir = await mkdtemp(join(tmpdir(), "lb-agent-cfg-"));
    try {
      await writeFile(join(dir, "kubeconfig"), kubeconfigFor(server, "cfg"));
      server.store.apply(
        slice({ namespace: "shop", name: "web-a", service: "web", endpoints: [{ ip: "198.19.1.1" }] }),
      );
      const config = parseK8sSourceConfig({
        kubeconfig: join(dir, "kubeconfig"),
        services: [{ name: "shop/web", vips: ["203.0.113.10"], ports: [{ name: "http", port: 80 }] }],
        backoff: { initialMs: 10, maxMs: 50 },
      });
      const source = EndpointSliceSource.fromConfig(config, captureLogger().logger);
      await source.start();
      await source.synced();
      expect(summary(source.current()[0]!)).toEqual(["198.19.1.1:8080 live"]);
      await source.stop();
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails with a typed error on a missing or clusterless kubeconfig", async () => {
    expect(() => loadKubeConfig("/nonexistent/kubeconfig")).toThrow(
      expect.objectContaining({ code: SourceErrorCode.K8sKubeconfig }),
    );
    const dir = await mkdtemp(join(tmpdir(), "lb-agent-cfg-"));
    await writeFile(
      join(dir, "kubeconfig"),
      "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n",
    );
    expect(() => loadKubeConfig(join(dir, "kubeconfig"))).toThrow(/names no current cluster/);
    await rm(dir, { recursive: true, force: true });
  });
});
