/**
 * The child processes and temp dirs of `pnpm bench:rr`, and how they end:
 * every child is tracked and stopped by its own pid (SIGTERM, then SIGKILL),
 * every temp dir removed, on every exit path: normal end, error, Ctrl-C,
 * SIGTERM/SIGHUP (`installCleanup`).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

/** Children that could not be started (spawn "error"): there is nothing to wait for. */
const failedToStart = new WeakSet<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  child.once("error", () => {
    failedToStart.add(child);
    children.delete(child);
  });
  return child;
}

export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `portlb-bench-rr-${name}-`));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `graceMs`; only this child's pid. */
export async function stop(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || failedToStart.has(child)) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  if ((await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])) === false) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Last resort on every exit path: SIGKILL what is left, remove the temp dirs. */
function cleanupSync(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/** Cleans up on exit, and turns SIGINT/SIGTERM/SIGHUP into an exit (130). */
export function installCleanup(): void {
  process.on("exit", cleanupSync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(signal, () => {
      console.log(`bench rr interrupted by ${signal}; cleaning up`);
      process.exit(130);
    });
}

/** A field of /proc/<pid>/status in kB (VmHWM: the peak RSS). */
export function procStatusKb(pid: number, field: "VmHWM" | "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

/** CPU seconds (user + system) the process has used: /proc/<pid>/stat fields 14 and 15. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

export function withTimeout<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${(ms / 1000).toFixed(0)} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export function logTail(dir: string, log: string, lines = 5): string {
  try {
    return readFileSync(join(dir, log), "utf8").trim().split("\n").slice(-lines).join(" | ");
  } catch {
    return "(no log)";
  }
}

/** Rejects when `child` exits: a daemon that dies fails the run with its log. */
export function exitOf(name: string, child: ChildProcess, dir: string, log: string): Promise<never> {
  return new Promise((_, reject) => {
    child.once("exit", (code, signal) => {
      reject(new Error(`${name} exited (${signal ?? code}) early: ${logTail(dir, log)}`));
    });
  });
}
