/**
 * The cleanup registry: every resource the harness creates (namespace,
 * process, temp dir, FRR pathspace dir) registers how to remove it, once
 * asynchronously (normal teardown: `cleanupAll()` in afterAll/afterEach) and
 * once synchronously (last resort: the process `exit` hook and the
 * SIGINT/SIGTERM/SIGHUP handlers, where no promise can be awaited).
 *
 * Removal runs newest first, so processes die before the namespace they run
 * in is deleted. A failing entry does not stop the others; the failures are
 * thrown together at the end.
 *
 * The registry is process-wide on purpose: the exit hook must reach every
 * resource whichever test file created it.
 */

export interface CleanupAction {
  /** Human-readable, used in error messages: "netns portlb-123-1-router". */
  readonly label: string;
  readonly run: () => Promise<void>;
  readonly runSync: () => void;
}

/** Returned by `register`: the owner calls `release()` after removing the resource itself. */
export interface CleanupHandle {
  release(): void;
}

export class CleanupError extends Error {
  readonly code = "HARNESS_CLEANUP_FAILED";
  constructor(readonly failures: readonly { label: string; error: unknown }[]) {
    super(
      `cleanup failed for ${failures.length} resource(s): ${failures
        .map((f) => `${f.label}: ${(f.error as Error)?.message ?? String(f.error)}`)
        .join("; ")}`,
    );
  }
}

const exitSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

class CleanupRegistry {
  readonly #actions = new Map<number, CleanupAction>();
  #nextId = 0;
  #hooksInstalled = false;

  register(action: CleanupAction): CleanupHandle {
    this.#installHooks();
    const id = this.#nextId++;
    this.#actions.set(id, action);
    return { release: () => void this.#actions.delete(id) };
  }

  get size(): number {
    return this.#actions.size;
  }

  labels(): string[] {
    return [...this.#actions.values()].map((a) => a.label);
  }

  async cleanupAll(): Promise<void> {
    const failures: { label: string; error: unknown }[] = [];
    for (const [id, action] of this.#newestFirst()) {
      this.#actions.delete(id);
      try {
        await action.run();
      } catch (error) {
        failures.push({ label: action.label, error });
      }
    }
    if (failures.length > 0) throw new CleanupError(failures);
  }

  cleanupAllSync(): void {
    for (const [id, action] of this.#newestFirst()) {
      this.#actions.delete(id);
      try {
        action.runSync();
      } catch {
        // Last resort: keep going, there is nobody left to report to.
      }
    }
  }

  #newestFirst(): [number, CleanupAction][] {
    return [...this.#actions.entries()].sort((a, b) => b[0] - a[0]);
  }

  #installHooks(): void {
    if (this.#hooksInstalled) return;
    this.#hooksInstalled = true;
    process.once("exit", () => this.cleanupAllSync());
    for (const signal of exitSignals) {
      const onSignal = (): void => {
        this.cleanupAllSync();
        // If nobody else handles the signal, restore its default action (die).
        if (process.listenerCount(signal) === 1) {
          process.removeListener(signal, onSignal);
          process.kill(process.pid, signal);
        }
      };
      process.on(signal, onSignal);
    }
  }
}

/** The one registry of this process. */
export const cleanupRegistry = new CleanupRegistry();

/** Removes every registered resource, newest first; throws CleanupError listing what failed. */
export function cleanupAll(): Promise<void> {
  return cleanupRegistry.cleanupAll();
}
