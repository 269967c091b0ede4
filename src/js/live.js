// `client.live_query(options)`: the result of a query that stays current, as a Svelte store
// (`subscribe`), a React external store (`subscribe` + `rows`) and an async iterable. Builds with
// the data API only (`.ci/finish-glue.mjs` adds it after client.js). This module checks the
// options at once; the live query itself is `live-engine.js`, which browser builds load on the
// first call (1.2 KB gzip that a page without live queries does not load). Until it is loaded,
// that first live query is "loading" with no rows: its subscribers, `close()` and iterators carry
// over to the engine's. Nothing here runs at import time but defining functions.

import { extra } from "./client.js";

/** The rows before the first answer: one frozen array, so a store's first snapshot stays the same. */
const EMPTY = Object.freeze([]);

/**
 * Adds `live_query` to `Client` (once; builds with the data API only). `engine` is the module of
 * `live-engine.js`, or a function that imports it.
 */
export function extend_live(Client, ClientError, engine) {
  const proto = Client.prototype;
  if (typeof proto.query !== "function" || Object.prototype.hasOwnProperty.call(proto, "live_query")) return;
  let loading = null;
  /** A query result that stays current: a Svelte store, a React external store, an async iterable. */
  proto.live_query = function (options, ...more) {
    const e = extra(ClientError, "live_query", 1, [options, ...more]);
    if (e) throw e;
    // A live query needs a watch, which POST /api/v2 cannot keep (src/js/http.js).
    if (this.transport === "http") {
      throw new ClientError("live_query is not over POST /api/v2 (an http(s):// URL): use a wss:// URL", "NotSupported");
    }
    let o;
    try {
      if (options && typeof options === "object") o = { ...options };
    } catch {
      /* below */
    }
    if (!o || typeof o.collectionname !== "string" || !o.collectionname) {
      throw new ClientError("live_query needs options with a collectionname");
    }
    const user = o.signal;
    try {
      if (user && (typeof user.aborted !== "boolean" || typeof user.addEventListener !== "function")) throw 0;
    } catch {
      throw new ClientError("option 'signal' must be an AbortSignal");
    }
    const start = (m) => m.live(this, ClientError, o, EMPTY);
    if (typeof engine !== "function") return start(engine);
    loading ??= engine().then((m) => (engine = m), (err) => {
      loading = null;
      throw new ClientError(`live_query could not load live-engine.js: ${err && err.message}`, "ConnectFailed");
    });
    return later(loading, start, ClientError);
  };
}

/** The first live query while `ready` loads the engine: `start(module)` then builds the real one. */
function later(ready, start, ClientError) {
  let inner = null, closed = false, error = null;
  const subs = new Set(), wakers = new Set();
  const wake = () => {
    wakers.forEach((f) => f());
    wakers.clear();
  };
  const end = () => {
    if (closed || inner) return;
    closed = true;
    for (const s of [...subs]) {
      try {
        s.fn(EMPTY);
      } catch (e) {
        (globalThis.reportError || console.error)(e);
      }
    }
    wake();
  };
  ready.then((m) => {
    if (closed) return;
    inner = start(m);
    // The engine's live query calls each subscriber at once with what it already had: EMPTY.
    for (const s of subs) {
      let first = true;
      s.off = inner.subscribe((rows) => (first ? (first = false) : s.fn(rows)));
    }
    wake();
  }, (e) => {
    error = e;
    end();
  });
  const close = () => (inner ? inner.close() : (end(), Promise.resolve()));
  const subscribe = (fn) => {
    if (inner) return inner.subscribe(fn);
    if (typeof fn !== "function") throw new ClientError("subscribe needs a function");
    const s = { fn, off: null };
    fn(EMPTY);
    subs.add(s);
    // The last one out ends it, unless another subscribes in the same turn (as in the engine).
    return () => (s.off ? s.off() : subs.delete(s) && !subs.size && queueMicrotask(() => subs.size || close()));
  };
  const lq = {
    get rows() { return inner ? inner.rows : EMPTY; },
    get status() { return inner ? inner.status : closed ? "closed" : "loading"; },
    get error() { return inner ? inner.error : error; },
    subscribe,
    close,
    async *[Symbol.asyncIterator]() {
      if (!inner && !closed) await new Promise((resolve) => wakers.add(resolve));
      if (inner) yield* inner;
      else if (error) throw error;
    },
  };
  if (Symbol.dispose) lq[Symbol.dispose] = close;
  return lq;
}
