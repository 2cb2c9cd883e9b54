/**
 * What a configuration change means for running sessions, as a pure plan.
 * Neighbors are compared by address and dynamic ranges by name:
 *   - gone from the config: end with Cease/Peer De-configured (RFC 4486);
 *   - settings changed: end with Cease/Other Configuration Change; a static
 *     neighbor starts again with the new settings, a dynamic peer reconnects
 *     into the new range settings;
 *   - only the import policy changed: ask for a ROUTE-REFRESH (RFC 2918) so
 *     the new policy sees every route, without a reset;
 *   - otherwise untouched.
 * Local AS, router ID, cluster ID, graceful-restart time and listeners need
 * a restart of the speaker; they are reported and left as they were.
 */
import type { SpeakerOptions } from "./speaker.js";
import type { NeighborConfig } from "./speaker-config.js";

/** What `reconfigure` did, by neighbor address or range name. */
export interface ReconfigureResult {
  readonly added: string[];
  readonly removed: string[];
  /** Sessions ended (Cease/Other Configuration Change) and restarted with new settings. */
  readonly reset: string[];
  /** Asked for a ROUTE-REFRESH because only the import policy changed. */
  readonly refreshed: string[];
  readonly unchanged: string[];
  /** Settings that only take effect after a restart of the speaker. */
  readonly needsRestart: string[];
}

export type PeerAction = "remove" | "reset" | "refresh" | "keep";

export interface ReconfigurePlan {
  readonly result: ReconfigureResult;
  /** Per running peer (by address). */
  readonly peers: Map<string, PeerAction>;
  /** Static neighbors to start (new, or reset with new settings). */
  readonly start: NeighborConfig[];
}

const restartOnly = ["localAs", "routerId", "clusterId", "gracefulRestartTime"] as const;

function push(list: string[], key: string): void {
  if (!list.includes(key)) list.push(key);
}

export function planReconfigure(
  old: SpeakerOptions,
  next: SpeakerOptions,
  running: readonly { readonly address: string; readonly range: string | undefined }[],
): ReconfigurePlan {
  const result: ReconfigureResult = {
    added: [],
    removed: [],
    reset: [],
    refreshed: [],
    unchanged: [],
    needsRestart: [],
  };
  for (const field of restartOnly) if (next[field] !== old[field]) result.needsRestart.push(field);
  if (JSON.stringify(next.listen ?? []) !== JSON.stringify(old.listen ?? []))
    result.needsRestart.push("listen");

  const oldRanges = new Map((old.dynamicNeighbors ?? []).map((r) => [r.name, r]));
  const newRanges = new Map((next.dynamicNeighbors ?? []).map((r) => [r.name, r]));
  const oldNeighbors = new Map((old.neighbors ?? []).map((n) => [n.address, n]));
  const newNeighbors = new Map((next.neighbors ?? []).map((n) => [n.address, n]));
  const peers = new Map<string, PeerAction>();
  const start: NeighborConfig[] = [];

  for (const { address, range } of running) {
    const key = range ?? address;
    const before = range === undefined ? oldNeighbors.get(address) : oldRanges.get(range);
    const after = range === undefined ? newNeighbors.get(address) : newRanges.get(range);
    if (after === undefined) {
      peers.set(address, "remove");
      push(result.removed, key);
    } else if (JSON.stringify(before) !== JSON.stringify(after)) {
      peers.set(address, "reset");
      if (range === undefined) start.push(after as NeighborConfig);
      push(result.reset, key);
    } else if (old.policies?.[key]?.import !== next.policies?.[key]?.import) {
      peers.set(address, "refresh");
      push(result.refreshed, key);
    } else {
      peers.set(address, "keep");
      push(result.unchanged, key);
    }
  }
  for (const [address, n] of newNeighbors) {
    if (!oldNeighbors.has(address)) {
      start.push(n);
      result.added.push(address);
    }
  }
  for (const name of newRanges.keys()) if (!oldRanges.has(name)) result.added.push(name);
  for (const name of oldRanges.keys()) if (!newRanges.has(name)) push(result.removed, name);
  return { result, peers, start };
}

/** The named fields of `o` (those that need a restart keep their old values). */
export function pickFields<T extends object>(o: T, fields: readonly string[]): Partial<T> {
  return Object.fromEntries(fields.map((f) => [f, o[f as keyof T]])) as Partial<T>;
}
