/**
 * `pnpm bench:rib`: the RIB hot paths on a full table.
 *
 * 1,000,000 unique IPv4 prefixes (/24-/32 from 100.64.0.0/10) in blocks of
 * 2,000 that share an attribute set, packed into UPDATEs and decoded up
 * front (the codec has its own benchmark). Measured:
 *   - rib-insert: every UPDATE through Adj-RIB-In.apply (one iBGP peer) and
 *     Loc-RIB.update for every changed prefix;
 *   - rib-pack: every Loc-RIB best path advertised into one Adj-RIB-Out and
 *     flushed into UPDATE octets (the initial table plus End-of-RIB);
 *   - baseline in the same run: the same keys inserted into a bare Map.
 * Heap bytes per prefix (JS heap + ArrayBuffers) are measured after a full
 * GC with the structures alive. Prints one `bench ...` line per measurement (best of --runs).
 */

import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  AdjRibIn,
  AdjRibOut,
  AttrInterner,
  keyAt,
  LocRib,
  makePeerRef,
  type PrefixKey,
} from "../src/rib/index.js";
import {
  Afi,
  type CodecContext,
  decodeMessage,
  makeContext,
  type NlriList,
  packUpdates,
  type UpdateMessage,
} from "../src/wire/index.js";
import { attrsFor, makeV4 } from "./table.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    prefixes: { type: "string", default: "1000000" },
  },
});
const runs = Number(values.runs);
const count = Number(values.prefixes);
const blockSize = 2000;
const ctx: CodecContext = makeContext({ fourOctetAs: true });

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** JS heap plus ArrayBuffer backing stores (PrefixMap keys and NLRI words live there). */
function heapAfterGc(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function makeUpdates(words: Uint32Array): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  const n = words.length / 3;
  for (let i = 0, b = 0; i < n; i += blockSize, b++) {
    const m = Math.min(blockSize, n - i);
    const nlri: NlriList = {
      afi: Afi.Ipv4,
      addPath: false,
      count: m,
      words: words.subarray(i * 3, (i + m) * 3),
    };
    for (const frame of packUpdates(attrsFor(b, { nextHop: "198.18.0.1", localPref: 100 }), nlri, ctx))
      out.push(decodeMessage(frame, ctx) as UpdateMessage);
  }
  return out;
}

const peer = makePeerRef({ id: 1, address: "198.18.0.1", asn: 65000, bgpId: "198.18.0.1", ibgp: true });
const target = makePeerRef({ id: 2, address: "198.18.0.2", asn: 65000, bgpId: "198.18.0.2", ibgp: true });

function baseline(updates: readonly UpdateMessage[]): Map<PrefixKey, number> {
  const map = new Map<PrefixKey, number>();
  for (const u of updates) for (let i = 0; i < u.nlri.count; i++) map.set(keyAt(u.nlri, i), i);
  return map;
}

interface Ribs {
  readonly interner: AttrInterner;
  readonly loc: LocRib;
  readonly adjIn: AdjRibIn;
}

function insert(updates: readonly UpdateMessage[]): Ribs {
  const interner = new AttrInterner();
  const loc = new LocRib();
  const adjIn = new AdjRibIn(peer, interner, { sink: loc, fourOctetAs: true });
  for (const u of updates) for (const k of adjIn.apply(u)) loc.update(k);
  return { interner, loc, adjIn };
}

function pack(ribs: Ribs): { out: AdjRibOut; messages: Uint8Array[] } {
  const out = new AdjRibOut({ afi: Afi.Ipv4, ctx, interner: ribs.interner });
  ribs.loc.forEachBest((k, best) => {
    if (best.peer.id !== target.id) out.advertise(k, best.attrs);
  });
  out.queueEndOfRib();
  return { out, messages: out.flush().messages };
}

function time<T>(fn: () => T): { seconds: number; result: T } {
  const t0 = process.hrtime.bigint();
  const result = fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result };
}

function line(name: string, seconds: number, heapBytes: number, extra = ""): void {
  console.log(
    `bench ${name} prefixes=${count} seconds=${seconds.toFixed(4)} paths_per_s=${Math.round(count / seconds)} ` +
      `heap_bytes_per_prefix=${Math.round(heapBytes / count)}${extra}`,
  );
}

const updates = makeUpdates(makeV4(count));
const announced = updates.reduce((s, u) => s + u.nlri.count, 0);
if (announced !== count) throw new Error(`generated ${announced} prefixes, expected ${count}`);
console.log(`bench rib-input updates=${updates.length} prefixes=${count}`);

const best = {
  baseline: Number.POSITIVE_INFINITY,
  insert: Number.POSITIVE_INFINITY,
  pack: Number.POSITIVE_INFINITY,
};
const heap = { baseline: 0, insert: 0, pack: 0 };
let messages = 0;
let octets = 0;

/** One run; its structures die when it returns, so every run starts from the same heap. */
function run(): void {
  let h0 = heapAfterGc();
  const b = time(() => baseline(updates));
  heap.baseline = heapAfterGc() - h0;
  best.baseline = Math.min(best.baseline, b.seconds);
  if (b.result.size !== count) throw new Error("baseline lost prefixes");
  b.result.clear();

  h0 = heapAfterGc();
  const ins = time(() => insert(updates));
  const h1 = heapAfterGc();
  heap.insert = h1 - h0;
  best.insert = Math.min(best.insert, ins.seconds);

  const p = time(() => pack(ins.result));
  const msgs = p.result.messages;
  messages = msgs.length;
  octets = msgs.reduce((s, m) => s + m.length, 0);
  msgs.length = 0;
  heap.pack = heapAfterGc() - h1;
  best.pack = Math.min(best.pack, p.seconds);
  // Checked after the heap readings, which keeps everything alive through them.
  if (ins.result.loc.size !== count || ins.result.adjIn.pathCount !== count)
    throw new Error("RIB lost prefixes");
  if (p.result.out.size !== count) throw new Error("Adj-RIB-Out lost prefixes");
}

for (let r = 0; r < runs; r++) run();

line("rib-baseline-map", best.baseline, heap.baseline);
line("rib-insert", best.insert, heap.insert, ` x_baseline=${(best.insert / best.baseline).toFixed(2)}`);
line("rib-pack", best.pack, heap.pack, ` messages=${messages} octets=${octets}`);
line(
  "rib-total",
  best.insert + best.pack,
  heap.insert + heap.pack,
  ` rss_mb=${Math.round(process.memoryUsage().rss / 1e6)}`,
);
