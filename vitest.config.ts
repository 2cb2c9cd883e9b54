import { configDefaults, defineConfig } from "vitest/config";

// Tests import workspace packages from source (the "@portlb/source" export
// condition), so `pnpm test` needs no build first.
const conditions = ["@portlb/source"];
// CI (.ci/run) asks for a JSON report too, to count passed/failed/skipped.
const jsonReport = process.env.PORTLB_TEST_REPORT;
// test/scale measures event-loop stalls under a 1,000,000-prefix burst: it
// runs after everything else, one file at a time, so other suites do not
// take its CPU.
const scale = "test/scale/**/*.test.ts";
// test/vm boots a QEMU guest (software emulation) per file: one guest at a time, next to the main
// suites, so two guests never fight over the 2 cores (their curl timeouts would fire).
const vm = "test/vm/**/*.test.ts";

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    reporters: jsonReport ? ["default", ["json", { outputFile: jsonReport }]] : ["default"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "main",
          include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, scale, vm],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: "vm", include: [vm], fileParallelism: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: "scale", include: [scale], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
