/** foldExabgpMessages on lines as ExaBGP 4.2.21 writes them (JSON encoder). */
import { describe, expect, it } from "vitest";
import { foldExabgpMessages, harnessStartType } from "./exabgp-messages.js";

const neighbor = '"address": { "local": "198.18.0.2", "peer": "198.18.0.1" }';
const state = (s: string): string => `{ "type": "state", "neighbor": { ${neighbor}, "state": "${s}" } }`;
// ExaBGP 4.2 quotes the fields of a received ROUTE-REFRESH twice: not JSON as written.
const refresh = `{ "exabgp": "4.0.1", "type": "refresh", "neighbor": { ${neighbor}, "direction": "receive", "route-refresh": { "afi": ""ipv4"", "safi": ""unicast"", "subtype": ""query"" } } }`;

describe("foldExabgpMessages", () => {
  it("reads ROUTE-REFRESH messages despite ExaBGP 4.2's doubled quotes", () => {
    const view = foldExabgpMessages([state("up"), refresh, state("down"), state("up"), ""].join("\n"));
    expect(view.refreshes).toEqual([{ peer: "198.18.0.1", afi: "ipv4", safi: "unicast", subtype: "query" }]);
    expect(view.states.get("198.18.0.1")).toBe("Established");
  });

  it("forgets refreshes, states and routes at a harness restart marker", () => {
    const view = foldExabgpMessages(
      [state("up"), refresh, JSON.stringify({ type: harnessStartType })].join("\n"),
    );
    expect(view.refreshes).toEqual([]);
    expect(view.states.size).toBe(0);
  });

  it("skips a line cut short", () => {
    expect(foldExabgpMessages(`${state("up")}\n{ "type": "sta`).states.get("198.18.0.1")).toBe("Established");
  });
});
