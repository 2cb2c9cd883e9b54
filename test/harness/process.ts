/**
 * Long-running processes (daemons) started by the harness, optionally inside
 * a network namespace, with stdout and stderr captured to files; readiness
 * polling with a deadline whose error carries those logs.
 *
 * Only processes started here are ever signalled, by PID, and only while
 * Node has not yet seen them exit (so a recycled PID is never hit). Each is
 * registered in the cleanup registry until it is stopped.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type CleanupHandle, cleanupRegistry } from "./cleanup-registry.js";
import { commandArgv } from "./command.js";

export interface StartProcessOptions {
  /** Short name used in file names and messages: "bird-router". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Directory for `<name>.stdout.log` / `<name>.stderr.log`. */
  readonly logDir: string;
  readonly netns?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /**
   * Run under `setpriv --pdeathsig KILL` (default true), so the kernel kills
   * the daemon if the test process dies without running any hook (SIGKILL,
   * OOM). The setting survives exec but not a change of user ID: zebra, which
   * drops to user frr, is not covered.
   */
  readonly dieWithParent?: boolean;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class ProcessExitedError extends Error {
  readonly code = "HARNESS_PROCESS_EXITED";
}

export class HarnessTimeoutError extends Error {
  readonly code = "HARNESS_TIMEOUT";
}

export class ManagedProcess {
  readonly pid: number;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  #exit: ProcessExit | undefined;
  readonly #child: ChildProcess;
  #cleanup: CleanupHandle | undefined;
  #spawnError: string | undefined;

  constructor(readonly options: StartProcessOptions) {
    this.stdoutPath = join(options.logDir, `${options.name}.stdout.log`);
    this.stderrPath = join(options.logDir, `${options.name}.stderr.log`);
    const out = openSync(this.stdoutPath, "a");
    const err = openSync(this.stderrPath, "a");
    const [command, args] =
      options.dieWithParent === false
        ? [options.command, options.args]
        : ["setpriv", ["--pdeathsig", "KILL", "--", options.command, ...options.args]];
    const [bin, argv] = commandArgv(command, args, options.netns);
    try {
      this.#child = spawn(bin, argv, {
        stdio: ["ignore", out, err],
        env: { ...process.env, ...options.env },
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const child = this.#child;
    this.exited = new Promise<ProcessExit>((resolve) => {
      child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        this.#cleanup?.release();
        resolve(this.#exit);
      });
      child.once("error", (error) => {
        this.#exit = { code: null, signal: null };
        this.#cleanup?.release();
        this.#spawnError = error.message;
        resolve(this.#exit);
      });
    });
    if (child.pid === undefined) throw new ProcessExitedError(`${options.name}: could not spawn ${bin}`);
    this.pid = child.pid;
    this.#cleanup = cleanupRegistry.register({
      label: `process ${options.name} (pid ${this.pid})`,
      run: () => this.stop().then(() => undefined),
      runSync: () => this.#signal("SIGKILL"),
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** True until Node has seen the process exit. */
  get running(): boolean {
    return this.#exit === undefined;
  }

  get exitStatus(): ProcessExit | undefined {
    return this.#exit;
  }

  /** Sends a signal if the process is still ours and alive; returns whether it was sent. */
  signal(signal: NodeJS.Signals): boolean {
    return this.#signal(signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit status. */
  async stop(graceMs = 5_000): Promise<ProcessExit> {
    if (this.#signal("SIGTERM")) {
      const timer = sleep(graceMs, "timeout" as const);
      if ((await Promise.race([this.exited, timer])) === "timeout") this.#signal("SIGKILL");
    }
    return this.exited;
  }

  /** SIGKILL at once (a crash: peers see the TCP connection drop, no NOTIFICATION). */
  kill(): Promise<ProcessExit> {
    this.#signal("SIGKILL");
    return this.exited;
  }

  /** Both captured streams, each cut to its last `maxBytes`. */
  logs(maxBytes = 8_000): string {
    return [
      ...(this.#spawnError === undefined ? [] : [`--- ${this.name}: spawn error: ${this.#spawnError}`]),
      `--- ${this.name} (pid ${this.pid}) stdout: ${this.stdoutPath}`,
      tail(this.stdoutPath, maxBytes),
      `--- ${this.name} stderr: ${this.stderrPath}`,
      tail(this.stderrPath, maxBytes),
    ].join("\n");
  }

  #signal(signal: NodeJS.Signals): boolean {
    if (!this.running) return false;
    try {
      return this.#child.kill(signal);
    } catch {
      return false;
    }
  }
}

/** Starts a process; it is registered for cleanup until it exits. */
export function startProcess(options: StartProcessOptions): ManagedProcess {
  return new ManagedProcess(options);
}

function tail(path: string, maxBytes: number): string {
  try {
    const text = readFileSync(path, "utf8");
    return text.length > maxBytes ? `…${text.slice(-maxBytes)}` : text;
  } catch (err) {
    return `(unreadable: ${(err as Error).message})`;
  }
}

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Fail at once if one of these exits, and put their logs in any error. */
  readonly processes?: readonly ManagedProcess[];
  /** Extra context for the error message (e.g. the last CLI output). */
  readonly describe?: () => Promise<string> | string;
}

/**
 * Polls `probe` until it returns something other than undefined/false and
 * returns that. A throwing probe counts as "not yet" (a control socket that
 * does not exist yet); the last error is reported on timeout.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  const procs = options.processes ?? [];
  let lastError: unknown;
  for (;;) {
    const dead = procs.find((p) => !p.running);
    if (dead !== undefined) {
      const status = dead.exitStatus;
      throw new ProcessExitedError(
        `${dead.name} exited (code ${status?.code ?? "-"}, signal ${status?.signal ?? "-"}) while waiting for ${what}\n${await report(options, procs, lastError)}`,
      );
    }
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw new HarnessTimeoutError(
        `timed out after ${timeoutMs} ms waiting for ${what}\n${await report(options, procs, lastError)}`,
      );
    }
    await sleep(intervalMs);
  }
}

async function report(
  options: WaitOptions,
  procs: readonly ManagedProcess[],
  lastError: unknown,
): Promise<string> {
  const parts: string[] = [];
  if (lastError !== undefined)
    parts.push(`last probe error: ${(lastError as Error)?.message ?? String(lastError)}`);
  if (options.describe !== undefined) {
    try {
      parts.push(await options.describe());
    } catch (err) {
      parts.push(`(describe failed: ${(err as Error).message})`);
    }
  }
  for (const p of procs) parts.push(p.logs());
  return parts.join("\n");
}
