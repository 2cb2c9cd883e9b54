/**
 * One Adj-RIB-Out flush before packing (adj-rib-out.ts): announcements
 * grouped by AttrSet (interning makes equal attributes one object, so one
 * group fills shared UPDATEs), the withdrawals, and the count of paths
 * announced. `packAnnouncements` turns one group into UPDATE octets.
 *
 *     group(attrs).push(key, pathId) ──> groups: AttrSet -> NlriBuilder ──> packAnnouncements
 *     withdrawals.push(key, pathId) ───> packWithdrawals
 */
import { type Afi, type CodecContext, type NlriList, type PackOptions, packUpdates } from "../wire/index.js";
import type { AttrSet } from "./attr-set.js";
import { NlriBuilder } from "./nlri-builder.js";

export class OutBatch {
  readonly groups = new Map<AttrSet, NlriBuilder>();
  readonly withdrawals: NlriBuilder;
  /** Paths announced (new or changed). */
  announced = 0;
  private readonly afi: Afi;
  /** The last group used (consecutive prefixes mostly share their attributes). */
  private lastAttrs: AttrSet | undefined = undefined;
  private lastGroup: NlriBuilder | undefined = undefined;

  constructor(afi: Afi) {
    this.afi = afi;
    this.withdrawals = new NlriBuilder(afi);
  }

  /** The announcements sent with `attrs` (a new group on first use). */
  group(attrs: AttrSet): NlriBuilder {
    if (attrs === this.lastAttrs) return this.lastGroup!;
    let g = this.groups.get(attrs);
    if (g === undefined) {
      g = new NlriBuilder(this.afi);
      this.groups.set(attrs, g);
    }
    this.lastAttrs = attrs;
    this.lastGroup = g;
    return g;
  }
}

/**
 * Announcements of `list` with `attrs`. A set that carries its wire octets
 * (`AttrSet.wire`: a reflected route, made from the received octets by
 * reflectAttributes) is sent from them, not re-encoded, when they were
 * made for the same 4-octet-AS setting as this session's.
 */
export function packAnnouncements(attrs: AttrSet, list: NlriList, ctx: CodecContext): Uint8Array[] {
  const wire = attrs.wire !== undefined && attrs.rawFourOctetAs === ctx.fourOctetAs;
  const opts: PackOptions = {
    ...(attrs.linkLocalNextHop === undefined ? {} : { linkLocalNextHop: attrs.linkLocalNextHop }),
    ...(wire ? { encodedAttributes: attrs.wire } : {}),
  };
  return packUpdates(attrs.attrs, list, ctx, opts);
}
