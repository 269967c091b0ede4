// The `http` phase of the benchmark (issue 25): the transient call of an edge function — new
// Client + connect() with a JWT + one query + disconnect() — over POST /api/v2 (http://) against
// the same call over a WebSocket (ws://), in Node (the package's node build from pkg/) and in
// workerd (the workerd build through Miniflare), against one release test server in one run. Also
// one query on a client that stays connected, over each transport. Prints medians and the ratio
// HTTP / WebSocket (target: the transient call over HTTP ≤ 0.5× the WebSocket's), also with 10 ms
// added to every server reply (loopback has no latency), and the envelopes each transient call sends.
//
// Writes its summary under the key `http` of results.json (BENCH_OUT_DIR or tests/bench; other
// keys are kept). Run by tests/bench/run.mjs for BENCH_PHASES=http, or alone:
//   node tests/bench/http.mjs          (BENCH_QUICK=1: fewer calls)
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tools = createRequire(path.join(ROOT, ".ci/npm/package.json"));
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const r2 = (x) => Math.round(x * 100) / 100;

function startServer(bin) {
  return new Promise((resolve, reject) => {
    // The rate limit would throttle a benchmark that comes from one IP.
    const args = ["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--quiet", "--api-rate-limit", "1000000",
      "--ping-interval-ms", "3600000", "--idle-timeout-ms", "3600000"];
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /LISTENING ws=(\S+) control=(\S+)/.exec(out);
      if (m) resolve({ ws: m[1], control: m[2], child });
    });
    child.stderr.on("data", (d) => { err = (err + d).slice(-4000); });
    child.on("exit", (code) => reject(new Error(`test server exited (${code}): ${err}`)));
  });
}

// The calls, as one source for Node and the Worker: `Client` and a clock are passed in.
const CALLS = `
export async function transient(Client, url, jwt) {
  const c = new Client({ url, jwt });
  try {
    await c.connect();
    await c.query({ collectionname: "bench_http", query: {}, top: 1 });
  } finally {
    c.disconnect();
  }
}
/** n rounds of \`batch\` transient calls per transport, alternating (so that load hits both alike);
 * each figure is a round's mean (workerd's clock steps by whole ms). */
export async function transients(Client, urls, jwt, n, now, batch = 1) {
  const ms = { http: [], ws: [] };
  for (let i = 0; i < n; i++) {
    for (const k of i % 2 ? ["ws", "http"] : ["http", "ws"]) {
      const t = now();
      for (let b = 0; b < batch; b++) await transient(Client, urls[k], jwt);
      ms[k].push((now() - t) / batch);
    }
  }
  return ms;
}
/** n queries on one connected client per transport, alternating. */
export async function connected(Client, urls, jwt, n, now, batch = 1) {
  const ms = { http: [], ws: [] }, c = {};
  for (const k of ["http", "ws"]) {
    c[k] = new Client({ url: urls[k], jwt });
    await c[k].connect();
    await c[k].query({ collectionname: "bench_http", query: {}, top: 1 });
  }
  try {
    for (let i = 0; i < n; i++) {
      for (const k of i % 2 ? ["ws", "http"] : ["http", "ws"]) {
        const t = now();
        for (let b = 0; b < batch; b++) await c[k].query({ collectionname: "bench_http", query: {}, top: 1 });
        ms[k].push((now() - t) / batch);
      }
    }
  } finally {
    for (const k of ["http", "ws"]) c[k].disconnect();
  }
  return ms;
}
`;

const summary = (ms) => ({
  http_ms: r2(median(ms.http)), ws_ms: r2(median(ms.ws)), http_over_ws: r2(median(ms.http) / median(ms.ws)), n: ms.http.length,
});

/** The `http` phase; returns its summary (also written under `http` in results.json). */
export async function httpPhase({ quick = process.env.BENCH_QUICK === "1", outDir } = {}) {
  const bin = process.env.TESTSERVER_BIN || path.join(ROOT, "target/release/openiap-testserver");
  const pkg = path.resolve(ROOT, process.env.BENCH_PKG || "pkg");
  const work = path.join(ROOT, "target/bench/http");
  fs.rmSync(work, { recursive: true, force: true });
  // pkg/ is copied first: other builds may replace it while the benchmark runs.
  fs.cpSync(pkg, path.join(work, "pkg"), { recursive: true });
  fs.writeFileSync(path.join(work, "calls.mjs"), CALLS);
  const n = quick ? 20 : 100;
  const DELAY = 10;
  const srv = await startServer(bin);
  try {
    const ctl = async (p) => (await fetch(srv.control + p)).json();
    const jwt = (await ctl("/jwt?user=testuser&ms=3600000")).jwt;
    const host = new URL(srv.ws).host;
    const urls = { http: `http://${host}`, ws: srv.ws };
    const calls = await import(pathToFileURL(path.join(work, "calls.mjs")));
    const { Client } = await import(pathToFileURL(path.join(work, "pkg/node/index.mjs")));

    // Envelopes one transient call sends. Round trips waited for: HTTP the one POST; WebSocket the
    // upgrade, the sign-in and the query (its connect-time ping is not waited for).
    const trips = {};
    for (const k of ["http", "ws"]) {
      const before = (await ctl("/stats")).received;
      await calls.transient(Client, urls[k], jwt);
      await new Promise((r) => setTimeout(r, 50));
      trips[k] = (await ctl("/stats")).received - before;
    }

    const now = () => performance.now();
    await calls.transients(Client, urls, jwt, 5, now); // warm-up
    // Loopback has no latency: also with DELAY ms added to every server reply (/delay), which
    // stands for a network round trip (the WebSocket's TCP and upgrade round trip is not delayed).
    const delayed = async (f) => { await ctl(`/delay?ms=${DELAY}`); try { return await f(); } finally { await ctl("/delay?ms=0"); } };
    const node = { transient: summary(await calls.transients(Client, urls, jwt, n, now)),
      connected: summary(await calls.connected(Client, urls, jwt, n, now)),
      [`transient_${DELAY}ms_per_reply`]: summary(await delayed(() => calls.transients(Client, urls, jwt, n >> 2, now))) };

    // workerd: the same calls inside a Worker (its clock moves on I/O, in whole ms: each figure
    // is the median of per-call times).
    const esbuild = tools("esbuild");
    const { Miniflare } = tools("miniflare");
    fs.writeFileSync(path.join(work, "worker.mjs"), `import { Client } from "./pkg/workerd/index.js";
import { transients, connected } from "./calls.mjs";
export default { async fetch(req, env) {
  const q = new URL(req.url).searchParams, urls = { http: env.HTTP, ws: env.WS }, now = () => Date.now();
  const f = q.get("what") === "connected" ? connected : transients;
  return Response.json(await f(Client, urls, env.JWT, Number(q.get("n")), now, Number(q.get("batch"))));
} };`);
    const wasm = [];
    const built = await esbuild.build({
      entryPoints: [path.join(work, "worker.mjs")], bundle: true, write: false, format: "esm", platform: "neutral",
      target: "es2022", conditions: ["workerd", "worker", "browser"], logLevel: "error",
      plugins: [{ name: "wasm", setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, (a) => {
          const file = path.resolve(a.resolveDir, a.path);
          if (!wasm.length) wasm.push({ type: "CompiledWasm", path: path.basename(file), contents: fs.readFileSync(file) });
          return { path: "./" + path.basename(file), external: true };
        });
      } }],
    });
    const mf = new Miniflare({
      compatibilityDate: "2026-04-01",
      modules: [{ type: "ESModule", path: "worker.mjs", contents: built.outputFiles[0].text }, ...wasm],
      bindings: { HTTP: urls.http, WS: urls.ws, JWT: jwt },
    });
    let workerd;
    try {
      const run = async (what, k, batch = 10) => {
        const r = await mf.dispatchFetch(`http://bench.test/?what=${what}&n=${k}&batch=${batch}`);
        if (r.status !== 200) throw new Error(`workerd ${what}: HTTP ${r.status}: ${await r.text()}`);
        return r.json();
      };
      await run("transient", 1);
      const rounds = quick ? 5 : 15;
      workerd = { transient: summary(await run("transient", rounds)), connected: summary(await run("connected", rounds)),
        [`transient_${DELAY}ms_per_reply`]: summary(await delayed(() => run("transient", rounds >> 1, 4))) };
    } finally {
      await mf.dispose().catch(() => {});
    }

    const result = {
      target: { transient_http_over_ws: 0.5 },
      envelopes_sent: { transient_http: trips.http, transient_ws: trips.ws },
      round_trips: { transient_http: 1, transient_ws: 3, note: "WebSocket: upgrade, signin, query; HTTP: one POST" },
      node, workerd,
      met: { loopback: node.transient.http_over_ws <= 0.5 && workerd.transient.http_over_ws <= 0.5,
        [`${DELAY}ms_per_reply`]: node[`transient_${DELAY}ms_per_reply`].http_over_ws <= 0.5 && workerd[`transient_${DELAY}ms_per_reply`].http_over_ws <= 0.5 },
    };
    const dir = path.resolve(ROOT, outDir || process.env.BENCH_OUT_DIR || (quick ? "target/bench" : "tests/bench"));
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "results.json");
    const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    all.http = result;
    fs.writeFileSync(file, JSON.stringify(all, null, 2) + "\n");
    console.log(`[bench http] a transient call sends ${trips.http} envelope over HTTP (1 round trip), ${trips.ws} over a WebSocket (3 round trips: upgrade, signin, query)`);
    for (const [rt, r] of Object.entries({ node, workerd })) {
      for (const [what, s] of Object.entries(r)) {
        console.log(`[bench http] ${rt} ${what}: HTTP ${s.http_ms} ms, WebSocket ${s.ws_ms} ms (median of ${s.n}${rt === "workerd" ? " round means" : ""}), HTTP/WS ${s.http_over_ws}`);
      }
    }
    return result;
  } finally {
    srv.child.kill("SIGTERM");
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  httpPhase().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
}
