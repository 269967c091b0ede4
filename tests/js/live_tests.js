// Tests of `client.live_query()` against the test server, run in Node and in Chromium on the
// packed package (tests/runtimes/livequery/). Each export is one test: it throws on failure.
// `env` = {url, control, Client, ClientError}. The test server is this run's alone: the tests
// use its control port (/reset, /delay-reply, /drop, /log, /stats).

import { assert, assertEq, authUrl, control, sleep, track, waitFor } from "./harness.js";

let counter = 0;
const uniq = (name) => `${name}_${Date.now().toString(36)}_${++counter}`;
const range = (n) => Array.from({ length: n }, (_, i) => i);
const json = (v) => JSON.stringify(v);

/** A signed-in client (disconnected after the test); `extra` adds to its options. */
async function signedIn(env, extra = {}) {
  const c = track(new env.Client({ url: authUrl(env), reconnect: { initial_ms: 50, max_ms: 300 }, ...extra }));
  await c.connect();
  return c;
}
/** The envelopes the server received since the last /reset, of `command`. */
const logged = async (env, command) => JSON.parse(await control(env, `/log?command=${command}`));
/** How many watches the server holds on `collection`. */
const watches = async (env, collection) => JSON.parse(await control(env, "/stats")).watches[collection] || 0;
/** Every distinct `rows` array a subscriber of `live` got. */
function snapshots(live) {
  const seen = [];
  live.subscribe((rows) => seen.at(-1) === rows || seen.push(rows));
  return seen;
}
/** Waits until the live query shows what a fresh query with the same options gives. */
async function caughtUp(client, live, options, what) {
  let fresh;
  await waitFor(what, async () => json(live.rows) === json(fresh = await client.query(options)) || (await sleep(150), false), 20000);
  return fresh;
}

// ---------------------------------------------------------------------------------------------

/**
 * The first live query of a page runs while the browser builds load its engine (live-engine.js,
 * on demand): it is "loading" with no rows at once, and its subscriber and iterator carry over to
 * the engine's live query with one call per change (in Node the engine is bundled: the same
 * behaviour). Named to run first (the tests run in the order of their names).
 */
export async function a_browser_page_s_first_live_query_works_while_its_engine_loads(env) {
  const col = uniq("livefirst");
  const client = await signedIn(env), writer = await signedIn(env);
  await writer.insert_one({ collectionname: col, item: { n: 1 } });
  const live = client.live_query({ collectionname: col });
  const seen = [];
  const unsubscribe = live.subscribe((rows) => seen.push([live.status, rows.length]));
  assertEq([live.status, live.rows.length, live.error, seen], ["loading", 0, null, [["loading", 0]]], "at once");
  const it = live[Symbol.asyncIterator]();
  const first = await it.next();
  assertEq([first.done, first.value.length, first.value === live.rows], [false, 1, true], "the first snapshot");
  await waitFor("live", () => live.status === "live");
  assertEq(seen, [["loading", 0], ["live", 1]], "what the subscriber saw: once per change");
  await writer.insert_one({ collectionname: col, item: { n: 2 } });
  assertEq((await it.next()).value.length, 2, "the next snapshot");
  await it.return();
  unsubscribe();
  await waitFor("the last unsubscribe closed it", async () => live.status === "closed" && (await watches(env, col)) === 0);
}

export async function follows_three_concurrent_writers_with_few_snapshots(env) {
  const col = uniq("live300");
  const client = await signedIn(env);
  const writers = await Promise.all(range(3).map(() => signedIn(env)));
  // Membership (keep), order and top all move while the writers work.
  const options = { collectionname: col, query: { keep: true }, orderby: { n: -1 }, top: 150 };
  const live = client.live_query(options);
  const seen = snapshots(live);
  await waitFor("the first result", () => live.status === "live");
  // 300 documents, 100 per writer, all at once: inserted, updated, and one in three deleted.
  await Promise.all(writers.map(async (w, k) => {
    const docs = await Promise.all(range(100).map((i) =>
      w.insert_one({ collectionname: col, item: { n: k * 100 + i, keep: i % 5 !== 0, v: 0 } })));
    await Promise.all(docs.map((d) => w.update_one({ collectionname: col, item: { ...d, v: 1 } })));
    await Promise.all(docs.filter((_, i) => i % 3 === 0).map((d) => w.delete_one({ collectionname: col, id: d._id })));
  }));
  let fresh = await caughtUp(client, live, options, "the rows equal a fresh query");
  // Watch events may trail the writes (and each asks for a query): let them settle before
  // checking identity below, then check the rows again.
  for (let n = -1; n !== seen.length;) { n = seen.length; await sleep(400); }
  fresh = await caughtUp(client, live, options, "the rows still equal a fresh query");
  assertEq(fresh.length, 150, "the top 150 of the 200 documents left");
  assert(fresh.every((d) => d.v === 1 && d.keep), "every row updated and matching");
  const count = seen.length;
  assert(count > 2 && count < 100, `snapshots for 700 changes by three clients: ${count}, not far below 300`);
  // A change that leaves the result as it is (a document outside the query) gives no new rows.
  const rows = live.rows;
  await control(env, "/reset");
  await writers[0].insert_one({ collectionname: col, item: { n: 1000, keep: false } });
  await waitFor("the query again", async () => (await logged(env, "query")).length === 1);
  await sleep(200);
  assert(live.rows === rows && seen.length === count, "rows keep their identity while the result is the same");
  console.log(`live_query: 700 changes by 3 writers, ${count} snapshots`);
  await live.close();
}

export async function an_insert_while_the_first_query_is_answered_is_in_the_rows(env) {
  await control(env, "/reset");
  const col = uniq("livegap");
  const client = await signedIn(env), writer = await signedIn(env);
  await writer.insert_one({ collectionname: col, item: { name: "before" } });
  // The watch's answer comes 300 ms late, the query's 800 ms (each takes effect at once).
  await control(env, "/delay-reply?command=watch&ms=300");
  await control(env, "/delay-reply?command=query&ms=800");
  const live = client.live_query({ collectionname: col, orderby: { name: 1 } });
  await sleep(200);
  assertEq([(await logged(env, "watch")).length, (await logged(env, "query")).length], [1, 0],
    "the first query waits for the watch's answer");
  await waitFor("the query at the server", async () => (await logged(env, "query")).length === 1);
  await writer.insert_one({ collectionname: col, item: { name: "during" } });
  assertEq(live.status, "loading", "the answer is still held back");
  await waitFor("both documents", () => live.status === "live" && json(live.rows.map((d) => d.name)) === json(["before", "during"]));
  await live.close();
}

export async function a_change_to_a_row_shows_at_once_and_a_burst_costs_two_queries(env) {
  const col = uniq("liveburst");
  const client = await signedIn(env), writer = await signedIn(env);
  const docs = await writer.insert_many({ collectionname: col, items: range(50).map((i) => ({ i, v: 0, note: "x" })) });
  const options = { collectionname: col, orderby: { i: 1 }, projection: { i: 1, v: 1 } };
  const live = client.live_query(options);
  const seen = snapshots(live);
  // A query answer older than the events shown before it must not take a row back.
  const newest = new Map();
  let regressed = "";
  live.subscribe((rows) => rows.forEach((r) => {
    if ((newest.get(r._id) || 0) > r.v) regressed = `row ${r.i} went back from v ${newest.get(r._id)} to ${r.v}`;
    newest.set(r._id, r.v);
  }));
  await waitFor("the first result", () => live.status === "live");
  await control(env, "/reset");
  // Every query answer now comes 500 ms late: what shows before that came from the events.
  await control(env, "/delay-reply?command=query&ms=500&count=10");
  await writer.update_one({ collectionname: col, item: { ...docs[0], v: 1 } });
  await writer.delete_one({ collectionname: col, id: docs[49]._id });
  await waitFor("the update and the delete, before any query answered", () => live.rows[0].v === 1 && live.rows.length === 49, 400);
  assertEq(Object.keys(live.rows[0]).sort(), ["_id", "i", "v"], "an updated row keeps the projection");
  assertEq(live.status, "live", "status");
  // A burst: 48 updates at once, all while the first query is held back.
  const before = seen.length;
  await Promise.all(docs.slice(1, 49).map((d) => writer.update_one({ collectionname: col, item: { ...d, v: 2 } })));
  await waitFor("every row updated", () => live.rows.length === 49 && live.rows.slice(1).every((r) => r.v === 2), 5000);
  await sleep(1500);   // the second query, then nothing more
  assertEq((await logged(env, "query")).length, 2, "queries for the update, the delete and 48 updates");
  assertEq(regressed, "", "no row went back to an older version");
  assert(seen.length - before <= 3, `snapshots for the burst: ${seen.length - before}`);
  await control(env, "/heal");
  await caughtUp(client, live, options, "the rows equal a fresh query");
  await live.close();
}

export async function a_drop_makes_it_stale_then_live_with_the_changes_it_missed(env) {
  const col = uniq("livedrop");
  // The live client comes back 0.75-1.5 s after the drop; the writer within 50 ms. The query
  // that waits for the reconnect times out (400 ms): the one after SignedIn must catch up.
  const client = await signedIn(env, { reconnect: { initial_ms: 1500, max_ms: 2000 } });
  const writer = await signedIn(env);
  const options = { collectionname: col, orderby: { n: 1 }, timeout_ms: 400 };
  const live = client.live_query(options);
  const statuses = [];
  live.subscribe(() => statuses.at(-1) === live.status || statuses.push(live.status));
  await waitFor("the first result", () => live.status === "live");
  let n = 0, stored = 0, away = 0;
  const write = () => writer.insert_one({ collectionname: col, item: { n: n++ } }).then(() => {
    stored++;
    if (client.get_state() !== "Signedin") away++;
  }, () => {});
  for (let i = 0; i < 5; i++) await write();
  await control(env, "/drop");
  await waitFor("stale", () => statuses.at(-1) === "stale");
  // The writer goes on while the live client is away, and stops before it is back.
  await waitFor("the writer back", () => writer.get_state() === "Signedin");
  while (client.get_state() !== "Signedin" && n < 200) await Promise.all([write(), sleep(20)]);
  assert(away > 0, "no change was made while the live client was away");
  await waitFor("live again", () => statuses.at(-1) === "live", 10000);
  assertEq(statuses, ["loading", "live", "stale", "live"], "what a subscriber saw");
  const fresh = await caughtUp(client, live, options, "the rows equal a fresh query");
  assertEq(fresh.length, stored, "every document written, also while the live client was away");
  await live.close();
}

export async function a_guest_with_a_per_call_jwt_catches_up_after_a_drop(env) {
  // A guest connection (no sign-in) whose live query runs as a user through `jwt`: after a
  // reconnect the client says Connected, not SignedIn, and the live query catches up all the same.
  const col = uniq("liveguest");
  const { jwt } = JSON.parse(await control(env, "/jwt"));
  const guest = track(new env.Client({ url: env.url, reconnect: { initial_ms: 1500, max_ms: 2000 } }));
  await guest.connect();
  const writer = await signedIn(env);
  const live = guest.live_query({ collectionname: col, orderby: { n: 1 }, jwt, timeout_ms: 400 });
  await waitFor("the first result", () => live.status === "live");
  await writer.insert_one({ collectionname: col, item: { n: 1 } });
  await waitFor("the first insert", () => live.rows.length === 1);
  await control(env, "/drop");
  await waitFor("stale", () => live.status === "stale");
  // The writer is back within 50 ms (an insert in flight at the drop fails: it tries again).
  while (!(await writer.insert_one({ collectionname: col, item: { n: 2 } }).then(() => true, () => false))) await sleep(50);
  assert(guest.get_state() !== "Connected", "the guest reconnected before the insert");
  await waitFor("the insert made while the guest was away", () => live.status === "live" && live.rows.length === 2, 10000);
  assertEq(guest.get_state(), "Connected", "still a guest");
  await live.close();
}

export async function a_refused_query_ends_it_with_a_typed_error_and_no_retry(env) {
  await control(env, "/reset");
  const col = uniq("livebad");
  const client = await signedIn(env);
  const live = client.live_query({ collectionname: col, query: "{bad" });
  const statuses = [];
  live.subscribe(() => statuses.push(live.status));
  let thrown = null;
  try {
    for await (const rows of live) throw new Error("a snapshot of a refused query: " + json(rows));
  } catch (e) {
    thrown = e;
  }
  assert(thrown instanceof env.ClientError, "the loop throws a ClientError: " + thrown);
  assertEq([thrown.kind, live.status, live.error === thrown], ["Server", "closed", true], "kind, status, live.error");
  assertEq(statuses, ["loading", "closed"], "what a subscriber saw");
  await sleep(300);
  assertEq((await logged(env, "query")).length, 1, "queries: nothing retried");
  await waitFor("the watch removed", async () => (await watches(env, col)) === 0);
  // Bad arguments throw at once.
  for (const bad of [undefined, "people", {}, { collectionname: "" }, { collectionname: 3 }]) {
    let e = null;
    try { client.live_query(bad); } catch (err) { e = err; }
    assertEq([e instanceof env.ClientError, e && e.kind], [true, "InvalidArgument"], `live_query(${json(bad)})`);
  }
  let e = null;
  // An argument it does not take (a timeout meant for the options, say) is refused, not ignored.
  try { client.live_query({ collectionname: col }, 1000); } catch (err) { e = err; }
  assertEq([e && e.kind, /takes 1 argument/.test(e && e.message)], ["InvalidArgument", true], "live_query(options, 1000)");
  e = null;
  try { live.subscribe("not a function"); } catch (err) { e = err; }
  assertEq(e && e.kind, "InvalidArgument", "subscribe without a function");
}

export async function close_dispose_and_the_last_unsubscribe_end_the_watch(env) {
  const col = uniq("liveend");
  const client = await signedIn(env), writer = await signedIn(env);
  const open = () => client.live_query({ collectionname: col });
  const [a, b, c, d] = [open(), open(), open(), open()];
  await waitFor("four live", () => [a, b, c, d].every((l) => l.status === "live"));
  assertEq(await watches(env, col), 4, "watches at the server");
  await a.close();
  assertEq([a.status, await watches(env, col)], ["closed", 3], "close()");
  b[Symbol.dispose]();
  await waitFor("dispose", async () => (await watches(env, col)) === 2);
  const un1 = c.subscribe(() => {}), un2 = c.subscribe(() => {});
  un1();
  await sleep(50);
  assertEq(c.status, "live", "one subscriber left");
  un2();
  await waitFor("the last unsubscribe", async () => (await watches(env, col)) === 1 && c.status === "closed");
  // React unsubscribes and subscribes again in one turn (StrictMode, a new subscribe function).
  d.subscribe(() => {})();
  const un3 = d.subscribe(() => {});
  await sleep(50);
  assertEq([d.status, await watches(env, col)], ["live", 1], "subscribed again in the same turn");
  un3();
  // Closed while its watch is still being registered: the registration is cancelled, close()
  // does not wait for it, and a pending next() ends too.
  await control(env, "/delay-reply?command=watch&ms=600");
  const e = open(), calls = [];
  e.subscribe((rows) => calls.push(rows));
  const next = e[Symbol.asyncIterator]().next();
  const t0 = Date.now();
  await e.close();
  assert(Date.now() - t0 < 300, `close() waited ${Date.now() - t0} ms for the watch's answer`);
  assertEq((await next).done, true, "a pending next() after close()");
  await sleep(800);
  await writer.insert_one({ collectionname: col, item: { n: 1 } });
  await sleep(200);
  assertEq([calls.length, e.status], [2, "closed"], "subscriber calls (at once, closed) and none after");
  const k = client.debug_counts();
  assertEq([k.registrations, k.callbacks], [0, 0], "registrations and callbacks the client holds");
  // Closed while a query is in flight: the client stops waiting for its answer.
  await control(env, "/reset");
  await control(env, "/delay-reply?command=query&ms=3000");
  const f = open();
  await waitFor("its query at the server", async () => (await logged(env, "query")).length === 1);
  await f.close();
  assertEq(client.debug_counts().promises, 0, "promises the client holds after close()");
  await control(env, "/heal");
}

export async function client_disconnect_closes_it_and_settles_every_promise(env) {
  await control(env, "/reset");
  const col = uniq("livedisc");
  const client = await signedIn(env);
  const idle = client.live_query({ collectionname: col });
  const it = idle[Symbol.asyncIterator]();
  assertEq((await it.next()).value, [], "the first snapshot");
  const pending = it.next();
  // One whose first query is in flight when the client disconnects.
  await control(env, "/delay-reply?command=query&ms=3000");
  const busy = client.live_query({ collectionname: col });
  const busyNext = busy[Symbol.asyncIterator]().next();
  await waitFor("its query at the server", async () => (await logged(env, "query")).length === 2);
  client.disconnect();
  const settled = await Promise.race([Promise.all([pending, busyNext]), sleep(2000).then(() => "pending")]);
  assert(settled !== "pending", "an iterator was still waiting 2 s after disconnect()");
  assertEq([settled[0].done, settled[1].done], [true, true], "the iterators end");
  assertEq([idle.status, busy.status, idle.error, busy.error], ["closed", "closed", null, null], "status and error");
  await Promise.all([idle.close(), busy.close()]);
  await control(env, "/heal");
}

export async function a_slow_for_await_loop_gets_the_latest_snapshot(env) {
  const col = uniq("liveslow");
  const client = await signedIn(env), writer = await signedIn(env);
  const options = { collectionname: col, orderby: { n: 1 } };
  const live = client.live_query(options);
  let seen = 0;
  const unsubscribe = live.subscribe(() => seen++);
  // 30 inserts, one every 80 ms (a snapshot each); the loop takes 400 ms a turn.
  const writing = (async () => {
    for (let n = 0; n < 30; n++) await Promise.all([writer.insert_one({ collectionname: col, item: { n } }), sleep(80)]);
  })();
  writing.catch(() => {});   // awaited below; a failed loop above must not leave it unhandled
  let loops = 0, last = null;
  for await (const rows of live) {
    loops++;
    assert(rows === live.rows, "the loop got an older snapshot than the current one");
    last = rows;
    if (rows.length === 30) break;
    await sleep(400);
  }
  await writing;
  assert(seen >= 20, `subscriber calls while the loop ran: ${seen}`);
  assert(loops <= 10, `loop turns for ${seen} snapshots, 400 ms each: ${loops}`);
  unsubscribe();
  assertEq(json(last), json(await client.query(options)), "the last snapshot is the current result");
  await waitFor("break closed it", async () => live.status === "closed" && (await watches(env, col)) === 0);
}
