/**
 * The typed local error of ts-rr's configuration file: unreadable, not YAML,
 * or not a valid configuration. A validation failure carries every problem
 * with the field path it concerns (`dynamicRanges[0].prefixes[1]`,
 * `upstreams[0].holdTime`), so the message tells an operator exactly what to
 * fix. A local error with a stable `code`, never dressed as a BGP error.
 */

/** One bad field: where (`upstreams[0].asn`) and what is wrong with it. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export const ConfigErrorCode = {
  /** The file could not be read (missing, permissions). */
  Unreadable: "ERR_RR_CONFIG_UNREADABLE",
  /** The file is not well-formed YAML. */
  Syntax: "ERR_RR_CONFIG_SYNTAX",
  /** The file is YAML but not a valid ts-rr configuration. */
  Invalid: "ERR_RR_CONFIG_INVALID",
} as const;
export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code: ConfigErrorCode;
  readonly problems: readonly FieldProblem[];

  constructor(
    code: ConfigErrorCode,
    message: string,
    options: { readonly cause?: unknown; readonly problems?: readonly FieldProblem[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

/** `a[0].b: problem; c: problem` */
export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join("; ");
}
