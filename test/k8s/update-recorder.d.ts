/**
 * Records everything an async iterator yields, so that tests can wait for a
 * condition on the stream (with a deadline) and inspect the whole history.
 */
export declare class UpdateRecorder<T> {
  #private;
  readonly items: T[];
  constructor(iterator: AsyncIterable<T>);
  get ended(): boolean;
  /**
   * Consumes the stream up to the first item, after the last one matched,
   * that satisfies `predicate`, and resolves with it.
   */
  waitFor(predicate: (item: T) => boolean, timeoutMs?: number): Promise<T>;
}
