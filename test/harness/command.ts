/**
 * Short-lived commands (`ip`, `birdc`, `vtysh`, `gobgp`, `sysctl`), optionally
 * inside a network namespace via `ip netns exec`. A failure is a
 * CommandError that quotes the command line, exit status and stderr, so a test
 * failure says what the tool complained about.
 */
import { execFile } from "node:child_process";

export interface CommandOptions {
  /** Run inside this network namespace (`ip netns exec <name> …`). */
  readonly netns?: string;
  readonly timeoutMs?: number;
  /** Resolve instead of throwing on a non-zero exit. */
  readonly allowFailure?: boolean;
  readonly env?: Readonly<Record<string, string>>;
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status; null if killed by a signal (e.g. the timeout). */
  readonly code: number | null;
}

export class CommandError extends Error {
  readonly code = "HARNESS_COMMAND_FAILED";
  constructor(
    readonly commandLine: string,
    readonly result: CommandResult,
  ) {
    super(
      `command failed (exit ${result.code ?? "signal"}): ${commandLine}\n${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
}

/** `argv` for running `file args…`, wrapped in `ip netns exec` when a namespace is given. */
export function commandArgv(file: string, args: readonly string[], netns?: string): [string, string[]] {
  return netns === undefined ? [file, [...args]] : ["ip", ["netns", "exec", netns, file, ...args]];
}

export function runCommand(
  file: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  const [bin, argv] = commandArgv(file, args, options.netns);
  const commandLine = [bin, ...argv].join(" ");
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      argv,
      {
        timeout: options.timeoutMs ?? 15_000,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, ...options.env },
        killSignal: "SIGKILL",
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        const result: CommandResult = { stdout, stderr, code };
        if (error !== null && !options.allowFailure) reject(new CommandError(commandLine, result));
        else resolve(result);
      },
    );
  });
}
