/**
 * The synthetic routing table every benchmark uses: unique IPv4 prefixes
 * (/24-/32 from 100.64.0.0/10, the address plan's benchmark range) and IPv6
 * prefixes (/48-/64 from 2001:db8::/32), in blocks that share an attribute
 * set as a real peer's table does, packed into UPDATEs by the codec.
 * Deterministic: the same arguments give the same bytes.
 */
import {
  Afi,
  type CodecContext,
  type NlriList,
  type PathAttributes,
  packUpdates,
} from "../src/wire/index.js";

/** `n` unique IPv4 prefixes as NlriList words: [pathId, address, length] each. */
export function makeV4(n: number): Uint32Array {
  const words = new Uint32Array(n * 3);
  const seen = new Set<number>();
  let i = 0;
  let x = 0x12345678;
  while (i < n) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const len = 24 + (x % 9);
    const addr = ((100 << 24) | (64 << 16) | ((x >>> 4) & 0x3fffff)) >>> 0;
    const masked = (addr & (0xffffffff << (32 - len))) >>> 0;
    const key = masked * 64 + len;
    if (seen.has(key)) continue;
    seen.add(key);
    words[i * 3 + 1] = masked;
    words[i * 3 + 2] = len;
    i++;
  }
  return words;
}

/** `n` IPv6 prefixes as NlriList words: [pathId, a0, a1, a2, a3, length] each. */
export function makeV6(n: number): Uint32Array {
  const words = new Uint32Array(n * 6);
  for (let i = 0; i < n; i++) {
    const len = 48 + (i % 17);
    const b = i * 7919;
    words[i * 6 + 1] = 0x20010db8;
    words[i * 6 + 2] = ((b & 0xffff) << 16) | ((i >>> 4) & 0xffff);
    words[i * 6 + 5] = len;
    if (len < 64) words[i * 6 + 2] = (words[i * 6 + 2]! & (0xffffffff << (64 - len))) >>> 0;
  }
  return words;
}

export interface TableOptions {
  readonly nextHop: string;
  /** Present for an iBGP peer. */
  readonly localPref?: number;
  /** First ASN of every AS_PATH (the sending peer's AS toward eBGP). */
  readonly firstAs?: number;
}

/** The attribute set of block `block`. */
export function attrsFor(block: number, opts: TableOptions): PathAttributes {
  return {
    origin: 0,
    asPath: [{ type: 2, asns: [opts.firstAs ?? 65001, 64512 + (block % 1000), 4200000000 + block] }],
    nextHop: opts.nextHop,
    ...(opts.localPref === undefined ? {} : { localPref: opts.localPref }),
    med: block,
    communities: [65001 * 65536 + 100, 65001 * 65536 + (block & 0xffff)],
  };
}

/** Splits a table into blocks of `blockSize` prefixes, each with its own attribute set. */
export function blocks(
  afi: Afi,
  words: Uint32Array,
  blockSize: number,
  opts: TableOptions,
): { attrs: PathAttributes; nlri: NlriList }[] {
  const stride = afi === Afi.Ipv4 ? 3 : 6;
  const count = words.length / stride;
  const out: { attrs: PathAttributes; nlri: NlriList }[] = [];
  for (let i = 0, b = 0; i < count; i += blockSize, b++) {
    const n = Math.min(blockSize, count - i);
    out.push({
      attrs: attrsFor(b, opts),
      nlri: { afi, addPath: false, count: n, words: words.subarray(i * stride, (i + n) * stride) },
    });
  }
  return out;
}

/** The whole table as UPDATE messages of at most the context's maximum size. */
export function packTable(
  input: readonly { attrs: PathAttributes; nlri: NlriList }[],
  ctx: CodecContext,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const { attrs, nlri } of input) for (const m of packUpdates(attrs, nlri, ctx)) out.push(m);
  return out;
}
