/**
 * The typed local errors of the backend sources (Kubernetes and static file).
 *
 * These are configuration and transport failures on our side, never protocol
 * errors: each carries a stable `code` string for logs and programs, and, for
 * validation failures, the list of problems, each naming the field path.
 */

export const SourceErrorCode = {
  /** The static file could not be read (missing, permissions). */
  StaticFileUnreadable: "ERR_SOURCE_STATIC_FILE_UNREADABLE",
  /** The static file is not well-formed YAML. */
  StaticFileSyntax: "ERR_SOURCE_STATIC_FILE_SYNTAX",
  /** The static file is YAML but does not describe valid services. */
  StaticFileInvalid: "ERR_SOURCE_STATIC_FILE_INVALID",
  /** The Kubernetes source configuration is invalid. */
  K8sConfigInvalid: "ERR_SOURCE_K8S_CONFIG_INVALID",
  /** No usable kubeconfig / in-cluster configuration. */
  K8sKubeconfig: "ERR_SOURCE_K8S_KUBECONFIG",
  /** A list or watch against the API server failed (retried with backoff). */
  K8sWatch: "ERR_SOURCE_K8S_WATCH",
} as const;
export type SourceErrorCode = (typeof SourceErrorCode)[keyof typeof SourceErrorCode];

/** One validation problem: where (`path`, e.g. `services[0].ports[1].port`) and what. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export class SourceError extends Error {
  override readonly name = "SourceError";
  readonly code: SourceErrorCode;
  readonly problems: readonly FieldProblem[];

  constructor(
    code: SourceErrorCode,
    message: string,
    options: { cause?: unknown; problems?: readonly FieldProblem[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.problems = options.problems ?? [];
  }
}
