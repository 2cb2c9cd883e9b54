/**
 * Guard: @kubernetes/client-node must load on the Node.js running the tests
 * (and lb-agent). We pin 1.4.x: 2.x depends on undici 8, which needs
 * Node.js >= 22.19 (zlib zstd, worker_threads.markAsUncloneable), and on
 * Node.js 20 the import itself throws. This test turns such a regression
 * into one clear failure instead of cryptic errors in every Kubernetes test.
 */
import { describe, expect, it } from "vitest";

describe("@kubernetes/client-node runtime", () => {
  it("loads on this Node.js", async () => {
    let problem: unknown;
    try {
      await import("@kubernetes/client-node");
    } catch (error) {
      problem = error;
    }
    expect(
      problem,
      `@kubernetes/client-node cannot load on Node.js ${process.version}: ${String(problem)}. ` +
        "client-node 2.x needs Node.js >= 22.19 (undici 8); lb-agent pins 1.4.x for Node.js 20.",
    ).toBeUndefined();
  });
});
