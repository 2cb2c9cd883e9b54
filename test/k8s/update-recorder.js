/**
 * Records everything an async iterator yields, so that tests can wait for a
 * condition on the stream (with a deadline) and inspect the whole history.
 */
export class UpdateRecorder {
  items = [];
  #ended = false;
  #cursor = 0;
  #waiters = new Set();
  constructor(iterator) {
    void (async () => {
      for await (const item of iterator) {
        this.items.push(item);
        for (const w of this.#waiters) w();
      }
      this.#ended = true;
      for (const w of this.#waiters) w();
    })();
  }
  get ended() {
    return this.#ended;
  }
  /**
   * Consumes the stream up to the first item, after the last one matched,
   * that satisfies `predicate`, and resolves with it.
   */
  async waitFor(predicate, timeoutMs = 5000) {
    const started = Date.now();
    for (;;) {
      const index = this.items.findIndex((item, i) => i >= this.#cursor && predicate(item));
      const found = this.items[index];
      if (index >= 0 && found !== undefined) {
        this.#cursor = index + 1;
        return found;
      }
      if (this.#ended) throw new Error("stream ended without a matching item");
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0)
        throw new Error(`no matching item within ${timeoutMs} ms; got ${JSON.stringify(this.items)}`);
      await new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.#waiters.add(done);
      });
    }
  }
}
//# sourceMappingURL=update-recorder.js.map
