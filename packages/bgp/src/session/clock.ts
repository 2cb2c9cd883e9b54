/**
 * The session layer's only source of time: an injectable clock, so unit
 * tests drive timers by hand (FakeClock) and production uses Node's timers.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

let nextId = 1;

export const systemClock: Clock = (() => {
  const live = new Map<number, NodeJS.Timeout>();
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = nextId++;
      const t = setTimeout(() => {
        live.delete(id);
        fn();
      }, ms);
      // Not unref'd: a retry timer may be all that keeps an active-only speaker alive.
      live.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      const t = live.get(handle.id);
      if (t !== undefined) clearTimeout(t);
      live.delete(handle.id);
    },
  };
})();

/** A manual clock for tests: time moves only through `advance`. */
export class FakeClock implements Clock {
  #now = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextId++;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }

  /** Pending timers, soonest first: [id, due time]. */
  pending(): [number, number][] {
    return [...this.#timers].map(([id, t]): [number, number] => [id, t.at]).sort((a, b) => a[1] - b[1]);
  }

  /** Moves time forward, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const next = this.pending()[0];
      if (next === undefined || next[1] > end) break;
      const timer = this.#timers.get(next[0])!;
      this.#timers.delete(next[0]);
      this.#now = timer.at;
      timer.fn();
    }
    this.#now = end;
  }
}
