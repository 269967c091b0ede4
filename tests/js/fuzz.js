// Hostile arguments against every public method of `Client`, shared by the Node runner
// (tests/runtimes/fuzz/run.mjs) and the Chromium page (tests/runtimes/fuzz/browser.mjs). No
// imports: it gets the package's `Client` and `ClientError` from its caller.
//
// The rule each call must keep:
// - it returns, resolves, throws or rejects; when it fails, the thrown or rejected value is a
//   `ClientError` with a known `kind`, never a wasm trap (`RuntimeError: unreachable`), a
//   TypeError from the bindings, or the hostile value's own exception;
// - when the options object cannot be read at all (a Proxy that throws on every trap, or an
//   object whose every property getter throws), the kind is `InvalidArgument`: an unreadable
//   option is an error, never silently absent. Other bad calls may fail with another kind when
//   they were well-formed enough to reach the connection (`NotConnected` on a client that never
//   connected, `Server` for a query the server rejects, ...).
// Clients are built from hostile options too (the constructor must throw a `ClientError` or
// build a client). A fourth positional argument (a number) must be refused with an
// `InvalidArgument` that says where a timeout goes. Afterwards every fuzzed client is
// disconnected and freed (what waits rejects with a `ClientError`, judged as above; a promise
// still pending 3 s later is a failure), and a new client in
// the same instance must connect,
// sign in and make an rpc (a trap would have left the instance unusable).
//
// Deterministic: a seeded PRNG picks the values; the seed and the number of calls are printed.

const KINDS = new Set(["Disconnected", "Timeout", "Server", "Signin", "NotConnected", "ConnectFailed",
  "InvalidArgument", "Protocol", "OutboxFull", "GaveUp", "Cancelled", "NotSupported", "RateLimited"]);

/** Option names the client reads (plus a few it does not): hostile values go in each. */
const KEYS = ["url", "username", "password", "jwt", "agent", "version", "framing", "timeout", "timeout_ms",
  "connect_timeout_ms", "heartbeat_ms", "heartbeat_timeout_ms", "max_frame_bytes", "outbox_limit", "reconnect",
  "initial_ms", "max_ms", "maxretries", "allow_insecure", "get_token", "ping", "auto_reregister", "queuename",
  "exchangename", "routingkey", "addqueue", "data", "replyto", "correlation_id", "expiration", "striptoken",
  "signal", "buffer", "traceid", "spanid", "collectionname", "query", "projection", "top", "skip", "orderby",
  "queryas", "item", "items", "document", "documents", "id", "ids", "w", "j", "uniqeness", "paths", "filename",
  "mimetype", "metadata", "content", "file", "wiq", "wiqid", "name", "index", "indexname", "options", "robotid",
  "workflowid", "payload", "rpc", "command", "state", "error", "success_wiqid", "algorithm", "version",
  "longtoken", "validateonly", "_id", "_acl", "email", "domains", "vattype", "expire_after_seconds"];

/** mulberry32: a small seeded PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function boom() { throw new Error("hostile: thrown by the argument"); }

/** A Proxy that throws on every trap. */
function throwingProxy(target = {}) {
  const traps = {};
  for (const t of ["get", "set", "has", "deleteProperty", "ownKeys", "getOwnPropertyDescriptor", "defineProperty",
    "getPrototypeOf", "setPrototypeOf", "isExtensible", "preventExtensions", "apply", "construct"]) traps[t] = boom;
  return new Proxy(target, traps);
}

/** An object whose every property (the option names above, and then some) has a throwing getter. */
function throwingGetters() {
  const o = {};
  for (const k of [...KEYS, "then", "length", "constructor", "buffer", "byteLength", "aborted"]) {
    Object.defineProperty(o, k, { get: boom, enumerable: true });
  }
  return o;
}

/** The hostile values, by name; `huge` is built once. Functions return a fresh value each time. */
export function hostileValues() {
  const huge = "x".repeat(16 * 1024 * 1024);
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  cyclic.list = [cyclic];
  const cyclicArray = [];
  cyclicArray.push(cyclicArray);
  const coercion = { toString: boom, valueOf: boom, toJSON: boom, [Symbol.toPrimitive]: boom };
  return {
    undefined: () => undefined, null: () => null, true: () => true, false: () => false, zero: () => 0,
    negative: () => -1, fraction: () => 0.5, nan: () => NaN, infinity: () => Infinity, minus_infinity: () => -Infinity,
    big_number: () => 2 ** 64, max_value: () => Number.MAX_VALUE, empty_string: () => "", string: () => "hostile",
    huge_string: () => huge, lone_high_surrogate: () => "\uD800", lone_low_surrogate: () => "a\uDFFFb",
    nul_string: () => "a\u0000b", url_like: () => "ws://\uD800:\uDFFF@[::1", bigint: () => 2n ** 70n,
    symbol: () => Symbol("hostile"), function: () => () => {}, throwing_function: () => boom,
    class: () => class {}, empty_object: () => ({}), null_prototype: () => Object.create(null), array: () => [1, "2", null],
    sparse_array: () => new Array(5), strings_with_surrogates: () => ["\uD800", "ok"], cyclic: () => cyclic,
    cyclic_array: () => cyclicArray, throwing_coercion: () => coercion, throwing_getters: throwingGetters,
    throwing_proxy: () => throwingProxy(), throwing_function_proxy: () => throwingProxy(function () {}),
    date_nan: () => new Date(NaN), date: () => new Date(0), bytes: () => new Uint8Array([0, 255]),
    array_buffer: () => new ArrayBuffer(3), data_view: () => new DataView(new ArrayBuffer(4)),
    promise: () => new Promise(() => {}),
    fake_signal: () => ({ get aborted() { return boom(); }, addEventListener: boom }),
    revoked_proxy: () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; },
    throwing_array_proxy: () => throwingProxy([]),
    throwing_index: () => Object.defineProperty([1, 2], 0, { get: boom }),
    throwing_signal: () => ({ aborted: false, reason: undefined, addEventListener: boom, removeEventListener: boom }),
    regexp: () => /x/g, error: () => new Error("hostile"), map: () => new Map([[1, 2]]),
  };
}

/** `{key: value}` with a hostile value under one or several option names (hostile options). */
function hostileOptions(rnd, values, names) {
  const o = {};
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) o[KEYS[Math.floor(rnd() * KEYS.length)]] = values[names[Math.floor(rnd() * names.length)]]();
  return o;
}

/** Every public method of the class: own functions of the prototype, `*_async` aliases and the
 * data API's `__call` included; not wasm-bindgen's `__destroy_into_raw` (it hands the object's
 * pointer over, as `free` ends it: both are called once at the end). */
export function publicMethods(Client) {
  // The browser builds' `Client` is a subclass (shared-shell.js): walk up to the wasm class.
  const names = new Set();
  for (let p = Client.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) {
      if (n !== "constructor" && n !== "__destroy_into_raw" && n !== "free"
        && typeof Object.getOwnPropertyDescriptor(p, n).value === "function") names.add(n);
    }
  }
  return [...names].sort();
}

/** Runs the fuzz; resolves to a summary line, rejects listing the broken calls. */
export async function fuzz({ Client, ClientError, url, username = "testuser", password = "testpass",
  seed = 20261201, rounds = 2000, log = () => {} }) {
  const rnd = prng(seed);
  const values = hostileValues();
  const names = Object.keys(values);
  const methods = publicMethods(Client);
  const failures = [];
  const kinds = {};
  const pending = [];
  let calls = 0;
  const describe = (e) => {
    try {
      return `${e && e.constructor && e.constructor.name}: ${e && e.message}`.slice(0, 200);
    } catch {
      return "an unprintable value";
    }
  };
  const judge = (what, outcome, e, strict) => {
    if (outcome === "ok") return;
    const good = e instanceof ClientError && KINDS.has(e.kind) && typeof e.message === "string";
    if (!good) return failures.push(`${what}: ${outcome} ${describe(e)}`);
    kinds[e.kind] = (kinds[e.kind] || 0) + 1;
    if (strict && e.kind !== "InvalidArgument") failures.push(`${what}: ${e.kind} instead of InvalidArgument: ${e.message}`);
  };
  const trace = globalThis.process && globalThis.process.env && globalThis.process.env.FUZZ_TRACE;
  const call = (client, method, args, what, strict) => {
    calls++;
    if (trace) log(`call ${calls}: ${what}`);
    let r;
    try {
      r = client[method](...args);
    } catch (e) {
      return judge(what, "threw", e, strict);
    }
    if (r && typeof r.then === "function" && r instanceof Promise) {
      let settled = false;
      const p = r.then(() => { settled = true; }, (e) => { settled = true; judge(what, "rejected", e, strict); });
      pending.push({ p, what, client, settled: () => settled });
    } else if (r && typeof r[Symbol.asyncIterator] === "function" && typeof r.return === "function") {
      r.return().catch((e) => judge(what + " return()", "rejected", e, false));
      if (r.name instanceof Promise) r.name.catch((e) => judge(what + " name", "rejected", e, strict));
    }
  };
  const label = (v) => names.find((n) => n === v) || "options";

  // Clients: from hostile options (each value, and `{key: value}` objects), plus one signed in.
  const clients = [];
  const construct = (opts, what) => {
    calls++;
    try {
      clients.push(new Client(opts));
    } catch (e) {
      judge(what, "threw", e, false);
    }
  };
  for (const n of names) construct(values[n](), `new Client(${n})`);
  for (let i = 0; i < 60; i++) {
    const o = hostileOptions(rnd, values, names);
    if (rnd() < 0.5) o.url = url;
    construct(o, `new Client({${Object.keys(o)}})`);
  }
  const live = new Client({ url, username, password });
  await live.connect();
  clients.push(live);
  log(`fuzz: seed ${seed}, ${methods.length} methods, ${clients.length} clients built from ${names.length + 60 + 1} option sets`);

  const strictArgs = new Set(["throwing_proxy", "throwing_getters"]);
  const readsOptions = (m) => !/^(disconnect|get_|set_|debug_counts|off_client_event|on_client_event|reconnect|connect|unregister_queue|unwatch)/.test(m);
  // Pass 1: every method, every hostile value as first argument (and a hostile second one), on
  // the live client and on a never-connected one.
  const idle = new Client({ url });
  clients.push(idle);
  for (const m of methods) {
    if (m === "disconnect" || m.startsWith("signin")) continue; // the live client stays signed in until pass 2
    for (const n of names) {
      const second = values[names[Math.floor(rnd() * names.length)]]();
      const strict = strictArgs.has(n) && readsOptions(m);
      call(idle, m, [values[n](), second], `idle.${m}(${n})`, strict);
      call(live, m, [values[n](), second], `live.${m}(${n})`, strict);
    }
    await new Promise((r) => setTimeout(r, 0));
  }
  // Pass 1b: an argument past the ones a method takes is refused, never ignored; a number there is
  // most likely a timeout, and the message says where a timeout goes.
  const noArguments = /^(disconnect|free|reconnect|debug_counts|get_state|get_user|get_default_timeout)(_async)?$/;
  for (const m of methods) {
    if (noArguments.test(m) || m.startsWith("_")) continue;
    for (const c of [idle, live]) {
      calls++;
      let outcome;
      try {
        outcome = c[m](undefined, undefined, undefined, 1000);
      } catch (e) {
        outcome = Promise.reject(e);
      }
      const e = await Promise.resolve(outcome).then(() => null, (x) => x);
      const good = e instanceof ClientError && e.kind === "InvalidArgument" && /timeout/.test(e.message);
      if (!good) failures.push(`${m}(…, 1000): ${e ? describe(e) : "the extra argument was ignored"}`);
    }
  }
  // Pass 2: random methods, hostile options objects and values, on every client.
  const t0 = Date.now();
  for (let i = 0; i < rounds && Date.now() - t0 < 15000; i++) {
    const m = methods[Math.floor(rnd() * methods.length)];
    const c = clients[Math.floor(rnd() * clients.length)];
    const args = [];
    const argc = Math.floor(rnd() * 4);
    for (let a = 0; a < argc; a++) {
      args.push(rnd() < 0.5 ? hostileOptions(rnd, values, names) : values[names[Math.floor(rnd() * names.length)]]());
    }
    call(c, m, args, `${c === live ? "live" : "other"}.${m}(${args.map(label)})`, false);
    if (i % 50 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  // The end of every fuzzed client: what waits must settle with a ClientError.
  for (const c of clients) {
    call(c, "disconnect", [values.throwing_proxy()], "disconnect", false);
  }
  const deadline = Date.now() + 3000;
  while (pending.some((x) => !x.settled()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // Every promise settles: after disconnect() nothing may stay pending.
  const stuck = pending.filter((x) => !x.settled()).map((x) => x.what);
  for (const what of stuck) failures.push(`${what}: still pending 3 s after disconnect()`);
  for (const c of clients) {
    calls++;
    try {
      c.free(values.throwing_proxy());
    } catch (e) {
      judge("free", "threw", e, false);
    }
  }
  // The instance still works.
  const fresh = new Client({ url, username, password });
  try {
    await fresh.connect();
    const queue = await fresh.register_queue({ queuename: "" }, (msg) => ({ echo: msg.data }));
    const reply = await fresh.rpc({ queuename: queue, data: { n: 1, s: "\uD83D\uDE00" } });
    if (!reply || !reply.echo || reply.echo.n !== 1) throw new Error("rpc reply " + JSON.stringify(reply));
  } catch (e) {
    failures.push(`a normal client after the fuzz: ${describe(e)}`);
  } finally {
    fresh.disconnect();
    fresh.free();
  }
  const summary = `fuzz: seed ${seed}, ${calls} calls on ${methods.length + 1} methods, ` +
    `errors by kind ${JSON.stringify(kinds)}; afterwards a new client connected, signed in and made an rpc`;
  if (failures.length) {
    const unique = [...new Set(failures)];
    const byMethod = {};
    for (const f of unique) { const m = /^\w+\.(\w+)/.exec(f); const k = m ? m[1] : f.slice(0, 30); byMethod[k] = (byMethod[k] || 0) + 1; }
    log("bad outcomes by method: " + JSON.stringify(byMethod));
    throw new Error(`${unique.length} bad outcomes (seed ${seed}, ${calls} calls):\n  ${unique.slice(0, 60).join("\n  ")}`);
  }
  log(summary);
  return summary;
}
