/**
 * The Path Attributes walk of one UPDATE, with RFC 7606 error handling.
 *
 *     Total Path Attribute Length octets:
 *     +-------+------+---------+-------+   +-------+------+---------+-------+
 *     | flags | type | len 1/2 | value |...| flags | type | len 1/2 | value |
 *     +-------+------+---------+-------+   +-------+------+---------+-------+
 *
 * Each attribute is framed by its own length and checked against the end of
 * the attribute field before any value octet is read, so no length can read
 * out of bounds, and the cursor only moves forward. Then, per attribute:
 *
 * - second occurrence of MP_REACH/MP_UNREACH: session reset, Malformed
 *   Attribute List; of any other type: discarded (RFC 7606 §3.g);
 * - unknown type without the Optional bit: session reset, Unrecognized
 *   Well-known Attribute (RFC 4271 §6.3); unknown optional: kept raw;
 * - known type: flags (Optional/Transitive only, §3.c), then the row's
 *   decode; a malformation costs the row's action (table.ts).
 *
 * An attribute that overruns the field, or a header cut short (RFC 7606 §4)
 * is treat-as-withdraw, the field's length locating the NLRI — except when it
 * is an MP attribute, whose NLRI could then not be read (§3.h): session
 * reset. Session resets throw an UpdateMessageError whose data is the
 * offending attribute (RFC 4271 §6.3); everything else is an issue.
 */
import { AttrFlag, AttrType, UpdateMessageSubcode } from "../constants.js";
import type { CodecContext } from "../context.js";
import { type AttributeIssue, ErrorAction, UpdateMessageError, updateError } from "../errors.js";
import type { UnknownAttribute } from "../messages.js";
import { mergeAs4 } from "./as4.js";
import { readU16 } from "./bytes.js";
import { attributeCodec } from "./table.js";
import type { DecodeState, Malformed } from "./types.js";

export interface DecodedAttributes {
  readonly state: DecodeState;
  readonly issues: AttributeIssue[];
  /** Bit `t` set when an attribute of type `t` (< 32) was present, even if malformed. */
  readonly present: number;
  /** Octet spans [start, end) of the MP attributes, for carving out `rawAttributes`. */
  readonly mpSpans: number[];
}

const flagBits = AttrFlag.Optional | AttrFlag.Transitive;
// Duplicate detection without clearing an array per UPDATE: a slot holds the
// generation of the last walk that saw the type.
const seenAt = new Uint32Array(256);
let generation = 0;

function isMp(type: number): boolean {
  return type === AttrType.MpReachNlri || type === AttrType.MpUnreachNlri;
}

function hex2(n: number): string {
  return `0x${n.toString(16).padStart(2, "0")}`;
}

export function decodeAttributes(
  buf: Uint8Array,
  start: number,
  end: number,
  ctx: CodecContext,
): DecodedAttributes {
  generation = (generation + 1) >>> 0;
  if (generation === 0) {
    seenAt.fill(0);
    generation = 1;
  }
  const gen = generation;
  const state: DecodeState = { attrs: {} };
  const issues: AttributeIssue[] = [];
  const mpSpans: number[] = [];
  let unknown: UnknownAttribute[] | undefined;
  let present = 0;
  let p = start;
  while (p < end) {
    const at = p;
    const flags = buf[at]!;
    const headerLength = flags & AttrFlag.ExtendedLength ? 4 : 3;
    const type = end - at >= 2 ? buf[at + 1]! : -1;
    if (end - at < headerLength) {
      cutShort(buf, at, end, type, `attribute header cut short: ${end - at} octets left`, issues);
      break;
    }
    const length = headerLength === 4 ? readU16(buf, at + 2) : buf[at + 2]!;
    const vStart = at + headerLength;
    const vEnd = vStart + length;
    if (vEnd > end) {
      cutShort(
        buf,
        at,
        end,
        type,
        `attribute ${type} of length ${length} overruns the attribute field`,
        issues,
      );
      break;
    }
    p = vEnd;
    if (type < 32) present |= 1 << type;
    if (isMp(type)) mpSpans.push(at, vEnd);

    if (seenAt[type] === gen) {
      if (isMp(type))
        throw updateError(
          UpdateMessageSubcode.MalformedAttributeList,
          "ERR_BGP_UPDATE_DUPLICATE_MP_ATTRIBUTE",
          `attribute ${type} appears more than once`,
        );
      issues.push({
        action: ErrorAction.AttributeDiscard,
        attrType: type,
        subcode: UpdateMessageSubcode.MalformedAttributeList,
        code: "ERR_BGP_UPDATE_DUPLICATE_ATTRIBUTE",
        reason: `attribute ${type} appears more than once; later occurrences discarded`,
      });
      continue;
    }
    seenAt[type] = gen;

    const row = attributeCodec(type);
    if (row === undefined) {
      if ((flags & AttrFlag.Optional) === 0)
        throw updateError(
          UpdateMessageSubcode.UnrecognizedWellKnownAttribute,
          "ERR_BGP_UPDATE_UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE",
          `unrecognized well-known attribute ${type}`,
          buf.slice(at, vEnd),
        );
      if (unknown === undefined) unknown = [];
      unknown.push({ flags, type, value: buf.slice(vStart, vEnd) });
      continue;
    }

    let bad: Malformed | undefined;
    if ((flags & flagBits) !== row.flags) {
      bad = {
        reason: `flags ${hex2(flags)} conflict with ${hex2(row.flags)}`,
        subcode: UpdateMessageSubcode.AttributeFlagsError,
        code: "ERR_BGP_UPDATE_ATTRIBUTE_FLAGS",
      };
    } else {
      bad = row.decode(buf, vStart, vEnd, ctx, state);
    }
    if (bad === undefined) continue;

    const subcode = bad.subcode ?? row.subcode;
    const code = bad.code ?? row.code;
    const reason = `${row.name}: ${bad.reason}`;
    let action = bad.action ?? row.onMalformed;
    // AFI/SAFI disable needs the family; without it only a reset is left.
    if (action === ErrorAction.AfiSafiDisable && length < 3) action = ErrorAction.SessionReset;
    if (action === ErrorAction.SessionReset)
      throw new UpdateMessageError(code, subcode, reason, buf.slice(at, vEnd));
    issues.push(
      action === ErrorAction.AfiSafiDisable
        ? { action, attrType: type, subcode, code, reason, afi: readU16(buf, vStart), safi: buf[vStart + 2]! }
        : { action, attrType: type, subcode, code, reason },
    );
  }
  if (unknown !== undefined) state.attrs.unknown = unknown;
  if (!ctx.fourOctetAs) mergeAs4(state);
  return { state, issues, present, mpSpans };
}

/** RFC 7606 §4 (and §3.h for the MP attributes). */
function cutShort(
  buf: Uint8Array,
  at: number,
  end: number,
  type: number,
  reason: string,
  issues: AttributeIssue[],
): void {
  if (isMp(type))
    throw updateError(
      UpdateMessageSubcode.AttributeLengthError,
      "ERR_BGP_UPDATE_MP_ATTRIBUTE_OVERRUN",
      reason,
      buf.slice(at, end),
    );
  issues.push({
    action: ErrorAction.TreatAsWithdraw,
    attrType: Math.max(type, 0),
    subcode: UpdateMessageSubcode.MalformedAttributeList,
    code: "ERR_BGP_UPDATE_ATTRIBUTE_OVERRUN",
    reason,
  });
}
