/**
 * Annotated hex: the golden-vector format. Octets as hex digits, any
 * whitespace, `#` starts a comment to the end of the line.
 *
 *     ffffffffffffffffffffffffffffffff  # marker
 *     0013                              # length 19
 *     04                                # type KEEPALIVE
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function parseHex(text: string): Uint8Array {
  const digits = text
    .split("\n")
    .map((line) => line.replace(/#.*$/, ""))
    .join("")
    .replace(/\s+/g, "");
  if (!/^[0-9a-fA-F]*$/.test(digits)) throw new Error("annotated hex holds a non-hex character");
  if (digits.length % 2 !== 0) throw new Error("annotated hex has an odd number of digits");
  return Uint8Array.from(Buffer.from(digits, "hex"));
}

export function readHex(path: string): Uint8Array {
  return parseHex(readFileSync(path, "utf8"));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Every `*.hex` file under `dir` by name. A loader that finds nothing fails. */
export function loadHexDir(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith(".hex")) out.set(name.slice(0, -4), readHex(join(dir, name)));
  }
  if (out.size === 0) throw new Error(`no .hex vectors found in ${dir}`);
  return out;
}
