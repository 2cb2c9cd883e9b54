/**
 * What a health probe reports, and the shape of a probe. Probes never throw
 * and never reject: every failure (refused, reset, timeout, unexpected
 * status, TLS error) is a `CheckResult` with `ok: false` and an error code.
 */

export interface CheckError {
  /** A stable code: a system error code (`ECONNREFUSED`), `TIMEOUT` or `UNEXPECTED_STATUS`. */
  readonly code: string;
  readonly message: string;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  /** HTTP(S) probes: the status received. */
  readonly status?: number;
  readonly error?: CheckError;
}

export interface ProbeTarget {
  readonly address: string;
  readonly port: number;
}

export type Probe = (target: ProbeTarget, timeoutMs: number) => Promise<CheckResult>;

/** Turns whatever a socket emitted into a `CheckError`. */
export function checkErrorOf(error: unknown): CheckError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === "string" ? code : error.name, message: error.message };
  }
  return { code: "UNKNOWN", message: String(error) };
}
