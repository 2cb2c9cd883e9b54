/**
 * Test helpers for hand-built UPDATEs: attributes and NLRI as hex, framed
 * with computed lengths. Kept independent of the encoder under test.
 */
import { parseHex } from "./hex.js";

export function hexToBytes(text: string): Uint8Array {
  return parseHex(text);
}

function hex16(n: number): string {
  return n.toString(16).padStart(4, "0");
}

function hex8(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** One attribute: flags, type, length (2 octets when flags has 0x10) and value. */
export function attr(flags: number, type: number, valueHex: string): string {
  const value = valueHex.replace(/\s+/g, "");
  const len = value.length / 2;
  return `${hex8(flags)}${hex8(type)}${flags & 0x10 ? hex16(len) : hex8(len)}${value}`;
}

export const ORIGIN_IGP = attr(0x40, 1, "00");
export const AS_PATH_EMPTY = attr(0x40, 2, "");
export const AS_PATH_65001 = attr(0x40, 2, "0201fde9");
/** AS_PATH [65001] for a 4-octet session. */
export const AS_PATH_65001_4 = attr(0x40, 2, "0201 0000fde9");
export const NEXT_HOP = attr(0x40, 3, "c6120001");
/** ORIGIN, AS_PATH (2-octet, [65001]), NEXT_HOP 198.18.0.1. */
export const MANDATORY = ORIGIN_IGP + AS_PATH_65001 + NEXT_HOP;
/** 203.0.113.0/24 */
export const NLRI_1 = "18cb0071";

/** A whole UPDATE from hex parts, lengths computed. */
export function update(parts: { withdrawn?: string; attrs?: string; nlri?: string }): Uint8Array {
  const w = (parts.withdrawn ?? "").replace(/\s+/g, "");
  const a = (parts.attrs ?? "").replace(/\s+/g, "");
  const n = (parts.nlri ?? "").replace(/\s+/g, "");
  const body = `${hex16(w.length / 2)}${w}${hex16(a.length / 2)}${a}${n}`;
  const total = 19 + body.length / 2;
  return parseHex(`${"ff".repeat(16)}${hex16(total)}02${body}`);
}

/** A raw UPDATE body (after the header), lengths NOT computed: for length-field errors. */
export function rawUpdate(bodyHex: string): Uint8Array {
  const body = bodyHex.replace(/\s+/g, "");
  return parseHex(`${"ff".repeat(16)}${hex16(19 + body.length / 2)}02${body}`);
}
