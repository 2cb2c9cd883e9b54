/**
 * Annotated hex, the golden-vector format (test/vectors/hex.ts has the test
 * suite's copy; the package cannot import test code): octets as hex digits,
 * any whitespace, `#` starts a comment to the end of the line. A leading
 * `0x` on a token is allowed too, for pasting from other tools.
 */

/** Thrown on text that is not annotated hex. */
export class HexSyntaxError extends Error {
  override readonly name = "HexSyntaxError";
  readonly code = "ERR_HEX_SYNTAX";
}

export function parseHex(text: string): Uint8Array {
  const digits = text
    .split("\n")
    .map((line) => line.replace(/#.*$/, ""))
    .join(" ")
    .replace(/\b0x/gi, "")
    .replace(/\s+/g, "");
  const bad = /[^0-9a-fA-F]/.exec(digits);
  if (bad !== null) throw new HexSyntaxError(`not a hex digit: ${JSON.stringify(bad[0])}`);
  if (digits.length % 2 !== 0) throw new HexSyntaxError("odd number of hex digits");
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
