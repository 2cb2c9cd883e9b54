/**
 * Import and export policy as plain functions, and the safe defaults around
 * them. RFC 4271 §5.1.5 (LOCAL_PREF from eBGP is ignored), §9.1.2 (AS_PATH
 * loops), §9.2 (iBGP-learned routes are not sent to iBGP peers); RFC 8212
 * (eBGP: no routes in or out without a configured policy); RFC 1997
 * (NO_ADVERTISE, NO_EXPORT).
 *
 *     receive:  UPDATE attrs ─sanitizeReceived─> ImportPolicy(route, from) ─> Adj-RIB-In
 *     send:     Loc-RIB path ─mayAdvertise (split horizon, communities, reflection hook)
 *                            ─> ExportPolicy(path, to) ─> Adj-RIB-Out
 *
 * A policy answers accept, reject or modify(attrs). Rejected on import means
 * "treat as withdrawn"; rejected on export means "not advertised" (withdrawn
 * if it was). Route reflection (RFC 4456 §6) plugs in through
 * `ExportRules.reflection`, which the reflection module will provide.
 */
import type { PathAttributes } from "../wire/index.js";
import type { Path, PeerRef } from "./path.js";
import type { PrefixKey } from "./prefix-key.js";

export type PolicyResult =
  | { readonly action: "accept" }
  | { readonly action: "reject" }
  | { readonly action: "modify"; readonly attrs: PathAttributes };

export const accept: PolicyResult = Object.freeze({ action: "accept" });
export const reject: PolicyResult = Object.freeze({ action: "reject" });
export function modify(attrs: PathAttributes): PolicyResult {
  return { action: "modify", attrs };
}

/** A route as an import policy sees it. */
export interface ImportRoute {
  readonly prefix: PrefixKey;
  readonly pathId: number;
  readonly attrs: PathAttributes;
}

export type ImportPolicy = (route: ImportRoute, from: PeerRef) => PolicyResult;
export type ExportPolicy = (path: Path, to: PeerRef) => PolicyResult;

/** Accepts everything (the iBGP default). Recognised by identity: no per-prefix call. */
export const acceptAll: ImportPolicy = () => accept;
/** The export policy that accepts everything: one function, so peers using it can share an update group. */
export const acceptAllExport: ExportPolicy = () => accept;
/** Rejects everything (the eBGP default of RFC 8212). Recognised by identity. */
export const rejectAll: ImportPolicy = () => reject;

/** RFC 8212 §3: without a configured policy, accept nothing from an eBGP peer. */
export function defaultImportPolicy(from: PeerRef): ImportPolicy {
  return from.ibgp || from.local ? acceptAll : rejectAll;
}

/**
 * What every received route goes through before policy: LOCAL_PREF from an
 * eBGP peer is dropped (RFC 4271 §5.1.5: it MUST be ignored) and a route
 * whose AS_PATH holds our own AS is refused (RFC 4271 §9.1.2: an AS loop;
 * undefined is returned). Returns `attrs` itself when nothing changes.
 */
export function sanitizeReceived(
  attrs: PathAttributes,
  from: PeerRef,
  localAs: number | undefined,
): PathAttributes | undefined {
  if (localAs !== undefined && !from.ibgp && !from.local) {
    for (const s of attrs.asPath ?? []) if (s.asns.includes(localAs)) return undefined;
  }
  if (!from.ibgp && !from.local && attrs.localPref !== undefined) {
    const { localPref: _ignored, ...rest } = attrs;
    return rest;
  }
  return attrs;
}

/**
 * Route reflection hook (RFC 4456 §6): given an iBGP-learned path and an
 * iBGP target, may the path be reflected to it? Absent, nothing is reflected.
 */
export type ReflectionRule = (path: Path, to: PeerRef) => boolean;

export interface ExportRules {
  /** The configured export policy; absent means accept for iBGP peers and reject for eBGP (RFC 8212). */
  readonly policy?: ExportPolicy;
  readonly reflection?: ReflectionRule;
}

/**
 * The rules no policy can override: never back to the peer the route came
 * from; RFC 1997 NO_ADVERTISE (nobody) and NO_EXPORT / NO_EXPORT_SUBCONFED
 * (no eBGP peer); RFC 4271 §9.2: an iBGP-learned route goes to no iBGP peer
 * unless the reflection rule allows it.
 */
export function mayAdvertise(path: Path, to: PeerRef, reflection?: ReflectionRule): boolean {
  const from = path.peer;
  if (!from.local && from.id === to.id) return false;
  if (path.attrs.noAdvertise) return false;
  if (path.attrs.noExport && !to.ibgp) return false;
  if (from.ibgp && to.ibgp) return reflection?.(path, to) ?? false;
  return true;
}

/** The export decision for one path and one target peer. */
export function exportPath(path: Path, to: PeerRef, rules: ExportRules = {}): PolicyResult {
  if (!mayAdvertise(path, to, rules.reflection)) return reject;
  if (rules.policy !== undefined) return rules.policy(path, to);
  // RFC 8212 §3: no routes to an eBGP peer without a configured policy.
  return to.ibgp ? accept : reject;
}
