import { defineConfig } from "vitest/config";

// Tests import workspace packages from source (the "@portlb/source" export
// condition), so `pnpm test` needs no build first.
const conditions = ["@portlb/source"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
