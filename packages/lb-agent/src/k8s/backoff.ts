/**
 * Capped exponential backoff with jitter, as a pure function.
 *
 * delay(attempt) = min(maxMs, initialMs * factor^attempt), then reduced by a
 * random fraction of up to `jitter` of itself, so that many LB pods that lost
 * the API server at the same moment do not all come back at the same moment.
 */

export interface BackoffOptions {
  /** The delay before the first retry. */
  readonly initialMs: number;
  /** The cap. */
  readonly maxMs: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number | undefined;
  /** Fraction (0..1) of the delay that is randomised away. Default 0.2. */
  readonly jitter?: number | undefined;
}

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

/**
 * The delay before retry number `attempt` (0-based).
 * @param random a number in [0, 1), injectable for tests.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
  const raw = Math.min(options.maxMs, options.initialMs * factor ** Math.max(0, attempt));
  return Math.round(raw * (1 - jitter * random()));
}
