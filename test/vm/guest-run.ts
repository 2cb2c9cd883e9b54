/**
 * Runs one script in a fresh QEMU guest through run-in-vm.sh and collects
 * everything it printed (the harness streams the guest console): shared by
 * the test/vm suites.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const harness = fileURLToPath(new URL("./run-in-vm.sh", import.meta.url));

export interface GuestRun {
  /** The guest command's exit status (125: the guest never reported one); null if the harness did not start. */
  readonly exitCode: number | null;
  readonly output: string;
}

/** `bash script ...args` as root in a guest; gives up after `timeoutSeconds` (PORTLB_VM_TIMEOUT). */
export function runGuest(script: string, args: readonly string[], timeoutSeconds: number): Promise<GuestRun> {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(harness, ["run", "bash", script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, PORTLB_VM_TIMEOUT: String(timeoutSeconds) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.on("error", (error) =>
      resolve({ exitCode: null, output: `${output}\nspawn failed: ${error.message}` }),
    );
    child.on("close", (exitCode) => resolve({ exitCode, output }));
  });
}
