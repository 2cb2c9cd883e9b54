/**
 * Session checks the interop suites share: route refresh (RFC 2918) in either
 * direction, a Cease from the daemon (RFC 9003 shutdown communication), and
 * connection collision (RFC 4271 §6.8) ending with exactly one session.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "vitest";
import type { BgpDaemon } from "../harness/bgp-route.js";
import type { Netns } from "../harness/netns.js";
import { waitFor } from "../harness/process.js";
import type { RunnerNeighbor, RunnerNotification } from "./runner-protocol.js";
import { OUR4, THEIR4 } from "./setup.js";
import type { SpeakerProcess } from "./speaker-process.js";

/** The daemon asks (`ask` makes it send ROUTE-REFRESH): we send our Adj-RIB-Out again. */
export async function expectWeAnswerRefresh(
  speaker: SpeakerProcess,
  daemon: BgpDaemon,
  ask: () => Promise<unknown>,
  peer = THEIR4,
): Promise<void> {
  const sent = (await speaker.neighbor(peer)).updatesSent;
  await ask();
  await waitFor(
    `we answer ${daemon.kind}'s ROUTE-REFRESH with UPDATEs`,
    async () => (await speaker.neighbor(peer)).updatesSent > sent,
  );
}

/** We ask (our import policy for `peer` changed): the daemon sends its routes again. */
export async function expectTheyAnswerRefresh(
  speaker: SpeakerProcess,
  daemon: BgpDaemon,
  peer = THEIR4,
): Promise<void> {
  const received = (await speaker.neighbor(peer)).updatesReceived;
  await speaker.refresh(peer);
  await waitFor(
    `${daemon.kind} answers our ROUTE-REFRESH with UPDATEs`,
    async () => (await speaker.neighbor(peer)).updatesReceived > received,
  );
}

/**
 * Waits until our session with `peer` ended on a NOTIFICATION from the daemon,
 * and checks it. `mayReconnect`: do not insist that the session is still down
 * when we look (the daemon accepts our next connection at once).
 */
export async function expectCeaseFrom(
  speaker: SpeakerProcess,
  daemon: BgpDaemon,
  peer: string,
  expected: Partial<RunnerNotification>,
  options: { readonly mayReconnect?: boolean } = {},
): Promise<RunnerNeighbor> {
  const down = await waitFor(`we see ${daemon.kind}'s Cease`, async () => {
    const n = await speaker.neighbor(peer);
    const ended = options.mayReconnect || n.state !== "Established";
    return ended && n.lastError?.received !== undefined ? n : undefined;
  });
  expect(down.lastError?.received).toMatchObject(expected);
  return down;
}

/** Established TCP connections on port 179 in `ns` (`ss -tn`), as "local peer" pairs. */
export async function bgpConnections(ns: Netns): Promise<string[]> {
  const { stdout } = await ns.exec("ss", [
    "-Htn",
    "state",
    "established",
    "( sport = :179 or dport = :179 )",
  ]);
  return stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map((f) => `${f[2]} ${f[3]}`);
}

/**
 * Both sides connect at once on the IPv4 session (both listen and connect):
 * once Established and `theirs` learned, and after time for any second
 * connection to finish its OPEN exchange and collision resolution, exactly one
 * TCP connection is left and both sides call it Established.
 */
export async function expectOneSessionAfterCollision(
  ours: Netns,
  speaker: SpeakerProcess,
  daemon: BgpDaemon,
  theirs: string,
): Promise<void> {
  await Promise.all([speaker.waitEstablished(THEIR4), daemon.waitEstablished(OUR4)]);
  await speaker.waitRoute(theirs);
  await sleep(3_000);
  expect(await bgpConnections(ours)).toHaveLength(1);
  expect((await speaker.neighbor(THEIR4)).state).toBe("Established");
  expect(await daemon.sessionState(OUR4)).toBe("Established");
}
