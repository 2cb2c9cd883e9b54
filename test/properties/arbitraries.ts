/**
 * fast-check arbitraries for every BGP message type, in the canonical form
 * the decoder returns (so encode -> decode is the identity on them):
 * host bits cleared, RFC 5952 IPv6 text, AS_PATH segments of 1..255 ASNs,
 * unknown attributes with type codes the codec does not know.
 */

import {
  Afi,
  AsPathSegmentType,
  type BgpMessage,
  type Capability,
  CeaseSubcode,
  type CodecContext,
  ErrorCode,
  familyKey,
  formatIpv4,
  formatIpv6Words,
  type LargeCommunity,
  MessageType,
  makeContext,
  type NlriList,
  type NotificationMessage,
  nlriFromPrefixes,
  type OpenMessage,
  type PathAttributes,
  type RouteRefreshMessage,
  type UpdateMessage,
} from "@portlb/bgp/wire";
import fc from "fast-check";

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

export const ipv4 = u32.map(formatIpv4);
export const ipv6 = fc.tuple(u32, u32, u32, u32).map(([a, b, c, d]) => formatIpv6Words(a, b, c, d));

export const context: fc.Arbitrary<CodecContext> = fc
  .record({ fourOctetAs: fc.boolean(), v4: fc.boolean(), v6: fc.boolean(), extendedMessage: fc.boolean() })
  .map(({ fourOctetAs, v4, v6, extendedMessage }) => {
    const set = new Set<number>();
    if (v4) set.add(familyKey(Afi.Ipv4, 1));
    if (v6) set.add(familyKey(Afi.Ipv6, 1));
    return makeContext({ fourOctetAs, addPathReceive: set, addPathSend: set, extendedMessage });
  });

function prefixesV4(max: number, addPath: boolean): fc.Arbitrary<NlriList> {
  const entry = fc.record({ a: u32, len: fc.integer({ min: 0, max: 32 }), id: u32 });
  return fc.uniqueArray(entry, { maxLength: max, selector: (e) => `${e.a}/${e.len}/${e.id}` }).map((es) =>
    nlriFromPrefixes(
      Afi.Ipv4,
      es.map((e) => ({ prefix: `${formatIpv4(e.a)}/${e.len}`, pathId: addPath ? e.id : 0 })),
      addPath,
    ),
  );
}

function prefixesV6(max: number, addPath: boolean): fc.Arbitrary<NlriList> {
  const entry = fc.record({ a: ipv6, len: fc.integer({ min: 0, max: 128 }), id: u32 });
  return fc.array(entry, { maxLength: max }).map((es) =>
    nlriFromPrefixes(
      Afi.Ipv6,
      es.map((e) => ({ prefix: `${e.a}/${e.len}`, pathId: addPath ? e.id : 0 })),
      addPath,
    ),
  );
}

const capability: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({
    kind: fc.constant("multiprotocol" as const),
    afi: fc.constantFrom(1, 2),
    safi: fc.constantFrom(1, 2),
  }),
  fc.constant({ kind: "route-refresh" as const }),
  fc.constant({ kind: "enhanced-route-refresh" as const }),
  fc.constant({ kind: "extended-message" as const }),
  fc.record({ kind: fc.constant("four-octet-as" as const), asn: u32 }),
  fc.record({
    kind: fc.constant("add-path" as const),
    families: fc.array(
      fc.record({
        afi: fc.constantFrom(1, 2),
        safi: fc.constant(1),
        direction: fc.constantFrom(1 as const, 2 as const, 3 as const),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  fc.record({
    kind: fc.constant("graceful-restart" as const),
    restarting: fc.boolean(),
    notification: fc.boolean(),
    restartTime: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(
      fc.record({ afi: fc.constantFrom(1, 2), safi: fc.constant(1), forwarding: fc.boolean() }),
      {
        maxLength: 3,
      },
    ),
  }),
  fc.record({
    kind: fc.constant("extended-next-hop" as const),
    entries: fc.array(
      fc.record({ afi: fc.constant(1), safi: fc.constantFrom(1, 2), nextHopAfi: fc.constant(2) }),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
  }),
  fc.record({
    kind: fc.constant("unknown" as const),
    code: fc.constantFrom(3, 4, 66, 71, 73, 128, 200),
    value: bytes(12),
  }),
);

export const open: fc.Arbitrary<OpenMessage> = fc.record({
  type: fc.constant(MessageType.Open),
  version: fc.constant(4),
  myAs: u16,
  holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  bgpId: u32.filter((x) => x !== 0).map(formatIpv4),
  capabilities: fc.array(capability, { maxLength: 12 }),
});

const asPath = (fourOctet: boolean) =>
  fc.array(
    fc.record({
      type: fc.constantFrom<AsPathSegmentType>(AsPathSegmentType.AsSequence, AsPathSegmentType.AsSet),
      asns: fc.array(
        fourOctet ? fc.integer({ min: 1, max: 0xffffffff }) : fc.integer({ min: 1, max: 0xffff }),
        {
          minLength: 1,
          maxLength: 20,
        },
      ),
    }),
    { maxLength: 4 },
  );

const largeCommunity: fc.Arbitrary<LargeCommunity> = fc.record({
  globalAdmin: u32,
  localData1: u32,
  localData2: u32,
});

/**
 * Valid attribute sets (RFC 7606 would otherwise turn the UPDATE into a
 * withdrawal): ORIGIN, AS_PATH and NEXT_HOP always present; optional fields
 * left out rather than undefined, as the decoder does; unknown attributes
 * with distinct type codes in ascending order (the encoder's order).
 */
function attributes(ctx: CodecContext): fc.Arbitrary<PathAttributes> {
  const mandatory = fc.record({
    origin: fc.constantFrom(0 as const, 1 as const, 2 as const),
    asPath: asPath(ctx.fourOctetAs),
    nextHop: ipv4,
  });
  const optional = fc.record(
    {
      med: u32,
      localPref: u32,
      atomicAggregate: fc.constant(true as const),
      aggregator: fc.record({
        asn: ctx.fourOctetAs ? fc.integer({ min: 1, max: 0xffffffff }) : fc.integer({ min: 1, max: 0xffff }),
        address: ipv4,
      }),
      communities: fc.array(u32, { minLength: 1, maxLength: 10 }),
      originatorId: ipv4,
      clusterList: fc.array(ipv4, { minLength: 1, maxLength: 4 }),
      extendedCommunities: fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), {
        minLength: 1,
        maxLength: 4,
      }),
      largeCommunities: fc.array(largeCommunity, { minLength: 1, maxLength: 4 }),
      unknown: fc
        .uniqueArray(
          fc.record({
            flags: fc.constantFrom(0xc0, 0x80, 0xe0),
            type: fc.constantFrom(19, 20, 25, 31, 33, 99, 200, 254),
            value: bytes(40),
          }),
          { minLength: 1, maxLength: 3, selector: (a) => a.type },
        )
        .map((xs) => [...xs].sort((a, b) => a.type - b.type)),
    },
    { requiredKeys: [] },
  );
  return fc.tuple(mandatory, optional).map(([m, o]) => ({ ...m, ...o }));
}

/** A well-formed UPDATE (with its context) that fits in one message. */
export const updateWithContext: fc.Arbitrary<{ ctx: CodecContext; msg: UpdateMessage }> = context.chain(
  (ctx) => {
    const v4ap = ctx.addPathSend.has(familyKey(Afi.Ipv4, 1));
    const v6ap = ctx.addPathSend.has(familyKey(Afi.Ipv6, 1));
    const mpReach = fc.record({
      afi: fc.constant(Afi.Ipv6),
      safi: fc.constant(1),
      nextHop: ipv6,
      nlri: prefixesV6(20, v6ap),
    });
    const mpReachLl = fc.record({
      afi: fc.constant(Afi.Ipv6),
      safi: fc.constant(1),
      nextHop: ipv6,
      linkLocalNextHop: ipv6,
      nlri: prefixesV6(20, v6ap),
    });
    const mpUnreach = fc.record({
      afi: fc.constant(Afi.Ipv6),
      safi: fc.constant(1),
      nlri: prefixesV6(20, v6ap),
    });
    return fc
      .record(
        {
          withdrawn: prefixesV4(30, v4ap),
          attributes: attributes(ctx),
          nlri: prefixesV4(30, v4ap),
          mpReach: fc.oneof(mpReach, mpReachLl),
          mpUnreach,
        },
        { requiredKeys: ["withdrawn", "attributes", "nlri"] },
      )
      .map((u) => ({ ctx, msg: { type: MessageType.Update, ...u } as UpdateMessage }));
  },
);

export const notification: fc.Arbitrary<NotificationMessage> = fc.oneof(
  fc.record({
    type: fc.constant(MessageType.Notification),
    code: fc.constantFrom(1, 2, 3, 4, 5, 7),
    subcode: u8,
    data: bytes(40),
  }),
  fc
    .record({
      subcode: fc.constantFrom(CeaseSubcode.AdministrativeShutdown, CeaseSubcode.AdministrativeReset),
      text: fc.string({ unit: "grapheme", maxLength: 60 }).filter((s) => Buffer.byteLength(s) <= 255),
    })
    .map(({ subcode, text }) => ({
      type: MessageType.Notification,
      code: ErrorCode.Cease,
      subcode,
      data: Uint8Array.from([Buffer.byteLength(text), ...Buffer.from(text)]),
      shutdownCommunication: text,
    })),
);

export const routeRefresh: fc.Arbitrary<RouteRefreshMessage> = fc.record({
  type: fc.constant(MessageType.RouteRefresh),
  afi: fc.constantFrom(1, 2),
  safi: fc.constantFrom(1, 2),
  subtype: fc.constantFrom(0, 1, 2),
});

/** Any message with the context it is encoded in. */
export const message: fc.Arbitrary<{ ctx: CodecContext; msg: BgpMessage }> = fc.oneof(
  fc.tuple(context, open).map(([ctx, msg]) => ({ ctx, msg })),
  updateWithContext,
  fc.tuple(context, notification).map(([ctx, msg]) => ({ ctx, msg })),
  fc.tuple(context, routeRefresh).map(([ctx, msg]) => ({ ctx, msg })),
  context.map((ctx) => ({ ctx, msg: { type: MessageType.Keepalive } as BgpMessage })),
);

export { u8, u16, u32 };
