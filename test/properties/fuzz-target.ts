/**
 * The codec's fuzz target: any bytes either decode or raise the typed
 * `BgpWireError` — never another exception, never a hang. Shared by the
 * property tests (fixed case counts in CI) and `pnpm fuzz` (runs as long as
 * asked).
 */

import {
  BgpWireError,
  type CodecContext,
  decodeMessage,
  encodeMessage,
  Framer,
  Header,
} from "@portlb/bgp/wire";
import fc from "fast-check";
import { context, message } from "./arbitraries.js";

export type Outcome = "decoded" | "wire-error";

/** Decodes `bytes` as one message; throws if anything but a BgpWireError escapes. */
export function decodeOrTypedError(bytes: Uint8Array, ctx: CodecContext): Outcome {
  try {
    decodeMessage(bytes, ctx);
    return "decoded";
  } catch (err) {
    if (err instanceof BgpWireError) return "wire-error";
    throw err;
  }
}

/** Pushes `bytes` through a Framer in the given chunk sizes and decodes every frame. */
export function frameAndDecode(bytes: Uint8Array, cuts: number[], ctx: CodecContext): Outcome {
  const framer = new Framer(ctx.extendedMessage ? Header.maxExtendedMessageLength : Header.maxMessageLength);
  try {
    let at = 0;
    for (const cut of [...cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length]) {
      for (const frame of framer.push(bytes.subarray(at, cut))) decodeMessage(frame, ctx);
      at = cut;
    }
    return "decoded";
  } catch (err) {
    if (err instanceof BgpWireError) return "wire-error";
    throw err;
  }
}

/** A header with a length field matching the buffer, so the body decoders are reached. */
function withHeader(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(Header.length + body.length);
  out.fill(0xff, 0, 16);
  out[16] = out.length >>> 8;
  out[17] = out.length & 0xff;
  out[18] = type;
  out.set(body, Header.length);
  return out;
}

/** Random bodies behind a valid header of a random type. */
export const randomFrame = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.uint8Array({ maxLength: 300 }), context)
  .map(([type, body, ctx]) => ({ bytes: withHeader(type, body), ctx }));

/** Raw random bytes, no header fix-up. */
export const randomBytes = fc
  .tuple(fc.uint8Array({ maxLength: 200 }), context)
  .map(([bytes, ctx]) => ({ bytes, ctx }));

type Mutation =
  | { kind: "flip"; at: number; value: number }
  | { kind: "delete"; at: number; count: number }
  | { kind: "insert"; at: number; values: Uint8Array }
  | { kind: "truncate"; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    values: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, ms: Mutation[], fixLength: boolean): Uint8Array {
  let b = bytes;
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === "flip") {
      b = b.slice();
      b[at] = m.value;
    } else if (m.kind === "delete") {
      b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.count)]);
    } else if (m.kind === "insert") {
      b = Uint8Array.from([...b.subarray(0, at), ...m.values, ...b.subarray(at)]);
    } else {
      b = b.slice(0, at);
    }
  }
  if (fixLength && b.length >= Header.length) {
    b = b.slice();
    b.fill(0xff, 0, 16);
    b[16] = (b.length >>> 8) & 0xff;
    b[17] = b.length & 0xff;
  }
  return b;
}

/** Valid messages, then flipped, deleted, inserted or truncated octets (length field fixed up or not). */
export const mutatedMessage = fc
  .tuple(message, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([{ ctx, msg }, ms, fix]) => ({ bytes: mutate(encodeMessage(msg, ctx), ms, fix), ctx }));

/** Mutations of given seed vectors (golden and captured bytes). */
export function mutatedSeed(seeds: readonly Uint8Array[]) {
  return fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      context,
    )
    .map(([seed, ms, fix, ctx]) => ({ bytes: mutate(seed, ms, fix), ctx }));
}
