import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@portlb/source"] },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
