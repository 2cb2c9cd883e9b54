/**
 * The BGP decision process, phase 2 (RFC 4271 §9.1.2.2) with the route
 * reflection amendments of RFC 4456 §9, as pure functions over Paths.
 *
 *     candidates ─┬─ highest LOCAL_PREF (degree of preference; default 100)
 *                 ├─ a) shortest AS_PATH (AS_SET = 1, confederation segments = 0)
 *                 ├─ b) lowest ORIGIN
 *                 ├─ c) lowest MED among routes from the same neighbour AS
 *                 │     (all routes with always-compare-med; missing MED = 0)
 *                 ├─ d) eBGP (and locally originated) over iBGP
 *                 ├─ e) IGP cost to the NEXT_HOP: SKIPPED ── the multipath set is what survives to here
 *                 ├─ f) lowest BGP Identifier, ORIGINATOR_ID when present (RFC 4456 §9)
 *                 ├─    shortest CLUSTER_LIST (RFC 4456 §9, between f and g)
 *                 ├─ g) lowest peer address
 *                 └─    lowest path identifier, then lowest peer id (determinism only)
 *
 * Step e) is skipped: this library has no IGP and every next hop is treated
 * as reachable at equal cost (the route reflector passes next hops on
 * unchanged; the LB speakers do not select among received routes).
 *
 * The MED rule makes pairwise comparison non-transitive (A<B by MED in one
 * neighbour AS, B<C by router id, C<A by MED...), so `selectBest` follows the
 * RFC literally: each step REMOVES candidates from the set, in order.
 * `comparePaths` is the same steps for two paths (exact for two, and a total
 * order under always-compare-med); use it for display and tests, and
 * `selectBest` for selection.
 */
import type { Path } from "./path.js";

export interface DecisionOptions {
  /** Compare MED between routes from different neighbour ASes too. */
  readonly alwaysCompareMed: boolean;
  /** LOCAL_PREF assumed when a route has none (RFC 4271 §5.1.5 leaves it to policy). */
  readonly defaultLocalPref: number;
}

/** The conventional default LOCAL_PREF of iBGP implementations. */
export const DefaultLocalPref = 100;

export const defaultDecisionOptions: DecisionOptions = Object.freeze({
  alwaysCompareMed: false,
  defaultLocalPref: DefaultLocalPref,
});

/** The step at which two paths were told apart, in decision order. */
export const DecisionStep = {
  LocalPref: 1,
  AsPathLength: 2,
  Origin: 3,
  Med: 4,
  ExternalOverInternal: 5,
  BgpIdentifier: 6,
  ClusterListLength: 7,
  PeerAddress: 8,
  PathId: 9,
  PeerId: 10,
} as const;
export type DecisionStep = (typeof DecisionStep)[keyof typeof DecisionStep];

export interface Selection {
  readonly best: Path;
  /** Every candidate that ties with the best up to and including step e) (the ECMP set); contains `best`. */
  readonly multipath: readonly Path[];
}

function localPrefOf(p: Path, opts: DecisionOptions): number {
  return p.attrs.localPref ?? opts.defaultLocalPref;
}

/** RFC 4271 §9.1.2.2 d): locally originated routes are not "received via IBGP". */
function isInternal(p: Path): boolean {
  return p.peer.ibgp;
}

/** RFC 4456 §9: ORIGINATOR_ID stands in for the advertising speaker's BGP Identifier. */
function routerIdOf(p: Path): number {
  return p.attrs.originatorId ?? p.peer.bgpIdValue;
}

function medComparable(a: Path, b: Path, opts: DecisionOptions): boolean {
  return opts.alwaysCompareMed || a.attrs.neighborAs === b.attrs.neighborAs;
}

/** Sign of (x - y) for "lower wins" values. */
function lower(x: number, y: number): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The deciding step with its outcome: negative when `a` is preferred,
 * positive when `b` is, 0 for the same path. |result| is the DecisionStep.
 */
function compareSteps(a: Path, b: Path, opts: DecisionOptions): number {
  let r = lower(localPrefOf(b, opts), localPrefOf(a, opts));
  if (r !== 0) return r * DecisionStep.LocalPref;
  r = lower(a.attrs.asPathLength, b.attrs.asPathLength);
  if (r !== 0) return r * DecisionStep.AsPathLength;
  r = lower(a.attrs.origin, b.attrs.origin);
  if (r !== 0) return r * DecisionStep.Origin;
  if (medComparable(a, b, opts)) {
    r = lower(a.attrs.med, b.attrs.med);
    if (r !== 0) return r * DecisionStep.Med;
  }
  r = lower(isInternal(a) ? 1 : 0, isInternal(b) ? 1 : 0);
  if (r !== 0) return r * DecisionStep.ExternalOverInternal;
  r = lower(routerIdOf(a), routerIdOf(b));
  if (r !== 0) return r * DecisionStep.BgpIdentifier;
  r = lower(a.attrs.clusterListLength, b.attrs.clusterListLength);
  if (r !== 0) return r * DecisionStep.ClusterListLength;
  const oa = a.peer.addressOrder;
  const ob = b.peer.addressOrder;
  if (oa !== ob) return (oa < ob ? -1 : 1) * DecisionStep.PeerAddress;
  r = lower(a.pathId, b.pathId);
  if (r !== 0) return r * DecisionStep.PathId;
  return lower(a.peer.id, b.peer.id) * DecisionStep.PeerId;
}

/** Negative when `a` is preferred over `b`, positive when `b` is, 0 when they are the same route. */
export function comparePaths(a: Path, b: Path, opts: DecisionOptions = defaultDecisionOptions): number {
  return Math.sign(compareSteps(a, b, opts));
}

/** The step that tells `a` and `b` apart, or undefined when nothing does. */
export function decidingStep(
  a: Path,
  b: Path,
  opts: DecisionOptions = defaultDecisionOptions,
): DecisionStep | undefined {
  const r = Math.abs(compareSteps(a, b, opts));
  return r === 0 ? undefined : (r as DecisionStep);
}

/**
 * True when `a` and `b` are equally good up to and including the IGP cost
 * step: same LOCAL_PREF, AS_PATH length and ORIGIN, equal MED where MED is
 * compared (same neighbour AS, or always-compare-med), both iBGP or both not.
 */
export function multipathEqual(a: Path, b: Path, opts: DecisionOptions = defaultDecisionOptions): boolean {
  const step = Math.abs(compareSteps(a, b, opts));
  return step === 0 || step > DecisionStep.ExternalOverInternal;
}

/** Keeps the candidates with the lowest `score`. */
function keepLowest(paths: Path[], score: (p: Path) => number): Path[] {
  if (paths.length < 2) return paths;
  let min = Number.POSITIVE_INFINITY;
  for (const p of paths) min = Math.min(min, score(p));
  return paths.filter((p) => score(p) === min);
}

/** RFC 4271 §9.1.2.2 c), as written: remove a route when a comparable one has a lower MED. */
function keepLowestMed(paths: Path[], opts: DecisionOptions): Path[] {
  if (paths.length < 2) return paths;
  if (opts.alwaysCompareMed) return keepLowest(paths, (p) => p.attrs.med);
  const minByAs = new Map<number, number>();
  for (const p of paths) {
    const m = minByAs.get(p.attrs.neighborAs);
    if (m === undefined || p.attrs.med < m) minByAs.set(p.attrs.neighborAs, p.attrs.med);
  }
  if (minByAs.size === paths.length) return paths;
  return paths.filter((p) => p.attrs.med === minByAs.get(p.attrs.neighborAs));
}

/**
 * Runs the decision process over `candidates` (any order; none are
 * modified). Returns undefined for no candidates.
 */
export function selectBest(
  candidates: readonly Path[],
  opts: DecisionOptions = defaultDecisionOptions,
): Selection | undefined {
  if (candidates.length === 0) return undefined;
  if (candidates.length === 1) return { best: candidates[0]!, multipath: [candidates[0]!] };
  let s = keepLowest([...candidates], (p) => -localPrefOf(p, opts));
  s = keepLowest(s, (p) => p.attrs.asPathLength);
  s = keepLowest(s, (p) => p.attrs.origin);
  s = keepLowestMed(s, opts);
  s = keepLowest(s, (p) => (isInternal(p) ? 1 : 0));
  const multipath = s;
  let best = s[0]!;
  for (let i = 1; i < s.length; i++) if (compareSteps(s[i]!, best, opts) < 0) best = s[i]!;
  return { best, multipath };
}
