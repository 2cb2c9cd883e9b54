import { defineConfig } from "vitest/config";

// Tests import workspace packages from source (the "@portlb/source" export
// condition), so `pnpm test` needs no build first.
const conditions = ["@portlb/source"];
// CI (.ci/run) asks for a JSON report too, to count passed/failed/skipped.
const jsonReport = process.env.PORTLB_TEST_REPORT;

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    reporters: jsonReport ? ["default", ["json", { outputFile: jsonReport }]] : ["default"],
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
