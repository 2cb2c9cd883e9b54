/**
 * Watches one file for changes, robustly enough for real editors and for
 * Kubernetes ConfigMap volumes.
 *
 * - `fs.watch` is put on the file's *directory*, not the file: editors that
 *   save by writing a temp file and renaming it over the original replace the
 *   inode, which silently ends a watch on the file itself; ConfigMap volumes
 *   swap a `..data` symlink, so the event names another entry. Any event in
 *   the directory therefore triggers a check.
 * - Events are debounced (trailing): a burst (truncate, write, rename) gives
 *   one `onChange`.
 * - A polling fallback compares the file's stat signature (inode, size,
 *   mtime; following symlinks) every `pollIntervalMs`, for file systems where
 *   `fs.watch` misses events or is unavailable.
 *
 * `onChange` may fire when nothing changed; the caller compares contents.
 */
import { type FSWatcher, watch } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname } from "node:path";

export interface FileWatcherOptions {
  readonly debounceMs: number;
  readonly pollIntervalMs: number;
  readonly onChange: () => void;
  /** Set false to rely on polling alone (tests, exotic file systems). Default true. */
  readonly useFsWatch?: boolean;
  /** Called once if `fs.watch` cannot be used; polling continues. */
  readonly onWatchUnavailable?: (error: unknown) => void;
}

async function signatureOf(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return "missing";
  }
}

export class FileWatcher {
  readonly #path: string;
  readonly #options: FileWatcherOptions;
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #poll: NodeJS.Timeout | undefined;
  #signature = "";
  #closed = false;

  constructor(path: string, options: FileWatcherOptions) {
    this.#path = path;
    this.#options = options;
  }

  async start(): Promise<void> {
    this.#signature = await signatureOf(this.#path);
    if (this.#options.useFsWatch !== false) this.#startFsWatch();
    this.#poll = setInterval(() => void this.#pollOnce(), this.#options.pollIntervalMs);
  }

  #startFsWatch(): void {
    try {
      this.#watcher = watch(dirname(this.#path), { persistent: false }, () => this.#schedule());
      this.#watcher.on("error", (error) => {
        this.#watcher?.close();
        this.#watcher = undefined;
        this.#options.onWatchUnavailable?.(error);
      });
    } catch (error) {
      this.#options.onWatchUnavailable?.(error);
    }
  }

  /** The file's name, for logs. */
  get fileName(): string {
    return basename(this.#path);
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    this.#watcher = undefined;
    clearTimeout(this.#debounce);
    clearInterval(this.#poll);
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      if (this.#closed) return;
      void signatureOf(this.#path).then((sig) => {
        this.#signature = sig;
      });
      this.#options.onChange();
    }, this.#options.debounceMs);
  }

  async #pollOnce(): Promise<void> {
    const sig = await signatureOf(this.#path);
    if (this.#closed || sig === this.#signature) return;
    this.#signature = sig;
    this.#schedule();
  }
}
