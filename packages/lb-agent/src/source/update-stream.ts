/**
 * The latest snapshot of every service, plus any number of coalescing
 * subscriptions to its changes.
 *
 * Sources `publish` complete per-service snapshots; an unchanged snapshot is
 * dropped here, so consumers (the reconciler) only wake up for real changes.
 * Each subscriber keeps at most one pending update per service: a slow
 * consumer skips intermediate states and always sees the latest one, and
 * memory stays bounded by the number of services.
 */
import { type BackendService, type ServiceName, type SourceUpdate, sameService } from "../model.js";

class Subscription implements AsyncIterableIterator<SourceUpdate> {
  readonly #pending = new Map<ServiceName, SourceUpdate>();
  #wake: (() => void) | undefined;
  #done = false;
  readonly #onEnd: (s: Subscription) => void;

  constructor(initial: readonly BackendService[], onEnd: (s: Subscription) => void) {
    for (const service of initial) this.#pending.set(service.name, { type: "service", service });
    this.#onEnd = onEnd;
  }

  push(update: SourceUpdate): void {
    if (this.#done) return;
    const name = update.type === "service" ? update.service.name : update.name;
    this.#pending.delete(name);
    this.#pending.set(name, update);
    this.#signal();
  }

  end(): void {
    this.#done = true;
    this.#signal();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async next(): Promise<IteratorResult<SourceUpdate>> {
    for (;;) {
      const first = this.#pending.entries().next();
      if (!first.done) {
        const [name, update] = first.value;
        this.#pending.delete(name);
        return { value: update, done: false };
      }
      if (this.#done) return { value: undefined, done: true };
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  async return(): Promise<IteratorResult<SourceUpdate>> {
    this.#done = true;
    this.#pending.clear();
    this.#signal();
    this.#onEnd(this);
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<SourceUpdate> {
    return this;
  }
}

export class UpdateStream {
  readonly #services = new Map<ServiceName, BackendService>();
  readonly #subscriptions = new Set<Subscription>();
  #closed = false;

  /** Records a snapshot; returns false (and notifies nobody) if nothing changed. */
  publish(service: BackendService): boolean {
    const previous = this.#services.get(service.name);
    if (previous !== undefined && sameService(previous, service)) return false;
    this.#services.set(service.name, service);
    for (const s of this.#subscriptions) s.push({ type: "service", service });
    return true;
  }

  /** Forgets a service; returns false if it was not known. */
  remove(name: ServiceName): boolean {
    if (!this.#services.delete(name)) return false;
    for (const s of this.#subscriptions) s.push({ type: "removed", name });
    return true;
  }

  get(name: ServiceName): BackendService | undefined {
    return this.#services.get(name);
  }

  current(): BackendService[] {
    return [...this.#services.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  subscribe(): AsyncIterableIterator<SourceUpdate> {
    const subscription = new Subscription(this.current(), (s) => this.#subscriptions.delete(s));
    if (this.#closed) subscription.end();
    else this.#subscriptions.add(subscription);
    return subscription;
  }

  /** Ends every subscription (after it has drained what is pending). */
  close(): void {
    this.#closed = true;
    for (const s of this.#subscriptions) s.end();
    this.#subscriptions.clear();
  }
}
