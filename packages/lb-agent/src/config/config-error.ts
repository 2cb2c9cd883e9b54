/**
 * The typed local error of the agent's configuration file: unreadable,
 * not YAML, or not a valid configuration. Validation failures carry every
 * problem with the field path it concerns (`defaults.scheduler`,
 * `source.kubernetes.services[0].vips[0]`), so the message tells an operator
 * exactly what to fix. Never a protocol error.
 */
import type { FieldProblem } from "../source/source-error.js";

export const ConfigErrorCode = {
  /** The file could not be read (missing, permissions). */
  Unreadable: "ERR_CONFIG_UNREADABLE",
  /** The file is not well-formed YAML. */
  Syntax: "ERR_CONFIG_SYNTAX",
  /** The file is YAML but not a valid lb-agent configuration. */
  Invalid: "ERR_CONFIG_INVALID",
  /** A value that is resolved at start-up (the node IP from the environment) is missing or bad. */
  Environment: "ERR_CONFIG_ENVIRONMENT",
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
