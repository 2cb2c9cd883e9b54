/**
 * Kubernetes label selectors, as the fake API server evaluates the
 * `labelSelector` query parameter: equality-based (`k=v`, `k==v`, `k!=v`)
 * and set-based (`k in (a,b)`, `k notin (a,b)`, `k`, `!k`) requirements,
 * comma-separated and ANDed.
 */
/** Splits on commas that are not inside parentheses. */
function splitRequirements(selector) {
  const parts = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}
function parseRequirement(text) {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (set !== null) {
    const [, key = "", op, list = ""] = set;
    const values = new Set(list.split(",").map((v) => v.trim()));
    return op === "in"
      ? (l) => l[key] !== undefined && values.has(l[key])
      : (l) => l[key] === undefined || !values.has(l[key]);
  }
  const eq = /^([^\s!=]+)\s*(!=|==|=)\s*(\S*)$/.exec(text);
  if (eq !== null) {
    const [, key = "", op, value = ""] = eq;
    return op === "!=" ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  if (/^![^\s!=]+$/.test(text)) {
    const key = text.slice(1);
    return (l) => l[key] === undefined;
  }
  if (/^[^\s!=()]+$/.test(text)) return (l) => l[text] !== undefined;
  throw new Error(`unable to parse requirement: ${text}`);
}
/** Compiles a selector; the empty selector matches everything. @throws on bad syntax. */
export function compileSelector(selector) {
  const requirements = splitRequirements(selector ?? "").map(parseRequirement);
  return (labels) => requirements.every((r) => r(labels));
}
//# sourceMappingURL=label-selector.js.map
