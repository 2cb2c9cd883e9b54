/**
 * BGP capabilities (RFC 5492): the TLVs carried in the Capabilities optional
 * parameter of an OPEN, to typed `Capability` values and back.
 *
 *     +------------------------------+
 *     | Capability Code (1 octet)    |
 *     +------------------------------+
 *     | Capability Length (1 octet)  |
 *     +------------------------------+
 *     | Capability Value (variable)  |
 *     ~                              ~
 *     +------------------------------+
 *
 * Table-driven: one row per capability code (name, decode, encode), each row
 * carrying the RFC's layout of its value. A code without a row is kept raw as
 * `{ kind: "unknown" }`: RFC 5492 §3 has a speaker ignore capabilities it
 * does not understand, and the raw value still logs and round-trips.
 *
 * Receive path: decodeCapabilities(param value) -> rows by code -> Capability[].
 * A KNOWN capability whose value is malformed (a length its RFC does not
 * allow) raises an OPEN Message Error, subcode 0 (Unspecific): RFC 4271 §6.2
 * for an optional parameter that is "recognized, but is malformed"; the data
 * is the whole offending TLV so the peer can see which one. The one exception
 * is ADD-PATH with a Send/Receive value other than 1-3, which RFC 7911 §4 says
 * SHOULD be "treated as not understood and ignored": it comes back unknown.
 *
 * Send path: encodeCapability(cap) -> one TLV; out-of-range fields (a 13-bit
 * restart time, a 3-octet AFI) are a RangeError, never silently truncated.
 *
 * RFCs: 5492 §4, 4760 §8, 2918 §2, 7313 §3.1, 8950 §3, 8654 §3, 4724 §3
 * (+ RFC 8538 §2 for the N bit), 6793 §3, 7911 §4.
 */
import { CapabilityCode, OpenMessageSubcode } from "./constants.js";
import { type OpenMessageError, openError } from "./errors.js";
import type { Capability } from "./messages.js";

type Kind = Capability["kind"];
type KnownKind = Exclude<Kind, "unknown">;
type CapabilityOf<K extends Kind> = Extract<Capability, { readonly kind: K }>;

/** One row of the table: how one capability code reads and writes its value. */
export interface CapabilityRow {
  readonly code: number;
  readonly kind: KnownKind;
  /** The name IANA's Capability Codes registry gives it. */
  readonly name: string;
  /** Decodes a value; `tlv` is the whole TLV, for the error's data. */
  readonly decode: (value: Uint8Array, tlv: Uint8Array) => Capability;
  /** Encodes the value of a capability of this row's kind. */
  readonly encode: (cap: Capability) => Uint8Array;
}

/** A row as written below: `encode` takes exactly its own kind. */
interface RowSpec<K extends KnownKind> {
  readonly code: number;
  readonly kind: K;
  readonly name: string;
  readonly decode: (value: Uint8Array, tlv: Uint8Array) => Capability;
  readonly encode: (cap: CapabilityOf<K>) => Uint8Array;
}

function row<K extends KnownKind>(spec: RowSpec<K>): CapabilityRow {
  const isKind = (cap: Capability): cap is CapabilityOf<K> => cap.kind === spec.kind;
  return {
    ...spec,
    encode: (cap) => {
      if (!isKind(cap)) throw new TypeError(`a ${cap.kind} capability given to the ${spec.kind} encoder`);
      return spec.encode(cap);
    },
  };
}

const TlvHeaderLength = 2;
const MaxValueLength = 0xff;
/** RFC 4724 §3 Restart Flags (top 4 bits of the first 16) and the per-family flag. */
const GrRestartState = 0x8000;
const GrNotification = 0x4000;
const GrRestartTimeMask = 0x0fff;
const GrForwardingState = 0x80;
/** Octets of one tuple in each list-shaped value. */
const MultiprotocolLength = 4;
const FourOctetAsLength = 4;
const GrHeaderLength = 2;
const GrTupleLength = 4;
const AddPathTupleLength = 4;
const ExtendedNextHopTupleLength = 6;

function malformed(tlv: Uint8Array, why: string): OpenMessageError {
  return openError(
    OpenMessageSubcode.Unspecific,
    "ERR_BGP_OPEN_MALFORMED_CAPABILITY",
    `malformed capability ${tlv[0]}: ${why}`,
    tlv,
  );
}

const u16At = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const u32At = (b: Uint8Array, i: number): number =>
  ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

function checkRange(what: string, n: number, max: number): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`${what} ${n} is not in 0..${max}`);
  return n;
}
const put16 = (out: Uint8Array, i: number, n: number): void => {
  out[i] = n >>> 8;
  out[i + 1] = n & 0xff;
};

/** Decodes a value made of fixed-size tuples; at least one is required. */
function tuples<T>(value: Uint8Array, tlv: Uint8Array, size: number, read: (at: number) => T): T[] {
  if (value.length === 0 || value.length % size !== 0)
    throw malformed(tlv, `length ${value.length} is not a positive multiple of ${size}`);
  const out: T[] = [];
  for (let at = 0; at < value.length; at += size) out.push(read(at));
  return out;
}

type EmptyCapability = CapabilityOf<"route-refresh" | "enhanced-route-refresh" | "extended-message">;

/** A capability with an empty value (RFC 2918 §2, RFC 7313 §3.1, RFC 8654 §3). */
function emptyRow(code: number, name: string, cap: EmptyCapability): CapabilityRow {
  return row({
    code,
    kind: cap.kind,
    name,
    decode: (value, tlv) => {
      if (value.length !== 0) throw malformed(tlv, `length ${value.length}, expected 0`);
      return { ...cap };
    },
    encode: () => new Uint8Array(0),
  });
}

const rows: { readonly [K in KnownKind]: CapabilityRow } = {
  /**
   * RFC 4760 §8, length 4:
   *
   *     0       7      15      23      31
   *     +-------+-------+-------+-------+
   *     |      AFI      | Res.  | SAFI  |
   *     +-------+-------+-------+-------+
   *
   * Res. "SHOULD be set to 0 by the sender and ignored by the receiver".
   */
  multiprotocol: row({
    code: CapabilityCode.Multiprotocol,
    kind: "multiprotocol",
    name: "Multiprotocol Extensions for BGP-4",
    decode: (value, tlv) => {
      if (value.length !== MultiprotocolLength) throw malformed(tlv, `length ${value.length}, expected 4`);
      return { kind: "multiprotocol", afi: u16At(value, 0), safi: value[3]! };
    },
    encode: (cap) => {
      const out = new Uint8Array(MultiprotocolLength);
      put16(out, 0, checkRange("AFI", cap.afi, 0xffff));
      out[3] = checkRange("SAFI", cap.safi, 0xff);
      return out;
    },
  }),
  "route-refresh": emptyRow(CapabilityCode.RouteRefresh, "Route Refresh Capability for BGP-4", {
    kind: "route-refresh",
  }),
  /**
   * RFC 8950 §3, a list of 6-octet tuples (note the 2-octet SAFI):
   *
   *     +-----------------------------------------------------+
   *     | NLRI AFI - 1 (2 octets)                             |
   *     | NLRI SAFI - 1 (2 octets)                            |
   *     | Nexthop AFI - 1 (2 octets)                          |
   *     | .....                                               |
   *     +-----------------------------------------------------+
   */
  "extended-next-hop": row({
    code: CapabilityCode.ExtendedNextHop,
    kind: "extended-next-hop",
    name: "Extended Next Hop Encoding",
    decode: (value, tlv) => ({
      kind: "extended-next-hop",
      entries: tuples(value, tlv, ExtendedNextHopTupleLength, (at) => ({
        afi: u16At(value, at),
        safi: u16At(value, at + 2),
        nextHopAfi: u16At(value, at + 4),
      })),
    }),
    encode: (cap) => {
      const out = new Uint8Array(cap.entries.length * ExtendedNextHopTupleLength);
      cap.entries.forEach((e, i) => {
        const at = i * ExtendedNextHopTupleLength;
        put16(out, at, checkRange("AFI", e.afi, 0xffff));
        put16(out, at + 2, checkRange("SAFI", e.safi, 0xffff));
        put16(out, at + 4, checkRange("Nexthop AFI", e.nextHopAfi, 0xffff));
      });
      return out;
    },
  }),
  "extended-message": emptyRow(CapabilityCode.ExtendedMessage, "BGP Extended Message", {
    kind: "extended-message",
  }),
  /**
   * RFC 4724 §3 (N bit: RFC 8538 §2), length 2 + 4 * families:
   *
   *     +--------------------------------------------------+
   *     | Restart Flags (4 bits)                           |
   *     +--------------------------------------------------+
   *     | Restart Time in seconds (12 bits)                |
   *     +--------------------------------------------------+
   *     | Address Family Identifier (16 bits)              |
   *     +--------------------------------------------------+
   *     | Subsequent Address Family Identifier (8 bits)    |
   *     +--------------------------------------------------+
   *     | Flags for Address Family (8 bits)                |
   *     +--------------------------------------------------+
   *     | ...                                              |
   *
   *     Restart Flags:  0 1 2 3         Flags for Address Family:  0 1 2 3 4 5 6 7
   *                    +-+-+-+-+                                  +-+-+-+-+-+-+-+-+
   *                    |R|N|   |                                  |F|  Reserved   |
   *                    +-+-+-+-+                                  +-+-+-+-+-+-+-+-+
   *
   * Reserved bits are ignored on receipt and sent as zero.
   */
  "graceful-restart": row({
    code: CapabilityCode.GracefulRestart,
    kind: "graceful-restart",
    name: "Graceful Restart Capability",
    decode: (value, tlv) => {
      if (value.length < GrHeaderLength || (value.length - GrHeaderLength) % GrTupleLength !== 0)
        throw malformed(tlv, `length ${value.length} is not 2 + a multiple of 4`);
      const head = u16At(value, 0);
      const families: { afi: number; safi: number; forwarding: boolean }[] = [];
      for (let at = GrHeaderLength; at < value.length; at += GrTupleLength) {
        families.push({
          afi: u16At(value, at),
          safi: value[at + 2]!,
          forwarding: (value[at + 3]! & GrForwardingState) !== 0,
        });
      }
      return {
        kind: "graceful-restart",
        restarting: (head & GrRestartState) !== 0,
        notification: (head & GrNotification) !== 0,
        restartTime: head & GrRestartTimeMask,
        families,
      };
    },
    encode: (cap) => {
      const out = new Uint8Array(GrHeaderLength + cap.families.length * GrTupleLength);
      put16(
        out,
        0,
        (cap.restarting ? GrRestartState : 0) |
          (cap.notification ? GrNotification : 0) |
          checkRange("restart time", cap.restartTime, GrRestartTimeMask),
      );
      cap.families.forEach((f, i) => {
        const at = GrHeaderLength + i * GrTupleLength;
        put16(out, at, checkRange("AFI", f.afi, 0xffff));
        out[at + 2] = checkRange("SAFI", f.safi, 0xff);
        out[at + 3] = f.forwarding ? GrForwardingState : 0;
      });
      return out;
    },
  }),
  /** RFC 6793 §3: the value is the speaker's 4-octet AS number, length 4. */
  "four-octet-as": row({
    code: CapabilityCode.FourOctetAs,
    kind: "four-octet-as",
    name: "Support for 4-octet AS number capability",
    decode: (value, tlv) => {
      if (value.length !== FourOctetAsLength) throw malformed(tlv, `length ${value.length}, expected 4`);
      return { kind: "four-octet-as", asn: u32At(value, 0) };
    },
    encode: (cap) => {
      const asn = checkRange("ASN", cap.asn, 0xffffffff);
      return Uint8Array.of(asn >>> 24, (asn >>> 16) & 0xff, (asn >>> 8) & 0xff, asn & 0xff);
    },
  }),
  /**
   * RFC 7911 §4, one or more 4-octet tuples:
   *
   *     +------------------------------------------------+
   *     | Address Family Identifier (2 octets)           |
   *     +------------------------------------------------+
   *     | Subsequent Address Family Identifier (1 octet) |
   *     +------------------------------------------------+
   *     | Send/Receive (1 octet)                         |
   *     +------------------------------------------------+
   */
  "add-path": row({
    code: CapabilityCode.AddPath,
    kind: "add-path",
    name: "ADD-PATH Capability",
    decode: (value, tlv) => {
      const families = tuples(value, tlv, AddPathTupleLength, (at) => ({
        afi: u16At(value, at),
        safi: value[at + 2]!,
        direction: value[at + 3]!,
      }));
      // RFC 7911 §4: any other Send/Receive value -> "treated as not understood and ignored".
      if (families.some((f) => !isDirection(f.direction)))
        return { kind: "unknown", code: CapabilityCode.AddPath, value: value.slice() };
      return {
        kind: "add-path",
        families: families as { afi: number; safi: number; direction: 1 | 2 | 3 }[],
      };
    },
    encode: (cap) => {
      const out = new Uint8Array(cap.families.length * AddPathTupleLength);
      cap.families.forEach((f, i) => {
        const at = i * AddPathTupleLength;
        put16(out, at, checkRange("AFI", f.afi, 0xffff));
        out[at + 2] = checkRange("SAFI", f.safi, 0xff);
        if (!isDirection(f.direction))
          throw new RangeError(`ADD-PATH Send/Receive ${f.direction} is not 1..3`);
        out[at + 3] = f.direction;
      });
      return out;
    },
  }),
  "enhanced-route-refresh": emptyRow(
    CapabilityCode.EnhancedRouteRefresh,
    "Enhanced Route Refresh Capability",
    {
      kind: "enhanced-route-refresh",
    },
  ),
};

function isDirection(n: number): n is 1 | 2 | 3 {
  return n >= 1 && n <= 3;
}

const rowsByCode: ReadonlyMap<number, CapabilityRow> = new Map(Object.values(rows).map((r) => [r.code, r]));

/** Every row of the table, keyed by capability code. */
export const capabilityRows: ReadonlyMap<number, CapabilityRow> = rowsByCode;

/** The registry name of a capability code, or `capability <n>` for one this codec does not know. */
export function capabilityName(code: number): string {
  return rowsByCode.get(code)?.name ?? `capability ${code}`;
}

/** The capability code a value is sent with. */
export function capabilityCode(cap: Capability): number {
  return cap.kind === "unknown" ? cap.code : rows[cap.kind].code;
}

/** Decodes one TLV's value. `tlv` (code, length, value) is the error's data. */
export function decodeCapability(code: number, value: Uint8Array, tlv: Uint8Array): Capability {
  const row = rowsByCode.get(code);
  return row ? row.decode(value, tlv) : { kind: "unknown", code, value: value.slice() };
}

/**
 * Decodes `buf[start, end)`, the value of one Capabilities optional parameter,
 * as a run of TLVs in order. A TLV that runs past `end` is malformed (RFC 4271
 * §6.2, subcode Unspecific; data: the octets of that TLV that are present).
 */
export function decodeCapabilities(buf: Uint8Array, start: number, end: number): Capability[] {
  const out: Capability[] = [];
  let p = start;
  while (p < end) {
    if (p + TlvHeaderLength > end) throw malformed(buf.slice(p, end), "truncated capability header");
    const code = buf[p]!;
    const valueEnd = p + TlvHeaderLength + buf[p + 1]!;
    if (valueEnd > end) throw malformed(buf.slice(p, end), "capability runs past its optional parameter");
    const tlv = buf.slice(p, valueEnd);
    out.push(decodeCapability(code, tlv.subarray(TlvHeaderLength), tlv));
    p = valueEnd;
  }
  return out;
}

/** Encodes one capability as a TLV. Throws a RangeError for out-of-range fields. */
export function encodeCapability(cap: Capability): Uint8Array {
  const value = cap.kind === "unknown" ? cap.value : rows[cap.kind].encode(cap);
  if (value.length > MaxValueLength)
    throw new RangeError(`capability ${capabilityCode(cap)} value of ${value.length} octets exceeds 255`);
  const code = checkRange("capability code", capabilityCode(cap), 0xff);
  const out = new Uint8Array(TlvHeaderLength + value.length);
  out[0] = code;
  out[1] = value.length;
  out.set(value, TlvHeaderLength);
  return out;
}

/** Encodes capabilities back to back: the value of one Capabilities optional parameter. */
export function encodeCapabilities(caps: readonly Capability[]): Uint8Array {
  const tlvs = caps.map(encodeCapability);
  const out = new Uint8Array(tlvs.reduce((n, t) => n + t.length, 0));
  let at = 0;
  for (const t of tlvs) {
    out.set(t, at);
    at += t.length;
  }
  return out;
}
