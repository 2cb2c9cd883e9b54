/**
 * Attributes this codec does not recognise. RFC 4271 §5 and §9.1.2: an
 * unrecognised well-known attribute resets the session (decode.ts); an
 * unrecognised optional one is kept as received. When the route is passed
 * on, an optional transitive one goes along with the Partial bit set, and an
 * optional non-transitive one is dropped.
 *
 *     +---------------+---------------+-----------------+--------------+
 *     | Flags O T P E | Type          | Length (1 or 2) | Value        |
 *     +---------------+---------------+-----------------+--------------+
 */
import { AttrFlag } from "../constants.js";
import type { PathAttributes, UnknownAttribute } from "../messages.js";
import type { ByteWriter } from "./bytes.js";

/** The flags an unknown attribute carries when passed on, or undefined when it must be dropped. */
export function passOnFlags(flags: number): number | undefined {
  if ((flags & AttrFlag.Optional) === 0) return flags;
  if ((flags & AttrFlag.Transitive) === 0) return undefined;
  return flags | AttrFlag.Partial;
}

/**
 * RFC 4271 §5/§9.1.2: what to advertise for a path received with `attrs`.
 * Drops unknown optional non-transitive attributes and sets the Partial bit
 * on unknown optional transitive ones. Returns `attrs` itself when nothing changes.
 */
export function passOnUnknown(attrs: PathAttributes): PathAttributes {
  const unknown = attrs.unknown;
  if (unknown === undefined) return attrs;
  const kept: UnknownAttribute[] = [];
  let changed = false;
  for (const u of unknown) {
    const flags = passOnFlags(u.flags);
    if (flags === undefined) {
      changed = true;
      continue;
    }
    if (flags !== u.flags) changed = true;
    kept.push(flags === u.flags ? u : { flags, type: u.type, value: u.value });
  }
  if (!changed) return attrs;
  const { unknown: _drop, ...rest } = attrs;
  return kept.length === 0 ? rest : { ...rest, unknown: kept };
}

export function writeUnknown(w: ByteWriter, u: UnknownAttribute): void {
  if (!Number.isInteger(u.type) || u.type < 0 || u.type > 255)
    throw new RangeError(`bad attribute type ${u.type}`);
  const m = w.begin(u.flags & ~AttrFlag.ExtendedLength & 0xff, u.type);
  w.bytes(u.value);
  w.end(m);
}
