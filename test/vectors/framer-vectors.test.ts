/**
 * The framer against every golden and real vector: each vector alone, split
 * at every octet offset; and all of them as one stream, split at every
 * offset into two chunks and dripped in chunks of every small size.
 */
import { Framer, Header } from "@portlb/bgp/wire";
import { describe, expect, it } from "vitest";
import { loadHexDir, toHex } from "./hex.js";

const vectors = [
  ...loadHexDir(new URL("./golden", import.meta.url).pathname).values(),
  ...loadHexDir(new URL("./real", import.meta.url).pathname).values(),
];
const stream = Uint8Array.from(vectors.flatMap((v) => [...v]));
const expected = vectors.map(toHex);

/** Extended-length vectors (RFC 8654) need the larger limit; nothing else changes. */
const framer = () => new Framer(Header.maxExtendedMessageLength);

describe("Framer on the golden and real vectors", () => {
  it("has vectors to frame", () => {
    expect(vectors.length).toBeGreaterThan(40);
  });

  it("frames every vector split at every offset", () => {
    for (const v of vectors) {
      for (let cut = 0; cut <= v.length; cut++) {
        const f = framer();
        const frames = [...f.push(v.subarray(0, cut)), ...f.push(v.subarray(cut))];
        expect(frames.map(toHex)).toEqual([toHex(v)]);
        expect(f.buffered).toBe(0);
      }
    }
  });

  it("frames all vectors as one stream split at every offset", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const f = framer();
      const frames = [...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))];
      expect(frames.map(toHex)).toEqual(expected);
    }
  });

  it("frames the stream dripped in chunks of 1 to 32 octets", () => {
    for (let size = 1; size <= 32; size++) {
      const f = framer();
      const frames: Uint8Array[] = [];
      for (let at = 0; at < stream.length; at += size) frames.push(...f.push(stream.subarray(at, at + size)));
      expect(frames.map(toHex)).toEqual(expected);
    }
  });
});
