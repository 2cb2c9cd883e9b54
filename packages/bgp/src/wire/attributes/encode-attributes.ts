/**
 * Path Attributes -> octets, through the table rows in `encodeOrder`: MP
 * attributes first (RFC 7606 §5.1), then ascending type code with unknown
 * attributes slotted in by their code (RFC 4271 §5 SHOULD). Each attribute
 * gets the Extended Length form only when its value exceeds 255 octets.
 *
 *     attrs ──> [MP_REACH][MP_UNREACH][ORIGIN][AS_PATH]...[AS4_PATH]...[unknown]
 *
 * On a 2-octet session AS_PATH/AGGREGATOR carry AS_TRANS and AS4_PATH/
 * AS4_AGGREGATOR are added when an ASN needs 4 octets (RFC 6793 §4.2.2).
 */
import { AttrType } from "../constants.js";
import type { CodecContext } from "../context.js";
import type { PathAttributes, UnknownAttribute } from "../messages.js";
import { ByteWriter } from "./bytes.js";
import { encodeOrder } from "./table.js";
import type { AttributeSource } from "./types.js";
import { writeUnknown } from "./unknown.js";

/** Writes every attribute of `src` into `w`. Throws RangeError on unencodable values. */
export function writeAttributes(w: ByteWriter, src: AttributeSource, ctx: CodecContext): void {
  const unknown: readonly UnknownAttribute[] = src.attrs.unknown
    ? [...src.attrs.unknown].sort((a, b) => a.type - b.type)
    : [];
  let u = 0;
  for (const row of encodeOrder) {
    if (row.type !== AttrType.MpReachNlri && row.type !== AttrType.MpUnreachNlri) {
      while (u < unknown.length && unknown[u]!.type < row.type) writeUnknown(w, unknown[u++]!);
    }
    row.encode(src, ctx, w);
  }
  while (u < unknown.length) writeUnknown(w, unknown[u++]!);
}

/** The Path Attributes octets of `attrs` (no MP attributes), ready to share between UPDATEs. */
export function encodeAttributes(attrs: PathAttributes, ctx: CodecContext): Uint8Array {
  const w = new ByteWriter();
  writeAttributes(w, { attrs }, ctx);
  return w.finish();
}
