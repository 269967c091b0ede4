/**
 * What a live query is doing: `"loading"` its first result, `"live"`, `"stale"` (disconnected: the
 * rows are the last known, and it queries again after the next sign-in), or `"closed"` (by
 * `close()`, the last unsubscribe, `client.disconnect()`, or an error: see `error`).
 */
export type LiveStatus = "loading" | "live" | "stale" | "closed";

/** A live query's `for await` iterator: `break` (or `return()`) unsubscribes it. */
export interface LiveQueryIterator<T> extends AsyncIterableIterator<readonly T[]> {
  return(): Promise<IteratorReturnResult<undefined>>;
}

/**
 * The result of a query that stays current (`client.live_query(options)`). It is a Svelte store
 * (`$live` in a component), a React external store
 * (`useSyncExternalStore(live.subscribe, () => live.rows)`) and an async iterable of snapshots.
 */
export interface LiveQuery<T = Document> extends AsyncIterable<readonly T[]> {
  /** The current rows: empty while loading; a frozen array replaced (a new identity) only when the result changes. */
  readonly rows: readonly T[];
  /** Changes with a call of every subscriber. */
  readonly status: LiveStatus;
  /** Why it closed: the `ClientError` of a watch or query the server refused (rights, a bad query); otherwise null. */
  readonly error: ClientError | null;
  /**
   * The Svelte store contract: calls `fn(rows)` at once, then after every change of the rows or
   * of `status`; returns the function that unsubscribes. The last unsubscribe closes the live
   * query (unless another subscribes in the same turn, as React does). A plain function: pass
   * `live.subscribe` as it is.
   */
  readonly subscribe: (fn: (rows: readonly T[]) => void) => () => void;
  /** Ends the watch; resolves once it is removed. Every promise of the live query settles. */
  close(): Promise<void>;
  /** Snapshots of `rows`: the first result, then each change; a slow loop gets the latest, not a backlog. Throws `error`. */
  [Symbol.asyncIterator](): LiveQueryIterator<T>;
  /** `using live = client.live_query(...)` closes it at the end of the scope. */
  [Symbol.dispose](): void;
}

/** Live queries (left out of the messaging-only build, as is the data API). */
export interface Client {
  /**
   * The result of `query(options)`, kept current by a watch of the collection: a change to a row
   * updates or removes it at once, and every change queries again (at most one query in flight
   * and one waiting). After a reconnect it queries again by itself. `signal` closes it.
   */
  live_query<T = Document>(options: QueryOptions): LiveQuery<T>;
}
