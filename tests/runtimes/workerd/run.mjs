// Runs workerd/worker.mjs, and the README's Worker (workerd/readme-worker.mjs, with OPENIAP_URL and
// OPENIAP_JWT as bindings: its query goes over HTTP), in workerd through Miniflare, bundled the way
// wrangler does it: esbuild with the conditions ["workerd", "worker", "browser"] and `.wasm`
// imports kept as CompiledWasm modules (the files come from the npm-installed package, not from
// pkg/).
// Usage: node --experimental-websocket workerd/run.mjs ws://user:pass@127.0.0.1:PORT CONTROL_URL
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = createRequire(path.resolve(here, "../../../.ci/npm/package.json"));
const esbuild = tools("esbuild");
const { Miniflare } = tools("miniflare");
const [url, controlUrl] = process.argv.slice(2);

/** Bundles one Worker as wrangler does: its code and its one wasm module. */
async function bundle(entry) {
  const wasmModules = [];
  const built = await esbuild.build({
    entryPoints: [path.join(here, entry)],
    bundle: true, write: false, format: "esm", platform: "neutral", target: "es2022",
    conditions: ["workerd", "worker", "browser"], mainFields: ["module", "main"], logLevel: "error",
    plugins: [{
      name: "wasm-module",
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, (args) => {
          const file = path.resolve(args.resolveDir, args.path);
          const name = path.basename(file);
          if (!wasmModules.some((m) => m.path === name)) wasmModules.push({ type: "CompiledWasm", path: name, contents: readFileSync(file) });
          return { path: "./" + name, external: true };
        });
      },
    }],
  });
  const code = built.outputFiles[0].text;
  if (!/openiap-wasm\/workerd\/index\.js/.test(code)) throw new Error(`${entry}: the bundle did not use the package's workerd entry`);
  if (wasmModules.length !== 1) throw new Error(`${entry}: expected one wasm module, got ${wasmModules.length}`);
  return [{ type: "ESModule", path: "worker.mjs", contents: code }, ...wasmModules];
}
const modules = await bundle("worker.mjs");
const readmeModules = await bundle("readme-worker.mjs");

// The echo consumer of the transient call lives outside the Worker (the package's Node build).
const { Client } = await import("openiap-wasm");
const echo = new Client({ url });
await echo.connect();
await echo.register_queue("echo", (msg) => ({ echoed: msg.data }));
// The orders the README's Worker reads, and its secrets: the server's http:// URL and a token.
const orders = `orders`;
await echo.delete_many({ collectionname: orders, query: {} });
await echo.insert_many({ collectionname: orders, items: [{ name: "o1", status: "open" }, { name: "o2", status: "done" }, { name: "o3", status: "open" }] });
const httpUrl = "http://" + new URL(url.replace(/^ws/, "http")).host;
const jwt = (await (await fetch(`${controlUrl}/jwt?user=testuser&ms=600000`)).json()).jwt;

// Control: workerd must reject a timer in global scope, or loading the package proves nothing.
const control = new Miniflare({ compatibilityDate: "2026-04-01", modules: [{ type: "ESModule", path: "w.mjs",
  contents: "setTimeout(() => {}, 1);\nexport default { fetch: () => new Response('ok') };" }] });
const controlStarted = await control.dispatchFetch("http://control.test/").then(() => true, () => false);
await control.dispose().catch(() => {});
if (controlStarted) throw new Error("workerd ran a worker that sets a timer in global scope; the import-time check is void");

const mf = new Miniflare({
  compatibilityDate: "2026-04-01",
  modules,
});
const readme = new Miniflare({ compatibilityDate: "2026-04-01", modules: readmeModules, bindings: { OPENIAP_URL: httpUrl, OPENIAP_JWT: jwt } });
try {
  const q = "?url=" + encodeURIComponent(url);
  const t = await mf.dispatchFetch("http://worker.test/transient" + q);
  const tb = await t.text();
  if (t.status !== 200) throw new Error(`/transient: HTTP ${t.status}: ${tb}`);
  if (JSON.stringify(JSON.parse(tb)) !== JSON.stringify({ reply: { echoed: { hello: "world" } } })) throw new Error("/transient: " + tb);
  const before = (await (await fetch(`${controlUrl}/stats`)).json()).received;
  const r = await readme.dispatchFetch("http://readme.test/");
  const rb = await r.text();
  if (r.status !== 200 || JSON.stringify(JSON.parse(rb)) !== JSON.stringify(["o1", "o3"])) {
    throw new Error(`the README's Worker: HTTP ${r.status}: ${rb}`);
  }
  const log = await (await fetch(`${controlUrl}/log`)).json();
  const calls = log.slice(before).map((e) => e.command).filter((c) => c !== "pong");
  if (JSON.stringify(calls) !== JSON.stringify(["query"])) throw new Error("the README's Worker made " + calls);
  echo.disconnect();                                         // the scenario registers its own "echo"
  const s = await mf.dispatchFetch("http://worker.test/scenario" + q);
  const sb = await s.text();
  if (s.status !== 200) throw new Error(`/scenario: HTTP ${s.status}: ${sb}`);
  const h = await mf.dispatchFetch("http://worker.test/http" + q + "&control=" + encodeURIComponent(controlUrl));
  const hb = await h.text();
  if (h.status !== 200) throw new Error(`/http: HTTP ${h.status}: ${hb}`);
  console.log(`workerd: /transient ok; the README's Worker ok (one POST /api/v2); ${JSON.parse(sb).summary}; ${JSON.parse(hb).summary}`);
} finally {
  echo.disconnect();
  await mf.dispose();
  await readme.dispose();
}
