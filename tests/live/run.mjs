// `make test-live`: runs checks.js against the server in OPENIAP_LIVE_URL (ws[s]://user:password@host)
// with the installed package, in Node and in headless Chromium (page.js, bundled by esbuild), and
// prints one table. The URL comes from the environment, never from argv, and only its scheme, host
// and path are printed. Exits 1 when a check failed.
// Usage: OPENIAP_LIVE_URL=... node [--experimental-websocket] tests/live/run.mjs
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CHECKS, liveChecks } from "./checks.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = createRequire(path.resolve(here, "../../.ci/npm/package.json"));
const url = process.env.OPENIAP_LIVE_URL || "";
let target;
try {
  target = new URL(url);
  if (!/^(wss?|https?):$/.test(target.protocol)) throw new Error();
} catch {
  console.error("test-live: the URL must start with ws://, wss://, http:// or https:// (it is not shown here)");
  process.exit(2);
}
const shown = `${target.protocol}//${target.host}${target.pathname === "/" ? "" : target.pathname}`;
console.log(`openiap-wasm live check against ${shown} (${target.username ? "credentials from the URL, not shown" : "no credentials"})`);

/** The checks in Chromium: `{name, rows}`, or `{name, error}` when the browser could not run them. */
async function inChromium() {
  const bundle = await tools("esbuild").build({
    entryPoints: [path.join(here, "page.js")], bundle: true, write: false, format: "esm",
    platform: "browser", conditions: ["browser"], target: "es2022", logLevel: "error",
  });
  const wasm = await readFile(createRequire(path.join(here, "package.json")).resolve("openiap-wasm/openiap_wasm_bg.wasm"));
  const files = {
    "/": ["text/html", '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>'],
    "/page.js": ["text/javascript", bundle.outputFiles[0].text],
    "/openiap_wasm_bg.wasm": ["application/wasm", wasm],
  };
  const server = createServer((req, res) => {
    const f = files[req.url];
    if (f) res.writeHead(200, { "content-type": f[0] }).end(f[1]);
    else res.writeHead(req.url === "/favicon.ico" ? 204 : 404).end();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const browser = await tools("playwright-core").chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage();
    page.on("console", (m) => ["error", "warning"].includes(m.type()) && console.log(`  [chromium console.${m.type()}] ${m.text()}`));
    page.on("pageerror", (e) => console.log(`  [chromium page error] ${e.message}`));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.ready, null, { timeout: 30000 });
    return { name: `chromium ${browser.version()}`, rows: await page.evaluate((u) => window.runLive(u), url) };
  } finally {
    await browser.close();
    server.close();
  }
}

const { Client } = await import("openiap-wasm");
const runs = [{ name: `node ${process.versions.node}`, rows: await liveChecks(Client, url) }];
runs.push(await inChromium().catch((e) => ({ name: "chromium", error: String(e && e.message || e).split("\n")[0] })));

// The table: one row per check, one column per runtime; details of what did not pass below it.
const cell = (r) => (r ? `${r.status} ${String(r.ms).padStart(6)} ms` : "not run");
const width = Math.max(...CHECKS.map((c) => c.length));
const colWidth = Math.max(16, ...runs.map((r) => r.name.length));
const line = (first, cells) => console.log([first.padEnd(width), ...cells.map((x) => x.padEnd(colWidth))].join("  ").trimEnd());
line("check", runs.map((r) => r.name));
for (const c of CHECKS) line(c, runs.map((r) => cell(r.rows && r.rows[c])));
let failed = 0;
for (const r of runs) {
  if (r.error) { failed++; console.log(`${r.name}: could not run the checks: ${r.error}`); continue; }
  for (const c of CHECKS) {
    const row = r.rows[c];
    if (row.status === "FAIL") failed++;
    // A SKIP because an earlier check failed says nothing new.
    if (row.status === "FAIL" || (row.status === "SKIP" && !row.detail.startsWith("needs:"))) console.log(`${r.name}, ${c}: ${row.status}: ${row.detail}`);
  }
}
const count = (r, s) => (r.rows ? CHECKS.filter((c) => r.rows[c].status === s).length : 0);
console.log(runs.map((r) => `${r.name}: ${count(r, "PASS")} of ${CHECKS.length} passed`).join("; "));
process.exit(failed ? 1 : 0);
