/**
 * Private temp dirs for daemons (config, control socket, pid file, logs),
 * named `portlb-<pid>-<label>-XXXXXX` and registered for removal. Set
 * PORTLB_HARNESS_KEEP=1 to keep them (and their logs) after the run.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanupRegistry } from "./cleanup-registry.js";

const keep = process.env.PORTLB_HARNESS_KEEP === "1";

/** Creates a fresh directory (mode 0755 so daemons that drop privileges can read it). */
export function makeTempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `portlb-${process.pid}-${label}-`));
  chmodSync(dir, 0o755);
  if (!keep) {
    cleanupRegistry.register({
      label: `temp dir ${dir}`,
      run: () => rm(dir, { recursive: true, force: true }),
      runSync: () => rmSync(dir, { recursive: true, force: true }),
    });
  }
  return dir;
}
