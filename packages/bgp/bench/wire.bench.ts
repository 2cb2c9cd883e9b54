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
  type UpdateMessage,
} from "../src/wire/index.js";
import { blocks, makeV4, makeV6, packTable } from "./table.js";

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

function encodeAll(input: { attrs: PathAttributes; nlri: NlriList }[]): Uint8Array[] {
  return packTable(input, ctx);
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
  const input = blocks(afi, afi === Afi.Ipv4 ? makeV4(count) : makeV6(count), blockSize, {
    nextHop: afi === Afi.Ipv4 ? "198.18.0.1" : "2001:db8::1",
  });
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
