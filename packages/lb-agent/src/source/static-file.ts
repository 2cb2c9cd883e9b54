/**
 * The static backend source: services and backends listed in a YAML file
 * (see `static-file-schema.ts`), for running lb-agent without Kubernetes.
 *
 * Data flow: file -> FileWatcher (fs.watch + debounce + polling) -> reload
 * -> parseStaticFile -> UpdateStream (per-service snapshots; unchanged
 * services are not re-emitted; services gone from the file are `removed`).
 *
 * A bad file at start-up is fatal (`start()` rejects with a SourceError that
 * names the field). A bad edit later is not: the last good configuration
 * stays in force, the problem is logged with every field path, and is
 * available as `lastError` until a good version is saved.
 */
import { readFile } from "node:fs/promises";
import type { Logger } from "pino";
import type { BackendService, SourceUpdate } from "../model.js";
import type { BackendSource } from "./backend-source.js";
import { FileWatcher } from "./file-watcher.js";
import { SourceLogEvent } from "./log-events.js";
import { SourceError, SourceErrorCode } from "./source-error.js";
import { parseStaticFile } from "./static-file-schema.js";
import { UpdateStream } from "./update-stream.js";

function asSourceError(error: unknown): SourceError {
  if (error instanceof SourceError) return error;
  return new SourceError(SourceErrorCode.StaticFileInvalid, String(error), { cause: error });
}

export interface StaticFileSourceOptions {
  readonly path: string;
  readonly logger: Logger;
  /** Quiet time after the last file event before reloading. Default 200 ms. */
  readonly debounceMs?: number;
  /** Fallback polling period. Default 2000 ms. */
  readonly pollIntervalMs?: number;
  /** Set false to rely on polling alone. Default true. */
  readonly useFsWatch?: boolean;
}

export class StaticFileSource implements BackendSource {
  readonly #options: StaticFileSourceOptions;
  readonly #log: Logger;
  readonly #stream = new UpdateStream();
  #watcher: FileWatcher | undefined;
  #lastText: string | undefined;
  #lastError: SourceError | undefined;
  #reloading: Promise<void> | undefined;
  #reloadAgain = false;
  #stopped = false;

  constructor(options: StaticFileSourceOptions) {
    this.#options = options;
    this.#log = options.logger.child({ source: "static", file: options.path });
  }

  /** @throws SourceError when the file cannot be read or is invalid. */
  async start(): Promise<void> {
    const text = await this.#read();
    this.#apply(text, parseStaticFile(text, this.#options.path));
    this.#watcher = new FileWatcher(this.#options.path, {
      debounceMs: this.#options.debounceMs ?? 200,
      pollIntervalMs: this.#options.pollIntervalMs ?? 2000,
      useFsWatch: this.#options.useFsWatch ?? true,
      onChange: () => void this.reload(),
      onWatchUnavailable: (error) =>
        this.#log.warn(
          { event: SourceLogEvent.staticWatchFallback, err: error },
          "fs.watch unavailable, polling",
        ),
    });
    await this.#watcher.start();
  }

  async synced(): Promise<void> {}

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watcher?.close();
    this.#stream.close();
  }

  current(): BackendService[] {
    return this.#stream.current();
  }

  updates(): AsyncIterableIterator<SourceUpdate> {
    return this.#stream.subscribe();
  }

  /** The problem with the file on disk, if the last edit was rejected. */
  get lastError(): SourceError | undefined {
    return this.#lastError;
  }

  /** Re-reads the file now. Never rejects; concurrent calls are serialised. */
  reload(): Promise<void> {
    if (this.#reloading !== undefined) {
      this.#reloadAgain = true;
      return this.#reloading;
    }
    this.#reloading = (async () => {
      do {
        this.#reloadAgain = false;
        await this.#reloadOnce();
      } while (this.#reloadAgain && !this.#stopped);
    })().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async #reloadOnce(): Promise<void> {
    if (this.#stopped) return;
    let text: string;
    try {
      text = await this.#read();
    } catch (error) {
      // Usually the instant between unlink and rename of a non-atomic editor:
      // keep serving the last good configuration and wait for the next event.
      this.#reject(asSourceError(error), SourceLogEvent.staticUnreadable);
      return;
    }
    if (text === this.#lastText || this.#stopped) return;
    try {
      this.#apply(text, parseStaticFile(text, this.#options.path));
    } catch (error) {
      this.#reject(asSourceError(error), SourceLogEvent.staticRejected);
    }
  }

  #reject(error: SourceError, event: SourceLogEvent): void {
    this.#lastError = error;
    this.#log.error(
      { event, code: error.code, problems: error.problems },
      `${error.message} (keeping the last good configuration)`,
    );
  }

  #apply(text: string, services: readonly BackendService[]): void {
    this.#lastText = text;
    this.#lastError = undefined;
    const names = new Set(services.map((s) => s.name));
    for (const old of this.#stream.current()) {
      if (!names.has(old.name) && this.#stream.remove(old.name)) {
        this.#log.info({ event: SourceLogEvent.serviceRemoved, service: old.name }, "service removed");
      }
    }
    for (const service of services) {
      if (this.#stream.publish(service)) {
        this.#log.info(
          {
            event: SourceLogEvent.serviceUpdated,
            service: service.name,
            endpoints: service.endpoints.length,
          },
          "service updated",
        );
      }
    }
    this.#log.info({ event: SourceLogEvent.staticLoaded, services: services.length }, "static file loaded");
  }

  async #read(): Promise<string> {
    try {
      return await readFile(this.#options.path, "utf8");
    } catch (error) {
      throw new SourceError(
        SourceErrorCode.StaticFileUnreadable,
        `${this.#options.path}: cannot read: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}
