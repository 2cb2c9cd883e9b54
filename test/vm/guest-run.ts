/**
 * Runs one script in a fresh QEMU guest through run-in-vm.sh and collects
 * everything it printed (the harness streams the guest console): shared by
 * the test/vm suites.
 */
import { spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
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

const resultPrefix = "PORTLB-VM-RESULT ";

/** The JSON of the guest's `PORTLB-VM-RESULT <json>` line; undefined when it printed none. */
export function guestResult<T>(run: GuestRun): T | undefined {
  const line = run.output.split("\n").find((l) => l.startsWith(resultPrefix));
  return line === undefined ? undefined : (JSON.parse(line.slice(resultPrefix.length)) as T);
}

/** The guest script's `STEP ...` progress lines, joined with " | ". */
export function guestSteps(run: GuestRun): string {
  return run.output
    .split("\n")
    .filter((l) => l.startsWith("STEP "))
    .join(" | ");
}

/** The harness's host packages are there and the guest kernel + initramfs are built (cached). */
export function prepareGuest(): void {
  const check = spawnSync(harness, ["check"], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`VM test prerequisites missing:\n${check.stderr}`);
  const prepare = spawnSync(harness, ["prepare"], { encoding: "utf8", timeout: 280_000 });
  if (prepare.status !== 0) throw new Error(`run-in-vm.sh prepare failed:\n${prepare.stderr}`);
}

/**
 * Builds lb-agent privately into `distDir` (relative to the repository), so
 * that a concurrent `pnpm build` rewriting dist/ cannot race the guest's
 * reads; inside the package, so that node resolves its node_modules.
 */
export function buildAgent(distDir: string): void {
  const build = spawnSync(
    `${repoRoot}node_modules/.bin/tsc`,
    [
      ...["-p", "packages/lb-agent/tsconfig.build.json", "--outDir", distDir],
      ...["--declaration", "false", "--sourceMap", "false"],
    ],
    { cwd: repoRoot, encoding: "utf8" },
  );
  if (build.status !== 0) throw new Error(`building lb-agent failed:\n${build.stdout}${build.stderr}`);
}

/** Removes only that build (another VM test file may be using its own next to it). */
export function removeAgentBuild(distDir: string): void {
  rmSync(`${repoRoot}${distDir}`, { recursive: true, force: true });
}
