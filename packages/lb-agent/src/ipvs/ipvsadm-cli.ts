/**
 * The real `Ipvs`: drives the kernel through the ipvsadm CLI.
 *
 * Read: `ipvsadm-save -n` (the rules) plus `ipvsadm -L -n --thresholds
 * --nosort` (thresholds and the kernel's real-server order, which the save
 * omits), merged; retried when the two disagree because the table changed
 * in between.
 *
 * Apply: ONE `ipvsadm --restore` process per plan, the whole plan on its
 * stdin (restore-script.ts). Not the `ipvsadm-restore` wrapper script: it
 * runs `ipvsadm -C` first, which would flush every service on the node,
 * including the ones this agent does not own. `ipvsadm --restore` goes on
 * past a failing line and its exit status is that of the LAST line, so any
 * stderr output counts as failure (`ERR_IPVS_RESTORE_PARTIAL`).
 *
 * Never throws: every failure (missing binary, exit code, signal, timeout,
 * unparseable output) is an `IpvsResult` with a typed `IpvsError` carrying
 * the command, stderr and exit code.
 */
import { spawn } from "node:child_process";
import type { Ipvs } from "./ipvs.js";
import { fail, IpvsError, IpvsErrorCode, type IpvsResult, ok, toIpvsError } from "./ipvs-error.js";
import { mergeListing, parseIpvsadmThresholdListing } from "./ipvsadm-list-parser.js";
import { parseIpvsadmSave } from "./ipvsadm-save-parser.js";
import type { IpvsPlan } from "./plan.js";
import { renderRestoreScript } from "./restore-script.js";
import type { IpvsTable } from "./types.js";

export interface IpvsadmCliOptions {
  /** The ipvsadm binary (default "ipvsadm", looked up on PATH). */
  readonly ipvsadm?: string;
  /** The ipvsadm-save binary (default "ipvsadm-save"). */
  readonly ipvsadmSave?: string;
  /** Kill a child that runs longer than this (default 10 s). */
  readonly timeoutMs?: number;
  /** Environment of the children (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Attempts of a read whose two halves disagree (default 3). */
  readonly readAttempts?: number;
}

interface Finished {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one child to completion; resolves to its output or a typed error. Never rejects. */
export function runCommand(
  file: string,
  args: readonly string[],
  options: { readonly stdin?: string; readonly timeoutMs: number; readonly env?: NodeJS.ProcessEnv },
): Promise<IpvsResult<Finished>> {
  const command = [file, ...args].join(" ");
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: IpvsResult<Finished>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    // a child that exits before reading its stdin makes the write fail (EPIPE); its exit status tells why
    child.stdin.on("error", () => {});
    child.on("error", (error: NodeJS.ErrnoException) => {
      const missing = error.code === "ENOENT";
      settle(
        fail(
          new IpvsError(
            missing ? IpvsErrorCode.BinaryMissing : IpvsErrorCode.CommandFailed,
            missing
              ? `${file} not found on PATH: install the ipvsadm package`
              : `${command} could not be started: ${error.message}`,
            { command, cause: error },
          ),
        ),
      );
    });
    child.on("close", (exitCode, signal) => {
      const details = { command, stderr: stderr.trim(), exitCode, signal };
      if (timedOut) {
        settle(
          fail(
            new IpvsError(
              IpvsErrorCode.CommandTimeout,
              `${command} timed out after ${options.timeoutMs} ms`,
              details,
            ),
          ),
        );
      } else if (exitCode !== 0) {
        const why = signal === null ? `exit code ${exitCode}` : `signal ${signal}`;
        const tail = details.stderr === "" ? "" : `: ${details.stderr}`;
        settle(
          fail(new IpvsError(IpvsErrorCode.CommandFailed, `${command} failed with ${why}${tail}`, details)),
        );
      } else {
        settle(ok({ stdout, stderr }));
      }
    });
    child.stdin.end(options.stdin ?? "");
  });
}

export class IpvsadmCli implements Ipvs {
  readonly #ipvsadm: string;
  readonly #ipvsadmSave: string;
  readonly #timeoutMs: number;
  readonly #env: NodeJS.ProcessEnv | undefined;
  readonly #readAttempts: number;

  constructor(options: IpvsadmCliOptions = {}) {
    this.#ipvsadm = options.ipvsadm ?? "ipvsadm";
    this.#ipvsadmSave = options.ipvsadmSave ?? "ipvsadm-save";
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#env = options.env;
    this.#readAttempts = Math.max(1, options.readAttempts ?? 3);
  }

  #run(file: string, args: readonly string[], stdin?: string): Promise<IpvsResult<Finished>> {
    return runCommand(file, args, {
      timeoutMs: this.#timeoutMs,
      ...(this.#env === undefined ? {} : { env: this.#env }),
      ...(stdin === undefined ? {} : { stdin }),
    });
  }

  async read(): Promise<IpvsResult<IpvsTable>> {
    let last: IpvsError | null = null;
    for (let attempt = 0; attempt < this.#readAttempts; attempt++) {
      const saved = await this.#run(this.#ipvsadmSave, ["-n"]);
      if (!saved.ok) return saved;
      const listed = await this.#run(this.#ipvsadm, ["-L", "-n", "--thresholds", "--nosort"]);
      if (!listed.ok) return listed;
      try {
        return ok(
          mergeListing(
            parseIpvsadmSave(saved.value.stdout),
            parseIpvsadmThresholdListing(listed.value.stdout),
          ),
        );
      } catch (error) {
        last = toIpvsError(error, IpvsErrorCode.ParseError);
        if (last.code !== IpvsErrorCode.InconsistentRead) return fail(last);
      }
    }
    return fail(last ?? new IpvsError(IpvsErrorCode.InconsistentRead, "no read attempt"));
  }

  async apply(plan: IpvsPlan): Promise<IpvsResult<void>> {
    const script = renderRestoreScript(plan);
    if (script === "") return ok(undefined);
    const result = await this.#run(this.#ipvsadm, ["--restore"], script);
    if (!result.ok) return result;
    const stderr = result.value.stderr.trim();
    if (stderr !== "") {
      return fail(
        new IpvsError(IpvsErrorCode.RestorePartial, `${this.#ipvsadm} --restore reported errors: ${stderr}`, {
          command: `${this.#ipvsadm} --restore`,
          stderr,
          exitCode: 0,
        }),
      );
    }
    return ok(undefined);
  }
}
