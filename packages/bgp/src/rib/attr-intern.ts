/**
 * The attribute-set interning table: key -> AttrSet, reference counted.
 *
 *     intern(attrs) ──key──> table hit?  yes: refs+1, same AttrSet
 *                                        no:  new AttrSet, refs = 1
 *     retain(set) refs+1      release(set) refs-1, removed from the table at 0
 *
 * The key is the canonical encoding of the attributes (encodeAttributes with
 * 4-octet ASNs, so the session a route came from does not matter) followed
 * by the next hops as text; computing it costs one encode per UPDATE, never
 * one per prefix. Whoever stores an AttrSet holds one reference: a Path in an
 * Adj-RIB-In (adj-rib-in.ts), an entry in an Adj-RIB-Out (adj-rib-out.ts).
 * Attribute objects that come back again by identity (the same object from
 * an import or export policy for thousands of prefixes) skip the encode.
 */
import { encodeAttributes, makeContext, type PathAttributes } from "../wire/index.js";
import { AttrSet } from "./attr-set.js";

export interface InternOptions {
  /** Attribute octets as received (copied when a new set is made). */
  readonly raw?: Uint8Array | undefined;
  /** The 4-octet-AS setting of the session `raw` came from. */
  readonly rawFourOctetAs?: boolean | undefined;
  /** RFC 2545 link-local next hop (IPv6 routes). */
  readonly linkLocalNextHop?: string | undefined;
  /**
   * `raw` is what to send (AttrSet.wire). Such sets are interned apart from
   * decoded-only sets with the same attributes (their key has a suffix), so a
   * set's octets are always the ones it was made with.
   */
  readonly wire?: boolean | undefined;
}

const canonicalContext = makeContext({ fourOctetAs: true });
/** String.fromCharCode takes its arguments on the stack: convert in slices. */
const charCodeChunk = 8192;
const encodedTag = "w";
const structuralTag = "j";
const separator = "\u0000";
const wireSuffix = "\u0000wire";

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += charCodeChunk)
    s += String.fromCharCode(...bytes.subarray(i, i + charCodeChunk));
  return s;
}

/** The canonical key of an attribute set (see the module header). */
export function attrKey(attrs: PathAttributes, linkLocalNextHop?: string): string {
  const { nextHop, ...rest } = attrs;
  const hops = `${separator}${nextHop ?? ""}${separator}${linkLocalNextHop ?? ""}`;
  try {
    return encodedTag + latin1(encodeAttributes(rest, canonicalContext)) + hops;
  } catch {
    // Not encodable (only hand-built attributes can be): still a stable key.
    return (
      structuralTag + JSON.stringify(rest, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v)) + hops
    );
  }
}

export class AttrInterner {
  private readonly table = new Map<string, AttrSet>();
  private readonly byObject = new WeakMap<PathAttributes, AttrSet>();

  /** Live sets. */
  get size(): number {
    return this.table.size;
  }

  /** The set for `attrs`, with one more reference that the caller owns. */
  intern(attrs: PathAttributes, opts: InternOptions = {}): AttrSet {
    const wire = opts.wire === true && opts.raw !== undefined;
    const cacheable = opts.linkLocalNextHop === undefined && !wire;
    if (cacheable) {
      const known = this.byObject.get(attrs);
      if (known !== undefined) {
        const live = this.table.get(known.key);
        if (live !== undefined) {
          live.refs++;
          return live;
        }
      }
    }
    const key = wire
      ? attrKey(attrs, opts.linkLocalNextHop) + wireSuffix
      : attrKey(attrs, opts.linkLocalNextHop);
    let set = this.table.get(key);
    if (set === undefined) {
      set = new AttrSet({
        key,
        attrs,
        raw: opts.raw === undefined ? undefined : opts.raw.slice(),
        rawFourOctetAs: opts.rawFourOctetAs,
        linkLocalNextHop: opts.linkLocalNextHop,
        wire,
      });
      this.table.set(key, set);
    }
    if (cacheable) this.byObject.set(attrs, set);
    set.refs++;
    return set;
  }

  /** One more reference; a set that had dropped to zero is live (and findable) again. */
  retain(set: AttrSet): void {
    if (set.refs++ === 0 && !this.table.has(set.key)) this.table.set(set.key, set);
  }

  release(set: AttrSet): void {
    set.refs--;
    if (set.refs <= 0) {
      set.refs = 0;
      if (this.table.get(set.key) === set) this.table.delete(set.key);
    }
  }

  /** The live set with this key, if any (no reference taken). */
  lookup(key: string): AttrSet | undefined {
    return this.table.get(key);
  }
}
