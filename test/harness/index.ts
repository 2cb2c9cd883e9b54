/**
 * The interop / end-to-end test harness: network namespaces, managed
 * processes, and drivers for private BIRD 2, FRR, GoBGP and ExaBGP
 * instances. Use `cleanupAll()` in afterAll/afterEach; see harness.test.ts.
 */
export * from "./bgp-route.js";
export * from "./bird.js";
export * from "./bird-config.js";
export * from "./cleanup-registry.js";
export * from "./command.js";
export * from "./exabgp.js";
export * from "./exabgp-config.js";
export * from "./frr.js";
export * from "./frr-config.js";
export * from "./gobgp.js";
export * from "./gobgp-config.js";
export * from "./kernel-routes.js";
export * from "./netns.js";
export * from "./process.js";
export * from "./temp-dir.js";
