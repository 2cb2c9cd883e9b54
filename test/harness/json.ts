/**
 * Reading untyped JSON from daemon CLIs (`ip -j`, vtysh `json`, `gobgp -j`,
 * ExaBGP's API encoder) without `any`: narrow with these guards, and treat a
 * shape we do not recognise as absent rather than crashing the test.
 */

export type JsonRecord = Readonly<Record<string, unknown>>;

/** Parses JSON text; the error names what was being parsed and quotes its start. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const head = text.length > 300 ? `${text.slice(0, 300)}…` : text;
    throw new Error(`${what}: not JSON (${(err as Error).message}): ${head}`);
  }
}

export function asRecord(value: unknown): JsonRecord | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as JsonRecord)
    : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

/** `record[k1][k2]…`, undefined as soon as a step is not an object. */
export function dig(value: unknown, ...keys: readonly string[]): unknown {
  let cur: unknown = value;
  for (const key of keys) {
    const rec = asRecord(cur);
    if (rec === undefined) return undefined;
    cur = rec[key];
  }
  return cur;
}

/**
 * Splits concatenated top-level JSON values ("{…}\n{…}"), as vtysh prints
 * when given several `-c … json` commands in one call.
 */
export function splitJsonStream(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0 && start >= 0) {
        out.push(text.slice(start, i + 1));
        start = -1;
      }
    }
  }
  return out;
}
