/**
 * `pnpm bench`: the codec hot paths on realistic volume.
 *
 * 1,000,000 unique IPv4 prefixes (/24-/32 from 100.64.0.0/10) and 100,000
 * IPv6 prefixes (/48-/64 from 2001:db8::/32), in blocks that share an
 * attribute set (as a real peer's table does), packed into ~4096-octet
 * UPDATEs by packUpdates (encode), then decoded by decodeMessage (decode).
 * The baseline in the same run is the floor: merely walking the same bytes
 * (header, lengths, every prefix length octet) without building anything.
 *
 * Prints one `bench ...` line per measurement (best of --runs), then
 * `target ...` lines against the goals.
 */
import { parseArgs } from "node:util";
import {
  Afi,
  type CodecContext,
  decodeMessage,
  defaultContext,
  type NlriList,
  type PathAttributes,
  packUpdates,
  type UpdateMessage,
} from "../src/wire/index.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    v4: { type: "string", default: "1000000" },
    v6: { type: "string", default: "100000" },
  },
});
const runs = Number(values.runs);
const ctx: CodecContext = defaultContext;
const blockSize = 5000;

function makeV4(count: number): Uint32Array {
  const words = new Uint32Array(count * 3);
  const seen = new Set<number>();
  let n = 0;
  let x = 0x12345678;
  while (n < count) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const len = 24 + (x % 9);
    const addr = ((100 << 24) | (64 << 16) | ((x >>> 4) & 0x3fffff)) >>> 0;
    const masked = (addr & (0xffffffff << (32 - len))) >>> 0;
    const key = masked * 64 + len;
    if (seen.has(key)) continue;
    seen.add(key);
    words[n * 3 + 1] = masked;
    words[n * 3 + 2] = len;
    n++;
  }
  return words;
}

function makeV6(count: number): Uint32Array {
  const words = new Uint32Array(count * 6);
  for (let i = 0; i < count; i++) {
    const len = 48 + (i % 17);
    const b = i * 7919;
    words[i * 6 + 1] = 0x20010db8;
    words[i * 6 + 2] = ((b & 0xffff) << 16) | ((i >>> 4) & 0xffff);
    words[i * 6 + 5] = len;
    if (len < 64) words[i * 6 + 2] = (words[i * 6 + 2]! & (0xffffffff << (64 - len))) >>> 0;
  }
  return words;
}

function attrsFor(block: number, v6: boolean): PathAttributes {
  return {
    origin: 0,
    asPath: [{ type: 2, asns: [65001, 64512 + (block % 1000), 4200000000 + block] }],
    nextHop: v6 ? "2001:db8::1" : "198.18.0.1",
    med: block,
    communities: [(65001 << 16) | 100, (65001 << 16) | (block & 0xffff)],
  };
}

function blocks(afi: Afi, words: Uint32Array): { attrs: PathAttributes; nlri: NlriList }[] {
  const stride = afi === Afi.Ipv4 ? 3 : 6;
  const count = words.length / stride;
  const out: { attrs: PathAttributes; nlri: NlriList }[] = [];
  for (let i = 0, b = 0; i < count; i += blockSize, b++) {
    const n = Math.min(blockSize, count - i);
    out.push({
      attrs: attrsFor(b, afi === Afi.Ipv6),
      nlri: { afi, addPath: false, count: n, words: words.subarray(i * stride, (i + n) * stride) },
    });
  }
  return out;
}

function encodeAll(input: { attrs: PathAttributes; nlri: NlriList }[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const { attrs, nlri } of input) out.push(...packUpdates(attrs, nlri, ctx));
  return out;
}

function decodeAll(messages: Uint8Array[]): number {
  let n = 0;
  for (const m of messages) {
    const u = decodeMessage(m, ctx) as UpdateMessage;
    n += u.nlri.count + (u.mpReach?.nlri.count ?? 0);
  }
  return n;
}

/** The floor: walk header, withdrawn and attribute lengths and every NLRI length octet. */
function walkAll(messages: Uint8Array[]): number {
  let n = 0;
  for (const m of messages) {
    const len = (m[16]! << 8) | m[17]!;
    const wl = (m[19]! << 8) | m[20]!;
    const alAt = 21 + wl;
    const al = (m[alAt]! << 8) | m[alAt + 1]!;
    let p = alAt + 2;
    const attrEnd = p + al;
    // walk attributes; count MP_REACH NLRI the same way
    while (p < attrEnd) {
      const flags = m[p]!;
      const type = m[p + 1]!;
      const vlen = flags & 0x10 ? (m[p + 2]! << 8) | m[p + 3]! : m[p + 2]!;
      const v = p + (flags & 0x10 ? 4 : 3);
      if (type === 14) {
        let q = v + 3;
        q += 1 + m[q]! + 1;
        while (q < v + vlen) {
          q += 1 + ((m[q]! + 7) >>> 3);
          n++;
        }
      }
      p = v + vlen;
    }
    while (p < len) {
      p += 1 + ((m[p]! + 7) >>> 3);
      n++;
    }
  }
  return n;
}

function best<T>(fn: () => T): { seconds: number; result: T } {
  let min = Number.POSITIVE_INFINITY;
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    result = fn();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (s < min) min = s;
  }
  return { seconds: min, result };
}

function line(name: string, prefixes: number, bytes: number, seconds: number, floor?: number): void {
  const ratio = floor === undefined ? "" : ` x_floor=${(seconds / floor).toFixed(2)}`;
  console.log(
    `bench ${name} prefixes=${prefixes} seconds=${seconds.toFixed(4)} prefixes_per_s=${Math.round(prefixes / seconds)} ` +
      `mb_per_s=${(bytes / seconds / 1e6).toFixed(1)}${ratio}`,
  );
}

const results: Record<string, number> = {};
for (const [afi, name, count] of [
  [Afi.Ipv4, "ipv4", Number(values.v4)],
  [Afi.Ipv6, "ipv6", Number(values.v6)],
] as const) {
  const input = blocks(afi, afi === Afi.Ipv4 ? makeV4(count) : makeV6(count));
  const enc = best(() => encodeAll(input));
  const messages = enc.result;
  const bytes = messages.reduce((s, m) => s + m.length, 0);
  const walk = best(() => walkAll(messages));
  const dec = best(() => decodeAll(messages));
  if (walk.result !== count || dec.result !== count) {
    console.error(`count mismatch: walked ${walk.result}, decoded ${dec.result}, expected ${count}`);
    process.exit(1);
  }
  console.log(
    `bench ${name}-messages count=${messages.length} bytes=${bytes} avg_bytes=${Math.round(bytes / messages.length)}`,
  );
  line(`${name}-floor-walk`, count, bytes, walk.seconds);
  line(`${name}-decode`, count, bytes, dec.seconds, walk.seconds);
  line(`${name}-encode`, count, bytes, enc.seconds, walk.seconds);
  results[`${name}-decode`] = count / dec.seconds;
  results[`${name}-encode`] = count / enc.seconds;
}
const check = (what: string, value: number, goal: number): void =>
  console.log(`target ${what} ${Math.round(value)}/s goal>=${goal}/s ${value >= goal ? "MET" : "MISSED"}`);
check("ipv4-decode", results["ipv4-decode"]!, 5_000_000);
check("ipv4-encode", results["ipv4-encode"]!, 3_000_000);
