// The live query itself (`client.live_query(options)` builds it through `live.js`, which checks the
// options first and, in browser builds, loads this module on the first call). It runs where it is
// called, on `watch`, `query` and the client's events, so with `shared: true` the watch and the
// queries go through the shared connection. Why it loses no change (docs/design.md, "Live queries"):
// - the watch is registered before the first query; an event that arrives while a query is in
//   flight is applied to that query's answer (the answer may predate it), and one that arrives
//   before a query is sent is in its answer;
// - an event updates or removes its row at once, and every event asks for a new query: at most
//   one in flight and one waiting, so a burst of events costs two queries; subscribers are called
//   at most once per SNAPSHOT_MS, so a burst gives a few snapshots, not one per event;
// - `Disconnected` makes it "stale"; after `SignedIn` (the client registered the watch again
//   before it) it queries again and is "live";
// - a refused watch or query ends it with the error; nothing retries.
// Nothing here runs at import time but defining functions.

/** Query errors after which the rows are only stale: the next sign-in or change queries again. */
const TRANSIENT = ["Disconnected", "Timeout", "OutboxFull", "RateLimited"];
/** Subscribers are called at most once per this many ms (a burst of changes: a few snapshots). */
const SNAPSHOT_MS = 50;

/** `list` with the change `ev` applied to its row, if it has one (a copy; `list` when not). */
function applyTo(projected, list, ev) {
  const d = ev.document, i = d && d._id !== undefined ? list.findIndex((r) => r._id === d._id) : -1;
  if (i < 0) return list;
  const row = list[i];
  list = list.slice();
  if (ev.operation === "delete") list.splice(i, 1);
  // With a projection the row keeps its fields (the next query brings any others).
  else list[i] = projected ? Object.fromEntries(Object.keys(row).map((k) => [k, k in d ? d[k] : row[k]])) : d;
  return list;
}

/**
 * The live query of `o` (options live.js checked and copied) on `client`; `EMPTY` is the rows
 * before the first answer (live.js's, so a store's first snapshot keeps its identity).
 */
export function live(client, ClientError, o, EMPTY) {
  const ctl = new AbortController(), user = o.signal, subs = new Set(), wakers = new Set();
  const q = { ...o, signal: ctl.signal };
  let rows = EMPTY, keys = [], status = "loading", error = null, ended, version = 0, timer = 0, last = 0;
  // `busy`: a query is in flight (or the watch is being registered); `again`: another is wanted;
  // `held`: the events that arrived since the query in flight was sent.
  let busy = true, again = false, held = [];

  const notify = () => {
    clearTimeout(timer);
    timer = 0;
    last = Date.now();
    for (const s of [...subs]) {
      try {
        s(rows);
      } catch (e) {
        (globalThis.reportError || console.error)(e);
      }
    }
    wakers.forEach((f) => f());
    wakers.clear();
  };
  /** New rows (kept as they are where a row did not change) and/or a new status. */
  const set = (next, now = status) => {
    let changed = now !== status;
    status = now;
    if (next) {
      const k = next.map((r) => JSON.stringify(r)), old = new Map(rows.map((r, i) => [keys[i], r]));
      next = next.map((r, i) => old.get(k[i]) || r);
      if (!version || next.length !== rows.length || next.some((r, i) => r !== rows[i])) {
        rows = Object.freeze(next);
        keys = k;
        version++;
        changed = true;
      }
    }
    if (changed && !timer) timer = setTimeout(notify, last + SNAPSHOT_MS - Date.now());
  };
  const stale = () => set(0, status === "loading" ? status : "stale");

  const run = () => {
    busy = true;
    again = false;
    held = [];
    client.query(q).then((answer) => {
      busy = false;
      if (ended) return;
      set(held.reduce((l, ev) => applyTo(o.projection, l, ev), answer), "live");
      if (again) run();
    }, (e) => {
      busy = false;
      if (ended) return;
      const kind = e && e.kind;
      // NotConnected: the client was disconnected (or gave up): the live query ends with it.
      if (kind === "NotConnected") end();
      else if (!TRANSIENT.includes(kind)) end(e);
      else {
        stale();
        if (again) run();
      }
    });
  };
  const requery = () => (busy ? (again = true) : run());

  const handler = client.on_client_event(({ event }) => {
    if (ended) return;
    if (event === "Disconnected") stale();
    // After a drop a query waits for the connection (or finds a stopped client); once signed in
    // again (or connected, as a guest) one runs again, since the events of the outage are gone.
    if (event === "Disconnected" || event === "SignedIn" || (event === "Connected" && client.get_state() === "Connected")) requery();
  });
  let gone;
  const end = (e) => {
    if (!gone) {
      ended = true;
      error = e || null;
      ctl.abort();
      client.off_client_event(handler);
      if (user) user.removeEventListener("abort", close);
      // A watch still registering is cancelled by the abort; one that resolves anyway goes at once.
      gone = watching.then((id) => client.unwatch(id)).then(() => {}, () => {});
      status = "closed";
      notify();
    }
    return gone;
  };
  const close = () => end();
  // An aborted signal: nothing is registered (the watch rejects at once) and it ends below.
  if (user) user.aborted ? ctl.abort() : user.addEventListener("abort", close);
  const watching = new Promise((resolve) => resolve(client.watch({ ...q, paths: [] }, (ev) => {
    if (ended) return;
    // Shown at once; applied again to the answer of the query in flight, which may predate it.
    if (busy) held.push(ev);
    const next = applyTo(o.projection, rows, ev);
    if (next !== rows) set(next);
    requery();
  })));
  // A refused watch ends it: also a transport without watches (NotSupported), at once.
  watching.then(() => ended || run(), end);
  if (ctl.signal.aborted) end();

  const subscribe = (fn) => {
    if (typeof fn !== "function") throw new ClientError("subscribe needs a function");
    const s = (v) => fn(v);
    fn(rows);
    subs.add(s);
    // The last one out ends it, unless another subscribes in the same turn (React re-subscribes).
    return () => subs.delete(s) && !subs.size && queueMicrotask(() => subs.size || end());
  };
  const lq = {
    get rows() { return rows; },
    get status() { return status; },
    get error() { return error; },
    subscribe,
    close,
    /** Snapshots: the first result, then the latest after each change (never a backlog). */
    async *[Symbol.asyncIterator]() {
      const unsubscribe = subscribe(() => {});
      try {
        for (let seen = 0; ;) {
          if (error) throw error;
          if (ended) return;
          if (version > seen) {
            seen = version;
            yield rows;
          } else await new Promise((resolve) => wakers.add(resolve));
        }
      } finally {
        unsubscribe();
      }
    },
  };
  if (Symbol.dispose) lq[Symbol.dispose] = close;
  return lq;
}
