// Browser tests of the data API, driven by tests/web.rs in headless Chromium. Each export is
// one test: it throws on failure. `env` = {url, control, Client, expected}; `expected` is
// tests/js/data_expected.json, which the native test with the official client asserts too.

import { USER, assert, assertEq, authUrl, control, rejects, sleep, track, waitFor } from "./harness.js";

let counter = 0;
const uniq = (name) => `${name}_${Date.now().toString(36)}_${++counter}`;

async function connected(env, extra = {}) {
  const client = track(new env.Client({ url: authUrl(env), reconnect: { initial_ms: 50, max_ms: 300 }, ...extra }));
  const events = [];
  client.on_client_event((e) => events.push(e));
  await client.connect();
  return { client, events };
}

const names = (docs) => docs.map((d) => d.name);

// ---------------------------------------------------------------------------------------------

export async function documents_scenario_matches_the_official_client(env) {
  const x = env.expected;
  const { client: c } = await connected(env);
  const col = uniq("people");
  const seen = [];
  const watchId = await c.watch({ collectionname: col, paths: [] }, (ev) => seen.push(ev));
  assert(typeof watchId === "string" && watchId.length > 0, "watch id");

  const inserted = await c.insert_many({ collectionname: col, items: x.people.map((p) => ({ ...p, _type: "person" })) });
  assertEq(inserted.length, 4, "insert_many returns the documents");
  const idOf = (n) => inserted.find((d) => d.name === n)._id;
  assert(inserted.every((d) => typeof d._id === "string" && d._id.length > 0), "ids assigned");

  let r = await c.query({ collectionname: col, query: { age: { $gt: 20 } }, orderby: { age: 1 }, projection: { name: 1 } });
  assertEq(names(r), x.over20_by_age, "$gt + orderby");
  assertEq(Object.keys(r[0]).sort(), x.over20_projected_keys, "projection");
  r = await c.query({ collectionname: col, query: { team: { $in: ["red", "green"] } }, orderby: "name", skip: 1, top: 2 });
  assertEq(names(r), x.red_or_green_by_name_skip1_top2, "$in + skip + top");
  r = await c.query({ collectionname: col, query: JSON.stringify({ age: { $gte: 20, $lt: 35 } }), orderby: { name: 1 } });
  assertEq(names(r), x.age_between_20_and_35, "query given as a JSON string");
  r = await c.query({ collectionname: col, query: { team: { $exists: true } } });
  assertEq(r.length, x.with_team_exists, "$exists");

  assertEq(await c.count({ collectionname: col, query: { team: "red" } }), x.count_red, "count");
  assertEq(await c.distinct({ collectionname: col, field: "team" }), x.distinct_team, "distinct");
  assertEq(await c.aggregate({ collectionname: col, aggregates: [{ $match: { age: { $gt: 20 } } }, { $count: "n" }] }),
    x.aggregate_over20_count, "aggregate");

  const ann = await c.update_one({ collectionname: col, item: { _id: idOf("ann"), name: "ann", age: 32, team: "red", _type: "person" } });
  assertEq({ age: ann.age, _version: ann._version }, x.ann_after_update, "update_one");
  const bob = await c.insert_or_update_one({ collectionname: col, uniqeness: "name", item: { name: "bob", age: 26, team: "blue", _type: "person" } });
  assertEq({ age: bob.age, _version: bob._version, same_id: bob._id === idOf("bob") }, x.bob_after_upsert, "insert_or_update_one");
  assertEq(await c.delete_one({ collectionname: col, id: idOf("bob") }), x.delete_one_bob, "delete_one");
  assertEq(await c.delete_many({ collectionname: col, query: { team: "red" } }), x.delete_many_red, "delete_many");
  assertEq(await c.count({ collectionname: col, query: {} }), x.count_after_deletes, "count after deletes");

  await waitFor("9 watch events", () => seen.length >= 9);
  const ops = seen.map((e) => e.operation);
  assertEq(ops, ["insert", "insert", "insert", "insert", "replace", "replace", "delete", "delete", "delete"], "watch operations");
  assertEq([...new Set(ops)], x.watch_operations, "operation kinds");
  assertEq(seen[0].document.name, "ann", "document parsed");
  assertEq(seen[0].id, watchId, "event carries the watch id");
  await c.unwatch(watchId);
  await c.insert_one({ collectionname: col, item: { name: "eve" } });
  await sleep(200);
  assertEq(seen.length, 9, "no events after unwatch");

  // insert_or_update_many: one update (by name), one insert.
  const many = await c.insert_or_update_many({ collectionname: col, uniqeness: "name", items: [{ name: "eve", age: 50 }, { name: "fay", age: 22 }] });
  assertEq(many.map((d) => [d.name, d.age, d._version]), [["eve", 50, 1], ["fay", 22, 0]], "insert_or_update_many");
  const one = await c.insert_one({ collectionname: col, item: { name: "gus", nested: { a: [1, 2] } } });
  assertEq(one.nested, { a: [1, 2] }, "insert_one returns the document");
  r = await c.query({ collectionname: col, query: { "nested.a": 2 } });
  assertEq(names(r), ["gus"], "dotted path into an array");
  c.disconnect();
}

export async function typed_errors_for_server_and_argument_failures(env) {
  const x = env.expected;
  const { client: c } = await connected(env);
  const col = uniq("errors");
  let e = await rejects(c.query({ collectionname: col, query: "{bad" }));
  assertEq([e.name, e.kind], ["ClientError", "Server"], "bad query JSON is a server error");
  assert(e.message.includes(x.errors.bad_query), e.message);
  e = await rejects(c.delete_one({ collectionname: col, id: "does-not-exist" }));
  assertEq(e.kind, "Server", "delete_one of a missing id");
  assert(e.message.includes(x.errors.delete_missing), e.message);
  e = await rejects(c.update_one({ collectionname: col, item: { _id: "nope", a: 1 } }));
  assertEq(e.kind, "Server", "update_one of a missing id");
  e = await rejects(c.delete_one({ collectionname: col }));
  assertEq(e.kind, "InvalidArgument", "missing id");
  e = await rejects(c.query({ collectionname: col, top: -1 }));
  assertEq(e.kind, "InvalidArgument", "negative top");
  e = await rejects(c.pop_workitem({}));
  assertEq(e.kind, "InvalidArgument", "pop without queue");
  e = await rejects(c.upload({ filename: "x", data: 42 }));
  assertEq(e.kind, "InvalidArgument", "bad upload data");
  // A Blob whose bytes cannot be read (a File deleted from disk): the upload fails, typed.
  const unreadable = { size: 10, slice() { return this; }, arrayBuffer: () => Promise.reject(new Error("NotReadableError")) };
  e = await rejects(c.upload({ filename: "x", data: unreadable }));
  assertEq([e.kind, e.message.includes("NotReadableError")], ["InvalidArgument", true], "unreadable Blob");
  e = await rejects(c.download({ id: "missing" }));
  assertEq(e.kind, "Server", "download of a missing file");
  // OpenFlow answers a custom command it does not know with an empty result, not an error (§10.1).
  assertEq(await c.custom_command({ command: "nosuch" }), "", "unknown custom command");
  e = await rejects(c.distinct({ collectionname: col }));
  assertEq(e.kind, "InvalidArgument", "distinct without field");
  c.disconnect();
  e = await rejects(c.query({ collectionname: col }));
  assertEq(e.kind, "NotConnected", "after disconnect");
  c.free();
}

export async function collections_indexes_and_custom_commands(env) {
  const { client: c } = await connected(env);
  const col = uniq("coll");
  await c.create_collection({ collectionname: col, timeseries: { timeField: "ts" }, collation: { locale: "en", strength: 2 } });
  let list = await c.list_collections();
  assert(list.some((l) => l.name === col), "created collection listed");
  assertEq(await c.create_index({ collectionname: col, index: { name: 1, age: -1 } }), "name_1_age_-1", "index name");
  await c.create_index({ collectionname: col, index: { email: 1 }, options: { unique: true }, name: "by_email" });
  let idx = await c.get_indexes(col);
  assertEq(idx.map((i) => i.name), ["_id_", "name_1_age_-1", "by_email"], "indexes");
  assertEq(idx[2].unique, true, "index options kept");
  await c.drop_index(col, "by_email");
  idx = await c.get_indexes(col);
  assertEq(idx.map((i) => i.name), ["_id_", "name_1_age_-1"], "index dropped");
  await c.drop_collection(col);
  // OpenFlow keeps a list_collections answer per jwt for 60 s, whatever includehist says (§10.1):
  // this client's token still sees the dropped collection, a new sign-in does not.
  list = await c.list_collections(true);
  assert(list.some((l) => l.name === col), "the same jwt gets the cached list");
  const { client: fresh } = await connected(env);
  list = await fresh.list_collections(true);
  assert(!list.some((l) => l.name === col), "collection dropped");
  fresh.disconnect();
  assertEq(await c.custom_command({ command: "echo", data: { hello: [1, 2] } }), { hello: [1, 2] }, "custom_command JSON result");
  assertEq(await c.custom_command({ command: "echo", data: "plain", timeout: 5 }), "plain", "custom_command text result");
  assertEq((await c.custom_command({ command: "whoami" })).username, USER, "whoami");
  c.disconnect();
}

export async function workitems_scenario_matches_the_official_client(env) {
  const w = env.expected.workitems;
  const { client: c } = await connected(env);
  const wiq = uniq("wiq");
  const job1 = await c.push_workitem({ wiq, name: "job1", payload: { n: 1 }, priority: 2 });
  assertEq([job1.name, job1.state, job1.wiq, job1.priority], ["job1", "new", wiq, 2], "pushed");
  assertEq(job1.payload, { n: 1 }, "payload parsed");
  assert(typeof job1.id === "string" && job1.id.length > 0, "id");
  assert(!("nextrun" in job1), "no nextrun when unset");
  await c.push_workitem({ wiq, name: "job2", payload: { n: 2 }, priority: 1 });
  const later = await c.push_workitem({ wiq, name: "later", nextrun: new Date(Date.now() + 3600_000) });
  assert(later.nextrun instanceof Date && later.nextrun.getTime() > Date.now(), "nextrun is a Date");

  const order = [];
  const first = await c.pop_workitem({ wiq });
  order.push(first.name);
  assertEq(first.state, w.first_pop_state, "popped state");
  assertEq(first.payload, w.payload_job2, "payload");
  assert(first.lastrun instanceof Date, "lastrun set");
  const done = await c.update_workitem({ workitem: { ...first, state: "successful" } });
  assertEq(done.state, w.after_success, "successful");

  const second = await c.pop_workitem({ wiqid: first.wiqid });
  order.push(second.name);
  const retried = await c.update_workitem({ workitem: { ...second, state: "retry", errormessage: "try again" } });
  assertEq({ state: retried.state, retries: retried.retries }, w.after_retry, "retry");
  assertEq(retried.errormessage, "try again", "error message kept");
  const third = await c.pop_workitem({ wiq });
  order.push(third.name);
  assertEq(order, w.pop_order, "pop order: priority, then age; retried items come back");
  await c.delete_workitem(third.id);
  assertEq(await c.pop_workitem({ wiq }), w.pop_when_empty, "nothing due");
  const e = await rejects(c.delete_workitem(third.id));
  assertEq(e.kind, "Server", "deleting twice");

  // Files attached as bytes come back as references that download returns.
  const withFile = await c.push_workitem({ wiq: uniq("wiqf"), name: "f", files: [{ filename: "a.txt", file: new TextEncoder().encode("hello") }] });
  assertEq(withFile.files.map((f) => f.filename), ["a.txt"], "file listed");
  const got = await c.download({ id: withFile.files[0].id });
  assertEq(new TextDecoder().decode(got.data), "hello", "attached file downloads");
  c.disconnect();
}

export async function upload_and_download_round_trip_bytes_in_chunks(env) {
  const f = env.expected.file;
  const { client: c } = await connected(env);
  const data = new Uint8Array(f.bytes);
  for (let i = 0; i < data.length; i++) data[i] = i % f.pattern_mod;
  const progress = [];
  const up = await c.upload({ filename: "pattern.bin", mimetype: "application/x-test", metadata: { k: "v" }, data, progress: (sent, total) => progress.push([sent, total]) });
  assertEq({ bytes: up.bytes, chunks: up.chunks }, { bytes: f.bytes, chunks: f.chunks }, "upload reply");
  assertEq(up.filename, "pattern.bin", "filename");
  assertEq(progress, [[1048576, f.bytes], [2097152, f.bytes], [f.bytes, f.bytes]], "progress per chunk");
  const log = JSON.parse(await (await fetch(env.control + "/log?command=stream")).text());
  assert(log.filter((e) => e.rid && e.rid.length > 0).length >= f.chunks, "chunks sent as stream envelopes with rid");

  const seen = [];
  const down = await c.download({ collectionname: "fs.files", id: up.id, progress: (n) => seen.push(n) });
  assertEq([down.id, down.filename, down.mimetype], [up.id, "pattern.bin", "application/x-test"], "download reply");
  assert(down.data instanceof Uint8Array, "bytes as Uint8Array");
  assertEq(down.data.length, f.bytes, "length");
  let same = true;
  for (let i = 0; i < data.length; i++) if (down.data[i] !== data[i]) { same = false; break; }
  assert(same, "bytes round-trip");
  assertEq(seen, [1048576, 2097152, f.bytes], "download progress per chunk");
  const meta = await c.query({ collectionname: "fs.files", query: { _id: up.id } });
  assertEq([meta[0].length, meta[0].metadata], [f.bytes, { k: "v" }], "file document");
  c.disconnect();
}

export async function upload_accepts_blob_arraybuffer_and_string(env) {
  const { client: c } = await connected(env);
  const cases = [
    ["blob", new Blob(["from ", "a blob"]), "from a blob"],
    ["arraybuffer", new TextEncoder().encode("from a buffer").buffer, "from a buffer"],
    ["view", new DataView(new TextEncoder().encode("xxfrom a viewxx").buffer, 2, 11), "from a view"],
    ["string", "from a string é", "from a string é"],
    ["empty", new Uint8Array(0), ""],
  ];
  for (const [name, data, text] of cases) {
    const up = await c.upload({ filename: name + ".txt", mimetype: "text/plain", data });
    const down = await c.download({ id: up.id });
    assertEq(new TextDecoder().decode(down.data), text, name);
    assertEq(down.mimetype, "text/plain", name + " mimetype");
  }
  c.disconnect();
}

// Linear memory never shrinks: a file copied into wasm whole would stay the page's high-water
// mark. Uploads are read a 1 MiB chunk at a time and downloads stay in JS.
export async function large_files_do_not_pass_through_wasm_memory(env) {
  const { client: c, events } = await connected(env);
  const MiB = 1024 * 1024;
  const big = new Uint8Array(24 * MiB);
  for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) % 251;
  big[big.length - 1] = 42;
  // `wasm_memory` comes from the browser suite (tests/web.rs); the Deno run checks the rest.
  const memory = () => (env.wasm_memory ? env.wasm_memory.buffer.byteLength : 0);
  const before = memory();

  const up = await c.upload({ filename: "big.bin", data: big });
  assertEq([up.bytes, up.chunks], [big.length, 24], "24 MiB upload in 24 chunks");
  const steps = [];
  const part = big.subarray(0, 5 * MiB + 3);
  const fromBlob = await c.upload({ filename: "big-blob.bin", data: new Blob([part]), progress: (sent, total) => steps.push([sent, total]) });
  assertEq(steps.map(([s]) => s), [1, 2, 3, 4, 5].map((n) => n * MiB).concat([part.length]), "Blob read and sent chunk by chunk");
  assert(steps.every(([, t]) => t === part.length), "progress total");
  const down = await c.download({ id: up.id });
  const grown = memory() - before;

  assertEq(down.data.length, big.length, "download length");
  let same = true;
  for (let i = 0; i < big.length; i += 4096) if (down.data[i] !== big[i]) { same = false; break; }
  assert(same && down.data[big.length - 1] === 42, "downloaded bytes");
  const blobBack = await c.download({ id: fromBlob.id });
  assertEq([blobBack.data.length, blobBack.data[4096 * 300]], [part.length, part[4096 * 300]], "Blob upload round trip");
  assert(grown <= 6 * MiB, `wasm memory grew by ${(grown / MiB).toFixed(1)} MiB for 29 MiB of uploads and a 24 MiB download`);

  // A progress callback that throws is reported; the upload still completes.
  const thrown = await c.upload({ filename: "p.bin", data: new Uint8Array(10), progress: () => { throw new Error("progress boom"); } });
  assertEq(thrown.bytes, 10, "upload with a throwing progress callback");
  await waitFor("progress error event", () => events.some((e) => e.event === "Error" && e.reason.includes("progress boom")));
  const k = c.debug_counts();
  assertEq([k.promises, k.in_flight, k.upload_streams, k.upload_sources], [0, 0, 0, 0], "no pending promise, request, upload stream or upload source");
  c.disconnect();
}

export async function uploads_wait_while_the_connection_is_backed_up(env) {
  await control(env, "/reset");
  const { client: c } = await connected(env, { heartbeat_ms: 0 });
  const MiB = 1024 * 1024;
  const data = new Uint8Array(64 * MiB);
  data[data.length - 1] = 7;
  const sent = [];
  await control(env, "/stall?ms=0"); // the server reads nothing: the socket backs up
  const upload = c.upload({ filename: "slow.bin", data, progress: (n) => sent.push(n), timeout: 60 });
  await sleep(800);
  const whileStalled = sent.length;
  await control(env, "/heal");
  const up = await upload;
  assert(whileStalled < 40, `only what the network holds is read while the server is stalled (${whileStalled} of 64 chunks)`);
  assertEq([up.bytes, sent.length], [data.length, 64], "the upload completes after the stall");
  const down = await c.download({ id: up.id });
  assertEq([down.data.length, down.data[data.length - 1]], [data.length, 7], "bytes");
  c.disconnect();
}

export async function watch_events_arrive_and_survive_a_dropped_connection(env) {
  await control(env, "/reset");
  const a = await connected(env), b = await connected(env);
  const col = uniq("watched");
  const seen = [];
  const id = await a.client.watch({ collectionname: col }, (ev) => seen.push(ev));
  await b.client.insert_one({ collectionname: col, item: { n: 1 } });
  await waitFor("event 1", () => seen.length === 1);
  assertEq([seen[0].operation, seen[0].document.n], ["insert", 1], "event from another client");

  a.events.length = 0;
  await control(env, "/drop");
  await waitFor("a signed in again", () => a.events.some((e) => e.event === "SignedIn"));
  await waitFor("b back", () => b.client.get_state() === "Signedin");
  await waitFor("watch registered again", async () =>
    JSON.parse(await (await fetch(env.control + "/log?command=watch")).text()).length >= 2);
  await sleep(100);
  await b.client.insert_one({ collectionname: col, item: { n: 2 } });
  await waitFor("event after reconnect", () => seen.length >= 2);
  assertEq(seen.map((e) => e.document.n), [1, 2], "delivered once each");
  assertEq(seen.map((e) => e.id), [id, id], "events keep the id watch() returned, across the reconnect");
  assert(!a.events.some((e) => e.event === "QueueRenamed"), "a watch is not reported as a renamed queue");
  await a.client.unwatch(id);
  await b.client.insert_one({ collectionname: col, item: { n: 3 } });
  await sleep(200);
  assertEq(seen.length, 2, "unwatch with the first id stops the events after a reconnect");
  a.client.disconnect();
  b.client.disconnect();
}

export async function data_methods_leave_nothing_pending(env) {
  const { client: c } = await connected(env);
  const col = uniq("leak");
  for (let i = 0; i < 20; i++) {
    await c.insert_one({ collectionname: col, item: { i } });
    await c.query({ collectionname: col, query: { i } });
    const up = await c.upload({ filename: "f", data: "x" });
    await c.download({ id: up.id });
    await rejects(c.delete_one({ collectionname: col, id: "missing" }));
  }
  const k = c.debug_counts();
  assertEq([k.promises, k.in_flight, k.outbox], [0, 0, 0], "no pending promise, request in flight or outbox entry");
  c.disconnect();
}

// ----- the methods ported from the official clients ------------------------------------------

export async function get_one_document_versions_and_update_document(env) {
  const { client: c } = await connected(env);
  const col = uniq("ported");
  await c.insert_many({ collectionname: col, items: [{ name: "a", n: 1 }, { name: "b", n: 2 }] });
  const one = await c.get_one({ collectionname: col, query: { name: "b" } });
  assertEq([one && one.name, one && one.n], ["b", 2], "get_one finds the document");
  assertEq(await c.get_one({ collectionname: col, query: { name: "nobody" } }), null, "get_one without a match");
  await c.update_one({ collectionname: col, item: { ...one, n: 20 } });
  const r = await c.update_document({ collectionname: col, query: { name: "b" }, document: { $set: { n: 200 }, $inc: { edits: 1 } } });
  assertEq([r.acknowledged, r.matchedCount, r.modifiedCount], [true, 1, 1], "update_document's result");
  assertEq((await c.get_one({ collectionname: col, query: { name: "b" } })).n, 200, "the update is stored");
  const v0 = await c.get_document_version({ collectionname: col, id: one._id, version: 0 });
  const v1 = await c.get_document_version({ collectionname: col, id: one._id, version: 1 });
  assertEq([v0.n, v1.n], [2, 20], "each version as it was");
  const e = await rejects(c.get_document_version({ collectionname: col, version: 0 }));
  assertEq(e.kind, "InvalidArgument", "get_document_version needs an id");
  const cols = await c.list_collections(false);
  assert(cols.some((x) => x.name === col), "list_collections(includehist) lists the collection");
  await c.create_collection({ collectionname: uniq("series"), timeseries: { time_field: "ts", meta_field: "m" } });
  await c.drop_collection(col);
  c.disconnect();
}

export async function work_item_queues_and_push_workitems(env) {
  const { client: c } = await connected(env);
  const name = uniq("wiq");
  const q = await c.add_workitem_queue({ workitemqueue: { name, maxretries: 5 } });
  assert(typeof q._id === "string" && q._id.length > 0, "the queue has an id");
  assertEq([q.name, q.maxretries], [name, 5], "add_workitem_queue");
  const renamed = await c.update_workitem_queue({ workitemqueue: { ...q, maxretries: 2 } });
  assertEq([renamed._id, renamed.maxretries], [q._id, 2], "update_workitem_queue");
  const items = await c.push_workitems({ wiq: name, items: [{ name: "w1", payload: { n: 1 } }, { name: "w2", payload: { n: 2 } }] });
  assertEq(items.map((w) => [w.name, w.payload.n, w.state]), [["w1", 1, "new"], ["w2", 2, "new"]], "push_workitems");
  const popped = await c.pop_workitem({ wiqid: q._id });
  assertEq(popped && popped.state, "processing", "pop by queue id");
  const e = await rejects(c.add_workitem_queue({ workitemqueue: { maxretries: 1 } }));
  assertEq(e.kind, "InvalidArgument", "a queue needs a name");
  await c.delete_workitem_queue({ wiq: name, purge: true });
  assertEq(await c.pop_workitem({ wiq: name }), null, "purged with the queue");
  c.disconnect();
}

export async function workflow_instances_customers_and_agents(env) {
  const { client: c } = await connected(env);
  const id = await c.create_workflow_instance({ workflowid: uniq("wf"), resultqueue: "results", targetid: "target", data: { a: 1 } });
  assert(typeof id === "string" && id.length > 0, "create_workflow_instance resolves to the instance id");
  const stored = await c.get_one({ collectionname: "workflow_instances", query: { _id: id } });
  assertEq(stored && stored._id, id, "the instance is stored");
  const name = uniq("customer");
  const first = await c.ensure_customer({ customer: { name } });
  const again = await c.ensure_customer({ customer: { name } });
  assert(first.customer && first.customer._id, "ensure_customer creates the customer");
  assertEq(again.customer._id, first.customer._id, "and finds it the second time");
  const agent = await c.insert_one({ collectionname: "agents", item: { _type: "agent", name: "a", slug: "agent1" } });
  await c.start_agent(agent._id);
  const pods = await c.get_agent_pods(agent._id, true);
  assertEq(pods.map((p) => p.metadata.name), ["agent1-pod"], "get_agent_pods");
  assert((await c.get_agent_pod_logs(agent._id, "agent1-pod")).includes("ready"), "get_agent_pod_logs");
  await c.delete_agent_pod(agent._id, "agent1-pod");
  await c.stop_agent(agent._id);
  assertEq(await c.get_agent_pods(agent._id), [], "no pod after stop_agent");
  await c.delete_agent(agent._id);
  const pkg = await c.insert_one({ collectionname: "agents", item: { _type: "package", name: "p" } });
  await c.delete_package(pkg._id);
  assertEq((await rejects(c.delete_package(pkg._id))).kind, "Server", "delete_package of a missing package");
  c.disconnect();
}

export async function invoke_openrpa_runs_a_workflow_on_a_robot(env) {
  const { client: c } = await connected(env);
  const result = await c.invoke_openrpa({ robotid: "testrobot", workflowid: "wf1", payload: { x: 41 }, timeout: 5 });
  assertEq(result, { x: 41 }, "the robot's invokecompleted data");
  const failed = await rejects(c.invoke_openrpa({ robotid: "testrobot", workflowid: "fail", payload: {} }));
  assertEq([failed.kind, failed.message], ["Server", "workflow failed"], "invokefailed");
  const idle = await rejects(c.invoke_openrpa({ robotid: "testrobot", workflowid: "idle", timeout: 0.3 }));
  assertEq(idle.kind, "Timeout", "a robot that never completes");
  assertEq(await c.invoke_openrpa({ robotid: "testrobot", workflowid: "wf1", rpc: false }), null, "rpc: false does not wait");
  assertEq((await rejects(c.invoke_openrpa({ workflowid: "wf1" }))).kind, "InvalidArgument", "robotid is required");
  await waitFor("temporary reply queues unregistered", () => c.debug_counts().callbacks === 0);
  // disconnect() while it waits for a robot that never completes: it rejects then, not at its timeout.
  const waiting = c.invoke_openrpa({ robotid: "testrobot", workflowid: "idle", timeout: 30 });
  await sleep(300);
  const t0 = Date.now();
  c.disconnect();
  const e = await rejects(waiting);
  assertEq(e.kind, "Disconnected", "invoke_openrpa after disconnect()");
  assert(Date.now() - t0 < 1000, `it settles at disconnect(), not at its timeout (${Date.now() - t0} ms)`);
}

export async function per_call_jwt_acts_as_that_user_for_that_request_only(env) {
  const { client: c, events } = await connected(env);
  const other = await (await fetch(env.control + "/jwt?user=otheruser")).json();
  const asOther = await c.custom_command({ command: "whoami", jwt: other.jwt, traceid: "t1", spanid: "s1" });
  assertEq(asOther.username, "otheruser", "the request runs as the token's user");
  assertEq((await c.custom_command({ command: "whoami" })).username, USER, "the next request is the connection's user");
  const log = JSON.parse(await (await fetch(env.control + "/log?command=customcommand")).text());
  const sent = log.filter((e) => e.has_jwt);
  assertEq(sent.map((e) => [e.traceid, e.spanid]), [["t1", "s1"]], "jwt, traceid and spanid on that envelope only");
  const expired = await (await fetch(env.control + "/jwt?user=otheruser&ms=0")).json();
  const e = await rejects(c.query({ collectionname: "entities", jwt: expired.jwt }));
  assertEq(e.kind, "Server", "a rejected token fails that call");
  assert(!JSON.stringify(e).includes(expired.jwt) && !e.message.includes(expired.jwt), "the token is not in the error");
  assertEq(c.get_state(), "Signedin", "the connection and its sign-in are untouched");
  assert(!events.some((ev) => ev.event === "Disconnected"), "no reconnect");
  assert(!JSON.stringify(events).includes(other.jwt), "no token in any event");
  assertEq(c.get_user().username, USER, "get_user");
  const checked = await c.signin({ username: "otheruser", password: "otherpass", validateonly: true });
  assertEq([checked.success, checked.user.username], [true, "otheruser"], "validateonly checks the credentials");
  assertEq(c.get_user().username, USER, "validateonly leaves the connection's user");
  c.set_default_timeout(12);
  assertEq(c.get_default_timeout(), 12, "set_default_timeout and get_default_timeout are seconds");
  c.disconnect();
}

export async function for_await_over_a_watch(env) {
  const { client: a } = await connected(env), { client: b } = await connected(env);
  const col = uniq("streamed");
  const changes = a.watch({ collectionname: col });
  await changes.name;
  await b.insert_one({ collectionname: col, item: { n: 1 } });
  await b.insert_one({ collectionname: col, item: { n: 2 } });
  const seen = [];
  for await (const ev of changes) {
    seen.push(ev.document.n);
    if (seen.length === 2) break;
  }
  assertEq(seen, [1, 2], "for await over watch");
  await b.insert_one({ collectionname: col, item: { n: 3 } });
  await sleep(200);
  assertEq(a.debug_counts().callbacks, 0, "break unwatched");
  a.disconnect();
  b.disconnect();
}
