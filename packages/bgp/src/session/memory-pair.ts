/**
 * Two in-memory Duplex streams wired back to back, like a TCP connection
 * without the kernel: what one writes, the other reads. `highWaterMark`
 * makes back-pressure observable (a reader that stops reading fills the
 * writer's buffer), which the send hold timer tests rely on.
 */
import { Duplex } from "node:stream";

class End extends Duplex {
  peer!: End;
  #pendingCallback: (() => void) | null = null;

  override _read(): void {
    const cb = this.peer.#pendingCallback;
    this.peer.#pendingCallback = null;
    cb?.();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.peer.destroyed) {
      callback(new Error("peer closed"));
      return;
    }
    // Deliver on a later tick, as a kernel would: a write never runs the
    // reader's handlers inside the writer's call. If the reader's buffer is
    // full, hold the callback until it reads (back-pressure).
    process.nextTick(() => {
      if (this.peer.destroyed) {
        callback(new Error("peer closed"));
        return;
      }
      if (this.peer.push(chunk)) callback();
      else this.#pendingCallback = () => callback();
    });
  }

  override _final(callback: (err?: Error | null) => void): void {
    process.nextTick(() => {
      this.peer.push(null);
      callback();
    });
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.destroy();
    callback(err);
  }
}

export function memoryPair(highWaterMark = 16 * 1024): [Duplex, Duplex] {
  const a = new End({ highWaterMark, allowHalfOpen: false });
  const b = new End({ highWaterMark, allowHalfOpen: false });
  a.peer = b;
  b.peer = a;
  return [a, b];
}
