import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attr, MANDATORY, NLRI_1, rawUpdate, update } from "../../../../test/vectors/update-kit.js";
import { Afi, MessageHeaderSubcode, UpdateMessageSubcode } from "./constants.js";
import { defaultContext, Ipv4Unicast, Ipv6Unicast, makeContext, mirrorContext } from "./context.js";
import { BgpWireError, UpdateMessageError } from "./errors.js";
import type { UpdateMessage } from "./messages.js";
import { emptyNlri, nlriFromPrefixes, nlriToEntries } from "./nlri.js";
import { decodeUpdate, encodeUpdate } from "./update.js";

function errorOf(fn: () => unknown): BgpWireError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BgpWireError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("decodeUpdate: message structure", () => {
  it.each([
    ["Withdrawn Routes Length past the end", "0005 18cb00"],
    ["Withdrawn Routes Length leaving no room for the attribute length", "0002 1800 00"],
    ["Total Path Attribute Length past the end", "0000 0010 400101"],
    ["Total Path Attribute Length of 65535", "0000 ffff"],
  ])("%s resets with Malformed Attribute List", (_n, body) => {
    const err = errorOf(() => decodeUpdate(rawUpdate(body), defaultContext));
    expect(err).toBeInstanceOf(UpdateMessageError);
    expect(err.subcode).toBe(UpdateMessageSubcode.MalformedAttributeList);
  });

  it("rejects a frame shorter than 23 octets as a bad message length", () => {
    const err = errorOf(() => decodeUpdate(rawUpdate("00"), defaultContext));
    expect(err.subcode).toBe(MessageHeaderSubcode.BadMessageLength);
  });

  it.each([
    ["withdrawn prefix length 33", { withdrawn: "21 cb007100 00" }],
    ["withdrawn prefix running past its field", { withdrawn: "18 cb00" }],
    ["NLRI prefix length 40", { attrs: MANDATORY, nlri: "28 cb00710000" }],
    ["NLRI prefix running past the message", { attrs: MANDATORY, nlri: "20 cb0071" }],
  ])("%s resets with Invalid Network Field (RFC 7606 §5.3)", (_n, parts) => {
    const err = errorOf(() => decodeUpdate(update(parts), defaultContext));
    expect(err.subcode).toBe(UpdateMessageSubcode.InvalidNetworkField);
  });

  it("reads ADD-PATH identifiers in both IPv4 fields per ctx.addPathReceive", () => {
    const ctx = makeContext({ addPathReceive: new Set([Ipv4Unicast]) });
    const m = decodeUpdate(
      update({ withdrawn: "00000003 18c63364", attrs: MANDATORY, nlri: "00000001 18cb0071" }),
      ctx,
    );
    expect(nlriToEntries(m.withdrawn)).toEqual([{ prefix: "198.51.100.0/24", pathId: 3 }]);
    expect(nlriToEntries(m.nlri)).toEqual([{ prefix: "203.0.113.0/24", pathId: 1 }]);
  });

  it("clears host bits past the prefix length", () => {
    const m = decodeUpdate(update({ attrs: MANDATORY, nlri: "17 cb0071" }), defaultContext);
    expect(nlriToEntries(m.nlri)[0]?.prefix).toBe("203.0.112.0/23");
  });
});

describe("rawAttributes", () => {
  it("is a zero-copy view of the attribute field when there are no MP attributes", () => {
    const frame = update({ attrs: MANDATORY, nlri: NLRI_1 });
    const m = decodeUpdate(frame, defaultContext);
    expect(m.rawAttributes?.buffer).toBe(frame.buffer);
    expect(Buffer.from(m.rawAttributes!).toString("hex")).toBe(MANDATORY);
  });

  it("leaves the MP attributes out", () => {
    const mp = attr(0x80, 14, "0002 01 10 20010db8000000000000000000000001 00 30 20010db80001");
    const unreach = attr(0x80, 15, "0002 01");
    const m = decodeUpdate(update({ attrs: mp + MANDATORY + unreach }), defaultContext);
    expect(Buffer.from(m.rawAttributes!).toString("hex")).toBe(MANDATORY);
  });

  it("is left off when an attribute had to be discarded or withdrawn", () => {
    const m = decodeUpdate(update({ attrs: MANDATORY + attr(0x40, 6, "01"), nlri: NLRI_1 }), defaultContext);
    expect(m.rawAttributes).toBeUndefined();
  });
});

describe("encodeUpdate", () => {
  const msg: UpdateMessage = {
    type: 2,
    withdrawn: nlriFromPrefixes(Afi.Ipv4, ["198.51.100.0/24"]),
    attributes: { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: "198.18.0.1" },
    nlri: nlriFromPrefixes(Afi.Ipv4, ["203.0.113.0/24"]),
  };

  it("writes the layout of RFC 4271 §4.3", () => {
    expect(Buffer.from(encodeUpdate(msg, defaultContext)).toString("hex")).toBe(
      `${"ff".repeat(16)}0031 02 0004 18c63364 0012 ${MANDATORY} ${NLRI_1}`.replace(/ /g, ""),
    );
  });

  it("writes path identifiers per ctx.addPathSend, whatever the list says", () => {
    const ctx = makeContext({ addPathSend: new Set([Ipv4Unicast]) });
    const out = encodeUpdate(msg, ctx);
    const back = decodeUpdate(out, mirrorContext(ctx));
    expect(nlriToEntries(back.nlri)).toEqual([{ prefix: "203.0.113.0/24", pathId: 0 }]);
    expect(back.nlri.addPath).toBe(true);
  });

  it("refuses a message over the negotiated maximum and non-IPv4 lists in the IPv4 fields", () => {
    const big = nlriFromPrefixes(
      Afi.Ipv4,
      Array.from({ length: 1000 }, (_, i) => `100.64.${i >> 8}.${i & 255}/32`),
    );
    expect(() => encodeUpdate({ ...msg, nlri: big }, defaultContext)).toThrow(RangeError);
    expect(encodeUpdate({ ...msg, nlri: big }, makeContext({ extendedMessage: true })).length).toBe(
      23 + 4 + 18 + 1000 * 5,
    );
    expect(() => encodeUpdate({ ...msg, nlri: emptyNlri(Afi.Ipv6) }, defaultContext)).toThrow(RangeError);
  });
});

describe("decodeUpdate on arbitrary input (property)", () => {
  it("either decodes or throws a BgpWireError, for any body", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.boolean(), (body, four, addPath) => {
        const frame = new Uint8Array(19 + body.length);
        frame.fill(0xff, 0, 16);
        frame[16] = frame.length >>> 8;
        frame[17] = frame.length & 0xff;
        frame[18] = 2;
        frame.set(body, 19);
        const ctx = makeContext({
          fourOctetAs: four,
          addPathReceive: new Set(addPath ? [Ipv4Unicast, Ipv6Unicast] : []),
        });
        try {
          decodeUpdate(frame, ctx);
        } catch (e) {
          if (!(e instanceof BgpWireError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("round-trips generated IPv4/IPv6 UPDATEs through encode and decode", () => {
    const v4 = fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
      .map(([a, l]) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${l}`);
    const asn = fc.integer({ min: 1, max: 0xffffffff });
    fc.assert(
      fc.property(
        fc.array(v4, { maxLength: 20 }),
        fc.array(v4, { maxLength: 20 }),
        fc.array(asn, { minLength: 1, maxLength: 300 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 10 }),
        fc.boolean(),
        (nlri, withdrawn, asns, communities, four) => {
          const ctx = makeContext({ fourOctetAs: four });
          const msg: UpdateMessage = {
            type: 2,
            withdrawn: nlriFromPrefixes(Afi.Ipv4, withdrawn),
            attributes: {
              origin: 2,
              asPath: [{ type: 2, asns }],
              nextHop: "198.18.0.1",
              ...(communities.length > 0 ? { communities } : {}),
            },
            nlri: nlriFromPrefixes(Afi.Ipv4, nlri),
          };
          const back = decodeUpdate(encodeUpdate(msg, ctx), ctx);
          expect(back.issues).toEqual([]);
          expect(back.attributes).toEqual(msg.attributes);
          expect(nlriToEntries(back.nlri)).toEqual(nlriToEntries(msg.nlri));
          expect(nlriToEntries(back.withdrawn)).toEqual(nlriToEntries(msg.withdrawn));
        },
      ),
      { numRuns: 300 },
    );
  });
});
