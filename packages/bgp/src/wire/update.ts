/**
 * The UPDATE message codec. RFC 4271 §4.3 (layout), §6.3 (errors); RFC 7606
 * (revised error handling); RFC 4760 (MP attributes); RFC 7911 (ADD-PATH).
 *
 *     +-----------------------------------------------------+
 *     | Header (19 octets, type 2)                          |
 *     +-----------------------------------------------------+
 *     | Withdrawn Routes Length (2 octets)                  |
 *     | Withdrawn Routes (variable, IPv4 unicast)           |
 *     +-----------------------------------------------------+
 *     | Total Path Attribute Length (2 octets)              |
 *     | Path Attributes (variable)                          |
 *     +-----------------------------------------------------+
 *     | Network Layer Reachability Information (IPv4)       |
 *     +-----------------------------------------------------+
 *
 * Receive path: the two length fields must fit the message or the session
 * is reset with Malformed Attribute List (RFC 4271 §6.3; RFC 7606 cannot
 * help when the NLRI cannot be located). Withdrawn Routes and NLRI that do
 * not parse reset the session with Invalid Network Field (RFC 7606 §5.3:
 * treat-as-withdraw needs parseable NLRI). The attributes are walked once
 * (attributes/decode-attributes.ts); soft RFC 7606 outcomes become `issues`,
 * and a missing well-known mandatory attribute while NLRI are present makes
 * the UPDATE treat-as-withdraw (RFC 7606 §3.d). `rawAttributes` is the
 * attribute field minus the MP attributes: a zero-copy view when there are
 * none. It is left off when there are issues, so that a malformed attribute
 * is never passed on verbatim, and it only suits peers with the same
 * 4-octet-AS setting as the sender.
 *
 * Send path: encodeUpdate writes the message as given (MP attributes first).
 * Splitting a large set of prefixes over several UPDATEs is packUpdates'.
 */

import { ByteWriter, readU16 } from "./attributes/bytes.js";
import { decodeAttributes } from "./attributes/decode-attributes.js";
import { writeAttributes } from "./attributes/encode-attributes.js";
import type { Writable } from "./attributes/types.js";
import { Afi, AttrType, Header, MessageType, UpdateMessageSubcode } from "./constants.js";
import { type CodecContext, Ipv4Unicast, maxMessageLength } from "./context.js";
import { type AttributeIssue, badMessageLength, ErrorAction, updateError } from "./errors.js";
import { writeHeader } from "./header.js";
import type { UpdateMessage } from "./messages.js";
import { decodeNlri, encodeNlri, type NlriList, NlriSyntaxError, nlriLength, withAddPath } from "./nlri.js";

const noIssues: readonly AttributeIssue[] = Object.freeze([]);

function readIpv4(buf: Uint8Array, start: number, end: number, addPath: boolean, what: string): NlriList {
  try {
    return decodeNlri(buf, start, end, Afi.Ipv4, addPath);
  } catch (e) {
    if (!(e instanceof NlriSyntaxError)) throw e;
    throw updateError(
      UpdateMessageSubcode.InvalidNetworkField,
      "ERR_BGP_UPDATE_INVALID_NETWORK_FIELD",
      `${what}: ${e.message}`,
    );
  }
}

function missing(type: number, name: string): AttributeIssue {
  return {
    action: ErrorAction.TreatAsWithdraw,
    attrType: type,
    subcode: UpdateMessageSubcode.MissingWellKnownAttribute,
    code: "ERR_BGP_UPDATE_MISSING_WELL_KNOWN_ATTRIBUTE",
    reason: `missing well-known attribute ${name}`,
  };
}

/**
 * Decodes one UPDATE (`frame` is the whole message, header included).
 * Throws `UpdateMessageError` only for errors that reset the session.
 */
export function decodeUpdate(frame: Uint8Array, ctx: CodecContext): UpdateMessage {
  const end = frame.length;
  if (end < Header.length + 4) throw badMessageLength(end);
  let p: number = Header.length;
  const withdrawnLength = readU16(frame, p);
  p += 2;
  if (p + withdrawnLength + 2 > end)
    throw updateError(
      UpdateMessageSubcode.MalformedAttributeList,
      "ERR_BGP_UPDATE_WITHDRAWN_LENGTH",
      `Withdrawn Routes Length ${withdrawnLength} overruns the message`,
    );
  const v4AddPath = ctx.addPathReceive.has(Ipv4Unicast);
  const withdrawn = readIpv4(frame, p, p + withdrawnLength, v4AddPath, "Withdrawn Routes");
  p += withdrawnLength;
  const attrLength = readU16(frame, p);
  p += 2;
  if (p + attrLength > end)
    throw updateError(
      UpdateMessageSubcode.MalformedAttributeList,
      "ERR_BGP_UPDATE_ATTRIBUTE_LENGTH",
      `Total Path Attribute Length ${attrLength} overruns the message`,
    );
  const attrStart = p;
  const attrEnd = p + attrLength;
  const { state, issues, present, mpSpans } = decodeAttributes(frame, attrStart, attrEnd, ctx);
  const nlri = readIpv4(frame, attrEnd, end, v4AddPath, "NLRI");

  // RFC 7606 §3.d; NEXT_HOP only for NLRI in the NLRI field (RFC 4760 §3).
  const reach = nlri.count > 0 || (state.mpReach !== undefined && state.mpReach.nlri.count > 0);
  if (reach) {
    if ((present & (1 << AttrType.Origin)) === 0) issues.push(missing(AttrType.Origin, "ORIGIN"));
    if ((present & (1 << AttrType.AsPath)) === 0) issues.push(missing(AttrType.AsPath, "AS_PATH"));
    if (nlri.count > 0 && (present & (1 << AttrType.NextHop)) === 0)
      issues.push(missing(AttrType.NextHop, "NEXT_HOP"));
  }

  const msg: Writable<UpdateMessage> = {
    type: MessageType.Update,
    withdrawn,
    attributes: state.attrs,
    nlri,
    issues: issues.length === 0 ? noIssues : issues,
  };
  if (state.mpReach !== undefined) msg.mpReach = state.mpReach;
  if (state.mpUnreach !== undefined) msg.mpUnreach = state.mpUnreach;
  if (issues.some((i) => i.action === ErrorAction.TreatAsWithdraw)) msg.treatAsWithdraw = true;
  if (issues.length === 0) msg.rawAttributes = carveRaw(frame, attrStart, attrEnd, mpSpans);
  return msg;
}

/** The attribute field without the MP attributes: a view when there are none. */
function carveRaw(frame: Uint8Array, start: number, end: number, mpSpans: readonly number[]): Uint8Array {
  if (mpSpans.length === 0) return frame.subarray(start, end);
  let removed = 0;
  for (let i = 0; i < mpSpans.length; i += 2) removed += mpSpans[i + 1]! - mpSpans[i]!;
  const out = new Uint8Array(end - start - removed);
  let at = 0;
  let from = start;
  for (let i = 0; i < mpSpans.length; i += 2) {
    out.set(frame.subarray(from, mpSpans[i]!), at);
    at += mpSpans[i]! - from;
    from = mpSpans[i + 1]!;
  }
  out.set(frame.subarray(from, end), at);
  return out;
}

/**
 * Encodes one UPDATE. Path identifiers are written per `ctx.addPathSend`.
 * Throws RangeError when a value cannot be encoded or the message exceeds
 * the context's maximum length.
 */
export function encodeUpdate(msg: UpdateMessage, ctx: CodecContext): Uint8Array {
  if (msg.withdrawn.afi !== Afi.Ipv4 || msg.nlri.afi !== Afi.Ipv4)
    throw new RangeError("Withdrawn Routes and NLRI fields hold IPv4 prefixes only");
  const v4AddPath = ctx.addPathSend.has(Ipv4Unicast);
  const withdrawn = withAddPath(msg.withdrawn, v4AddPath);
  const nlri = withAddPath(msg.nlri, v4AddPath);
  const w = new ByteWriter();
  writeAttributes(w, { attrs: msg.attributes, mpReach: msg.mpReach, mpUnreach: msg.mpUnreach }, ctx);
  const attrs = w.finish();
  const wl = nlriLength(withdrawn);
  const nl = nlriLength(nlri);
  const total = Header.length + 2 + wl + 2 + attrs.length + nl;
  const max = maxMessageLength(ctx);
  if (total > max) throw new RangeError(`UPDATE of ${total} octets exceeds the maximum of ${max}`);
  const out = new Uint8Array(total);
  writeHeader(out, 0, total, MessageType.Update);
  let p: number = Header.length;
  out[p++] = wl >>> 8;
  out[p++] = wl & 0xff;
  p = encodeNlri(withdrawn, out, p);
  out[p++] = attrs.length >>> 8;
  out[p++] = attrs.length & 0xff;
  out.set(attrs, p);
  encodeNlri(nlri, out, p + attrs.length);
  return out;
}
