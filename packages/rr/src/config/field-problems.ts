/**
 * zod issues -> `FieldProblem`s with operator-friendly paths and messages:
 * `dynamicRanges[0].prefixes[1]: must be a CIDR range`, `upstreams[0].asn:
 * is required`, `upstreams[0].holdtime: unknown field`. Pure.
 */
import type { z } from "zod";
import type { FieldProblem } from "./config-error.js";

/** ["upstreams", 0, "asn"] -> "upstreams[0].asn"; [] -> "(root)". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(root)" : out;
}

export function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: "unknown field" }));
    if (issue.code === "invalid_type" && issue.message.endsWith("received undefined"))
      return [{ path: formatPath(issue.path), message: "is required" }];
    return [{ path: formatPath(issue.path), message: issue.message }];
  });
}
