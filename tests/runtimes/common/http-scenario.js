// The transient model over HTTP (POST /api/v2) that every runtime test runs, given the package's
// `Client`, the test server's ws:// URL with credentials and its control URL:
//   client.transport -> a transient call with a JWT is one POST (connect() sends nothing) ->
//   a password sign-in is one POST -> the data API, queue_message to a WebSocket consumer,
//   custom_command, work items -> what cannot work over HTTP rejects at once (NotSupported) ->
//   a refused token (validate: true at connect(), else the first call: Signin) -> an unreachable
//   host (ConnectFailed) -> AbortSignal and timeouts (the fetch is aborted) -> malformed replies
//   (typed errors, never a hang) -> no credential in any event or error.
// `browser`: a page on another origin, where a reply without CORS headers is a network failure.
// Throws on failure; returns a one-line summary.
import { check, checkEq, waitFor } from "./checks.js";

/** Every error message seen, to check that no credential is in one. */
const messages = [];

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    messages.push(String(e.message));
    return { kind: e.kind, name: e.name, message: String(e.message) };
  }
  return "resolved";
}

const kindOf = async (p) => (await rejection(p)).kind;

export async function httpScenario(Client, url, control, tag, browser = false) {
  const t0 = Date.now();
  const u = new URL(url.replace(/^ws/, "http"));
  const base = `http://${u.host}`;
  const withPassword = `http://${u.username}:${u.password}@${u.host}`;
  const ctl = async (path) => (await fetch(control + path)).json();
  const mint = async (ms) => (await ctl(`/jwt?user=testuser${ms === undefined ? "" : `&ms=${ms}`}`)).jwt;
  const received = async () => (await ctl("/stats")).received;
  const token = await mint();
  const secrets = [token, decodeURIComponent(u.password)];
  const said = [];
  const watch = (c) => c.on_client_event((e) => said.push(e.reason));
  const col = `http_${tag}_${Math.random().toString(36).slice(2, 8)}`;

  // client.transport follows the scheme.
  for (const [ws, want] of [[url, "websocket"], [base, "http"], [`https://${u.host}`, "http"]]) {
    const c = new Client({ url: ws });
    checkEq(c.transport, want, `transport of ${ws.replace(/\/\/.*@/, "//")}`);
    c.free();
  }

  // shared: true in a browser: POST /api/v2 keeps no connection to share, whatever white space
  // is around the URL (the wasm trims it too).
  if (browser) {
    for (const shared of [base, ` ${base}\n`]) {
      let e = null;
      try { new Client({ url: shared, shared: true }).free(); } catch (err) { e = err; }
      check(e && e.kind === "NotSupported" && e.message.includes("wss://"), `shared: true over ${JSON.stringify(shared)}: ${e}`);
    }
  }

  // The transient call with a JWT: new Client + connect() + one query + disconnect() is one POST.
  const seen = await received();
  const events = [];
  const t = new Client({ url: base, jwt: token });
  t.on_client_event((e) => events.push(e.event));
  watch(t);
  await t.connect();
  checkEq(t.get_state(), "Connected", "connect() with a jwt sends nothing and is ready");
  checkEq(await t.query({ collectionname: col, query: {} }), [], "the first query");
  checkEq(t.get_state(), "Signedin", "the server took the token");
  t.disconnect();
  checkEq((await received()) - seen, 1, "envelopes the server received for the transient call");
  checkEq(events, ["Connecting", "Connected", "SignedIn", "Disconnected"], "events");
  const counts = t.debug_counts();
  checkEq([counts.fetches, counts.timers, counts.promises, counts.in_flight], [0, 0, 0, 0], "nothing left running");

  // A password signs in with one POST; its JWT is what the later posts carry.
  const c = new Client({ url: withPassword, agent: "http-" + tag });
  watch(c);
  const beforeSignin = await received();
  await c.connect();
  checkEq((await received()) - beforeSignin, 1, "a password connect() is one sign-in POST");
  checkEq([c.get_state(), c.get_user() && c.get_user().username], ["Signedin", "testuser"], "signed in");
  // A WebSocket client consumes what the HTTP client sends.
  const ws = new Client({ url });
  const got = [];
  try {
    await ws.connect();
    const queuename = `http.${tag}.${Math.random().toString(36).slice(2, 8)}`;
    await ws.register_queue({ queuename }, (m) => { got.push(m.data); });

    const doc = await c.insert_one({ collectionname: col, item: { name: "a", n: 1 } });
    check(typeof doc._id === "string", "insert_one over HTTP");
    await c.insert_many({ collectionname: col, items: [{ name: "b", n: 2 }] });
    checkEq((await c.query({ collectionname: col, query: { n: { $gt: 1 } } })).map((d) => d.name), ["b"], "query");
    checkEq(await c.count({ collectionname: col }), 2, "count");
    checkEq((await c.get_document_version({ collectionname: col, id: doc._id, version: 0 })).name, "a", "get_document_version");
    check((await c.list_collections()).some((x) => x.name === col), "list_collections");
    await c.push_workitem({ wiq: col, name: "job", payload: { x: 1 } });
    checkEq((await c.pop_workitem({ wiq: col })).payload, { x: 1 }, "push_workitem / pop_workitem");
    check(JSON.stringify(await c.custom_command({ command: "whoami" })).includes("testuser"), "custom_command");
    await c.queue_message({ queuename, data: { via: "http" }, striptoken: true });
    await waitFor("the WebSocket consumer gets the message sent over HTTP", () => got.length === 1);
    checkEq(got[0], { via: "http" }, "queue_message over HTTP");
    checkEq(await kindOf(c.delete_one({ collectionname: col, id: "missing" })), "Server", "a server error is its own");
    await c.drop_collection(col);

    // What cannot work over POST /api/v2 rejects at once, typed, naming wss://.
    const refused = {
      register_queue: () => c.register_queue("q", () => {}),
      register_exchange: () => c.register_exchange({ exchangename: "x" }, () => {}),
      watch: () => c.watch({ collectionname: col }, () => {}),
      rpc: () => c.rpc({ queuename, data: {} }),
      upload: () => c.upload({ filename: "f.txt", data: "x" }),
      download: () => c.download({ id: "x" }),
      unregister_queue: () => c.unregister_queue("q"),
      unwatch: () => c.unwatch("w"),
      invoke_openrpa: () => c.invoke_openrpa({ robotid: "r", workflowid: "w" }),
      "for await": async () => { for await (const _ of c.queue("q")) break; },
      live_query: async () => c.live_query({ collectionname: col }),
    };
    const sent = await received();
    for (const [name, call] of Object.entries(refused)) {
      const r = await rejection(call());
      check(r.kind === "NotSupported" && r.message.includes("wss://"), `${name} over HTTP: ${JSON.stringify(r)}`);
    }
    checkEq((await received()) - sent, 0, "nothing was sent for them");
    checkEq([c.debug_counts().registrations, c.debug_counts().callbacks], [0, 0], "no registration kept");

    // Per-call settings: AbortSignal (the fetch is aborted), timeouts.
    await ctl("/delay-reply?command=query&ms=1500");
    const ac = new AbortController();
    const aborted = c.query({ collectionname: col, signal: ac.signal });
    await waitFor("the query's fetch", () => c.debug_counts().fetches === 1);
    ac.abort();
    checkEq((await rejection(aborted)).name, "AbortError", "an aborted call");
    checkEq(c.debug_counts().fetches, 0, "its fetch was aborted");
    // (Another command: an aborted fetch may still reach the server later and take a delay.)
    await ctl("/delay-reply?command=distinct&ms=1500");
    checkEq(await kindOf(c.distinct({ collectionname: col, field: "name", timeout_ms: 100 })), "Timeout", "timeout_ms");
    checkEq(c.debug_counts().fetches, 0, "the timed-out fetch was aborted");
    await ctl("/heal");

    // Malformed replies: typed errors, never a hang, and the client keeps working.
    const bad = [["notjson", "Protocol"], ["truncated", "Protocol"], ["notenvelope", "Protocol"],
      ["cut", "ConnectFailed"], ["500", browser ? "ConnectFailed" : "Server"]];
    for (const [kind, want] of bad) {
      await ctl(`/api-garbage?kind=${kind}`);
      const r = await rejection(c.count({ collectionname: col, timeout_ms: 5000 }));
      check(r.kind === want && !/usr\/src|SyntaxError/.test(r.message), `reply '${kind}': ${JSON.stringify(r)}`);
    }
    checkEq(await c.count({ collectionname: col }), 0, "the client works after bad replies");
  } finally {
    ws.disconnect();
    c.disconnect();
  }
  checkEq(c.debug_counts().fetches, 0, "disconnect() leaves no fetch");

  // A refused token: at connect() with validate: true, else at the first call; both kind Signin.
  const forged = token.slice(0, -4) + "AAAA";
  const v = new Client({ url: base, jwt: forged, validate: true });
  watch(v);
  checkEq(await kindOf(v.connect()), "Signin", "validate: true checks the jwt at connect()");
  v.disconnect();
  const f = new Client({ url: base, jwt: forged });
  watch(f);
  await f.connect();
  checkEq(await kindOf(f.query({ collectionname: col })), "Signin", "a refused token fails the first call");
  checkEq(f.get_state(), "Connected", "never signed in");
  f.disconnect();
  const w = new Client({ url: withPassword.replace(`:${u.password}@`, ":wrong@") });
  checkEq(await kindOf(w.connect()), "Signin", "a wrong password");
  w.disconnect();

  // An unreachable host: the first call with a JWT, connect() with a password.
  const gone = new Client({ url: "http://127.0.0.1:1", jwt: token, timeout_ms: 5000 });
  watch(gone);
  await gone.connect();
  checkEq(await kindOf(gone.query({ collectionname: col })), "ConnectFailed", "an unreachable host");
  gone.disconnect();
  const goneP = new Client({ url: "http://u:p@127.0.0.1:1", timeout_ms: 5000 });
  checkEq(await kindOf(goneP.connect()), "ConnectFailed", "an unreachable host at a password connect()");
  goneP.disconnect();

  for (const s of secrets) check(![...said, ...messages].some((r) => r.includes(s)), "no credential in an event or error");
  return `${tag} over HTTP: transport, transient call = 1 POST, password sign-in = 1 POST, data API, queue_message to a ` +
    `WebSocket, NotSupported x11, refused token, unreachable, abort, timeout, bad replies ok in ${Date.now() - t0} ms`;
}
