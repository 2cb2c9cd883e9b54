/**
 * The typed local errors of the node setup (VIP routes through `ip`, the
 * masquerade rule through `nft`): a missing binary, a command that failed
 * or hung, output we cannot parse. Each carries the command line and its
 * stderr for the log; the reconciler retries with backoff.
 */
export const NodeErrorCode = {
  /** `ip` / `nft` is not installed (iproute2 / nftables packages). */
  BinaryMissing: "ERR_NODE_BINARY_MISSING",
  /** The command exited non-zero or was killed. */
  CommandFailed: "ERR_NODE_COMMAND_FAILED",
  /** The command did not finish in time. */
  CommandTimeout: "ERR_NODE_COMMAND_TIMEOUT",
  /** `ip -j` printed something that is not the JSON we expect. */
  ParseError: "ERR_NODE_PARSE",
} as const;
export type NodeErrorCode = (typeof NodeErrorCode)[keyof typeof NodeErrorCode];

export class NodeError extends Error {
  override readonly name = "NodeError";
  readonly code: NodeErrorCode;
  readonly command: string;
  readonly stderr: string;
  readonly exitCode: number | null;

  constructor(
    code: NodeErrorCode,
    message: string,
    details: {
      readonly command: string;
      readonly stderr?: string;
      readonly exitCode?: number | null;
      readonly cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.command = details.command;
    this.stderr = details.stderr ?? "";
    this.exitCode = details.exitCode ?? null;
  }
}
