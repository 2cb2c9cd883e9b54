/**
 * What goes into the messages the FSM asks the session to send: the RFC 9003
 * shutdown communication in a Cease, AS_TRANS in OPEN for a 4-octet AS
 * (RFC 6793), and NOTIFICATION before OPEN only with
 * SendNOTIFICATIONwithoutOPEN (RFC 4271 §8.1.1).
 */
import { describe, expect, it } from "vitest";
import { MessageHeaderError } from "../wire/index.js";
import { transition } from "./transition.js";
import { config, drive, fmt, start, toEstablished, up } from "./transition.test-support.js";
import type { FsmEvent } from "./types.js";

describe("FSM sent messages", () => {
  it("carries the RFC 9003 shutdown communication in ManualStop's Cease", () => {
    const t = transition(config, drive(toEstablished), {
      type: "ManualStop",
      communication: "upgrading, back in 5 minutes",
    });
    const sent = t.actions.find((a) => a.type === "send");
    expect(sent).toMatchObject({
      message: { code: 6, subcode: 2, shutdownCommunication: "upgrading, back in 5 minutes" },
    });
  });

  it("sends AS_TRANS in My AS for a 4-octet local AS", () => {
    const cfg = { ...config, localAs: 4200000001 };
    const t = transition(cfg, drive([start], cfg), up);
    expect(t.actions.find((a) => a.type === "send")).toMatchObject({ message: { type: 1, myAs: 23456 } });
  });

  it("sends the NOTIFICATION of an error before OPEN only with SendNOTIFICATIONwithoutOPEN", () => {
    const err: FsmEvent = { type: "BgpHeaderErr", error: new MessageHeaderError("X", 1, "marker") };
    expect(transition(config, drive([start]), err).actions.map(fmt)).not.toContain("send NOTIFICATION 1/1");
    const cfg = { ...config, sendNotificationWithoutOpen: true };
    expect(transition(cfg, drive([start], cfg), err).actions.map(fmt)).toContain("send NOTIFICATION 1/1");
  });
});
