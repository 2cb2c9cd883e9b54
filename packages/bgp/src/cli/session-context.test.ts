import { describe, expect, it } from "vitest";
import { AddPathDirection, Afi, Safi } from "../wire/constants.js";
import { familyKey } from "../wire/context.js";
import type { Capability, OpenMessage } from "../wire/messages.js";
import { buildOpen } from "../wire/open.js";
import { addPathFamilies, contextForSender } from "./session-context.js";

const v4 = familyKey(Afi.Ipv4, Safi.Unicast);
const v6 = familyKey(Afi.Ipv6, Safi.Unicast);

function open(asn: number, capabilities: Capability[]): OpenMessage {
  return buildOpen({ asn, holdTime: 90, bgpId: "198.18.0.1", capabilities });
}

function addPath(...families: [number, 1 | 2 | 3][]): Capability {
  return {
    kind: "add-path",
    families: families.map(([afi, direction]) => ({ afi, safi: Safi.Unicast, direction })),
  };
}

describe("contextForSender", () => {
  it("uses 4-octet AS and extended messages only when both OPENs carry them", () => {
    const wide = open(4200000001, [{ kind: "extended-message" }]);
    const narrow = open(65001, []);
    expect(contextForSender(wide, wide)).toMatchObject({ fourOctetAs: true, extendedMessage: true });
    expect(contextForSender(wide, narrow)).toMatchObject({ fourOctetAs: false, extendedMessage: false });
    expect(contextForSender(narrow, wide)).toMatchObject({ fourOctetAs: false, extendedMessage: false });
  });

  it("gives ADD-PATH per direction: sender Send + receiver Receive (RFC 7911 §5)", () => {
    const sender = open(65001, [
      addPath([Afi.Ipv4, AddPathDirection.Send], [Afi.Ipv6, AddPathDirection.Both]),
    ]);
    const receiver = open(65002, [
      addPath([Afi.Ipv4, AddPathDirection.Both], [Afi.Ipv6, AddPathDirection.Send]),
    ]);
    const ctx = contextForSender(sender, receiver);
    expect([...ctx.addPathReceive]).toEqual([v4]);
    // The receiver may send IPv6 with ids (it said Send, the sender said Both), not IPv4 (sender: Send only).
    expect([...ctx.addPathSend]).toEqual([v6]);
    expect([...addPathFamilies(receiver, sender)]).toEqual([v6]);
  });

  it("does nothing for ADD-PATH when one side lacks the capability", () => {
    const sender = open(65001, [addPath([Afi.Ipv4, AddPathDirection.Both])]);
    expect(contextForSender(sender, open(65002, [])).addPathReceive.size).toBe(0);
  });
});
