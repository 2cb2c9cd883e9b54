/**
 * The typed local errors of the IPVS layer.
 *
 * These are failures on our side (a missing or failing `ipvsadm`, output we
 * cannot parse, a plan the kernel refused, a sysctl we could not write),
 * never protocol errors. Each carries a stable `code` string for logs and
 * programs; failures of a child process also carry its stderr, exit code and
 * signal, so the caller can log them and retry with backoff.
 */

export const IpvsErrorCode = {
  /** `ipvsadm` / `ipvsadm-save` is not installed or not on PATH. */
  BinaryMissing: "ERR_IPVS_BINARY_MISSING",
  /** The child process exited non-zero or was killed by a signal. */
  CommandFailed: "ERR_IPVS_COMMAND_FAILED",
  /** The child process did not finish in time and was killed. */
  CommandTimeout: "ERR_IPVS_COMMAND_TIMEOUT",
  /**
   * `ipvsadm --restore` went on past a failing line: its exit status only
   * reflects the LAST line, so a failure in the middle shows only on stderr.
   * Part of the plan may have been applied: re-read the table.
   */
  RestorePartial: "ERR_IPVS_RESTORE_PARTIAL",
  /** `ipvsadm-save -n` / `ipvsadm -L` printed something we cannot parse. */
  ParseError: "ERR_IPVS_PARSE",
  /** The two reads of one table disagreed (the table changed in between). */
  InconsistentRead: "ERR_IPVS_INCONSISTENT_READ",
  /** An address that is neither IPv4 nor IPv6. */
  InvalidAddress: "ERR_IPVS_INVALID_ADDRESS",
  /** A value out of the range the kernel accepts (port, weight, fwmark, ...). */
  InvalidValue: "ERR_IPVS_INVALID_VALUE",
  /** The desired table lists a service, or a real server of a service, twice. */
  DuplicateDesired: "ERR_IPVS_DUPLICATE_DESIRED",
  /** Adding a virtual service that exists (ipvsadm: "Service already exists"). */
  ServiceExists: "ERR_IPVS_SERVICE_EXISTS",
  /** Editing/deleting a service that does not exist ("Service not defined"). */
  ServiceNotFound: "ERR_IPVS_SERVICE_NOT_FOUND",
  /** Adding a real server that exists ("Destination already exists"). */
  ServerExists: "ERR_IPVS_SERVER_EXISTS",
  /** Editing/deleting a real server that does not exist ("No such destination"). */
  ServerNotFound: "ERR_IPVS_SERVER_NOT_FOUND",
  /** Writing a net.ipv4.vs.* sysctl failed (module not loaded, read-only /proc/sys). */
  SysctlWrite: "ERR_IPVS_SYSCTL_WRITE",
} as const;
export type IpvsErrorCode = (typeof IpvsErrorCode)[keyof typeof IpvsErrorCode];

export interface IpvsErrorDetails {
  /** The command line that failed, e.g. `ipvsadm --restore`. */
  readonly command?: string;
  /** The child's stderr (trimmed), or the per-operation messages of an in-memory apply. */
  readonly stderr?: string;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  /** 1-based line of the parsed text or restore script the error points at. */
  readonly line?: number;
  readonly cause?: unknown;
}

export class IpvsError extends Error {
  override readonly name = "IpvsError";
  readonly code: IpvsErrorCode;
  readonly command: string | undefined;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly line: number | undefined;

  constructor(code: IpvsErrorCode, message: string, details: IpvsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.command = details.command;
    this.stderr = details.stderr ?? "";
    this.exitCode = details.exitCode ?? null;
    this.signal = details.signal ?? null;
    this.line = details.line;
  }
}

/** The outcome of an IPVS operation: the adapters never throw, they return this. */
export type IpvsResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: IpvsError };

export function ok<T>(value: T): IpvsResult<T> {
  return { ok: true, value };
}

export function fail<T>(error: IpvsError): IpvsResult<T> {
  return { ok: false, error };
}

/** Wraps anything thrown into an IpvsError (keeping typed ones as they are). */
export function toIpvsError(thrown: unknown, fallback: IpvsErrorCode): IpvsError {
  if (thrown instanceof IpvsError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new IpvsError(fallback, message, { cause: thrown });
}
