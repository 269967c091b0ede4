// The scenario every runtime test runs, given the package's `Client` (imported by the runtime's
// own test the way a user would) and the test server URL with credentials:
//   connect (signs in from user:password@) -> signin() -> register_queue -> receive a message
//   -> rpc to that queue -> the README's transient and persistent examples -> the data API
//   (documents, watch, work items, upload/download) -> disconnect,
// after checking the errors of a wrong password, a refused port and an rpc before connect.
// Throws on failure; returns a one-line summary.
import { transient, persistent } from "../../js/examples.js";
import { sharedClient } from "../../js/readme/shared.js";
import { askWithin } from "../../js/readme/abort.js";
import { firstMessages } from "../../js/readme/iterate.js";
import { check, checkEq, sleep, waitFor } from "./checks.js";

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return { error: e instanceof Error, name: e.name, kind: e.kind };
  }
  return "resolved";
}

// AbortSignal and `for await`, as web developers use them.
async function abortAndIterate(client, tag) {
  const ctl = new AbortController();
  const pending = client.rpc({ queuename: `nobody.${tag}`, data: 1, signal: ctl.signal });
  ctl.abort();
  checkEq(await rejection(pending), { error: true, name: "AbortError", kind: undefined }, "aborted rpc");
  checkEq(await rejection(client.rpc({ queuename: `nobody.${tag}`, data: 1, signal: AbortSignal.timeout(50) })),
    { error: true, name: "TimeoutError", kind: undefined }, "AbortSignal.timeout()");
  checkEq(await rejection(client.query({ collectionname: "x", signal: AbortSignal.abort() })),
    { error: true, name: "AbortError", kind: undefined }, "already aborted: nothing sent");
  checkEq(client.debug_counts().promises, 0, "aborted requests leave no pending promise");

  const q = `iter.${tag}.${Math.random().toString(36).slice(2, 8)}`;
  const before = client.debug_counts().registrations;
  const messages = client.queue(q);
  await messages.name;
  for (const n of [1, 2, 3]) await client.queue_message({ queuename: q, data: { n }, striptoken: true });
  const got = [];
  for await (const msg of messages) {
    got.push(msg.data.n);
    if (got.length === 3) break;
  }
  checkEq(got, [1, 2, 3], "for await over a queue");
  await waitFor("break unregisters", () => client.debug_counts().registrations === before);
  checkEq(await messages.next(), { done: true }, "the stream is over after break");

  // The README's examples of both.
  checkEq(await askWithin(client, `nobody.${tag}`, 50), "no answer in time", "README AbortSignal example");
  const named = `readme.iter.${tag}.${Math.random().toString(36).slice(2, 8)}`;
  for (const n of [1, 2]) await client.queue_message({ queuename: named, data: { n }, striptoken: true });
  checkEq(await firstMessages(client, named, 2), [{ n: 1 }, { n: 2 }], "README for await example");
}

// The README's shared-connection example. Where SharedWorker exists (a page) the connection is
// shared; elsewhere (Node, Deno, Bun, Web Workers) the client falls back to its own, and says so.
async function sharedExample(Client, url, client) {
  const got = [];
  const { client: s, queuename } = await sharedClient(Client, url, (data) => got.push(data));
  try {
    checkEq(s.shared, typeof SharedWorker === "function", "client.shared");
    checkEq(s.get_state(), "Signedin", "shared example state");
    await client.queue_message({ queuename, data: { to: "shared" }, striptoken: true });
    await waitFor("shared example message", () => got.length === 1);
    checkEq(got[0], { to: "shared" }, "shared example received");
  } finally {
    s.disconnect();
  }
  return s.shared ? "shared" : "shared (fallback: own connection)";
}

// The errors users see: OpenIapError with `kind`, and nothing left running afterwards.
async function errors(Client, url, creds) {
  const badUrl = url.replace(`${creds.username}:${creds.password}@`, `${creds.username}:wrong@`);
  const bad = new Client({ url: badUrl });
  checkEq(await rejection(bad.connect()), { error: true, name: "ClientError", kind: "Signin" }, "wrong password");
  checkEq(bad.get_state(), "Disconnected", "state after failed sign-in");
  bad.disconnect();
  const refused = new Client({ url: `ws://127.0.0.1:1`, connect_timeout_ms: 3000 });
  checkEq(await rejection(refused.connect()), { error: true, name: "ClientError", kind: "ConnectFailed" }, "refused port");
  refused.disconnect();
  checkEq(await rejection(refused.rpc({ queuename: "x", data: 1 })), { error: true, name: "ClientError", kind: "NotConnected" }, "rpc before connect");
}

// The data API in this runtime: documents, a watch, a work item, and a file through the chunked
// upload/download streams (2.5 MiB: three 1 MiB chunks).
async function dataApi(client, tag) {
  const col = `rt_${tag}_${Math.random().toString(36).slice(2, 8)}`;
  const changes = [];
  const watchId = await client.watch({ collectionname: col }, (ev) => changes.push(ev.operation));
  const inserted = await client.insert_one({ collectionname: col, item: { name: "a", n: 1 } });
  check(typeof inserted._id === "string", "insert_one returns the document with _id");
  await client.insert_many({ collectionname: col, items: [{ name: "b", n: 2 }, { name: "c", n: 3 }] });
  const found = await client.query({ collectionname: col, query: { n: { $gt: 1 } }, orderby: { n: -1 } });
  checkEq(found.map((d) => d.name), ["c", "b"], "query with $gt and orderby");
  checkEq(await client.count({ collectionname: col, query: {} }), 3, "count");
  await waitFor("watch events", () => changes.length >= 3);
  await client.unwatch(watchId);
  checkEq(await rejection(client.delete_one({ collectionname: col, id: "missing" })),
    { error: true, name: "ClientError", kind: "Server" }, "delete_one of a missing id");
  const wiq = `wiq_${tag}`;
  await client.push_workitem({ wiq, name: "job", payload: { x: 1 } });
  const wi = await client.pop_workitem({ wiq });
  checkEq([wi && wi.name, wi && wi.payload], ["job", { x: 1 }], "push_workitem / pop_workitem");
  const bytes = new Uint8Array(2.5 * 1024 * 1024).map((_, i) => i % 251);
  const up = await client.upload({ filename: `${tag}.bin`, mimetype: "application/octet-stream", data: bytes });
  const down = await client.download({ id: up.id });
  checkEq([down.data.length, down.data[1000], down.data[bytes.length - 1]], [bytes.length, bytes[1000], bytes[bytes.length - 1]], "upload/download round trip");
}

export async function scenario(Client, url, tag) {
  const t0 = Date.now();
  const creds = new URL(url.replace(/^ws/, "http"));
  await errors(Client, url, creds);
  const client = new Client({ url, agent: "runtime-" + tag, reconnect: { initial_ms: 50, max_ms: 300 } });
  const events = [];
  let sharedNote = "";
  client.on_client_event((e) => events.push(e.event));
  try {
    checkEq(client.get_state(), "Disconnected", "state before connect");
    await client.connect();
    checkEq(client.get_state(), "Signedin", "state after connect");

    const signed = await client.signin({ username: decodeURIComponent(creds.username), password: decodeURIComponent(creds.password) });
    check(typeof signed.jwt === "string" && signed.jwt.length > 0, "signin returns a jwt");
    checkEq(signed.user && signed.user.username, decodeURIComponent(creds.username), "signin user");

    const received = [];
    const qname = `rt.${tag}.${Math.random().toString(36).slice(2, 8)}`;
    const q = await client.register_queue({ queuename: qname }, (msg) => {
      received.push(msg.data);
      return { echoed: msg.data, tag };
    });
    checkEq(q, qname, "register_queue resolves to the queue name");
    await client.queue_message({ queuename: q, data: { n: 1 }, striptoken: true });
    await waitFor("queued message", () => received.length === 1);
    checkEq(received[0], { n: 1 }, "received message");

    const reply = await client.rpc({ queuename: q, data: { n: 2 }, timeout_ms: 5000 });
    checkEq(reply, { echoed: { n: 2 }, tag }, "rpc reply");
    const replies = await Promise.all([3, 4, 5].map((n) => client.rpc({ queuename: q, data: { n }, timeout_ms: 5000 })));
    checkEq(replies.map((r) => r.echoed.n), [3, 4, 5], "concurrent rpc replies");
    checkEq(await rejection(client.rpc({ queuename: q + ".nobody", data: 0, timeout_ms: 200 })),
      { error: true, name: "ClientError", kind: "Timeout" }, "rpc without consumer times out");

    // README transient example: a second client connects, rpcs "echo", disconnects.
    await client.register_queue("echo", (msg) => ({ echoed: msg.data }));
    checkEq(await transient(Client, url), { echoed: { hello: "world" } }, "README transient example");

    // README persistent example: registers "orders" inside SignedIn, keeps receiving.
    const orders = [];
    const p = await persistent(Client, url, (data) => orders.push(data));
    try {
      // Sent after connect() resolved; the server holds it until "orders" has a consumer.
      await client.queue_message({ queuename: "orders", data: { order: 1 } });
      await waitFor("order", () => orders.length > 0);
      checkEq(orders[0], { order: 1 }, "README persistent example received");
    } finally {
      p.disconnect();
    }
    checkEq(p.get_state(), "Disconnected", "persistent client state after disconnect");

    await abortAndIterate(client, tag);
    sharedNote = await sharedExample(Client, url, client);
    await dataApi(client, tag);
  } finally {
    client.disconnect();
  }
  checkEq(client.get_state(), "Disconnected", "state after disconnect");
  for (const e of ["Connecting", "Connected", "SignedIn", "Disconnected"]) check(events.includes(e), "event " + e + " in " + events.join(","));
  return `${tag}: errors, connect, signin, register_queue, receive, rpc x5, transient, persistent, abort, for await, ${sharedNote}, data API, disconnect ok in ${Date.now() - t0} ms`;
}
