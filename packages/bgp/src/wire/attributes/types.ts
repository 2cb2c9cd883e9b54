/**
 * The shape of one row of the attribute table (table.ts), and the mutable
 * state the rows fill while an UPDATE's attributes are decoded.
 *
 * A row's `decode` reads the value octets `buf[start, end)` and either
 * stores the result in the state and returns `undefined`, or returns a
 * `Malformed` describing why the value is bad. It never throws and never
 * reads outside `[start, end)`. What a malformation costs is the row's
 * `onMalformed` (RFC 7606 §7), unless the `Malformed` names a stronger or
 * weaker action itself.
 */
import { UpdateMessageSubcode } from "../constants.js";
import type { CodecContext } from "../context.js";
import type { ErrorAction } from "../errors.js";
import type { AsPathSegment, MpReach, MpUnreach, PathAttributes } from "../messages.js";
import type { ByteWriter } from "./bytes.js";

export type Writable<T> = { -readonly [K in keyof T]: T[K] };

export interface Aggregator {
  readonly asn: number;
  readonly address: string;
}

/** What the rows write while one UPDATE is decoded. */
export interface DecodeState {
  readonly attrs: Writable<PathAttributes>;
  /** RFC 6793 attributes, kept aside until the merge of §4.2.3. */
  as4Path?: AsPathSegment[];
  as4Aggregator?: Aggregator;
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
}

/** What the encoder takes: the path attributes and, optionally, the MP attributes. */
export interface AttributeSource {
  readonly attrs: PathAttributes;
  readonly mpReach?: MpReach | undefined;
  readonly mpUnreach?: MpUnreach | undefined;
}

export interface Malformed {
  readonly reason: string;
  /** Overrides the row's action (e.g. a length the RFC treats more harshly). */
  readonly action?: ErrorAction;
  /** Overrides the row's RFC 4271 §6.3 subcode. */
  readonly subcode?: number;
  /** Overrides the row's stable error code. */
  readonly code?: string;
}

export interface AttributeCodec {
  readonly type: number;
  /** The RFC's name, e.g. "AS_PATH". */
  readonly name: string;
  /** The Optional and Transitive bits the attribute must carry (RFC 4271 §5, §6.3). */
  readonly flags: number;
  /** RFC 7606 §7: the approach for a malformed value or conflicting flags (§3.c). */
  readonly onMalformed: ErrorAction;
  /** The RFC 4271 §6.3 subcode the malformation would have. */
  readonly subcode: number;
  /** Stable code for a malformed value, `ERR_BGP_UPDATE_MALFORMED_<NAME>`. */
  readonly code: string;
  decode(
    buf: Uint8Array,
    start: number,
    end: number,
    ctx: CodecContext,
    out: DecodeState,
  ): Malformed | undefined;
  /** Writes the attribute (or nothing when absent in `src`). Throws RangeError on unencodable input. */
  encode(src: AttributeSource, ctx: CodecContext, w: ByteWriter): void;
}

export function malformed(reason: string, extra?: Omit<Malformed, "reason">): Malformed {
  return extra === undefined ? { reason } : { reason, ...extra };
}

/** RFC 4271 §4.3: a fixed-length value check shared by several rows. */
export function lengthIs(expected: number, start: number, end: number): Malformed | undefined {
  const len = end - start;
  return len === expected
    ? undefined
    : malformed(`length ${len}, expected ${expected}`, {
        subcode: UpdateMessageSubcode.AttributeLengthError,
      });
}

/** A non-zero multiple of `unit` (RFC 7606 §7.8, §7.10, §7.14; RFC 8092 §6). */
export function lengthIsMultiple(unit: number, start: number, end: number): Malformed | undefined {
  const len = end - start;
  return len > 0 && len % unit === 0
    ? undefined
    : malformed(`length ${len} is not a non-zero multiple of ${unit}`, {
        subcode: UpdateMessageSubcode.AttributeLengthError,
      });
}
