/**
 * The outbound pump: changed prefixes in, UPDATEs on the wire out, one
 * bounded turn at a time (setImmediate), so that no big step holds the event
 * loop — a burst of received UPDATEs, a table dump to a new peer, a peer
 * leaving with a million routes, a route refresh — and keepalives keep going.
 *
 *     changed(keys) ─> settled at once while the turn's InlineSlice lasts
 *                      else ─> dirty
 *                              ─┐   one turn: drain  ≤ SettleSlice routes of peers gone ─> dirty
 *     received(session) ──────┤             settle ≤ SettleSlice dirty prefixes (Loc-RIB + exports)
 *     refresh(member, job) ───┘             flush  ≤ FlushSlice prefixes per update group,
 *                                                  the same octets written to every member
 *                                           refresh ≤ FlushSlice prefixes per route refresh
 *                                           again next turn while anything is left
 *
 * Settling at once: the prefixes of a received UPDATE are settled (re-selected
 * and exported) as soon as they are in the Loc-RIB, while their slots are
 * still in the CPU cache — a table load touches a million random slots, and
 * settling them a few thousand prefixes later meant a cache miss per prefix
 * and table. About InlineSlice prefixes per turn are settled so (the last
 * UPDATE may pass it); then the session pauses until the next turn. Keys
 * queued earlier may be settled after later ones: settling a prefix reads
 * its current state, so the order does not matter (a prefix settled twice
 * reports and exports nothing the second time).
 *
 * Backpressure: while more than SettleBacklog changed prefixes wait, the
 * session that sent them stops reading (TCP pushes back on the sender), so
 * one poll phase cannot swallow megabytes of UPDATEs in one go. A turn
 * flushes about as many prefixes per group as can be settled between two
 * turns (InlineSlice + SettleSlice), so the Adj-RIB-Out queues stay bounded.
 */
import { State } from "../fsm/types.js";
import type { LocRibChange } from "../rib/loc-rib.js";
import type { PrefixKey } from "../rib/prefix-key.js";
import type { Session } from "../session/session.js";
import type { RefreshJob, RouteEngine } from "./route-engine.js";

/** How many changed prefixes one turn re-selects and exports (and how many routes of a gone peer it withdraws). */
const SettleSlice = 4_000;
/** How many changed prefixes may be settled as they arrive (`changed`) between two turns. */
const InlineSlice = 16_000;
/** How many prefixes per update group (and per route refresh) one turn takes. */
const FlushSlice = InlineSlice + SettleSlice;
/** Reading from a peer pauses while more changed prefixes than this wait to be settled. */
const SettleBacklog = SettleSlice;

/** A neighbor as the pump sees it. */
export interface PumpMember {
  readonly session: Session | undefined;
  updatesOut: number;
}

export interface OutboundPumpOptions {
  readonly engine: RouteEngine;
  /** The neighbor with this peer id. */
  readonly member: (id: number) => PumpMember | undefined;
  /** Told of every Loc-RIB change, or undefined when nobody listens (formatting costs). */
  readonly report: () => ((key: PrefixKey, change: LocRibChange) => void) | undefined;
}

export class OutboundPump {
  readonly #opts: OutboundPumpOptions;
  /** Prefixes to re-select; duplicates are harmless (LocRib.update reports a prefix once). */
  #dirty: PrefixKey[] = [];
  /** How far `#dirty` has been settled. */
  #dirtyAt = 0;
  /** Sessions whose reading is paused until the backlog of changes shrinks. */
  readonly #paused = new Set<Session>();
  /** Route refreshes in progress, sent a slice per turn. */
  readonly #refreshes: {
    readonly member: PumpMember;
    readonly job: RefreshJob;
    readonly done: () => void;
  }[] = [];
  #scheduled = false;
  /** What is left of this turn's InlineSlice. */
  #inline = InlineSlice;

  constructor(opts: OutboundPumpOptions) {
    this.#opts = opts;
  }

  /** These prefixes changed: settled now while this turn's InlineSlice lasts, else queued for the next turns. */
  changed(keys: readonly PrefixKey[]): void {
    if (keys.length > 0 && this.#inline > 0) {
      this.#inline -= keys.length;
      this.#opts.engine.settle(keys, this.#opts.report());
    } else for (const k of keys) this.#dirty.push(k);
    this.schedule();
  }

  /**
   * An UPDATE from `session` was applied: pause its reading until the next
   * turn when this turn's InlineSlice is spent or too much waits.
   */
  received(session: Session | undefined): void {
    if (session === undefined || this.#paused.has(session)) return;
    if (this.#inline > 0 && this.#backlog <= SettleBacklog) return;
    session.stream?.pause();
    this.#paused.add(session);
  }

  /** Sends a route refresh's table to `member` in slices; `done` after the last one. */
  refresh(member: PumpMember, job: RefreshJob, done: () => void): void {
    this.#refreshes.push({ member, job, done });
    this.schedule();
  }

  /** Runs a turn soon (once, however often it is asked). */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#turn());
  }

  get #backlog(): number {
    return this.#dirty.length - this.#dirtyAt;
  }

  #turn(): void {
    this.#scheduled = false;
    this.#inline = InlineSlice;
    const engine = this.#opts.engine;
    for (const k of engine.drain(SettleSlice)) this.#dirty.push(k);
    const dirty = this.#dirty;
    const from = this.#dirtyAt;
    const to = Math.min(dirty.length, from + SettleSlice);
    engine.settle(dirty, this.#opts.report(), from, to);
    if (to === dirty.length) {
      this.#dirty = [];
      this.#dirtyAt = 0;
    } else this.#dirtyAt = to;
    const settled = this.#dirty.length === 0;
    for (const f of engine.flush(FlushSlice, settled)) {
      for (const id of f.members) {
        const m = this.#opts.member(id);
        const session = m?.session;
        if (m === undefined || session === undefined || session.state !== State.Established) continue;
        send(session, f.messages);
        m.updatesOut += f.messages.length;
      }
    }
    for (let i = 0; i < this.#refreshes.length; ) {
      const r = this.#refreshes[i]!;
      const messages = r.member.session === undefined ? undefined : r.job.next(FlushSlice);
      if (messages === undefined) {
        r.done();
        this.#refreshes.splice(i, 1);
        continue;
      }
      if (r.member.session !== undefined) send(r.member.session, messages);
      r.member.updatesOut += messages.length;
      i++;
    }
    if (this.#paused.size > 0 && this.#backlog <= SettleBacklog) {
      for (const session of this.#paused) session.stream?.resume();
      this.#paused.clear();
    }
    if (!settled || engine.busy || this.#refreshes.length > 0) this.schedule();
  }
}

/**
 * Writes a turn's UPDATEs to one session as one write (corked): a few large
 * TCP segments instead of one per UPDATE, which costs both ends less.
 */
function send(session: Session, messages: readonly Uint8Array[]): void {
  const stream = session.stream;
  stream?.cork();
  for (const msg of messages) session.sendUpdate(msg);
  stream?.uncork();
}
