// Benchmarks and soak of openiap-wasm in headless Chromium against the test server on loopback.
// Run through `bash .ci/bench.sh` (builds what is needed). Writes results.json and results.md.
//
//   BENCH_QUICK=1       short run (smaller counts, fewer rounds); output in target/bench/
//   SOAK_MINUTES=N      also run the soak: N minutes of random faults, lost/duplicated messages
//   BENCH_PHASES=a,b    only these phases: replay, throughput, latency, reconnect, deadlink, memory, size,
//                       soak, http (tests/bench/http.mjs: POST /api/v2 against the WebSocket, Node + workerd)
//   BENCH_OUT_DIR=dir   where results.json / results.md go (default tests/bench, quick: target/bench)
//   BENCH_PROFILE=1     always take a CPU profile of our client's throughput run (else only when a
//                       target is missed)
//   BENCH_PHASES=profile  only the CPU profiles (ours, pure JS, raw)
//   BENCH_PKG=dir       the package to measure (default pkg/; e.g. a `wasm-pack --profiling` build
//                       with function names, for profiles)
//   BENCH_PKG_B=dir     a second build, measured beside the first in the replay (kind ours_b):
//                       a change's own gain, paired per round
//   BENCH_ROUNDS=n      paired rounds of the replay and throughput phases (7; quick: 3)
//   TESTSERVER_BIN      the server binary (default target/release/openiap-testserver)
//
// Every figure is also given as a ratio against a baseline measured in the same run and the same
// page, because the machine may be shared.
import { spawn, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { NodeWire } from "./wire-node.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const npmRequire = createRequire(path.join(ROOT, ".ci/npm/package.json"));
const { chromium } = npmRequire("playwright-core");
const { WebSocket, WebSocketServer } = npmRequire("ws");
const protobuf = npmRequire("protobufjs/light");

const QUICK = process.env.BENCH_QUICK === "1";
// BENCH_LIVE=1: the consumer is registered before the sender starts (the sender and the broker
// can then limit the rate); default: the queue is filled first.
const LIVE = process.env.BENCH_LIVE === "1";
const SOAK_MINUTES = Number(process.env.SOAK_MINUTES || 0);
const ALL_PHASES = ["replay", "throughput", "latency", "reconnect", "deadlink", "memory", "size", "soak", "http"];
const PHASES = process.env.BENCH_PHASES ? process.env.BENCH_PHASES.split(",") : ALL_PHASES.filter((p) => p !== "soak" || SOAK_MINUTES > 0);
const OUT_DIR = path.resolve(ROOT, process.env.BENCH_OUT_DIR || (QUICK ? "target/bench" : "tests/bench"));
const SERVER_BIN = process.env.TESTSERVER_BIN || path.join(ROOT, "target/release/openiap-testserver");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const USER = "testuser", PASS = "testpass";

// Sizes of the workload (full / quick).
const N = QUICK
  ? { replay: { 256: 5000, 16384: 500 }, tp: { 256: 4000, 16384: 400 }, rounds: 3, latRounds: 3, latPerRound: 200, reconnect: 3, reconnectDefault: 2, halfOpen: 2,
      deadLink: 1, memWarm: 5000, memMessages: 50000, memCycles: 50 }
  : { replay: { 256: 20000, 16384: 2000 }, tp: { 256: 20000, 16384: 2000 }, rounds: 7, latRounds: 7, latPerRound: 500, reconnect: 10, reconnectDefault: 10, halfOpen: 5,
      deadLink: 3, memWarm: 20000, memMessages: 1000000, memCycles: 1000 };
// The targets (issue 22), each a median of the per-round paired ratios at both sizes: the replay
// (CPU only) against the pure-JS client and the parse floor; end to end against the pure-JS
// client; rpc p50 against both.
const TARGETS = {
  replay_ours_over_pbjs: 1.3, replay_ours_over_floor: 0.7, tp_ours_over_pbjs: 1.05,
  rpc_p50_over_pbjs: 1.0, rpc_p50_over_raw: 1.1, dead_link_ms: 25000,
};
if (process.env.BENCH_ROUNDS) N.rounds = Number(process.env.BENCH_ROUNDS);
const MEM_BUDGET_MS = QUICK ? 120000 : 600000; // for the messages + the reconnect cycles together

const log = (...a) => console.log(`[bench +${((Date.now() - T0) / 1000).toFixed(0)}s]`, ...a);
const T0 = Date.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const r2 = (x) => Math.round(x * 100) / 100;
const r0 = (x) => Math.round(x);

// ---------------------------------------------------------------------------------------------
// The stack: test server, static server for the page, plain WebSocket echo server.

const children = [];
process.on("exit", () => { for (const c of children) if (c.exitCode === null) c.kill("SIGTERM"); });

// The main server never pings (so that nothing but the workload crosses the link); the dead-link
// phase adds one with the defaults, which ping every 10 s as OpenFlow does. `origin`: the bench
// page's, the one browser origin allowed on the control port.
const QUIET_ARGS = ["--ping-interval-ms", "3600000", "--idle-timeout-ms", "3600000", "--pending-limit", "1000000"];
function startServer(origin, extra = QUIET_ARGS) {
  return new Promise((resolve, reject) => {
    const args = ["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--quiet", "--allow-origin", origin, ...extra];
    const child = spawn(SERVER_BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "", err = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /LISTENING ws=(\S+) control=(\S+)/.exec(out);
      if (m) resolve({ ws: m[1], control: m[2], args, child });
    });
    child.stderr.on("data", (d) => { err = (err + d).slice(-4000); });
    child.on("exit", (code) => reject(new Error(`test server exited (${code}): ${err}`)));
  });
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
// pkg/ is copied first: other builds may replace it while the benchmark runs.
const PKG = path.join(ROOT, "target/bench/pkg");
const PKG_B = process.env.BENCH_PKG_B ? path.join(ROOT, "target/bench/pkg-b") : null;
const MOUNTS = [
  ["/pkg/", PKG],
  ...(PKG_B ? [["/pkgb/", PKG_B]] : []),
  ["/bench/", path.join(ROOT, "tests/bench")],
  ["/pbjs/", path.dirname(npmRequire.resolve("protobufjs/dist/light/protobuf.min.js"))],
];
function startStatic() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x").pathname;
    const p = url === "/" ? "/bench/index.html" : url;
    for (const [prefix, dir] of MOUNTS) {
      if (!p.startsWith(prefix)) continue;
      const file = path.resolve(dir, "." + path.sep + p.slice(prefix.length));
      if (!file.startsWith(dir + path.sep) || !fs.existsSync(file)) break;
      // Cross-origin isolated, so that performance.now() steps by 5 µs instead of 100 µs: rpc
      // round trips of about 1 ms would otherwise be measured in 10 % steps.
      res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream", "Cache-Control": "no-store",
        "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" });
      return fs.createReadStream(file).pipe(res);
    }
    res.writeHead(404).end("not found");
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r({ server, url: `http://127.0.0.1:${server.address().port}/` })));
}

function startEcho() {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  wss.on("connection", (ws) => ws.on("message", (d, binary) => ws.send(d, { binary })));
  return new Promise((r) => wss.on("listening", () => r({ wss, url: `ws://127.0.0.1:${wss.address().port}/` })));
}

async function control(ctl, p) {
  const r = await fetch(ctl + p, { method: "POST" });
  if (!r.ok) throw new Error(`control ${p}: HTTP ${r.status}`);
  return r.text();
}

async function sender(stack) {
  const w = new NodeWire(WebSocket, protobuf, stack.ws);
  await w.open();
  await w.signin(USER, PASS);
  return w;
}

/** A JSON document of `size` bytes: an array of small records, as applications send. */
function payload(size) {
  const items = [];
  let s = "";
  for (let i = 0; ; i++) {
    items.push({ id: i, name: `item-${i}`, price: r2(i * 1.37), tags: ["a", "b"], ok: i % 2 === 0 });
    const next = JSON.stringify({ items, pad: "" });
    if (next.length > size) { items.pop(); break; }
    s = next;
  }
  const pad = "x".repeat(size - s.length);
  const out = JSON.stringify({ items, pad });
  if (out.length !== size) throw new Error(`payload ${out.length} != ${size}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Phases.

/** Median, min, max (and the values) of `a`. */
const stats = (a) => ({ median: median(a), min: Math.min(...a), max: Math.max(...a), rounds: a });

// Replay: the byte stream of a real run, recorded once per size, played back into every client's
// receive path in the page with no network in between (replay.js). Paired per round.
const REPLAY_KINDS = ["ours", "pbjs", "raw", "floor", ...(PKG_B ? ["ours_b"] : [])];
const REPLAY_BATCH = 256; // WebSocket messages per task
const PROFILE_REPEAT = 5; // a profiled replay plays its recording this many times

async function replay(page, stack, results) {
  const w = await sender(stack);
  const recorded = {};
  for (const size of [256, 16384]) {
    const queue = `bench-replay-${size}`;
    await w.blast(queue, payload(size), N.replay[size]);
    recorded[size] = await page.evaluate(([q, c, s]) => window.bench.replayRecord(q, c, s), [queue, N.replay[size], size]);
    await control(stack.control, "/reset");
    log(`replay: recorded ${recorded[size].events} events of ${size} B in ${recorded[size].messages} WebSocket messages`);
  }
  w.close();
  const run = (kind, size) => page.evaluate(([k, s, b]) => window.bench.replayRun(k, s, b), [kind, size, REPLAY_BATCH]);
  log("replay: warm-up");
  for (const size of [256, 16384]) for (const k of REPLAY_KINDS) await run(k, size);
  const runs = [];
  for (const size of [256, 16384]) {
    for (let round = 0; round < N.rounds; round++) {
      const order = REPLAY_KINDS.map((_, i) => REPLAY_KINDS[(i + round) % REPLAY_KINDS.length]);
      for (const kind of order) runs.push({ round, ...(await run(kind, size)) });
      const r = runs.slice(-REPLAY_KINDS.length);
      log(`replay ${size} B round ${round + 1}: ${r.map((x) => `${x.kind} ${r0(x.per_s)} msg/s ${x.cpu_us.toFixed(1)} µs`).join(", ")}`);
    }
  }
  // What a queue_message call costs the caller (its options read, encoded, sent; no network).
  const optionRuns = [];
  for (let i = 0; i < N.rounds; i++) optionRuns.push(await page.evaluate(([s, n]) => window.bench.optionsCost(s, n), [256, 2000]));
  const options = { full_us: stats(optionRuns.map((o) => o.full_us)), minimal_us: stats(optionRuns.map((o) => o.minimal_us)) };
  log(`replay: queue_message call ${r2(options.full_us.median)} µs with 13 options, ${r2(options.minimal_us.median)} µs with 2`);
  if (process.env.BENCH_PROFILE === "1" || PHASES.includes("profile")) {
    {
      const { r, prof } = await cpuProfile(page, () => page.evaluate(([s, n]) => window.bench.optionsCost(s, n), [256, 5000]));
      results.profile = results.profile || {};
      results.profile.queue_message = { ...r, ...prof };
      log(`profile queue_message (${r2(r.full_us)} µs): ${prof.top.slice(0, 6).map((t) => `${t.fn} ${t.pct}%`).join(", ")}`);
    }
    // One profiled run per client at 256 B, the recording played PROFILE_REPEAT times.
    for (const kind of ["ours", "pbjs", "floor"]) {
      const { r, prof } = await cpuProfile(page, () => page.evaluate(([k, b, n]) => window.bench.replayRun(k, 256, b, n), [kind, REPLAY_BATCH, PROFILE_REPEAT]));
      results.profile = results.profile || {};
      results.profile[`replay_${kind}_256`] = { per_s: r.per_s, cpu_us: r.cpu_us, ...prof };
      log(`profile replay ${kind} 256 B (${r.cpu_us.toFixed(2)} µs/msg): ${prof.top.slice(0, 6).map((t) => `${t.fn} ${t.pct}%`).join(", ")}`);
    }
  }
  await page.evaluate(() => window.bench.replayFree());
  const sum = {};
  for (const size of [256, 16384]) {
    const get = (k, round) => runs.find((r) => r.size === size && r.kind === k && r.round === round);
    const rounds = [...Array(N.rounds).keys()];
    const paired = (a, b, f) => rounds.map((i) => f(get(a, i)) / f(get(b, i)));
    const per = (k, f) => rounds.map((i) => f(get(k, i)));
    const rate = (r) => r.per_s, cpu = (r) => r.cpu_us;
    sum[size] = {
      count: N.replay[size], recording: recorded[size],
      ...Object.fromEntries(REPLAY_KINDS.map((k) => [k, { per_s: stats(per(k, rate)), cpu_us: stats(per(k, cpu)) }])),
      // msg/s ratios (higher is better for ours) and CPU ratios (lower is better for ours).
      ours_over_pbjs: stats(paired("ours", "pbjs", rate)),
      ours_over_floor: stats(paired("ours", "floor", rate)),
      ours_over_raw: stats(paired("ours", "raw", rate)),
      pbjs_over_floor: stats(paired("pbjs", "floor", rate)),
      cpu_ours_over_pbjs: stats(paired("ours", "pbjs", cpu)),
      cpu_ours_over_floor: stats(paired("ours", "floor", cpu)),
      ...(PKG_B ? { ours_b_over_ours: stats(paired("ours_b", "ours", rate)), cpu_ours_b_over_ours: stats(paired("ours_b", "ours", cpu)) } : {}),
    };
    log(`replay ${size} B: ours/pbjs ${r2(sum[size].ours_over_pbjs.median)}, ours/floor ${r2(sum[size].ours_over_floor.median)}, ours/raw ${r2(sum[size].ours_over_raw.median)}${PKG_B ? `, ours_b/ours ${r2(sum[size].ours_b_over_ours.median)} (CPU ${r2(sum[size].cpu_ours_b_over_ours.median)})` : ""}`);
  }
  results.replay = { batch: REPLAY_BATCH, summary: sum, runs, queue_message: options };
}

async function throughput(page, stack, results) {
  const w = await sender(stack);
  const kinds = ["ours", "raw", "pbjs"];
  const runs = [];
  const one = async (kind, size, count, tag) => {
    const queue = `bench-tp-${tag}-${size}-${kind}`;
    let s;
    if (LIVE) {
      await page.evaluate(([k, q, c]) => window.bench.startConsumer(k, q, c), [kind, queue, count]);
      s = await w.blast(queue, payload(size), count);
    } else {
      // Preloaded: the server holds every message until the consumer registers, then writes
      // them as fast as it can, so neither the sender nor the broker limits the rate.
      s = await w.blast(queue, payload(size), count);
      await page.evaluate(([k, q, c]) => window.bench.startConsumer(k, q, c), [kind, queue, count]);
    }
    const r = await page.evaluate((t) => window.bench.consumerDone(t), 120000);
    await control(stack.control, "/reset");
    if (r.timeout) throw new Error(`${kind} ${size} B: only ${r.got} of ${count} messages arrived`);
    return { ...r, size, sender_per_s: s.per_s };
  };
  log("throughput: warm-up");
  for (const k of kinds) await one(k, 256, 2000, "warm");
  for (const size of [256, 16384]) {
    for (let round = 0; round < N.rounds; round++) {
      // Rotate the order each round so no variant always runs first / last.
      const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
      for (const kind of order) {
        const r = await one(kind, size, N.tp[size], `r${round}`);
        runs.push({ round, ...r });
        log(`throughput ${size} B ${kind}: ${r0(r.per_s)} msg/s (sender ${r0(r.sender_per_s)} msg/s, timers set ${r.timers_set})`);
      }
    }
  }
  w.close();
  const sum = {};
  for (const size of [256, 16384]) {
    const per = (k) => runs.filter((r) => r.size === size && r.kind === k).map((r) => r.per_s);
    const paired = (a, b) => [...Array(N.rounds).keys()].map((round) => {
      const x = runs.find((r) => r.size === size && r.kind === a && r.round === round);
      const y = runs.find((r) => r.size === size && r.kind === b && r.round === round);
      return x.per_s / y.per_s;
    });
    const ab = paired("ours", "raw"), ac = paired("ours", "pbjs"), cb = paired("pbjs", "raw");
    const parse = await page.evaluate(([t, n]) => window.bench.parseCost(t, n), [payload(size), N.tp[size]]);
    sum[size] = {
      count: N.tp[size],
      ours: { median: median(per("ours")), min: Math.min(...per("ours")), max: Math.max(...per("ours")) },
      raw: { median: median(per("raw")), min: Math.min(...per("raw")), max: Math.max(...per("raw")) },
      pbjs: { median: median(per("pbjs")), min: Math.min(...per("pbjs")), max: Math.max(...per("pbjs")) },
      sender_median: median(runs.filter((r) => r.size === size).map((r) => r.sender_per_s)),
      ours_over_raw: { median: median(ab), min: Math.min(...ab), max: Math.max(...ab), rounds: ab },
      ours_over_pbjs: { median: median(ac), min: Math.min(...ac), max: Math.max(...ac), rounds: ac },
      pbjs_over_raw: { median: median(cb), rounds: cb },
      json_parse_us: parse.us,
    };
  }
  results.throughput = { summary: sum, runs };
}

async function latency(page, stack, results) {
  const w = await sender(stack);
  await w.respond("bench-echo");
  log("latency: rpc vs raw protocol echo vs plain WebSocket echo");
  const r = await page.evaluate((a) => window.bench.latency(a), { rounds: N.latRounds, perRound: N.latPerRound, warmup: 100 });
  w.close();
  await control(stack.control, "/reset");
  // Paired per round: each round ran every variant back to back.
  const rounds = r.ours.rounds_p50_ms.map((x, i) => x / r.raw.rounds_p50_ms[i]);
  const roundsPbjs = r.ours.rounds_p50_ms.map((x, i) => x / r.pbjs.rounds_p50_ms[i]);
  r.ours_over_raw_p50 = { median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds), rounds };
  r.ours_over_pbjs_p50 = { median: median(roundsPbjs), min: Math.min(...roundsPbjs), max: Math.max(...roundsPbjs), rounds: roundsPbjs };
  r.ours_over_raw_p99 = r.ours.p99_ms / r.raw.p99_ms;
  results.latency = r;
  log(`latency p50/p99 ms: ours ${r.ours.p50_ms.toFixed(3)}/${r.ours.p99_ms.toFixed(3)}, raw ${r.raw.p50_ms.toFixed(3)}/${r.raw.p99_ms.toFixed(3)}, pbjs ${r.pbjs.p50_ms.toFixed(3)}/${r.pbjs.p99_ms.toFixed(3)}, ws echo ${r.ws_echo.p50_ms.toFixed(3)}/${r.ws_echo.p99_ms.toFixed(3)}; ours/raw p50 per round ${rounds.map(r2).join(" ")} (timer step ${r.resolution_ms} ms)`);
}

async function reconnect(page, stack, results) {
  log("reconnect: server down 1000 ms → SignedIn (fast backoff)");
  const fast = await page.evaluate((a) => window.bench.reconnect(a), { n: N.reconnect, downMs: 1000, reconnect: { initial_ms: 50, max_ms: 300 } });
  log("reconnect: server down 1000 ms → SignedIn (default backoff)");
  const def = await page.evaluate((a) => window.bench.reconnect(a), { n: N.reconnectDefault, downMs: 1000, reconnect: {} });
  log("reconnect: half-open link (stall) → Disconnected");
  const half = await page.evaluate((a) => window.bench.halfOpen(a), { n: N.halfOpen, heartbeat_ms: 1000, heartbeat_timeout_ms: 1000 });
  await control(stack.control, "/reset");
  results.reconnect = { fast_backoff: fast, default_backoff: def, half_open: half };
  log(`reconnect p50: fast ${fast.p50_ms} ms, default ${def.p50_ms} ms; half-open detect p50 ${half.p50_ms} ms`);
}

// Dead links with default options: a stalled link to a server pinging every 10 s (a second test
// server with its defaults) and, at the same time, to the main server, which never pings.
async function deadlink(page, stack, results) {
  const pinger = await startServer(stack.origin, []);
  log(`dead link: ${N.deadLink} × stall on a pinging server (${pinger.ws})${QUICK ? "" : ", 1 × on a silent one"}, default options`);
  const r = await page.evaluate((a) => window.bench.deadLink(a), {
    n: N.deadLink,
    // Pings are trusted once two intervals were seen (20 s after connect): stall 22–30 s in, at
    // every phase of the 10 s ping period.
    pinging: { url: pinger.ws, control: pinger.control, quietMs: 22000, jitterMs: 8000 },
    // The silent server: after the first probe (30 s of silence) was answered.
    silent: QUICK ? null : { url: stack.ws, control: stack.control, quietMs: 35000, jitterMs: 0 },
  });
  pinger.child.kill("SIGTERM");
  await control(stack.control, "/reset");
  const ms = r.pinging.map((x) => x.detect_ms);
  results.deadlink = { ...r, ping_interval_ms: 10000, p50_ms: median(ms), max_ms: Math.max(...ms), min_ms: Math.min(...ms) };
  log(`dead link: pinging server detected in ${ms.join(", ")} ms (idle sends ${r.pinging.map((x) => x.idle_sends).join(", ")}, during stall ${r.pinging.map((x) => x.stalled_sends).join(", ")}); silent server ${r.silent.map((x) => `${x.detect_ms} ms, idle sends ${x.idle_sends}`).join("; ")}`);
}

async function memory(page, stack, results) {
  const queue = "bench-mem";
  const data = payload(256);
  await page.evaluate((q) => window.bench.memStart(q), queue);
  let w = await sender(stack);
  let total = 0;
  const send = async (n) => {
    await w.blast(queue, data, n);
    total += n;
    const got = await page.evaluate(([t, ms]) => window.bench.memWait(t, ms), [total, 120000]);
    if (got < total) throw new Error(`memory: ${got} of ${total} messages arrived`);
    await control(stack.control, "/reset");
  };
  log(`memory: warm-up ${N.memWarm} messages`);
  await send(N.memWarm);
  const warm = await page.evaluate(() => window.bench.memSnapshot());
  const deadline = Date.now() + MEM_BUDGET_MS;
  const t0 = Date.now();
  let sent = 0;
  const chunk = QUICK ? 10000 : 100000;
  // Messages get up to 2/3 of the budget, the reconnect cycles the rest.
  while (sent < N.memMessages && Date.now() < t0 + (MEM_BUDGET_MS * 2) / 3) {
    const n = Math.min(chunk, N.memMessages - sent);
    await send(n);
    sent += n;
    log(`memory: ${sent} messages`);
  }
  const msgMs = Date.now() - t0;
  w.close();
  let cycles = 0;
  const t1 = Date.now();
  while (cycles < N.memCycles && Date.now() < deadline) {
    const n = Math.min(QUICK ? 25 : 100, N.memCycles - cycles);
    await page.evaluate((k) => window.bench.memCycles(k), n);
    cycles += n;
    log(`memory: ${cycles} reconnect cycles`);
  }
  const cycleMs = Date.now() - t1;
  // The queue still works after the cycles: another 10,000 messages arrive.
  w = await sender(stack);
  await send(10000);
  w.close();
  const after = await page.evaluate(() => window.bench.memSnapshot());
  await page.evaluate(() => window.bench.memStop());
  await control(stack.control, "/reset");
  results.memory = {
    warm_up: warm, after, messages: sent, messages_ms: msgMs, reconnect_cycles: cycles, cycles_ms: cycleMs,
    planned: { messages: N.memMessages, reconnect_cycles: N.memCycles },
    wasm_ratio: after.wasm_memory / warm.wasm_memory, js_heap_ratio: after.js_heap / warm.js_heap,
  };
  log(`memory: wasm ${warm.wasm_memory} → ${after.wasm_memory}, JS heap ${warm.js_heap} → ${after.js_heap}`);
}

function size(results) {
  const rows = [];
  const dir = PKG;
  for (const target of fs.readdirSync(dir).filter((d) => fs.statSync(path.join(dir, d)).isDirectory()).sort()) {
    for (const f of fs.readdirSync(path.join(dir, target)).sort()) {
      if (!/\.(wasm|js|mjs)$/.test(f)) continue;
      const buf = fs.readFileSync(path.join(dir, target, f));
      rows.push({
        target, file: f, raw: buf.length,
        gzip: zlib.gzipSync(buf, { level: 9 }).length,
        brotli: zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
      });
    }
  }
  const totals = {};
  for (const r of rows) {
    const t = (totals[r.target] ||= { raw: 0, gzip: 0, brotli: 0 });
    t.raw += r.raw; t.gzip += r.gzip; t.brotli += r.brotli;
  }
  results.size = { files: rows, per_target: totals };
  log(`size: web wasm+js gzip ${totals.web && totals.web.gzip} B, brotli ${totals.web && totals.web.brotli} B`);
}

async function soak(page, stack, results) {
  const ms = SOAK_MINUTES * 60000;
  const rate = 500;
  log(`soak: ${SOAK_MINUTES} min, ${rate} msg/s, random faults`);
  await page.evaluate((a) => window.bench.soakStart(a), { queue: "bench-soak", rate, inflight: 200, maxIds: Math.ceil(rate * (ms / 1000 + 120) * 1.2) });
  const faults = [];
  const rnd = (a, b) => a + Math.floor(Math.random() * (b - a));
  const kinds = ["drop", "down", "stall", "delay", "split", "coalesce"];
  // Warm-up: one fault of each kind first, so that the buffers reach their high-water marks
  // (wasm memory never shrinks) before the baseline is taken.
  const warmup = [...kinds];
  const t0 = Date.now();
  let warm = null;
  while (warmup.length || Date.now() < t0 + ms) {
    await sleep(rnd(2000, 6000));
    if (!warmup.length && !warm) {
      await sleep(3000);
      warm = await page.evaluate(() => window.bench.heap());
      warm.t = Date.now() - T0;
    }
    const kind = warmup.length ? warmup.shift() : kinds[rnd(0, kinds.length)];
    const f = { t: Date.now() - T0, kind };
    switch (kind) {
      case "drop": await control(stack.control, "/drop"); break;
      case "down": f.ms = rnd(100, 2000); await control(stack.control, `/down?ms=${f.ms}`); await sleep(f.ms); break;
      case "stall": f.ms = rnd(500, 4000); await control(stack.control, "/stall?ms=0"); await sleep(f.ms); await control(stack.control, "/heal"); break;
      case "delay": f.ms = rnd(20, 300); await control(stack.control, `/delay?ms=${f.ms}`); await sleep(rnd(1000, 4000)); await control(stack.control, "/heal"); break;
      case "split": f.chunk = rnd(1, 16); await control(stack.control, `/split?count=200&chunk=${f.chunk}`); break;
      case "coalesce": await control(stack.control, "/coalesce?count=200"); break;
    }
    faults.push(f);
    await control(stack.control, "/reset");
  }
  await control(stack.control, "/heal");
  await sleep(5000);
  if (!warm) warm = await page.evaluate(() => window.bench.heap());
  const r = await page.evaluate(() => window.bench.soakStop(2000));
  const after = await page.evaluate(() => window.bench.heap());
  await page.evaluate(() => window.bench.soakFree());
  const byKind = {};
  for (const f of faults) byKind[f.kind] = (byKind[f.kind] || 0) + 1;
  results.soak = { minutes: SOAK_MINUTES, rate, ...r, faults: byKind, fault_timeline: faults, memory: { warm_up: warm, after, wasm_ratio: after.wasm_memory / warm.wasm_memory, js_heap_ratio: after.js_heap / warm.js_heap } };
  log(`soak: sent ${r.sent}, acked ${r.acked}, failed ${r.failed}, lost ${r.lost}, duplicated ${r.duplicated}`);
}

// A CPU profile of one throughput run of our client: where the time goes.
async function profile(page, stack, results, kind = "ours", size = 256) {
  const w = await sender(stack);
  const count = N.tp[size];
  const queue = `bench-prof-${kind}-${size}`;
  await w.blast(queue, payload(size), count);
  const { r, prof } = await cpuProfile(page, async () => {
    await page.evaluate(([k, q, c]) => window.bench.startConsumer(k, q, c), [kind, queue, count]);
    return page.evaluate((t) => window.bench.consumerDone(t), 120000);
  });
  w.close();
  await control(stack.control, "/reset");
  results.profile = results.profile || {};
  results.profile[`${kind}_${size}`] = { per_s: r.per_s, ...prof };
  log(`profile ${kind} ${size} B: ${prof.top.slice(0, 5).map((t) => `${t.fn} ${t.pct}%`).join(", ")}`);
}

/** A CPU profile (100 µs sampling) of what `f` makes the page do: self time per function and per
 * category. Resolves with f's result `r` and `prof`. */
async function cpuProfile(page, f) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  const r = await f();
  const { profile: p } = await cdp.send("Profiler.stop");
  await cdp.detach();
  // Self time per function from the samples.
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]);
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    total += dt;
    const cf = n.callFrame;
    const file = cf.url ? cf.url.replace(/^.*\//, "") : "";
    const key = `${cf.functionName || "(anonymous)"}${file ? ` ${file}:${cf.lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) || 0) + dt);
  }
  const cat = (k) => /\.wasm|wasm-function|^\$/.test(k) || /openiap_wasm_bg/.test(k) ? "wasm"
    : /openiap_wasm\.js/.test(k) ? "JS glue (wasm-bindgen)" : /page\.js|proto\.js|replay\.js/.test(k) ? "bench page"
    : /protobuf/.test(k) ? "protobufjs" : /^\((idle|program|garbage collector|root)\)/.test(k) ? k.split(" ")[0] : "browser built-ins (JSON.parse, WebSocket, ...)";
  const cats = {};
  for (const [k, v] of self) cats[cat(k)] = (cats[cat(k)] || 0) + v;
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => ({ fn: k, ms: r2(v), pct: r2((v / total) * 100) }));
  return {
    r,
    prof: {
      total_ms: r2(total),
      categories: Object.fromEntries(Object.entries(cats).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, { ms: r2(v), pct: r2((v / total) * 100) }])),
      top,
    },
  };
}

// ---------------------------------------------------------------------------------------------

function machine(browserVersion) {
  const cpus = os.cpus();
  let rustc = "";
  try { rustc = execFileSync("rustc", ["--version"], { encoding: "utf8" }).trim(); } catch {}
  let commit = "";
  try { commit = execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim(); } catch {}
  return {
    date: new Date().toISOString(), cpu: cpus[0] && cpus[0].model, cores: cpus.length,
    memory_gb: r2(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version, chromium: browserVersion, rustc, commit, loadavg_start: os.loadavg().map(r2),
  };
}

// The `http` phase runs in a process of its own (Node 20 needs a flag for its WebSocket) and writes
// its own key of results.json, after the other phases wrote theirs.
function httpPhase() {
  const flags = typeof globalThis.WebSocket === "function" ? [] : ["--experimental-websocket"];
  execFileSync(process.execPath, [...flags, path.join(ROOT, "tests/bench/http.mjs")], { stdio: "inherit", env: { ...process.env, BENCH_OUT_DIR: OUT_DIR } });
}

async function main() {
  if (PHASES.length === 1 && PHASES[0] === "http") return httpPhase();
  for (const f of ["web/openiap_wasm.js", "web/openiap_wasm_bg.wasm"]) {
    if (!fs.existsSync(path.resolve(ROOT, process.env.BENCH_PKG || "pkg", f))) throw new Error(`${f} is missing: bash .ci/bench.sh builds it`);
  }
  fs.rmSync(PKG, { recursive: true, force: true });
  fs.cpSync(path.resolve(ROOT, process.env.BENCH_PKG || "pkg"), PKG, { recursive: true });
  if (PKG_B) {
    fs.rmSync(PKG_B, { recursive: true, force: true });
    fs.cpSync(path.resolve(ROOT, process.env.BENCH_PKG_B), PKG_B, { recursive: true });
  }
  if (!fs.existsSync(SERVER_BIN)) throw new Error(`${SERVER_BIN} is missing: cargo build --release -p openiap-testserver`);
  const stat = await startStatic();
  const srv = await startServer(new URL(stat.url).origin);
  const echo = await startEcho();
  const stack = { ws: srv.ws, control: srv.control, origin: new URL(stat.url).origin };
  log(`stack: server ${srv.ws} (control ${srv.control}), page ${stat.url}, echo ${echo.url}`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-quic", "--no-first-run", "--enable-precise-memory-info", "--js-flags=--expose-gc"],
  });
  const results = { quick: QUICK, live: LIVE, machine: machine(browser.version()), server_args: srv.args, phases: PHASES, counts: N };
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  // Refused connections while the server is down are expected.
  page.on("console", (m) => { if (m.type() === "error" && !/ERR_CONNECTION_REFUSED|favicon/.test(m.text())) pageErrors.push(m.text()); });
  await page.route("**/favicon.ico", (r) => r.fulfill({ status: 204 }));
  await page.goto(stat.url);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });
  results.targets = TARGETS;
  results.initial = await page.evaluate((c) => window.bench.setup(c), { url: stack.ws, control: stack.control, echo: echo.url, user: USER, pass: PASS, pkgB: !!PKG_B });

  if (PHASES.includes("size")) size(results);
  if (PHASES.includes("replay")) await replay(page, stack, results);
  if (PHASES.includes("throughput")) await throughput(page, stack, results);
  if (PHASES.includes("latency")) await latency(page, stack, results);
  if (PHASES.includes("reconnect")) await reconnect(page, stack, results);
  if (PHASES.includes("deadlink")) await deadlink(page, stack, results);
  const tp = results.throughput && results.throughput.summary;
  const missed = tp && [256, 16384].some((s) => tp[s].ours_over_pbjs.median < TARGETS.tp_ours_over_pbjs);
  if ((tp && (missed || process.env.BENCH_PROFILE === "1")) || PHASES.includes("profile")) {
    await profile(page, stack, results, "ours", 256);
    await profile(page, stack, results, "ours", 16384);
    await profile(page, stack, results, "pbjs", 256);
    await profile(page, stack, results, "raw", 256);
  }
  if (PHASES.includes("memory")) await memory(page, stack, results);
  if (PHASES.includes("soak")) await soak(page, stack, results);
  results.machine.loadavg_end = os.loadavg().map(r2);
  results.machine.duration_s = r0((Date.now() - T0) / 1000);
  results.page_errors = pageErrors.slice(0, 50);
  await browser.close();
  stat.server.close();
  echo.wss.close();

  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUT_DIR, "results.json"), JSON.stringify(results, null, 2) + "\n");
  const md = (await import("./report.mjs")).report(results);
  fs.writeFileSync(path.join(OUT_DIR, "results.md"), md);
  console.log(md);
  log(`wrote ${path.relative(ROOT, OUT_DIR)}/results.json and results.md`);
  if (PHASES.includes("http")) httpPhase();
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
