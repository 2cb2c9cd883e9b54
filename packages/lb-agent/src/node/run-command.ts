/**
 * Runs one command (`ip`, `nft`) to completion and returns its output or a
 * typed `NodeError`; never throws, never rejects. The argv prefix is
 * injectable so tests can run the same code inside a network namespace
 * (`["ip", "-n", "ns"]`, `["ip", "netns", "exec", "ns", "nft"]`).
 */
import { spawn } from "node:child_process";
import { NodeError, NodeErrorCode } from "./node-error.js";

export type CommandResult =
  | { readonly ok: true; readonly stdout: string; readonly stderr: string }
  | { readonly ok: false; readonly error: NodeError };

export type CommandRunner = (argv: readonly string[], stdin?: string) => Promise<CommandResult>;

/** Which package provides a binary, for the "not found" message. */
const packageOf: Record<string, string> = { ip: "iproute2", nft: "nftables" };

export function commandRunner(options: { readonly timeoutMs?: number } = {}): CommandRunner {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return (argv, stdin) =>
    new Promise((resolve) => {
      const [file = "", ...args] = argv;
      const command = argv.join(" ");
      let stdout = "";
      let stderr = "";
      let settled = false;
      const settle = (result: CommandResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        settle({
          ok: false,
          error: new NodeError(NodeErrorCode.CommandTimeout, `${command} timed out after ${timeoutMs} ms`, {
            command,
          }),
        });
      }, timeoutMs);
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      child.stdin.on("error", () => {});
      child.on("error", (error: NodeJS.ErrnoException) => {
        const missing = error.code === "ENOENT";
        const pkg = packageOf[file.split("/").pop() ?? ""] ?? file;
        settle({
          ok: false,
          error: new NodeError(
            missing ? NodeErrorCode.BinaryMissing : NodeErrorCode.CommandFailed,
            missing
              ? `${file} not found on PATH: install the ${pkg} package`
              : `${command}: ${error.message}`,
            { command, cause: error },
          ),
        });
      });
      child.on("close", (exitCode, signal) => {
        if (exitCode === 0) {
          settle({ ok: true, stdout, stderr });
          return;
        }
        const why = signal === null ? `exit code ${exitCode}` : `signal ${signal}`;
        const tail = stderr.trim() === "" ? "" : `: ${stderr.trim()}`;
        settle({
          ok: false,
          error: new NodeError(NodeErrorCode.CommandFailed, `${command} failed with ${why}${tail}`, {
            command,
            stderr: stderr.trim(),
            exitCode,
          }),
        });
      });
      child.stdin.end(stdin ?? "");
    });
}
