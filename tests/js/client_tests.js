// Browser tests of the Client against the test server, driven by tests/web.rs in headless
// Chromium. Each export is one test: it throws on failure. `env` = {url, control, Client}.

import { PASS, USER, assert, assertEq, authUrl, control, rejects, sleep, track, waitFor } from "./harness.js";

/** A client plus a record of its events. Fast reconnects for tests. */
function makeClient(env, extra = {}) {
  const client = new env.Client({
    url: authUrl(env),
    reconnect: { initial_ms: 50, max_ms: 300 },
    ...extra,
  });
  track(client);
  const events = [];
  client.on_client_event((e) => events.push(e));
  return { client, events, names: () => events.map((e) => e.event) };
}


async function reset(env) {
  await control(env, "/reset");
}

/** What the client holds: {promises, callbacks, handlers, timers, sockets, listeners, in_flight, ...}. */
function counts(client) {
  return client.debug_counts();
}

/** Only the named counts of `k`. */
function pick(k, ...names) {
  return Object.fromEntries(names.map((n) => [n, k[n]]));
}

// ---------------------------------------------------------------------------------------------

export async function readme_transient_example(env) {
  await reset(env);
  const server = makeClient(env);
  await server.client.connect();
  await server.client.register_queue("echo", (msg) => ({ echoed: msg.data }));
  const reply = await env.examples.transient(env.Client, authUrl(env));
  assertEq(reply, { echoed: { hello: "world" } }, "rpc reply");
  server.client.disconnect();
}

export async function readme_persistent_example(env) {
  await reset(env);
  const got = [];
  const client = await env.examples.persistent(env.Client, authUrl(env), (data) => got.push(data));
  track(client);
  await waitFor("queue registered", async () => JSON.parse(await (await fetch(env.control + "/log?command=registerqueue")).text()).length === 1);
  const sender = makeClient(env);
  await sender.client.connect();
  await sleep(100);
  await sender.client.queue_message({ queuename: "orders", data: { n: 1 }, striptoken: true });
  await waitFor("first message", () => got.length === 1);
  await control(env, "/drop");
  await waitFor("back online", () => client.get_state() === "Signedin");
  await sleep(200);
  await sender.client.queue_message({ queuename: "orders", data: { n: 2 }, striptoken: true });
  await waitFor("second message", () => got.length >= 2);
  await sleep(300);
  assertEq(got, [{ n: 1 }, { n: 2 }], "each message once, no duplicates after reconnect");
  client.disconnect();
  sender.client.disconnect();
}

export async function connect_emits_events_in_order_and_signs_in(env) {
  await reset(env);
  const c = makeClient(env);
  await c.client.connect();
  assertEq(c.names(), ["Connecting", "Connected", "SignedIn"], "events");
  assertEq(c.client.get_state(), "Signedin", "state");
  const log = JSON.parse(await (await fetch(env.control + "/log?command=signin")).text());
  assert(log.length >= 1 && log[log.length - 1].seq === 0, "signin is the first envelope, seq 0");
  c.client.disconnect();
  assertEq(c.client.get_state(), "Disconnected", "state after disconnect");
}

export async function first_connect_to_a_dead_port_rejects_and_never_retries(env) {
  const c = makeClient(env, { url: "ws://127.0.0.1:9/" });
  let err;
  try { await c.client.connect(); } catch (e) { err = e; }
  assert(err, "connect rejected");
  assertEq([err.name, err.kind], ["ClientError", "ConnectFailed"], "typed error");
  await sleep(800);
  assertEq(c.names().filter((n) => n === "Connecting").length, 1, "one attempt only");
  const k = counts(c.client);
  assertEq(pick(k, "promises", "timers", "sockets", "listeners"), { promises: 0, timers: 0, sockets: 0, listeners: 0 }, "no promise, timer, socket or listener left");
  c.client.free();
}

export async function bad_credentials_reject_with_the_server_text_and_no_password(env) {
  await reset(env);
  const client = new env.Client({ url: env.url.replace("ws://", "ws://testuser:wrong-secret-123@") });
  const events = [];
  client.on_client_event((e) => events.push(e));
  let err;
  try { await client.connect(); } catch (e) { err = e; }
  assert(err, "rejected");
  assertEq(err.kind, "Signin", "kind");
  assert(/unknown username or password/i.test(err.message), "server wording: " + err.message);
  const all = JSON.stringify(events) + err.message + err.stack;
  assert(!all.includes("wrong-secret-123"), "password leaked: " + all);
  await sleep(500);
  assertEq(client.get_state(), "Disconnected", "no retry");
  client.free();
}

export async function invalid_url_rejects_with_invalid_argument(env) {
  const client = new env.Client({});
  let err;
  try { await client.connect("ftp://nowhere"); } catch (e) { err = e; }
  assertEq(err && err.kind, "InvalidArgument", "kind");
  client.free();
}

export async function queue_messages_arrive_with_parsed_data_and_replies_flow(env) {
  await reset(env);
  const a = makeClient(env), b = makeClient(env);
  await a.client.connect();
  await b.client.connect();
  const got = [], inside = [];
  // The callback may use its client while it runs: read it, send from it.
  const name = await a.client.register_queue({ queuename: "" }, (msg) => {
    got.push(msg);
    inside.push([a.client.get_state(), a.client.get_user().username]);
    if (Array.isArray(msg.data)) a.client.queue_message({ queuename: name, data: { from: "the callback" }, striptoken: true });
  });
  assert(name.length > 0, "temporary queue name returned");
  await b.client.queue_message({ queuename: name, data: { x: 1, s: "é" }, correlation_id: "c1" });
  // A string is JSON text, as in npm `openiap`: that of an array (or object) goes as it is.
  await b.client.queue_message({ queuename: name, data: '["json", "text"]', striptoken: true });
  await waitFor("3 messages", () => got.length === 3);
  assertEq(got[2].data, { from: "the callback" }, "a message the callback sent");
  assertEq(inside[0], ["Signedin", USER], "the client read inside the callback");
  assertEq(got[0].data.x, 1, "JSON data parsed");
  assertEq(got[0].correlation_id, "c1", "correlation id");
  assertEq(got[0].queuename, name, "queuename");
  assert(typeof got[0].jwt === "string" && got[0].user, "__jwt/__user moved to jwt/user");
  assert(got[0].data.__jwt === undefined, "__jwt removed from data");
  assertEq(got[1].data, ["json", "text"], "JSON text of an array arrives parsed");
  a.client.disconnect();
  b.client.disconnect();
}

export async function concurrent_rpcs_get_their_own_replies(env) {
  await reset(env);
  const server = makeClient(env), caller = makeClient(env);
  await server.client.connect();
  await caller.client.connect();
  await server.client.register_queue("math", async (msg) => {
    await sleep(msg.data.delay);
    return { r: msg.data.n * 2 };
  });
  const ns = [1, 2, 3, 4, 5, 6, 7, 8];
  const replies = await Promise.all(ns.map((n) => caller.client.rpc({ queuename: "math", data: { n, delay: (9 - n) * 15 }, timeout_ms: 5000 })));
  assertEq(replies.map((r) => r.r), ns.map((n) => n * 2), "replies matched by correlation id");
  server.client.disconnect();
  caller.client.disconnect();
}

export async function rpc_timeout_is_typed(env) {
  await reset(env);
  const c = makeClient(env);
  await c.client.connect();
  let err;
  try { await c.client.rpc({ queuename: "nobody-listens-here", data: {}, timeout_ms: 300 }); } catch (e) { err = e; }
  assertEq(err && err.kind, "Timeout", "kind");
  c.client.disconnect();
}

export async function a_throwing_callback_is_reported_and_later_messages_arrive(env) {
  await reset(env);
  const c = makeClient(env);
  await c.client.connect();
  const seen = [];
  const q = await c.client.register_queue("", (msg) => {
    seen.push(msg.data.n);
    if (msg.data.n === 1) throw new Error("boom");
    if (msg.data.n === 2) return Promise.reject(new Error("async boom"));
  });
  for (const n of [1, 2, 3]) await c.client.queue_message({ queuename: q, data: { n }, striptoken: true });
  await waitFor("3 messages", () => seen.length === 3);
  const errors = c.events.filter((e) => e.event === "Error").map((e) => e.reason);
  await waitFor("2 reports", () => c.events.filter((e) => e.event === "Error").length === 2);
  assert(c.events.some((e) => e.event === "Error" && e.reason.includes("boom")), "reported: " + errors);
  c.client.disconnect();
}

export async function drop_reconnects_reregisters_and_loses_nothing(env) {
  await reset(env);
  const c = makeClient(env), sender = makeClient(env);
  await c.client.connect();
  await sender.client.connect();
  const got = [];
  await c.client.register_queue("drop-q", (m) => { got.push(m.data.n); });
  await sender.client.queue_message({ queuename: "drop-q", data: { n: 1 }, striptoken: true });
  await waitFor("msg 1", () => got.length === 1);
  c.events.length = 0;
  await control(env, "/drop");
  await waitFor("signed in again", () => c.events.some((e) => e.event === "SignedIn"));
  assertEq(c.names(), ["Disconnected", "Connecting", "Connected", "SignedIn"], "events after a drop");
  await waitFor("sender back", () => sender.client.get_state() === "Signedin");
  await sleep(100);
  for (const n of [2, 3, 4]) await sender.client.queue_message({ queuename: "drop-q", data: { n }, striptoken: true });
  await waitFor("all", () => got.length >= 4);
  await sleep(200);
  assertEq(got, [1, 2, 3, 4], "no loss, no duplicates");
  const regs = JSON.parse(await (await fetch(env.control + "/log?command=registerqueue")).text());
  assertEq(regs.length, 2, "registered once per connection");
  c.client.disconnect();
  sender.client.disconnect();
}

export async function temporary_queue_rename_is_reported(env) {
  await reset(env);
  const c = makeClient(env);
  await c.client.connect();
  const first = await c.client.register_queue("", () => {});
  await control(env, "/drop");
  await waitFor("renamed", () => c.events.some((e) => e.event === "QueueRenamed"));
  const ev = c.events.find((e) => e.event === "QueueRenamed");
  assertEq(ev.old, first, "old name");
  assert(ev.new && ev.new !== first, "new name");
  c.client.disconnect();
}

export async function server_down_then_up_reconnects(env) {
  await reset(env);
  const c = makeClient(env);
  await c.client.connect();
  c.events.length = 0;
  await control(env, "/down?ms=1000");
  await waitFor("signed in again", () => c.events.some((e) => e.event === "SignedIn"), 10000);
  assert(c.names()[0] === "Disconnected", "Disconnected first");
  assert(c.names().filter((n) => n === "Connecting").length >= 1, "retried");
  c.client.disconnect();
}

export async function stalled_link_is_detected_by_the_heartbeat(env) {
  await reset(env);
  const c = makeClient(env, { heartbeat_ms: 500, heartbeat_timeout_ms: 500 });
  await c.client.connect();
  c.events.length = 0;
  const t0 = Date.now();
  await control(env, "/stall?ms=0");
  await waitFor("Disconnected", () => c.events.some((e) => e.event === "Disconnected"), 5000);
  const took = Date.now() - t0;
  const reason = c.events.find((e) => e.event === "Disconnected").reason;
  assert(reason.includes("heartbeat"), "reason: " + reason);
  assert(took < 3000, "detected in " + took + " ms");
  await control(env, "/heal");
  await waitFor("signed in again", () => c.client.get_state() === "Signedin", 8000);
  c.client.disconnect();
}

export async function slow_split_and_coalesced_frames_change_nothing(env) {
  await reset(env);
  const a = makeClient(env), b = makeClient(env);
  await a.client.connect();
  await b.client.connect();
  const got = [];
  const q = await a.client.register_queue("", (m) => { got.push(m.data.n); });
  await control(env, "/delay?ms=50");
  await b.client.queue_message({ queuename: q, data: { n: 1 }, striptoken: true });
  await control(env, "/heal");
  await control(env, "/split?count=5&chunk=3");
  await b.client.queue_message({ queuename: q, data: { n: 2 }, striptoken: true });
  await control(env, "/heal");
  await control(env, "/coalesce?count=3");
  const sends = [3, 4, 5].map((n) => b.client.queue_message({ queuename: q, data: { n }, striptoken: true }));
  await Promise.all(sends);
  await waitFor("5 messages", () => got.length === 5);
  assertEq(got, [1, 2, 3, 4, 5], "all messages once, in order");
  assertEq(a.client.get_state(), "Signedin", "no disconnect");
  a.client.disconnect();
  b.client.disconnect();
}

export async function garbage_and_unknown_commands(env) {
  await reset(env);
  const c = makeClient(env);
  await c.client.connect();
  await control(env, "/unknown");
  await sleep(200);
  assertEq(c.client.get_state(), "Signedin", "unknown commands are ignored");
  c.events.length = 0;
  await control(env, "/garbage");
  await waitFor("reconnected", () => c.events.some((e) => e.event === "SignedIn"));
  const reason = c.events.find((e) => e.event === "Disconnected").reason;
  assert(reason.includes("protocol error"), "reason: " + reason);
  c.client.disconnect();
}

export async function refused_signins_are_retried_until_accepted(env) {
  await reset(env);
  const c = makeClient(env);
  await c.client.connect();
  c.events.length = 0;
  await control(env, "/refuse-signin?count=2");
  await control(env, "/drop");
  await waitFor("signed in again", () => c.events.some((e) => e.event === "SignedIn"), 10000);
  const reasons = c.events.filter((e) => e.event === "Disconnected").map((e) => e.reason);
  assert(reasons.some((r) => r.includes("sign-in failed")), "refusal reported: " + reasons);
  c.client.disconnect();
}

export async function requests_wait_in_the_outbox_while_reconnecting(env) {
  await reset(env);
  const a = makeClient(env), b = makeClient(env);
  await a.client.connect();
  await b.client.connect();
  const got = [];
  const q = await a.client.register_queue("outbox-q", (m) => { got.push(m.data); });
  await control(env, "/down?ms=600");
  await waitFor("b disconnected", () => b.client.get_state() !== "Signedin");
  const sent = b.client.queue_message({ queuename: q, data: ["while-offline"], striptoken: true });
  await sent;
  await waitFor("delivered", () => got.some((d) => d[0] === "while-offline"), 8000);
  a.client.disconnect();
  b.client.disconnect();
}

export async function in_flight_requests_fail_with_disconnected(env) {
  await reset(env);
  const c = makeClient(env), server = makeClient(env);
  await c.client.connect();
  await server.client.connect();
  await server.client.register_queue("echo-inflight", (m) => m.data);
  // One rpc first, so the reply queue exists and the next rpc really goes out.
  assertEq(await c.client.rpc({ queuename: "echo-inflight", data: 7, timeout_ms: 5000 }), 7, "warm-up rpc");
  server.client.disconnect();
  await control(env, "/stall?ms=0");
  const p = c.client.rpc({ queuename: "nobody", data: 1, timeout_ms: 20000 }).then(() => null, (e) => e);
  const q = c.client.queue_message({ queuename: "nobody", data: 1 }).then(() => null, (e) => e);
  await sleep(100);
  await control(env, "/drop");
  await control(env, "/heal");
  const [e1, e2] = await Promise.all([p, q]);
  assertEq([e1 && e1.kind, e2 && e2.kind], ["Disconnected", "Disconnected"], "typed rejections");
  c.client.disconnect();
}

export async function disconnect_leaves_nothing_running(env) {
  await reset(env);
  const c = makeClient(env, { heartbeat_ms: 200 });
  await c.client.connect();
  await c.client.register_queue("", () => {});
  const pending = c.client.rpc({ queuename: "nobody", data: 1, timeout_ms: 20000 }).then(() => null, (e) => e);
  c.client.disconnect();
  const e = await pending;
  assertEq(e && e.kind, "Disconnected", "pending rejected");
  const before = c.events.length;
  await sleep(600);
  assertEq(c.events.length, before, "no event after disconnect");
  const k = counts(c.client);
  const held = pick(k, "promises", "callbacks", "timers", "sockets", "listeners", "in_flight", "outbox", "registrations", "rpc_calls");
  assertEq(held, Object.fromEntries(Object.keys(held).map((n) => [n, 0])), "nothing left");
  let err;
  try { await c.client.queue_message({ queuename: "x", data: 1 }); } catch (e2) { err = e2; }
  assertEq(err && err.kind, "NotConnected", "requests after disconnect");
  c.client.free();
}

export async function two_hundred_reconnect_cycles_do_not_grow(env) {
  await reset(env);
  const c = makeClient(env, { reconnect: { initial_ms: 1, max_ms: 5 } });
  await c.client.connect();
  await c.client.register_queue("cycle-q", () => {});
  await c.client.register_queue("", () => {});
  const base = counts(c.client);
  const signedIns = () => c.events.filter((e) => e.event === "SignedIn").length;
  for (let i = 0; i < 200; i++) {
    const before = signedIns();
    await control(env, "/drop");
    await waitFor("cycle " + i, () => signedIns() > before && c.client.get_state() === "Signedin" && counts(c.client).in_flight === 0, 5000);
  }
  const after = counts(c.client);
  assertEq(after, base, "promises, callbacks, handlers, timers, sockets, listeners, tables");
  assertEq(c.events.filter((e) => e.event === "SignedIn").length, 201, "one SignedIn per cycle");
  c.client.disconnect();
}

export async function grpc_web_framing_works_end_to_end(env) {
  await reset(env);
  const a = makeClient(env, { framing: "grpc-web" }), b = makeClient(env);
  await a.client.connect();
  await b.client.connect();
  const got = [];
  const q = await a.client.register_queue("", (m) => { got.push(m.data); return { ok: m.data }; });
  const reply = await b.client.rpc({ queuename: q, data: ["via grpc-web"], timeout_ms: 5000 });
  assertEq(reply, { ok: ["via grpc-web"] }, "rpc through a grpc-web client");
  await control(env, "/drop");
  await waitFor("grpc-web reconnect", () => a.client.get_state() === "Signedin" && a.events.filter((e) => e.event === "SignedIn").length === 2);
  a.client.disconnect();
  b.client.disconnect();
}

export async function token_callback_and_guest_mode(env) {
  await reset(env);
  // Sign in once to get a JWT, then use it through get_token.
  const first = makeClient(env);
  await first.client.connect();
  const { jwt } = await first.client.signin({ username: USER, password: PASS });
  first.client.disconnect();
  let calls = 0;
  const viaToken = new env.Client({ url: env.url, get_token: async () => { calls++; return jwt; }, reconnect: { initial_ms: 10, max_ms: 50 } });
  await viaToken.connect();
  assertEq(viaToken.get_state(), "Signedin", "signed in with the callback's token");
  await control(env, "/drop");
  await waitFor("second sign-in", () => calls === 2 && viaToken.get_state() === "Signedin");
  viaToken.disconnect();
  const guest = new env.Client({ url: env.url });
  await guest.connect();
  assertEq(guest.get_state(), "Connected", "guest without credentials");
  guest.disconnect();
}

export async function exchanges_fan_out_and_route_by_key(env) {
  await reset(env);
  const a = makeClient(env), b = makeClient(env), sender = makeClient(env);
  await Promise.all([a.client.connect(), b.client.connect(), sender.client.connect()]);
  const gotA = [], gotB = [];
  await a.client.register_exchange({ exchangename: "news", algorithm: "fanout" }, (m) => { gotA.push(m.data); });
  await b.client.register_exchange({ exchangename: "news", algorithm: "fanout" }, (m) => { gotB.push(m.data); });
  await sender.client.queue_message({ exchangename: "news", data: { headline: 1 }, striptoken: true });
  await waitFor("fanout to both", () => gotA.length === 1 && gotB.length === 1);
  const direct = [];
  await a.client.register_exchange({ exchangename: "logs", algorithm: "direct", routingkey: "error" }, (m) => { direct.push(m.routingkey); });
  await sender.client.queue_message({ exchangename: "logs", routingkey: "info", data: 1, striptoken: true });
  await sender.client.queue_message({ exchangename: "logs", routingkey: "error", data: 2, striptoken: true });
  await waitFor("direct", () => direct.length === 1);
  await sleep(150);
  assertEq(direct, ["error"], "only the bound routing key");
  let err;
  try { await a.client.register_exchange({ algorithm: "fanout" }, () => {}); } catch (e) { err = e; }
  assertEq(err && err.kind, "InvalidArgument", "exchangename required");
  for (const c of [a, b, sender]) c.client.disconnect();
}

export async function online_event_skips_the_backoff_wait(env) {
  await reset(env);
  const c = makeClient(env, { reconnect: { initial_ms: 60000, max_ms: 60000 } });
  await c.client.connect();
  c.events.length = 0;
  await control(env, "/down?ms=200");
  await waitFor("Disconnected", () => c.events.some((e) => e.event === "Disconnected"));
  // The first retry falls in 30..60 s; wait for the server, then say we are online.
  await sleep(600);
  assertEq(c.client.get_state(), "Disconnected", "still waiting for the first retry (30..60 s away)");
  globalThis.dispatchEvent(new Event("online"));
  await waitFor("reconnected at once", () => c.client.get_state() === "Signedin", 3000);
  c.client.disconnect();
}

export async function unregister_queue_stops_delivery(env) {
  await reset(env);
  const c = makeClient(env), sender = makeClient(env);
  await Promise.all([c.client.connect(), sender.client.connect()]);
  const got = [];
  await c.client.register_queue("unreg-q", (m) => { got.push(m.data); });
  await sender.client.queue_message({ queuename: "unreg-q", data: 1, striptoken: true });
  await waitFor("first", () => got.length === 1);
  await c.client.unregister_queue("unreg-q");
  await sender.client.queue_message({ queuename: "unreg-q", data: 2, striptoken: true, expiration: 500 });
  await sleep(300);
  assertEq(got, [1], "nothing after unregister");
  assertEq(counts(c.client).callbacks, 0, "callback released");
  c.client.disconnect();
  sender.client.disconnect();
}

/** The test server's view of queue `name`: {consumers, pending} (zeros when it has none). */
async function queueStats(env, name) {
  const stats = JSON.parse(await control(env, "/stats"));
  return { consumers: 0, pending: 0, ...stats.queues[name] };
}

export async function a_register_raced_by_its_unregister_settles_and_leaves_nothing(env) {
  await reset(env);
  const c = makeClient(env), sender = makeClient(env);
  await Promise.all([c.client.connect(), sender.client.connect()]);
  // React StrictMode: mount, unmount, mount again, before the server answered.
  await control(env, "/delay-reply?command=registerqueue&ms=600");
  const got = [];
  // Queue names of this run only: the server keeps a queue's messages across /reset, and both
  // browser suites run this test against one server.
  const q1 = "race.q." + Date.now().toString(36), q2 = q1 + ".2", q3 = q1 + ".3";
  const t0 = Date.now();
  const first = c.client.register_queue(q1, (m) => { got.push(["first", m.data]); });
  await c.client.unregister_queue(q1);
  const e = await rejects(first);
  assertEq([e.name, e.kind], ["ClientError", "Cancelled"], "the raced register rejects");
  assert(Date.now() - t0 < 400, `it rejects at once, not with the late reply (${Date.now() - t0} ms)`);
  assertEq(pick(counts(c.client), "promises", "callbacks"), { promises: 0, callbacks: 0 }, "nothing left pending");
  await sleep(900);
  assertEq(await queueStats(env, q1), { consumers: 0, pending: 0 }, "the late registration was undone");
  await sender.client.queue_message({ queuename: q1, data: { n: 1 }, striptoken: true });
  await sleep(200);
  assertEq((await queueStats(env, q1)).pending, 1, "a message sent afterwards stays in the queue");
  assertEq(got, [], "nothing reached the unregistered callback");

  // Register, unregister, register again in one tick: one consumer, the newest callback.
  await control(env, "/delay-reply?command=registerqueue&ms=400");
  const a = c.client.register_queue(q2, (m) => { got.push(["a", m.data]); });
  const gone = c.client.unregister_queue(q2);
  const b = c.client.register_queue(q2, (m) => { got.push(["b", m.data]); });
  assertEq((await rejects(a)).kind, "Cancelled", "the first register");
  await gone;
  assertEq(await b, q2, "the second register");
  await sleep(600);
  assertEq((await queueStats(env, q2)).consumers, 1, "exactly one consumer");
  await sender.client.queue_message({ queuename: q2, data: { n: 2 }, striptoken: true });
  await waitFor("the newest callback", () => got.length === 1);
  assertEq(got, [["b", { n: 2 }]], "only the newest callback receives");

  // A `for await` ended before its queue was registered: the registration is cancelled too.
  await control(env, "/delay-reply?command=registerqueue&ms=400");
  const stream = c.client.queue(q3);
  assertEq(await stream.return(), { value: undefined, done: true }, "return() ends the stream at once");
  assertEq((await rejects(stream.name)).kind, "Cancelled", "the stream's registration");
  assertEq(await stream.next(), { value: undefined, done: true }, "an ended stream stays done");
  await sleep(600);
  assertEq((await queueStats(env, q3)).consumers, 0, "nothing registered for the ended stream");
  c.client.disconnect();
  sender.client.disconnect();
}

export async function queue_data_openflow_would_lose_is_refused_at_once(env) {
  await reset(env);
  const c = makeClient(env), sender = makeClient(env);
  await Promise.all([c.client.connect(), sender.client.connect()]);
  const got = [];
  const poisoned = JSON.parse(await control(env, "/stats")).poisoned;
  const q = await c.client.register_queue("", (m) => { got.push(m.data); return m.data.reply; });
  // OpenFlow accepts these and never delivers them (§10.1): each is refused before it is sent.
  for (const [what, data] of [["a bare string", "hi"], ["JSON text of a string", '"quoted"'], ["null", null],
    ["no data", undefined], ["JSON text of a number", "42"], ["text that is not JSON", "{half"],
    ["a Date (JSON of a string)", new Date(0)], ["a function", () => 1]]) {
    const e = await rejects(sender.client.queue_message({ queuename: q, data, striptoken: true }));
    assertEq([e.name, e.kind], ["ClientError", "InvalidArgument"], what);
    assert(/wrap a string/.test(e.message), `${what}: the message says what to send instead: ${e.message}`);
    assertEq((await rejects(sender.client.rpc({ queuename: q, data, timeout_ms: 1000 }))).kind, "InvalidArgument", `rpc with ${what}`);
  }
  // What OpenFlow carries arrives equal; JSON text of an object or array goes as it is (npm's way).
  const sent = [7, 0, false, { k: [1, "é"] }, [], '{"as":"text"}', "[1,2]"];
  for (const data of sent) await sender.client.queue_message({ queuename: q, data, striptoken: true });
  await waitFor("every message", () => got.length === sent.length);
  assertEq(got, [7, 0, false, { k: [1, "é"] }, [], { as: "text" }, [1, 2]], "arrived equal");
  // A callback's reply that OpenFlow cannot carry is not sent: an Error event names the queue and
  // the correlation id, and the caller's rpc runs into its timeout.
  got.length = 0;
  const e = await rejects(sender.client.rpc({ queuename: q, data: { reply: "a bare string" }, timeout_ms: 800 }));
  assertEq(e.kind, "Timeout", "the rpc gets no reply");
  const errors = c.events.filter((ev) => ev.event === "Error").map((ev) => ev.reason);
  assert(errors.some((r) => r.includes(`'${q}'`) && r.includes("correlation id") && r.includes("not sent")), JSON.stringify(errors));
  assertEq(await sender.client.rpc({ queuename: q, data: { reply: { ok: 1 } }, timeout_ms: 3000 }), { ok: 1 }, "a reply it can carry");
  assertEq(JSON.parse(await control(env, "/stats")).poisoned, poisoned, "the server never got a message it would lose");
  c.client.disconnect();
  sender.client.disconnect();
}

export async function receiving_does_not_rearm_the_timer_per_message(env) {
  await reset(env);
  const c = makeClient(env), sender = makeClient(env);
  await Promise.all([c.client.connect(), sender.client.connect()]);
  let got = 0;
  const q = await c.client.register_queue("", () => { got++; });
  // Yield to the event loop without setTimeout, so only the clients' timers are counted.
  const tick = () => new Promise((r) => { const ch = new MessageChannel(); ch.port1.onmessage = () => r(); ch.port2.postMessage(0); });
  const original = globalThis.setTimeout;
  let calls = 0;
  globalThis.setTimeout = function (...args) { calls++; return original.apply(this, args); };
  try {
    const sends = [];
    for (let i = 0; i < 500; i++) sends.push(sender.client.queue_message({ queuename: q, data: i, striptoken: true }));
    await Promise.all(sends);
    const end = Date.now() + 8000;
    while (got < 500 && Date.now() < end) await tick();
  } finally {
    globalThis.setTimeout = original;
  }
  assertEq(got, 500, "all delivered");
  assert(calls < 50, `timers armed for 500 sends and 500 deliveries: ${calls}`);
}

export async function sequential_rpcs_do_not_arm_a_timer_each(env) {
  await reset(env);
  // No heartbeat: each rpc's deadline is then the only one, and its reply removes it.
  const c = makeClient(env, { heartbeat_ms: 0 }), responder = makeClient(env, { heartbeat_ms: 0 });
  await Promise.all([c.client.connect(), responder.client.connect()]);
  await responder.client.register_queue("echo-timers", (m) => m.data);
  await c.client.rpc({ queuename: "echo-timers", data: 0 });
  const original = globalThis.setTimeout;
  let calls = 0;
  globalThis.setTimeout = function (...args) { calls++; return original.apply(this, args); };
  try {
    for (let i = 1; i <= 100; i++) assertEq(await c.client.rpc({ queuename: "echo-timers", data: i }), i, "reply");
  } finally {
    globalThis.setTimeout = original;
  }
  assert(calls < 10, `timers armed for 100 sequential rpcs: ${calls}`);
  c.client.disconnect();
  assertEq(counts(c.client).timers, 0, "no timer after disconnect");
  responder.client.disconnect();
}

export async function abort_signal_rejects_with_abort_error_and_frees_the_request(env) {
  await reset(env);
  const c = makeClient(env);
  await c.client.connect();
  const ctl = new AbortController();
  const p = c.client.rpc({ queuename: "nobody-here", data: 1, signal: ctl.signal });
  await sleep(50);
  assertEq(counts(c.client).rpc_calls, 1, "the rpc waits for its reply");
  ctl.abort();
  const e = await p.then(() => null, (e) => e);
  assert(e instanceof DOMException && e.name === "AbortError", "rejects with an AbortError DOMException: " + e);
  const k = counts(c.client);
  assertEq([k.promises, k.rpc_calls], [0, 0], "the pending entry is freed");
  const t = await c.client.rpc({ queuename: "nobody-here", data: 2, signal: AbortSignal.timeout(50) }).then(() => null, (e) => e);
  assert(t instanceof DOMException && t.name === "TimeoutError", "AbortSignal.timeout() rejects with its TimeoutError: " + t);
  const before = JSON.parse(await (await fetch(env.control + "/log?command=queuemessage")).text()).length;
  const already = await c.client.queue_message({ queuename: "q", data: 1, signal: AbortSignal.abort() }).then(() => null, (e) => e);
  assertEq(already && already.name, "AbortError", "an aborted signal rejects at once");
  await sleep(100);
  const after = JSON.parse(await (await fetch(env.control + "/log?command=queuemessage")).text()).length;
  assertEq(after, before, "and nothing is sent");
  const bad = await c.client.rpc({ queuename: "q", signal: "stop" }).then(() => null, (e) => e);
  assertEq([bad && bad.name, bad && bad.kind], ["ClientError", "InvalidArgument"], "a signal that is not an AbortSignal");
  assert(bad instanceof env.ClientError, "errors are instances of the exported ClientError");
  c.client.disconnect();
}

export async function for_await_over_a_queue_and_break_unregisters(env) {
  await reset(env);
  const c = makeClient(env), sender = makeClient(env);
  await Promise.all([c.client.connect(), sender.client.connect()]);
  const stream = c.client.queue("iter-q", { buffer: 2 });
  assertEq(await stream.name, "iter-q", "the stream's queue name");
  for (const n of [1, 2, 3, 4]) await sender.client.queue_message({ queuename: "iter-q", data: n, striptoken: true });
  await waitFor("four arrived, two kept", () => stream.dropped === 2);
  const got = [];
  for await (const msg of stream) {
    got.push(msg.data);
    if (got.length === 2) break;
  }
  assertEq(got, [3, 4], "the newest messages, in order");
  await waitFor("unregistered", async () =>
    JSON.parse(await (await fetch(env.control + "/log?command=unregisterqueue")).text()).length === 1);
  assertEq(counts(c.client).callbacks, 0, "break released the callback");
  c.client.disconnect();
  sender.client.disconnect();
}

export async function for_await_ends_when_the_client_disconnects(env) {
  await reset(env);
  const c = makeClient(env, { reconnect: { initial_ms: 50, max_ms: 100, max_attempts: 1 } }), sender = makeClient(env);
  await Promise.all([c.client.connect(), sender.client.connect()]);
  const stream = c.client.queue("iter-end");
  await stream.name;
  await sender.client.queue_message({ queuename: "iter-end", data: 1, striptoken: true });
  const got = [];
  const loop = (async () => { for await (const msg of stream) got.push(msg.data); return "ended"; })();
  await waitFor("the first message", () => got.length === 1);
  c.client.disconnect();
  assertEq(await Promise.race([loop, sleep(2000).then(() => "still waiting")]), "ended", "the loop ends after disconnect()");
  // The same when reconnecting gives up (max_attempts) while a loop waits.
  await c.client.connect();
  const again = c.client.queue("iter-end");
  await again.name;
  const loop2 = (async () => { for await (const msg of again) got.push(msg.data); return "ended"; })();
  await control(env, "/down?ms=400");
  assertEq(await Promise.race([loop2, sleep(3000).then(() => "still waiting")]), "ended", "the loop ends when reconnecting gives up");
  c.client.disconnect();
  sender.client.disconnect();
  await sleep(500); // the server listens again
}

export async function openflow_wire_habits_connect_ping_two_message_frames_and_refreshtoken(env) {
  // The test server behaves as OpenFlow by default: it pings every new socket before sign-in,
  // sends each frame's length and envelope as two WebSocket messages, and pushes refreshtoken.
  await reset(env);
  const { jwt } = JSON.parse(await control(env, "/jwt?user=" + USER));
  const c = makeClient(env, { url: env.url, jwt });
  await c.client.connect();
  assertEq(c.client.get_state(), "Signedin", "signed in with a token");
  // The pong went out before connect() resolved, on the socket; /log is another connection, so
  // the server may not have read it yet.
  let log;
  const answered = async () => {
    log = JSON.parse(await control(env, "/log"));
    return log.some((e) => e.command === "pong" && e.rid !== "");
  };
  await waitFor("the ping sent at connect answered", answered, 3000).catch(() => {
    throw new Error("the ping sent at connect was not answered: " + JSON.stringify(log));
  });
  const echo = await c.client.register_queue("habits-echo", (msg) => msg.data);
  assertEq(await c.client.rpc({ queuename: echo, data: { n: 1 }, timeout: 5 }), { n: 1 }, "rpc over two-message frames");
  // Every token issued so far expires; only the one refreshtoken pushes still signs in.
  await control(env, "/refreshtoken?expire_old=1");
  await sleep(200);
  c.events.length = 0;
  await control(env, "/drop");
  await waitFor("signed in again with the pushed token", () => c.names().includes("SignedIn"), 5000);
  assert(!c.events.some((e) => e.event === "Error"), "no sign-in error: " + JSON.stringify(c.events));
  assertEq(await c.client.rpc({ queuename: echo, data: { n: 2 }, timeout: 5 }), { n: 2 }, "rpc after the reconnect");
  c.client.disconnect();
}
