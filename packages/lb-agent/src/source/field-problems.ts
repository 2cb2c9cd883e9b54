/**
 * Turns zod validation issues into `FieldProblem`s that name the field the
 * way a person writes it in YAML (`services[0].ports[1].port`), and formats
 * them into one readable log/exception message.
 */
import type { z } from "zod";
import type { FieldProblem } from "./source-error.js";

/** `["services", 0, "ports", 1, "port"]` -> `services[0].ports[1].port`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(root)" : out;
}

export function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ path: fieldPath(issue.path), message: issue.message }));
}

/** One line per problem: `services[0].vips[0]: not an IPv4 or IPv6 address`. */
export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join("; ");
}
